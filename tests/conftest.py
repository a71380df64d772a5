"""Shared fixtures: an app on a real database (SQLite, or PostgreSQL when asked), clean per test.

The suite runs on SQLite by default. With LMS_TEST_DATABASE_URL set (`make test` sets it when a
PostgreSQL server answers), the same tests run on PostgreSQL.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from lms import create_app
from lms.config import normalise_database_url
from lms.extensions import db as _db

ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = ROOT / "content"

pytest_plugins = ["tests.factories", "tests.e2e.harness"]


def _database_url(tmp_dir: Path) -> str:
    url = os.environ.get("LMS_TEST_DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return f"sqlite:///{tmp_dir / 'test.db'}"


def make_test_config(database_url: str, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_ENABLED": True,
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "CONTENT_DIR": str(CONTENT_DIR),
        "SERVER_NAME": None,
        # Printed and signed links use the configured address, never the Host header (lms.web).
        "LMS_PUBLIC_URL": "http://localhost",
        # Cheap hashing keeps the suite quick; production keeps the strong default.
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
    }
    config.update(overrides)
    return config


def reset_schema(app) -> None:
    """Empty the database and build the schema with the migrations, as production does."""
    from flask_migrate import upgrade

    with app.app_context():
        engine = _db.engine
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        else:
            _db.drop_all()
            with engine.begin() as conn:
                conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
                conn.execute(sa.text("DROP TABLE IF EXISTS search_lesson"))
        upgrade(directory=str(ROOT / "migrations"))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return _database_url(tmp_path_factory.mktemp("db"))


class RequestClient(FlaskClient):
    """A test client whose every request runs in an application context of its own, as in
    production: nothing in `g` (who is signed in, the language, the fast-read connection) and no
    ORM session outlives a request. Rows a test holds belong to the test's own session: after a
    request has changed them, `db.session.expire_all()` (or a fresh query) reads them again.

    `with client:` (pytest-flask's `client` fixture uses it) keeps no context after a request
    either: a test looks at responses and the database, never at a finished request's globals.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None


@pytest.fixture(scope="session")
def _app(database_url):
    app = create_app(make_test_config(database_url))
    app.test_client_class = RequestClient
    reset_schema(app)
    yield app
    dispose_engines(app)


@pytest.fixture()
def app(_app):
    """The app with an empty database; every row a test writes is removed afterwards."""
    ctx = _app.app_context()
    ctx.push()
    try:
        yield _app
    finally:
        _db.session.remove()
        wipe(_app)
        ctx.pop()


def wipe(app) -> None:
    """Delete every row (children first), keeping the migrated schema."""
    with app.app_context():
        existing = set(sa.inspect(_db.engine).get_table_names())
        with _db.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM search_lesson"))
            for table in reversed(_db.metadata.sorted_tables):
                if table.name in existing:
                    conn.execute(table.delete())
    from lms.extensions import limiter

    limiter.reset()
    if app.extensions.get("page_cache"):
        app.extensions["page_cache"].clear()  # kept pages name rows that are gone now


@pytest.fixture()
def db(app):
    return _db


def dispose_engines(app) -> None:
    """Close an app's pooled connections now, not whenever the garbage collector gets to them."""
    with app.app_context():
        for engine in _db.engines.values():
            engine.dispose()


@pytest.fixture()
def other_app(app):
    """Another app on the same database with some settings changed; its connections closed after."""
    made = []

    def make(**overrides):
        other = create_app(make_test_config(app.config["SQLALCHEMY_DATABASE_URI"], **overrides))
        other.test_client_class = RequestClient
        made.append(other)
        return other

    yield make
    for other in made:
        dispose_engines(other)


_CONTENT_TABLES = ("course", "course_version", "lesson", "quiz", "question")
_catalogue_rows: dict[str, list[dict]] = {}


@pytest.fixture()
def catalogue(app):
    """The real starter catalogue from content/, synced into the database.

    The first use syncs for real (and so tests the loader); later uses put back the same rows,
    which is much quicker than rendering every lesson again.
    """
    from lms.courses.loader import sync_content
    from lms.courses.models import Lesson
    from lms.courses.search import index_lesson

    tables = [_db.metadata.tables[name] for name in _CONTENT_TABLES]
    if not _catalogue_rows:
        with app.test_request_context():
            sync_content(CONTENT_DIR)
            _db.session.commit()
        with _db.engine.connect() as conn:
            for table in tables:
                _catalogue_rows[table.name] = [dict(row._mapping) for row in conn.execute(table.select())]
        return app
    with _db.engine.begin() as conn:
        for table in tables:
            conn.execute(table.insert(), _catalogue_rows[table.name])
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                     f"(SELECT max(id) FROM {table.name}))"))
    for lesson in _db.session.scalars(sa.select(Lesson).options(sa.orm.undefer(Lesson.plain_text))):
        index_lesson(lesson)
    _db.session.commit()
    return app
