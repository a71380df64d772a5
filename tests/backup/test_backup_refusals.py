"""What `flask backup` and `flask restore` refuse, each with its reason, and nothing half-written."""
from __future__ import annotations

import io
import json
import sqlite3
import tarfile
from contextlib import closing
from pathlib import Path

import pytest

from lms.backup.services import sha256
from lms.extensions import db
from tests.backup.conftest import sqlite_tables
from tests.backup.test_backup_restore import run


def database_of(app) -> Path:
    return Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))


@pytest.fixture()
def backup(app, make_ward, make_user, tmp_path) -> Path:
    """A small ward backed up to a folder."""
    ward = make_ward("Phường Mẫu")
    make_user(ward=ward, name="Nguyễn Thị Lan")
    result = run(app, "backup", tmp_path / "ban-sao-luu")
    assert result.exit_code == 0, result.output
    db.session.remove()
    return tmp_path / "ban-sao-luu"


def rewrite_manifest(folder: Path, **changes) -> None:
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest.update(changes)
    path.write_text(json.dumps(manifest))


def test_on_postgresql_backup_and_restore_point_to_pg_dump_and_write_nothing(other_app, tmp_path):
    province = other_app(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://lopso@127.0.0.1:5432/tinh")
    for args in (("backup", tmp_path / "x"), ("restore", tmp_path)):
        result = run(province, *args)
        assert result.exit_code == 1
        assert "PostgreSQL" in result.output and "pg_dump -Fc" in result.output and "pg_restore" in result.output
    assert not (tmp_path / "x").exists()


def test_a_backup_never_overwrites_an_existing_file_or_writes_into_a_missing_folder(app, tmp_path):
    taken = tmp_path / "da-co.tar.gz"
    taken.write_text("giữ nguyên")
    result = run(app, "backup", taken)
    assert result.exit_code == 1 and "Đã có" in result.output
    assert taken.read_text() == "giữ nguyên"
    result = run(app, "backup", tmp_path / "khong-co" / "ban-sao-luu")
    assert result.exit_code == 1 and "Không có thư mục" in result.output
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_restore_refuses_a_database_in_use_unless_forced(app, backup, fresh_instance, make_ward):
    fresh = fresh_instance()
    with fresh.app_context():
        from tests.conftest import reset_schema

        reset_schema(fresh)  # migrated but empty: still a fresh instance
    assert run(fresh, "restore", backup).exit_code == 0
    make_ward("Phường Khác")  # the ward writes on
    db.session.remove()
    before = sqlite_tables(database_of(app))
    result = run(app, "restore", backup)
    assert result.exit_code == 1
    assert "đã có dữ liệu" in result.output and "--force" in result.output
    assert sqlite_tables(database_of(app)) == before
    result = run(app, "restore", backup, "--force")
    assert result.exit_code == 0, result.output
    assert sqlite_tables(database_of(app)) == sqlite_tables(backup / "lms.db")


def test_a_changed_file_is_refused_by_its_sha256(backup, fresh_instance):
    with closing(sqlite3.connect(backup / "lms.db")) as conn, conn:
        conn.execute("UPDATE user_account SET full_name = 'Kẻ Giả Mạo'")
    fresh = fresh_instance()
    result = run(fresh, "restore", backup)
    assert result.exit_code == 1
    assert "lms.db đã bị thay đổi hoặc hỏng (sha256 không khớp)" in result.output
    assert database_of(fresh).stat().st_size == 0  # nothing written
    (backup / "secret_key").unlink()
    result = run(fresh, "restore", backup)
    assert result.exit_code == 1 and "Thiếu tệp secret_key" in result.output


def test_a_backup_from_an_unknown_version_is_refused(backup, fresh_instance):
    with closing(sqlite3.connect(backup / "lms.db")) as conn, conn:
        conn.execute("UPDATE alembic_version SET version_num = 'f00dfacecafe'")
    files = json.loads((backup / "manifest.json").read_text())["files"]
    files["lms.db"]["sha256"] = sha256(backup / "lms.db")
    rewrite_manifest(backup, files=files)
    fresh = fresh_instance()
    result = run(fresh, "restore", backup)
    assert result.exit_code == 1 and "khác manifest" in result.output
    rewrite_manifest(backup, revision="f00dfacecafe")
    result = run(fresh, "restore", backup)
    assert result.exit_code == 1
    assert "phiên bản f00dfacecafe, mà bản Lớp Số này không biết" in result.output
    assert database_of(fresh).stat().st_size == 0


@pytest.mark.parametrize("problem, expected", [
    ("not a backup", "Đây không phải bản sao lưu của Lớp Số"),
    ("no manifest", "thiếu hoặc hỏng manifest.json"),
    ("wrong counts", "Số dòng trong cơ sở dữ liệu khác manifest"),
])
def test_a_damaged_manifest_is_refused(backup, fresh_instance, problem, expected):
    if problem == "not a backup":
        rewrite_manifest(backup, format="something-else")
    elif problem == "no manifest":
        (backup / "manifest.json").unlink()
    else:
        tables = json.loads((backup / "manifest.json").read_text())["tables"]
        tables["user_account"] += 1
        rewrite_manifest(backup, tables=tables)
    result = run(fresh_instance(), "restore", backup)
    assert result.exit_code == 1 and expected in result.output


def test_an_archive_with_a_path_outside_the_backup_is_refused(tmp_path, backup, fresh_instance):
    archive = tmp_path / "la.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for path in backup.iterdir():
            tar.add(path, arcname=path.name)
        evil = tarfile.TarInfo("../../instance/secret_key")
        evil.size = 4
        tar.addfile(evil, io.BytesIO(b"evil"))
    fresh = fresh_instance()
    result = run(fresh, "restore", archive)
    assert result.exit_code == 1 and "Bản sao lưu có tệp lạ" in result.output
    assert not (tmp_path / "instance").exists()
    result = run(fresh, "restore", tmp_path / "khong-co.tar.gz")
    assert result.exit_code == 1 and "Không tìm thấy bản sao lưu" in result.output
    (tmp_path / "hong.tar.gz").write_bytes(b"not an archive")
    result = run(fresh, "restore", tmp_path / "hong.tar.gz")
    assert result.exit_code == 1 and "Không đọc được tệp nén" in result.output


def test_a_database_never_migrated_is_not_backed_up(fresh_instance, tmp_path):
    empty = fresh_instance("never-migrated")
    result = run(empty, "backup", tmp_path / "ban-sao-luu")
    assert result.exit_code == 1 and "Cơ sở dữ liệu chưa được tạo" in result.output
    assert not (tmp_path / "ban-sao-luu").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_two_backups_in_the_same_second_never_overwrite_each_other(app, tmp_path):
    from datetime import datetime, timezone

    from lms.backup.services import BackupError, back_up

    shelf, moment = tmp_path / "sao-luu", datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)
    shelf.mkdir()
    first = back_up(app, shelf, now=moment).path
    kept = first.read_bytes()
    with pytest.raises(BackupError, match="Đã có"):
        back_up(app, shelf, now=moment)
    assert first.read_bytes() == kept
    assert [p.name for p in shelf.iterdir()] == ["lop-so-20261201-020000.tar.gz"]


