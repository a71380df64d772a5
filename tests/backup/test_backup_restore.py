"""`flask backup` while the ward keeps writing, `flask restore` into a fresh instance: every table
equal row by row to the instant of the backup, the keys back, certificates still verifying."""
from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

from lms.backup.services import MANIFEST, sha256
from lms.extensions import db
from tests.backup.conftest import sqlite_tables
from tests.factories import AuthActions

WRITES_PER_BATCH = 3


class Writer(threading.Thread):
    """Another process's worth of writing: transactions of three audit rows each, numbered."""

    def __init__(self, path: Path):
        super().__init__(daemon=True)
        self.path, self.batches = path, 0
        self.stop, self.started_writing = threading.Event(), threading.Event()

    def run(self):
        with closing(sqlite3.connect(self.path, timeout=15)) as conn:
            conn.execute("PRAGMA busy_timeout=15000")
            while not self.stop.is_set():
                batch = self.batches + 1
                with conn:
                    conn.executemany(
                        "INSERT INTO audit_log (at, action, target_type, details) "
                        "VALUES ('2026-12-01 10:00:00.000000', 'test.write', 'batch', ?)",
                        [(json.dumps({"batch": batch, "part": part}),) for part in range(WRITES_PER_BATCH)])
                self.batches = batch
                if batch >= 5:
                    self.started_writing.set()


def run(app, *args):
    """The command as `flask --app wsgi …` runs it on that instance."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=[str(a) for a in args])


def batch_of(row) -> int | None:
    """The writer's batch number of an audit_log row, None for the ward's own rows."""
    if "test.write" not in row:
        return None
    return next(json.loads(v)["batch"] for v in row if isinstance(v, str) and v.startswith('{"batch"'))


def written_batches(rows) -> list[int]:
    """The writer's batches present in audit_log rows, checking each is whole."""
    parts: dict[int, int] = {}
    for row in rows:
        batch = batch_of(row)
        if batch is not None:
            parts[batch] = parts.get(batch, 0) + 1
    assert all(count == WRITES_PER_BATCH for count in parts.values()), "a transaction was copied in half"
    return sorted(parts)


def test_a_backup_taken_while_the_ward_writes_restores_every_row_and_key(app, ward_data, client, fresh_instance,
                                                                          tmp_path):
    from lms.certificates.keys import key_path

    credential = tmp_path / "lan.jwt"  # downloaded by Lan, signed in since the data set was built
    credential.write_bytes(client.get(f"/certificates/{ward_data.certificate_id}/credential.jwt").data)
    source = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    db.session.remove()
    before = sqlite_tables(source)

    writer = Writer(source)
    writer.start()
    assert writer.started_writing.wait(10)
    written_before = writer.batches
    result = run(app, "backup", tmp_path / "ban-sao-luu")
    written_after = writer.batches
    writer.stop.set()
    writer.join(10)

    assert result.exit_code == 0, result.output
    assert "Đã sao lưu" in result.output
    backup = tmp_path / "ban-sao-luu"
    assert sorted(p.name for p in backup.iterdir()) == ["lms.db", "manifest.json", "secret_key", "signing_key.pem"]
    assert backup.stat().st_mode & 0o777 == 0o700
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in backup.iterdir())
    with closing(sqlite3.connect(backup / "lms.db")) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    copied = sqlite_tables(backup / "lms.db")
    batches = written_batches(copied["audit_log"])
    assert batches == list(range(1, len(batches) + 1)), "the copy is one instant: batches 1..k, no gap"
    assert written_before <= len(batches) <= written_after
    snapshot = dict(before)
    snapshot["audit_log"] = sorted(before["audit_log"] + [
        row for row in sqlite_tables(source)["audit_log"] if (batch_of(row) or len(batches) + 1) <= len(batches)
    ], key=repr)
    assert copied == snapshot

    manifest = json.loads((backup / MANIFEST).read_text())
    assert manifest["revision"] == copied["alembic_version"][0][0]
    assert manifest["tables"]["audit_log"] == len(snapshot["audit_log"])
    assert manifest["tables"]["certificate"] == 3
    assert manifest["files"]["signing_key.pem"]["sha256"] == sha256(key_path(app))
    assert manifest["app_version"] and manifest["created_at"].endswith("Z")

    fresh = fresh_instance()
    restored = run(fresh, "restore", backup)
    assert restored.exit_code == 0, restored.output
    assert "số dòng từng bảng khớp manifest" in restored.output
    assert f"signing_key.pem → {key_path(fresh)}" in restored.output
    restored_file = Path(fresh.instance_path) / "lms.db"
    assert sqlite_tables(restored_file) == snapshot  # every table, every row, every column
    assert restored_file.stat().st_mode & 0o777 == 0o600
    assert (Path(fresh.instance_path) / "secret_key").read_text() == app.config["SECRET_KEY"]
    assert key_path(fresh).read_bytes() == key_path(app).read_bytes()
    assert key_path(fresh).stat().st_mode & 0o777 == 0o600

    verified = run(fresh, "certificates", "verify", credential)
    assert verified.exit_code == 0, verified.output
    visitor = fresh.test_client()
    page = visitor.get(f"/verify/{ward_data.certificate_code}", follow_redirects=True).get_data(as_text=True)
    assert "Chứng nhận hợp lệ" in page and "Nguyễn T. L." in page
    page = visitor.get(f"/verify/{ward_data.revoked_code}", follow_redirects=True).get_data(as_text=True)
    assert "Chứng nhận đã bị thu hồi" in page
    other = fresh.test_client()
    assert AuthActions(other).login(ward_data.learner).status_code == 302
    assert "Nguyễn Thị Lan" in other.get("/").get_data(as_text=True)


def test_an_archive_in_a_backup_folder_is_dated_owner_only_and_restores(app, ward_data, fresh_instance, tmp_path):
    shelf = tmp_path / "sao-luu"
    shelf.mkdir()
    assert run(app, "backup", shelf).exit_code == 0
    (archive,) = shelf.iterdir()
    assert archive.name.startswith("lop-so-") and archive.name.endswith(".tar.gz")
    assert archive.stat().st_mode & 0o777 == 0o600
    db.session.remove()
    fresh = fresh_instance()
    result = run(fresh, "restore", archive)
    assert result.exit_code == 0, result.output
    assert sqlite_tables(Path(fresh.instance_path) / "lms.db") == sqlite_tables(
        Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")))
    assert [p.name for p in Path(fresh.instance_path).iterdir() if p.name.startswith(".")] == []
