"""quiz try grants: one more try at a final quiz, given by staff to a learner who used them all;
course.final_quiz_after_lessons (course.yaml: the final quiz opens once every lesson is read)

Revision ID: a6c2f9d4e815
Revises: 5d2e8b1f4c70
Create Date: 2026-12-01 19:10:00
"""
import sqlalchemy as sa
from alembic import op


revision = 'a6c2f9d4e815'
down_revision = '5d2e8b1f4c70'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('final_quiz_after_lessons', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.create_table(
        'quiz_try_grant',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('quiz_id', sa.Integer(), nullable=False),
        sa.Column('cohort_id', sa.Integer(), nullable=True),
        sa.Column('granted_by_id', sa.Integer(), nullable=True),
        sa.Column('after_attempts', sa.SmallInteger(), nullable=False),
        sa.Column('granted_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_quiz_try_grant_cohort_id_cohort'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['granted_by_id'], ['user_account.id'], name=op.f('fk_quiz_try_grant_granted_by_id_user_account'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['quiz_id'], ['quiz.id'], name=op.f('fk_quiz_try_grant_quiz_id_quiz'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_quiz_try_grant_user_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_try_grant')),
        sa.UniqueConstraint('user_id', 'quiz_id', 'after_attempts', name='uq_quiz_try_grant_user_quiz_after'),
    )
    op.create_index(op.f('ix_quiz_try_grant_quiz_id'), 'quiz_try_grant', ['quiz_id'], unique=False)
    op.create_index(op.f('ix_quiz_try_grant_user_id'), 'quiz_try_grant', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_quiz_try_grant_user_id'), table_name='quiz_try_grant')
    op.drop_index(op.f('ix_quiz_try_grant_quiz_id'), table_name='quiz_try_grant')
    op.drop_table('quiz_try_grant')
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('final_quiz_after_lessons')
