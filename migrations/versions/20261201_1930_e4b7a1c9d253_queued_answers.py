"""answers queued on a phone offline, each received once (queued_answer)

Revision ID: e4b7a1c9d253
Revises: c3d8e2f61a57
Create Date: 2026-12-01 19:30:00
"""
import sqlalchemy as sa
from alembic import op


revision = 'e4b7a1c9d253'
down_revision = 'c3d8e2f61a57'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'queued_answer',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.String(length=64), nullable=False),
        sa.Column('attempt_id', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['attempt_id'], ['quiz_attempt.id'], name=op.f('fk_queued_answer_attempt_id_quiz_attempt'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_queued_answer_question_id_question'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_queued_answer_user_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_queued_answer')),
        sa.UniqueConstraint('user_id', 'client_id', name='uq_queued_answer_user_client'),
    )
    with op.batch_alter_table('queued_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_queued_answer_attempt_id'), ['attempt_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_queued_answer_question_id'), ['question_id'], unique=False)


def downgrade():
    op.drop_table('queued_answer')
