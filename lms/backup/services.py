"""`flask backup` and `flask restore`: a ward's database and instance keys, with a manifest.

A backup is a folder (or a .tar.gz of the same files) holding the database copy (lms.db), the
keys the instance signs with (secret_key, signing_key.pem) and manifest.json: when, which app
version and migration, how many rows each table had, the sha256 of every file. Everything is
owner-only: the folder 0700, the files 0600, as the keys and the database are in instance/.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
import tempfile
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from lms.backup import sqlite
from lms.backup.sqlite import BackupError

DB_FILE = "lms.db"
SECRET_FILE = "secret_key"
SIGNING_FILE = "signing_key.pem"
MANIFEST = "manifest.json"
FORMAT = "lop-so-backup"
FORMAT_VERSION = 1
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz")
# Tables a freshly migrated database already fills: they do not make an instance "in use".
_SET_UP_TABLES = ("alembic_version",)
_SEARCH_SHADOW_PREFIX = "search_lesson_"


@dataclass
class BackupResult:
    path: Path
    manifest: dict


@dataclass
class RestoreResult:
    manifest: dict
    revision: str
    behind_head: bool
    notes: list[str] = field(default_factory=list)


def app_version() -> str:
    try:
        return metadata.version("lop-so")
    except metadata.PackageNotFoundError:
        return "unknown"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def _is_archive(path: Path) -> bool:
    return path.name.endswith(ARCHIVE_SUFFIXES)


def backup_target(dest: Path, now: datetime) -> Path:
    """An existing folder receives a dated archive; any other path is the new backup itself."""
    if dest.is_dir():
        dest = dest / f"lop-so-{now:%Y%m%d-%H%M%S}.tar.gz"
    if dest.exists():
        raise BackupError(f"Đã có {dest}: hãy chọn tên khác. / {dest} already exists: choose another name.")
    if not dest.parent.is_dir():
        raise BackupError(f"Không có thư mục {dest.parent}. / No such folder: {dest.parent}.")
    return dest


def _instance_keys(app) -> dict[str, bytes]:
    """The keys this instance runs with: the session secret in use and the signing key file, if made."""
    from lms.certificates.keys import key_path

    secret = app.config["SECRET_KEY"]
    keys = {SECRET_FILE: secret if isinstance(secret, bytes) else secret.encode()}
    signing = key_path(app)
    if signing.is_file():
        keys[SIGNING_FILE] = signing.read_bytes()
    return keys


def back_up(app, dest: Path, *, now: datetime | None = None) -> BackupResult:
    """Write a consistent copy of the running database and the instance keys to `dest`."""
    source = sqlite.database_file(app)
    now = now or datetime.now(timezone.utc)
    target = backup_target(Path(dest), now)
    work = Path(tempfile.mkdtemp(prefix=".lop-so-backup-", dir=target.parent))  # 0700
    try:
        sqlite.online_copy(source, work / DB_FILE)
        with closing(sqlite.connect(work / DB_FILE, read_only=True)) as conn:
            problems = sqlite.integrity_problems(conn)
            if problems:
                raise BackupError("Bản sao không toàn vẹn, không giữ lại: / The copy failed its integrity check: "
                                  + "; ".join(problems[:5]))
            counts, revision = sqlite.row_counts(conn), sqlite.revision(conn)
        if revision is None:
            raise BackupError("Cơ sở dữ liệu chưa được tạo: hãy chạy `flask --app wsgi db upgrade`. / "
                              "The database was never migrated: run `flask --app wsgi db upgrade`.")
        for name, data in _instance_keys(app).items():
            _write_private(work / name, data)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "app_version": app_version(),
            "database": "sqlite",
            "revision": revision,
            "tables": counts,
            "files": {path.name: {"sha256": sha256(path), "bytes": path.stat().st_size}
                      for path in sorted(work.iterdir())},
        }
        _write_private(work / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False).encode())
        if _is_archive(target):
            _write_archive(work, target)
        else:
            os.rename(work, target)  # fails rather than replace anything made there meanwhile
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return BackupResult(path=target, manifest=manifest)


def _write_archive(folder: Path, target: Path) -> None:
    partial = target.with_name(f".{target.name}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh, tarfile.open(fileobj=fh, mode="w:gz", compresslevel=6) as tar:
            for path in sorted(folder.iterdir()):
                tar.add(path, arcname=path.name, recursive=False)
        try:
            os.link(partial, target)  # never over an archive made meanwhile (two backups in one second)
        except FileExistsError:
            raise BackupError(f"Đã có {target}: hãy chạy lại sau một giây. / {target} already exists.") from None
    finally:
        partial.unlink(missing_ok=True)


@contextmanager
def _opened(source: Path, scratch: Path):
    """The backup's files as a folder: the folder itself, or an archive unpacked into a 0700 folder."""
    if source.is_dir():
        yield source
        return
    if not source.is_file():
        raise BackupError(f"Không tìm thấy bản sao lưu {source}. / Backup not found: {source}.")
    work = Path(tempfile.mkdtemp(prefix=".lop-so-restore-", dir=scratch))
    try:
        try:
            with tarfile.open(source, mode="r:*") as tar:
                for member in tar.getmembers():
                    # Only our own flat files: no paths, links or devices from a tampered archive.
                    if member.name not in (DB_FILE, SECRET_FILE, SIGNING_FILE, MANIFEST) or not member.isfile():
                        raise BackupError(f"Bản sao lưu có tệp lạ: {member.name}. / Unexpected entry: {member.name}.")
                    with tar.extractfile(member) as fh:
                        _write_private(work / member.name, fh.read())
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BackupError(f"Không đọc được tệp nén {source.name}: {exc}. / Cannot read the archive.") from exc
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def read_manifest(folder: Path) -> dict:
    """The manifest, checked: our format, and every file it lists present with its sha256."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError("Bản sao lưu thiếu hoặc hỏng manifest.json. / manifest.json is missing or damaged.") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or \
            not isinstance(manifest.get("files"), dict) or not isinstance(manifest.get("tables"), dict):
        raise BackupError("Đây không phải bản sao lưu của Lớp Số. / This is not a Lớp Số backup.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"Phiên bản định dạng {manifest.get('format_version')} không được hỗ trợ. / "
                          "Unsupported backup format version.")
    if DB_FILE not in manifest["files"]:
        raise BackupError("Bản sao lưu không có cơ sở dữ liệu. / The backup holds no database.")
    for name in manifest["files"]:
        if name not in (DB_FILE, SECRET_FILE, SIGNING_FILE) or not (folder / name).is_file():
            raise BackupError(f"Thiếu tệp {name} trong bản sao lưu. / {name} is missing from the backup.")
    for name, entry in manifest["files"].items():
        if sha256(folder / name) != (entry or {}).get("sha256"):
            raise BackupError(f"Tệp {name} đã bị thay đổi hoặc hỏng (sha256 không khớp). / "
                              f"{name} was changed or damaged (sha256 does not match).")
    return manifest


def _check_database(app, path: Path, manifest: dict) -> str:
    """The backed-up database is sound, at the manifest's migration, which this code knows."""
    with closing(sqlite.connect(path, read_only=True)) as conn:
        problems = sqlite.integrity_problems(conn)
        if problems:
            raise BackupError("Cơ sở dữ liệu trong bản sao lưu không toàn vẹn: / The backed-up database is damaged: "
                              + "; ".join(problems[:5]))
        revision = sqlite.revision(conn)
        counts = sqlite.row_counts(conn)
    if revision != manifest.get("revision"):
        raise BackupError(f"Phiên bản cơ sở dữ liệu ({revision}) khác manifest ({manifest.get('revision')}). / "
                          "The database's migration differs from the manifest's.")
    if not sqlite.known_revision(app, revision):
        raise BackupError(f"Bản sao lưu ở phiên bản {revision}, mà bản Lớp Số này không biết: hãy cài bản Lớp Số "
                          f"mới hơn (bản sao lưu từ {manifest.get('app_version')}). / The backup is at migration "
                          f"{revision}, unknown to this version of Lớp Số: install the version it came from or newer.")
    if counts != manifest["tables"]:
        raise BackupError("Số dòng trong cơ sở dữ liệu khác manifest. / Row counts differ from the manifest.")
    return revision


