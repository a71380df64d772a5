"""A few hot reads run on the driver's own connection, with SQL that SQLAlchemy compiled once.

Every page asks who is reading, and the lesson page asks for the lesson and the learner's mark on
it. Through the ORM session each such statement costs about 60 µs of Python (a transaction, an
execution context, result processing), and closing the session at the end of the request as much
again: more than the queries themselves, which take a few µs in SQLite. A `FastRead` compiles its
statement once per dialect and runs it on a pooled connection, which it hands straight back.

Rows come as the driver gives them: booleans may be 0/1 and times may be text on SQLite, so a
`FastRead` is for columns its caller reads as ids, numbers, flags or "is there one" only.
When the request's ORM session already has a transaction (it has written something, say), the
statement runs there instead, so that the request sees its own changes.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lms.extensions import db


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
        session = db.session()
        if session.in_transaction():
            return session.connection().execute(self.statement, params).all()
        engine = db.engine
        sql, order = self._sql(engine.dialect)
        arguments = tuple(params[name] for name in order) if order is not None else params
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(sql, arguments)
                return cursor.fetchall()
            finally:
                cursor.close()
        finally:
            connection.close()  # back to the pool, rolled back (PostgreSQL opened a transaction)

    def first(self, params: Mapping[str, Any]) -> Sequence[Any] | None:
        rows = self.rows(params)
        return rows[0] if rows else None
