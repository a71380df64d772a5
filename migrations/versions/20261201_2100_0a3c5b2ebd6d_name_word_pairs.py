"""pairs of a person's name words in person_name_word, for searches of several words

Revision ID: 0a3c5b2ebd6d
Revises: 9e3b5c1d7a24
Create Date: 2026-12-01 21:00:00

Every person not erased gets, beside the words of their name, one row per two distinct words
("&" then the lower and the higher word; "&*" for a name of more than eight words), from
lms.accounts.names.pair_rows. From then on the ORM and the bulk inserts write them with the words.
No schema change: the rows go into the same table and indexes.
"""
import sqlalchemy as sa
from alembic import op


revision = '0a3c5b2ebd6d'
down_revision = '9e3b5c1d7a24'
branch_labels = None
depends_on = None

_PAIRS_LOW, _PAIRS_HIGH = b"&", b"&\xff"


def _words():
    return sa.table("person_name_word", sa.column("user_id", sa.Integer), sa.column("ward_id", sa.Integer),
                    sa.column("word", sa.LargeBinary))


def upgrade():
    from lms.accounts.names import pair_rows

    bind = op.get_bind()
    words = _words()
    users = sa.table("user_account", sa.column("id", sa.Integer), sa.column("full_name", sa.String),
                     sa.column("ward_id", sa.Integer), sa.column("erased_at", sa.DateTime))
    # Pairs an earlier migration may have written already (it fills words with today's code).
    bind.execute(words.delete().where(words.c.word >= _PAIRS_LOW, words.c.word < _PAIRS_HIGH))
    last = 0
    while True:
        batch = bind.execute(
            sa.select(users.c.id, users.c.full_name, users.c.ward_id)
            .where(users.c.id > last, users.c.erased_at.is_(None)).order_by(users.c.id).limit(2000)).all()
        if not batch:
            break
        last = batch[-1].id
        rows = [{"user_id": u, "ward_id": w, "word": word} for row in batch
                for u, w, word in pair_rows(row.id, row.ward_id, row.full_name)]
        if rows:
            bind.execute(words.insert(), rows)


def downgrade():
    words = _words()
    op.get_bind().execute(words.delete().where(words.c.word >= _PAIRS_LOW, words.c.word < _PAIRS_HIGH))
