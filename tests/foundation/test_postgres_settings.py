"""PostgreSQL connections of the app run without JIT compilation (its queries are short: a year's
certificate export spent most of its time compiling itself)."""
from __future__ import annotations

from lms import create_app
from lms.extensions import db
from tests.conftest import make_test_config


def test_the_apps_postgresql_connections_have_jit_off(app):
    # Configured so for any PostgreSQL address (no connection needed to see it)...
    other = create_app(make_test_config("postgresql://postgres@127.0.0.1:5432/nowhere"))
    assert other.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["options"] == "-c jit=off"
    # ...and in force on the server when the suite runs on PostgreSQL.
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SHOW jit").scalar() == "off"
