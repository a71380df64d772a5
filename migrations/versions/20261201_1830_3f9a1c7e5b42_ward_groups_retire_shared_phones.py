"""ward groups can be retired; a phone number may be shared by a household

Revision ID: 3f9a1c7e5b42
Revises: cb53ad059639
Create Date: 2026-12-01 18:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '3f9a1c7e5b42'
down_revision = 'cb53ad059639'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('residential_group', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_at', sa.DateTime(), nullable=True))
    # The phone is no longer who a person is: a couple may share one, a grandmother may use her
    # son's. It stays indexed, for sign-in and search.
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_user_account_phone'), type_='unique')
        batch_op.create_index(batch_op.f('ix_user_account_phone'), ['phone'], unique=False)


def downgrade():
    # Fails, as it should, while two accounts share a number.
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_account_phone'))
        batch_op.create_unique_constraint(batch_op.f('uq_user_account_phone'), ['phone'])
    with op.batch_alter_table('residential_group', schema=None) as batch_op:
        batch_op.drop_column('retired_at')
