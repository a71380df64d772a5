"""A ward's SQLite file, read and written through SQLite's online backup API, never copied as a file.

A file copy taken while gunicorn writes can catch half a transaction, or miss what still sits in
the -wal file. `Connection.backup` in one step holds one read transaction on the source for the
whole copy: the copy is the database as it was at one instant, while the app keeps writing.
"""
from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

PG_DUMP_HINT = (
    "Cơ sở dữ liệu này là PostgreSQL: hãy sao lưu bằng `pg_dump -Fc` và khôi phục bằng `pg_restore`, "
    "giữ kèm tệp khoá (secret_key, signing_key.pem) bên cạnh bản sao lưu (xem README, mục Deployment). / "
    "This database is PostgreSQL: back it up with `pg_dump -Fc` and restore it with `pg_restore`, keeping the "
    "instance keys (secret_key, signing_key.pem) alongside (README, Deployment)."
)
BUSY_TIMEOUT_MS = 15000


class BackupError(Exception):
    """A backup, restore or move that cannot go ahead; the message says why, Vietnamese first."""


def database_file(app) -> Path:
    """The app's SQLite file; a PostgreSQL or in-memory database is refused with what to do instead."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "postgresql":
        raise BackupError(PG_DUMP_HINT)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:" \
            or url.database.startswith("file:"):
        raise BackupError("Chỉ sao lưu được một tệp SQLite hoặc PostgreSQL. / "
                          f"Only a SQLite file or PostgreSQL can be backed up (not {url.get_backend_name()}).")
    return Path(url.database).resolve()


def create_private(path: Path) -> None:
    """Create an empty owner-only (0600) file before SQLite would create it world-readable."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)


def make_private(path: Path) -> None:
    """Owner-only permissions on a database file and whatever -wal, -shm or -journal it has."""
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        if file.exists():
            os.chmod(file, 0o600)


def connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """Open an existing SQLite file (never create one by accident), waiting when it is busy."""
    if not path.is_file():
        raise BackupError(f"Không tìm thấy tệp cơ sở dữ liệu {path.name}. / Database file not found: {path.name}.")
    mode = "ro" if read_only else "rw"
    conn = sqlite3.connect(f"{path.as_uri()}?mode={mode}", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return conn


def online_copy(source: Path, dest: Path) -> None:
    """Copy a live database into a new owner-only file at `dest`, as one consistent snapshot."""
    create_private(dest)
    with closing(connect(source)) as src, closing(sqlite3.connect(dest)) as dst:
        # pages=-1: the whole database in one step, under one read transaction of the source.
        src.backup(dst, pages=-1)
        # A self-contained file: no -wal beside it to forget when the copy is moved.
        dst.execute("PRAGMA journal_mode=DELETE")
    make_private(dest)


def copy_into(source: Path, dest: Path) -> None:
    """Write a backed-up database over `dest` (created owner-only when missing) in one transaction."""
    if not dest.exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        create_private(dest)
    try:
        with closing(connect(source, read_only=True)) as src, closing(connect(dest)) as dst:
            # WAL needs the same page size on both sides; the app turns WAL on again when it connects.
            dst.execute("PRAGMA journal_mode=DELETE")
            src.backup(dst, pages=-1)
    except sqlite3.OperationalError as exc:
        raise BackupError(
            f"Không ghi được vào {dest.name} ({exc}): hãy dừng ứng dụng (gunicorn) rồi chạy lại. / "
            f"Cannot write {dest.name} ({exc}): stop the app (gunicorn) and run this again.") from exc
    make_private(dest)


def table_names(conn: sqlite3.Connection) -> list[str]:
    """Every table SQLite keeps, the full-text index's own tables included, by name."""
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                        "ORDER BY name").fetchall()
    return [name for (name,) in rows]


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def row_counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {name: conn.execute(f"SELECT count(*) FROM {quote(name)}").fetchone()[0] for name in table_names(conn)}


def revision(conn: sqlite3.Connection) -> str | None:
    """The migration the database is at (alembic_version), None for a database never migrated."""
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return None
    return row[0] if row else None


def integrity_problems(conn: sqlite3.Connection) -> list[str]:
    """PRAGMA integrity_check, plus foreign keys pointing at nothing; empty when the file is sound."""
    problems = [row[0] for row in conn.execute("PRAGMA integrity_check").fetchall() if row[0] != "ok"]
    problems += [f"foreign key {table}.{rowid} → {parent}"
                 for table, rowid, parent, _fk in conn.execute("PRAGMA foreign_key_check").fetchall()]
    return problems


def migrations(app) -> ScriptDirectory:
    """This code's migrations, as Flask-Migrate finds them."""
    return ScriptDirectory(app.extensions["migrate"].directory)


def known_revision(app, rev: str | None) -> bool:
    if not rev:
        return False
    return any(script.revision == rev for script in migrations(app).walk_revisions())


def head_revision(app) -> str:
    return migrations(app).get_current_head()
