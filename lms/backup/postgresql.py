"""`flask move-to-postgresql`: a ward's SQLite data copied into an empty PostgreSQL database.

The copy is taken from a snapshot of the SQLite file (the online backup API), so it is consistent
even if the app still runs. On the target everything happens in one transaction: the migrations,
every table in dependency order (streamed through COPY in batches), the search index, the
sequences. A failure leaves the target as it was. Values go through the models' column types
(booleans, dates and times, binary keys) except JSON, copied as its exact text so nothing is
re-encoded.
"""
from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import sqlalchemy as sa
from alembic.config import Config as AlembicConfig
from alembic.runtime.environment import EnvironmentContext
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from lms.backup import sqlite
from lms.backup.sqlite import BackupError
from lms.config import normalise_database_url

DEFAULT_BATCH = 1000


@dataclass
class MoveResult:
    tables: dict[str, int] = field(default_factory=dict)
    search_entries: int = 0
    migrated: bool = True


def _tables():
    from lms.extensions import db

    return db.metadata.sorted_tables  # parents before children: foreign keys hold at every insert


NOT_POSTGRESQL = ("--to phải là địa chỉ một cơ sở dữ liệu PostgreSQL, ví dụ postgresql://lopso@127.0.0.1/lopso. / "
                  "--to must be a PostgreSQL URL, e.g. postgresql://lopso@127.0.0.1/lopso.")


def target_engine(url: str) -> sa.Engine:
    try:
        parsed = sa.engine.make_url(normalise_database_url(url))
    except sa.exc.ArgumentError:
        raise BackupError(NOT_POSTGRESQL) from None
    if parsed.get_backend_name() != "postgresql":
        raise BackupError(NOT_POSTGRESQL)
    return sa.create_engine(parsed)


def _upgrade(conn: sa.Connection, app) -> None:
    """Run this code's migrations on the target, inside the transaction `conn` is in."""
    from lms.extensions import db

    config = AlembicConfig()
    config.set_main_option("script_location", app.extensions["migrate"].directory)
    script = sqlite.migrations(app)

    def upgrade(rev, context):
        return script._upgrade_revs("head", rev)

    with EnvironmentContext(config, script, fn=upgrade, destination_rev="head") as env:
        # The connection is already in a transaction: Alembic joins it instead of committing.
        env.configure(connection=conn, target_metadata=db.metadata)
        with env.begin_transaction():
            env.run_migrations()


def _check_empty(conn: sa.Connection, app) -> bool:
    """True when the target needs migrating; refuses a target holding any row or another schema."""
    existing = set(sa.inspect(conn).get_table_names())
    if not existing:
        return True
    head = sqlite.head_revision(app)
    revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() \
        if "alembic_version" in existing else None
    filled = [t.name for t in _tables() if t.name in existing
              and conn.execute(sa.select(sa.literal(1)).select_from(t).limit(1)).first()]
    if revision != head or filled:
        detail = ", ".join(filled[:5]) or f"migration {revision}"
        raise BackupError(
            f"Cơ sở dữ liệu đích không trống ({detail}): hãy dùng một cơ sở dữ liệu mới (createdb). / "
            f"The target database is not empty ({detail}): use a new database (createdb).")
    return False


def _columns_match(source: sa.Connection, target: sa.Connection, table: sa.Table) -> None:
    """Both databases have exactly the model's columns: a column only one side has would be lost."""
    wanted = {c.name for c in table.columns}
    for side, conn in (("SQLite", source), ("PostgreSQL", target)):
        found = {c["name"] for c in sa.inspect(conn).get_columns(table.name)}
        if found != wanted:
            extra, missing = sorted(found - wanted), sorted(wanted - found)
            raise BackupError(f"Bảng {table.name} ({side}) không khớp với mã nguồn: thừa {extra}, thiếu {missing}. / "
                              f"Table {table.name} ({side}) does not match the code: extra {extra}, missing {missing}.")


def _json_as_text(table: sa.Table) -> sa.Select:
    """Select every column, JSON ones as the exact text stored."""
    return sa.select(*[sa.type_coerce(c, sa.Text).label(c.name) if isinstance(c.type, sa.JSON) else c
                       for c in table.columns]).order_by(*table.primary_key.columns)


def copy_table(source: sa.Connection, target: sa.Connection, table: sa.Table, batch: int) -> int:
    """Stream one table into PostgreSQL's COPY, `batch` rows read at a time; returns the rows copied."""
    columns = ", ".join(f'"{c.name}"' for c in table.columns)
    result = source.execute(_json_as_text(table))
    copied = 0
    # COPY on the target's own connection, inside the transaction SQLAlchemy began on it: a row-by-row
    # INSERT runs at about a tenth of the speed (10,000 rows/s on the benchmark's ward).
    cursor = target.connection.driver_connection.cursor()
    with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
        while rows := result.fetchmany(batch):
            for row in rows:
                copy.write_row(row)
            copied += len(rows)
    return copied