def rows_in_use(path: Path) -> list[str]:
    """Tables of an existing database that hold rows beyond what migrating writes."""
    if not path.exists() or path.stat().st_size == 0:
        return []
    with closing(sqlite.connect(path, read_only=True)) as conn:
        return [name for name, count in sqlite.row_counts(conn).items()
                if count and name not in _SET_UP_TABLES and not name.startswith(_SEARCH_SHADOW_PREFIX)]


def _install_keys(app, folder: Path, manifest: dict) -> list[str]:
    """Put the backed-up keys where this instance reads them, each replaced in one step (0600)."""
    from lms.certificates import keys

    notes = []
    places = {SECRET_FILE: Path(app.instance_path) / SECRET_FILE, SIGNING_FILE: keys.key_path(app)}
    for name, place in places.items():
        if name not in manifest["files"]:
            notes.append(f"Bản sao lưu không có {name}. / The backup has no {name}.")
            continue
        place.parent.mkdir(parents=True, exist_ok=True)
        partial = place.with_name(f".{place.name}.restoring")
        partial.unlink(missing_ok=True)
        _write_private(partial, (folder / name).read_bytes())
        os.replace(partial, place)
        notes.append(f"{name} → {place}")
    keys._cache.clear()
    if os.environ.get("SECRET_KEY"):
        notes.append("SECRET_KEY đặt trong biến môi trường vẫn được dùng thay cho secret_key vừa khôi phục. / "
                     "SECRET_KEY in the environment still overrides the restored secret_key.")
    return notes


def restore(app, source: Path, *, force: bool = False) -> RestoreResult:
    """Bring a backup into this instance: checked first, refused over data unless forced."""
    from lms.extensions import db

    target = sqlite.database_file(app)
    with _opened(Path(source), target.parent) as folder:
        manifest = read_manifest(folder)
        revision = _check_database(app, folder / DB_FILE, manifest)
        in_use = rows_in_use(target)
        if in_use and not force:
            raise BackupError(
                f"Cơ sở dữ liệu {target.name} đã có dữ liệu ({', '.join(in_use[:5])}…): chỉ khôi phục vào một bản "
                "cài mới; thêm --force để ghi đè. / The database already holds data: restore into a fresh "
                "instance, or add --force to overwrite it.")
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose()  # no pooled connection may hold the file while it is replaced
        sqlite.copy_into(folder / DB_FILE, target)
        notes = _install_keys(app, folder, manifest)
    with closing(sqlite.connect(target, read_only=True)) as conn:
        restored = sqlite.row_counts(conn)
    if restored != manifest["tables"]:
        wrong = sorted(name for name in set(restored) | set(manifest["tables"])
                       if restored.get(name) != manifest["tables"].get(name))
        raise BackupError(f"Sau khi khôi phục, số dòng khác manifest ở: {', '.join(wrong)}. / "
                          "Row counts after restoring differ from the manifest.")
    return RestoreResult(manifest=manifest, revision=revision,
                         behind_head=revision != sqlite.head_revision(app), notes=notes)
