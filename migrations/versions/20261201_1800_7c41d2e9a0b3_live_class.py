"""live class: live sessions, participants, questions and responses

Revision ID: 7c41d2e9a0b3
Revises: 5a0c3e7d9b21
Create Date: 2026-12-01 18:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '7c41d2e9a0b3'
down_revision = '5a0c3e7d9b21'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'live_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('class_session_id', sa.Integer(), nullable=False),
        sa.Column('cohort_id', sa.Integer(), nullable=False),
        sa.Column('lesson_id', sa.Integer(), nullable=True),
        sa.Column('started_by_id', sa.Integer(), nullable=True),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.Column('slide', sa.Integer(), server_default='0', nullable=False),
        sa.Column('version', sa.Integer(), server_default='1', nullable=False),
        sa.Column('screen_key', sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(['class_session_id'], ['class_session.id'], name=op.f('fk_live_session_class_session_id_class_session'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_live_session_cohort_id_cohort'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['lesson_id'], ['lesson.id'], name=op.f('fk_live_session_lesson_id_lesson'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['started_by_id'], ['user_account.id'], name=op.f('fk_live_session_started_by_id_user_account'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_live_session')),
        sa.UniqueConstraint('class_session_id', name=op.f('uq_live_session_class_session_id')),
    )
    op.create_index(op.f('ix_live_session_cohort_id'), 'live_session', ['cohort_id'], unique=False)
    op.create_table(
        'live_participant',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('live_session_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('joined_at', sa.DateTime(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=True),
        sa.Column('via', sa.String(length=8), nullable=False),
        sa.CheckConstraint("via IN ('scan', 'hand')", name=op.f('ck_live_participant_via')),
        sa.ForeignKeyConstraint(['live_session_id'], ['live_session.id'], name=op.f('fk_live_participant_live_session_id_live_session'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_live_participant_user_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_live_participant')),
        sa.UniqueConstraint('live_session_id', 'user_id', name='uq_live_participant_session_user'),
    )
    op.create_index(op.f('ix_live_participant_live_session_id'), 'live_participant', ['live_session_id'], unique=False)
    op.create_index(op.f('ix_live_participant_user_id'), 'live_participant', ['user_id'], unique=False)
    op.create_table(
        'live_question',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('live_session_id', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=8), nullable=False),
        sa.Column('opened_at', sa.DateTime(), nullable=False),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint("state IN ('open', 'closed', 'revealed', 'done')", name=op.f('ck_live_question_state')),
        sa.ForeignKeyConstraint(['live_session_id'], ['live_session.id'], name=op.f('fk_live_question_live_session_id_live_session'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_live_question_question_id_question'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_live_question')),
    )
    op.create_index(op.f('ix_live_question_live_session_id'), 'live_question', ['live_session_id'], unique=False)
    op.create_table(
        'live_response',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('live_question_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('response', sa.JSON(), nullable=False),
        sa.Column('correct', sa.Boolean(), nullable=False),
        sa.Column('answered_at', sa.DateTime(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['live_question_id'], ['live_question.id'], name=op.f('fk_live_response_live_question_id_live_question'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_live_response_recorded_by_id_user_account'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_live_response_user_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_live_response')),
        sa.UniqueConstraint('live_question_id', 'user_id', name='uq_live_response_question_user'),
    )
    op.create_index(op.f('ix_live_response_live_question_id'), 'live_response', ['live_question_id'], unique=False)
    op.create_index(op.f('ix_live_response_user_id'), 'live_response', ['user_id'], unique=False)


def downgrade():
    op.drop_table('live_response')
    op.drop_table('live_question')
    op.drop_table('live_participant')
    op.drop_table('live_session')