def rebuild_search(conn: sa.Connection) -> int:
    """PostgreSQL's lesson search index (lms.courses.search.index_lesson), from the copied lessons."""
    lesson = sa.table("lesson", sa.column("id"), sa.column("title", sa.JSON), sa.column("plain_text", sa.JSON),
                      sa.column("retired_at"))
    insert = sa.text(
        "INSERT INTO search_lesson (lesson_id, lang, title, body, document) VALUES "
        "(:id, :lang, :title, :body, setweight(to_tsvector('simple', unaccent(:title)), 'A') || "
        "to_tsvector('simple', unaccent(:body)))")
    entries = []
    for row in conn.execute(sa.select(lesson).where(lesson.c.retired_at.is_(None)).order_by(lesson.c.id)):
        for lang, body in (row.plain_text or {}).items():
            title = (row.title or {}).get(lang) or (row.title or {}).get("vi", "")
            entries.append({"id": row.id, "lang": lang, "title": title, "body": body})
    if entries:
        conn.execute(insert, entries)
    return len(entries)


def reset_sequences(conn: sa.Connection) -> None:
    """Ids were copied as they were: each sequence continues after the highest one."""
    for table in _tables():
        for column in table.primary_key.columns:
            sequence = conn.execute(sa.text("SELECT pg_get_serial_sequence(:t, :c)"),
                                    {"t": table.name, "c": column.name}).scalar()
            if sequence:
                conn.execute(sa.text(
                    f'SELECT setval(:s, COALESCE((SELECT max("{column.name}") FROM "{table.name}"), 1), '
                    f'(SELECT max("{column.name}") FROM "{table.name}") IS NOT NULL)'), {"s": sequence})


def move_to_postgresql(app, url: str, *, batch: int = DEFAULT_BATCH, progress=None) -> MoveResult:
    """Copy this instance's SQLite database into the empty PostgreSQL database at `url`, all or nothing."""
    source_file = sqlite.database_file(app)
    if batch < 1:
        raise BackupError("--batch phải lớn hơn 0. / --batch must be at least 1.")
    engine = target_engine(url)
    scratch = Path(tempfile.mkdtemp(prefix=".lop-so-move-", dir=source_file.parent))  # 0700
    snapshot = scratch / "snapshot.db"
    source_engine = None
    try:
        sqlite.online_copy(source_file, snapshot)
        source_engine = sa.create_engine(f"sqlite:///{snapshot}")
        with source_engine.connect() as source:
            revision = source.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
            if revision != sqlite.head_revision(app):
                raise BackupError(f"Cơ sở dữ liệu SQLite ở phiên bản {revision}, chưa phải bản mới nhất: hãy chạy "
                                  "`flask --app wsgi db upgrade` trước. / The SQLite database is not at the latest "
                                  "migration: run `flask --app wsgi db upgrade` first.")
            return _copy_all(app, source, engine, batch, progress)
    except BackupError:
        raise
    except (DBAPIError, psycopg.Error) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise BackupError("PostgreSQL từ chối, không có gì được ghi: / PostgreSQL refused; nothing was written: "
                          + reason) from exc
    except SQLAlchemyError as exc:
        raise BackupError(f"Không chuyển được, không có gì được ghi: {exc}. / The move failed; nothing was written.") \
            from exc
    finally:
        if source_engine is not None:
            source_engine.dispose()
        engine.dispose()
        shutil.rmtree(scratch, ignore_errors=True)


def _unknown_tables_with_rows(source: sa.Connection) -> list[str]:
    """Tables of the ward's file that no model describes yet hold rows: they would be left behind."""
    known = {t.name for t in _tables()} | {"alembic_version"}
    return [name for name in sa.inspect(source).get_table_names()
            if name not in known and not name.startswith("search_lesson")
            and source.execute(sa.text(f"SELECT 1 FROM {sqlite.quote(name)} LIMIT 1")).first()]


def _copy_all(app, source: sa.Connection, engine: sa.Engine, batch: int, progress) -> MoveResult:
    result = MoveResult()
    unknown = _unknown_tables_with_rows(source)
    if unknown:
        raise BackupError(f"Bảng {', '.join(unknown)} có dữ liệu mà bản Lớp Số này không biết, nên không chuyển "
                          "được mà không mất dữ liệu. / These tables hold rows this version does not know; "
                          "moving would lose them.")
    with engine.connect() as target, target.begin():
        result.migrated = _check_empty(target, app)
        if result.migrated:
            _upgrade(target, app)
        for table in _tables():
            _columns_match(source, target, table)
        for table in _tables():
            result.tables[table.name] = copy_table(source, target, table, batch)
            if progress:
                progress(table.name, result.tables[table.name])
        result.search_entries = rebuild_search(target)
        reset_sequences(target)
        for table in _tables():
            counted = target.execute(sa.select(sa.func.count()).select_from(table)).scalar()
            if counted != result.tables[table.name]:
                raise BackupError(f"Bảng {table.name}: {counted} dòng trên PostgreSQL, {result.tables[table.name]} "
                                  "trên SQLite. / Row counts differ.")
    return result
