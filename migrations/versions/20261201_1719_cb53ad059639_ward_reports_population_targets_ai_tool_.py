"""ward reports: population, targets, AI tool use

Revision ID: cb53ad059639
Revises: 7c41d2e9a0b3
Create Date: 2026-12-01 17:19:20.527610

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'cb53ad059639'
down_revision = '7c41d2e9a0b3'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('ai_tool_use',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('ward_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('purpose', sa.String(length=200), server_default='', nullable=False),
    sa.Column('used_on', sa.Date(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('by_instructor', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('search', 'writing', 'translation', 'public_service', 'other')", name=op.f('ck_ai_tool_use_kind')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_ai_tool_use_cohort_id_cohort'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_ai_tool_use_recorded_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_ai_tool_use_user_id_user_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ward_id'], ['ward.id'], name=op.f('fk_ai_tool_use_ward_id_ward'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ai_tool_use')),
    sa.UniqueConstraint('user_id', 'kind', 'used_on', name='uq_ai_tool_use_user_kind_day')
    )
    with op.batch_alter_table('ai_tool_use', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ai_tool_use_user_id'), ['user_id'], unique=False)
        batch_op.create_index('ix_ai_tool_use_ward_day', ['ward_id', 'used_on', 'user_id'], unique=False)

    op.create_table('ward_population',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ward_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('scope', sa.Integer(), nullable=False),
    sa.Column('measure', sa.String(length=16), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("measure IN ('adults', 'households', 'elderly', 'disability', 'traders')", name=op.f('ck_ward_population_measure')),
    sa.CheckConstraint('value >= 0', name=op.f('ck_ward_population_value')),
    sa.ForeignKeyConstraint(['group_id'], ['residential_group.id'], name=op.f('fk_ward_population_group_id_residential_group'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_ward_population_updated_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ward_id'], ['ward.id'], name=op.f('fk_ward_population_ward_id_ward'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ward_population')),
    sa.UniqueConstraint('ward_id', 'scope', 'measure', name='uq_ward_population_ward_scope_measure')
    )
    op.create_table('ward_target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ward_id', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.String(length=32), nullable=False),
    sa.Column('percent', sa.SmallInteger(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("indicator IN ('adults_certified', 'households_certified', 'elderly_attended', 'disability_attended', 'traders_certified', 'ai_users', 'mentors_five', 'groups_with_classes')", name=op.f('ck_ward_target_indicator')),
    sa.CheckConstraint('percent BETWEEN 0 AND 100', name=op.f('ck_ward_target_percent')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_ward_target_updated_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ward_id'], ['ward.id'], name=op.f('fk_ward_target_ward_id_ward'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ward_target')),
    sa.UniqueConstraint('ward_id', 'indicator', name='uq_ward_target_ward_indicator')
    )



def downgrade():

    op.drop_table('ward_target')
    op.drop_table('ward_population')
    with op.batch_alter_table('ai_tool_use', schema=None) as batch_op:
        batch_op.drop_index('ix_ai_tool_use_ward_day')
        batch_op.drop_index(batch_op.f('ix_ai_tool_use_user_id'))

    op.drop_table('ai_tool_use')

