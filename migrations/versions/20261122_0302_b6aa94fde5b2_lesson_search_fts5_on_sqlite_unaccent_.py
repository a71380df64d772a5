"""lesson search: FTS5 on SQLite, unaccent tsvector on PostgreSQL

Revision ID: b6aa94fde5b2
Revises: 681d8395671b
Create Date: 2026-11-22 03:02:59.381443

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b6aa94fde5b2'
down_revision = '681d8395671b'
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # unaccent is a trusted extension (PostgreSQL 13+): a database owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        op.execute(
            "CREATE TABLE search_lesson (lesson_id integer NOT NULL REFERENCES lesson(id) ON DELETE CASCADE, "
            "lang varchar(5) NOT NULL, title text NOT NULL, body text NOT NULL, document tsvector NOT NULL)"
        )
        op.execute("CREATE INDEX ix_search_lesson_document ON search_lesson USING gin (document)")
        op.execute("CREATE INDEX ix_search_lesson_lesson_id ON search_lesson (lesson_id)")
    else:
        op.execute(
            "CREATE VIRTUAL TABLE search_lesson USING fts5("
            "title, body, lesson_id UNINDEXED, lang UNINDEXED, tokenize='unicode61')"
        )


def downgrade():
    op.execute("DROP TABLE IF EXISTS search_lesson")