def test_a_backup_from_an_older_version_restores_and_asks_for_db_upgrade(app, backup, fresh_instance):
    from lms.backup import sqlite

    head = sqlite.migrations(app).get_revision(sqlite.head_revision(app))
    with closing(sqlite3.connect(backup / "lms.db")) as conn, conn:
        conn.execute("UPDATE alembic_version SET version_num = ?", (head.down_revision,))
    files = json.loads((backup / "manifest.json").read_text())["files"]
    files["lms.db"]["sha256"] = sha256(backup / "lms.db")
    rewrite_manifest(backup, files=files, revision=head.down_revision)
    result = run(fresh_instance(), "restore", backup)
    assert result.exit_code == 0, result.output
    assert "hãy chạy `flask --app wsgi db upgrade`" in result.output


def test_a_database_file_that_is_not_sqlite_is_refused_with_its_sha256_right(backup, fresh_instance):
    (backup / "lms.db").write_bytes(b"Day khong phai co so du lieu" * 200)
    files = json.loads((backup / "manifest.json").read_text())["files"]
    files["lms.db"]["sha256"] = sha256(backup / "lms.db")
    rewrite_manifest(backup, files=files)
    fresh = fresh_instance()
    result = run(fresh, "restore", backup)
    assert result.exit_code == 1
    assert "Tệp SQLite hỏng hoặc không đọc được" in result.output and "Traceback" not in result.output
    assert database_of(fresh).stat().st_size == 0
