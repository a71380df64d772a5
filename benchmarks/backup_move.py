"""Backing up, restoring and moving a big ward: how long, and how long the ward's writes wait.

    python -m benchmarks.backup_move [--people 10000] [--database-url postgresql://…/empty_db]

Builds a ward of `--people` on a throw-away SQLite file (the generator of benchmarks.ward_scale:
at 100,000 people, 2,000,000 lesson-progress rows), then times `flask backup` to a folder and to
a .tar.gz while another connection keeps committing small transactions (as learners answering
do), `flask restore` into a fresh instance, and, with `--database-url`, `flask move-to-postgresql`
into that database (its `public` schema is wiped first). Not a test: the numbers go into the
README by hand.
"""
from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from contextlib import closing
from pathlib import Path

import sqlalchemy as sa


class Writer(threading.Thread):
    """One small transaction after another on the live file; keeps how long each commit took."""

    def __init__(self, path: Path):
        super().__init__(daemon=True)
        self.path, self.stop, self.waits = path, threading.Event(), []

    def run(self):
        with closing(sqlite3.connect(self.path, timeout=30)) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            while not self.stop.is_set():
                started = time.perf_counter()
                with conn:
                    conn.execute("INSERT INTO audit_log (at, action, details) "
                                 "VALUES ('2026-12-01 10:00:00', 'benchmark.write', '{}')")
                self.waits.append(time.perf_counter() - started)
                time.sleep(0.002)


def _instance_app(instance: Path, database_url: str | None = None):
    from lms import create_app
    from tests.conftest import make_test_config

    instance.mkdir(parents=True, exist_ok=True)
    app = create_app(make_test_config(database_url or f"sqlite:///{instance / 'lms.db'}",
                                      SECRET_KEY="benchmark-secret"))
    app.instance_path = str(instance)
    return app


def _timed(label: str, action, rows: int | None, writer: Writer | None = None) -> None:
    if writer is not None:
        writer.waits.clear()
    started = time.perf_counter()
    action()
    seconds = time.perf_counter() - started
    speed = f"{rows / seconds:>10,.0f} rows/s" if rows else " " * 17
    line = f"{label:<38} {seconds:6.2f} s  {speed}"
    if writer is not None and writer.waits:
        line += (f"   writes meanwhile: {len(writer.waits)}, "
                 f"commit p50 {statistics.median(writer.waits) * 1000:.1f} ms, max {max(writer.waits) * 1000:.1f} ms")
    print(line, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--database-url", help="an empty PostgreSQL database to move the ward into (wiped)")
    args = parser.parse_args(argv)

    from benchmarks.ward_scale import build
    from lms.backup.postgresql import move_to_postgresql
    from lms.backup.services import back_up, restore
    from lms.certificates.keys import signing_key
    from tests.conftest import dispose_engines

    work = Path(tempfile.mkdtemp(prefix="lop-so-backup-bench-"))
    ward_dir = work / "ward"
    ward_dir.mkdir()
    started = time.perf_counter()
    build(f"sqlite:///{ward_dir / 'lms.db'}", args.people)
    app = _instance_app(ward_dir)
    with app.app_context():
        signing_key(app)
    with closing(sqlite3.connect(ward_dir / "lms.db")) as conn:
        rows = sum(conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").fetchall())
    size = (ward_dir / "lms.db").stat().st_size
    print(f"ward of {args.people:,} people: {rows:,} rows, {size / 2**20:,.0f} MiB, built in "
          f"{time.perf_counter() - started:.0f} s", flush=True)

    writer = Writer(ward_dir / "lms.db")
    writer.start()
    _timed("no backup (the writes alone)", lambda: time.sleep(2), None, writer)
    with app.app_context():
        _timed("backup to a folder", lambda: back_up(app, work / "folder"), rows, writer)
        _timed("backup to a .tar.gz", lambda: back_up(app, work / "archive.tar.gz"), rows, writer)
    writer.stop.set()
    writer.join()
    archive = (work / "archive.tar.gz").stat().st_size
    print(f"archive: {archive / 2**20:,.1f} MiB", flush=True)

    fresh = _instance_app(work / "restored")
    with fresh.app_context():
        _timed("restore a folder into a new instance", lambda: restore(fresh, work / "folder"), rows)
    dispose_engines(fresh)

    if args.database_url:
        target = sa.create_engine(args.database_url.replace("postgresql://", "postgresql+psycopg://", 1))
        with target.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        target.dispose()
        with app.app_context():
            _timed("move to PostgreSQL", lambda: move_to_postgresql(app, args.database_url, batch=1000), rows)
    dispose_engines(app)
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
