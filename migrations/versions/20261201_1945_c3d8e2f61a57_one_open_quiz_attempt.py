"""one open quiz attempt per learner and quiz (partial unique index)

Revision ID: c3d8e2f61a57
Revises: a6c2f9d4e815
Create Date: 2026-12-01 19:45:00
"""
import sqlalchemy as sa
from alembic import op


revision = 'c3d8e2f61a57'
down_revision = 'a6c2f9d4e815'
branch_labels = None
depends_on = None

_OPEN = sa.text('submitted_at IS NULL')


def upgrade():
    # Two starts racing could leave a learner two attempts in progress. The app only ever shows
    # the lowest-numbered one (open_attempt), so a later one in progress was never reachable from
    # its pages and was never scored: it goes, with its answers, before the index can be built.
    op.execute(sa.text(
        'DELETE FROM answer WHERE attempt_id IN (SELECT later.id FROM quiz_attempt later '
        'JOIN quiz_attempt earlier ON earlier.user_id = later.user_id AND earlier.quiz_id = later.quiz_id '
        'AND earlier.number < later.number AND earlier.submitted_at IS NULL WHERE later.submitted_at IS NULL)'))
    op.execute(sa.text(
        'DELETE FROM quiz_attempt WHERE submitted_at IS NULL AND EXISTS (SELECT 1 FROM quiz_attempt earlier '
        'WHERE earlier.user_id = quiz_attempt.user_id AND earlier.quiz_id = quiz_attempt.quiz_id '
        'AND earlier.number < quiz_attempt.number AND earlier.submitted_at IS NULL)'))
    op.create_index('uq_quiz_attempt_open', 'quiz_attempt', ['user_id', 'quiz_id'], unique=True,
                    postgresql_where=_OPEN, sqlite_where=_OPEN)


def downgrade():
    op.drop_index('uq_quiz_attempt_open', table_name='quiz_attempt')
