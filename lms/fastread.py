"""A few hot reads run on the driver's own connection, with SQL that SQLAlchemy compiled once.

Every page asks who is reading, and the lesson page asks for the lesson and the learner's mark on
it. Through the ORM session each such statement costs about 60 µs of Python (a transaction, an
execution context, result processing), and closing the session at the end of the request as much
again: more than the queries themselves, which take a few µs in SQLite. A `FastRead` compiles its
statement once per dialect and runs it on one pooled connection per request, handed back when the
request ends. On PostgreSQL that connection reads in autocommit, so the reads cost no BEGIN and no
ROLLBACK round trips: each is a snapshot of its own, which is all a page's look-ups need.

Rows come as the driver gives them: booleans may be 0/1 and times may be text on SQLite, so a
`FastRead` is for columns its caller reads as ids, numbers, flags or "is there one" only.
When the request's ORM session already has a transaction (it has written something, say), the
statement runs there instead, so that the request sees its own changes.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from flask import g

from lms.extensions import db

_HELD = "_lms_fast_connection"
logger = logging.getLogger(__name__)


class FastRead:
    def __init__(self, statement) -> None:
        self.statement = statement
        self._compiled: dict[str, tuple[str, tuple[str, ...] | None]] = {}

    def _sql(self, dialect) -> tuple[str, tuple[str, ...] | None]:
        found = self._compiled.get(dialect.name)
        if found is None:
            compiled = self.statement.compile(dialect=dialect)
            order = tuple(compiled.positiontup) if compiled.positional else None
            found = self._compiled[dialect.name] = (compiled.string, order)
        return found

    def rows(self, params: Mapping[str, Any]) -> Sequence[Sequence[Any]]:
        """All rows of the statement for these bound values."""
        sessions = db.session.registry
        if sessions.has() and sessions().in_transaction():  # never makes a session just to ask
            return sessions().connection().execute(self.statement, params).all()
        cursor, dialect, _ = g.get(_HELD) or _request_connection()
        sql, order = self._sql(dialect)
        cursor.execute(sql, tuple(params[name] for name in order) if order is not None else params)
        return cursor.fetchall()

    def first(self, params: Mapping[str, Any]) -> Sequence[Any] | None:
        rows = self.rows(params)
        return rows[0] if rows else None


def _request_connection():
    engine = db.engine
    connection = engine.raw_connection()
    if engine.dialect.name == "postgresql":
        engine.dialect.set_isolation_level(connection.dbapi_connection, "AUTOCOMMIT")
    held = (connection.cursor(), engine.dialect, connection)
    setattr(g, _HELD, held)
    return held


def init_app(app) -> None:
    @app.teardown_appcontext
    def hand_back(exc=None):
        held = g.pop(_HELD, None)
        if held is None:
            return
        cursor, dialect, connection = held
        try:
            cursor.close()
            if dialect.name == "postgresql" and connection.dbapi_connection is not None:
                dialect.reset_isolation_level(connection.dbapi_connection)  # as the ORM expects it
        except Exception:  # the server went away mid-request, say: never hand this one out again
            logger.warning("a fast-read connection could not be reset; dropped", exc_info=True)
            connection.invalidate()
        finally:
            connection.close()
