"""The SQLite file and its -wal and -shm companions hold everyone's personal data: owner-only."""
from __future__ import annotations

import os
import stat

import sqlalchemy as sa

from lms import create_app
from lms.extensions import db
from tests.conftest import dispose_engines, make_test_config


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _write_something(app) -> None:
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE IF NOT EXISTS probe (x INTEGER)"))
            conn.execute(sa.text("INSERT INTO probe VALUES (1)"))
        # Keep a connection open so the -wal and -shm files exist while we look.
        conn = db.engine.connect()
        conn.execute(sa.text("SELECT count(*) FROM probe")).scalar()
        return conn


def test_a_new_database_and_its_wal_files_are_owner_only(tmp_path):
    old = os.umask(0o022)  # the usual default: new files readable by everyone
    try:
        path = tmp_path / "instance" / "lms.db"
        app = create_app(make_test_config(f"sqlite:///{path}"))
        conn = _write_something(app)
        try:
            files = [path, path.with_name("lms.db-wal"), path.with_name("lms.db-shm")]
            for file in files:
                assert file.exists(), file
                assert _mode(file) == 0o600, (file.name, oct(_mode(file)))
        finally:
            conn.close()
            dispose_engines(app)
    finally:
        os.umask(old)


def test_an_existing_world_readable_database_is_made_owner_only(tmp_path):
    old = os.umask(0o022)
    try:
        path = tmp_path / "lms.db"
        path.touch()
        os.chmod(path, 0o644)
        for name in ("lms.db-wal", "lms.db-shm"):
            (tmp_path / name).touch()
            os.chmod(tmp_path / name, 0o644)
        app = create_app(make_test_config(f"sqlite:///{path}"))
        conn = _write_something(app)
        try:
            for file in (path, tmp_path / "lms.db-wal", tmp_path / "lms.db-shm"):
                assert _mode(file) == 0o600, (file.name, oct(_mode(file)))
        finally:
            conn.close()
            dispose_engines(app)
    finally:
        os.umask(old)
