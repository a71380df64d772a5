"""who signs a ward's certificates; certificate codes get a check character

Revision ID: 5d2e8b1f4c70
Revises: b4e1f0a7c2d9
Create Date: 2026-12-01 19:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '5d2e8b1f4c70'
down_revision = 'b4e1f0a7c2d9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ward', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signer_name', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('signer_title', sa.String(length=120), nullable=True))
    # New codes are 12 random characters and a check character; codes issued before keep their 12.
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.alter_column('code', existing_type=sa.String(length=12), type_=sa.String(length=13),
                              existing_nullable=False)


def downgrade():
    # Fails, as it should, once a certificate carries a 13-character code.
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.alter_column('code', existing_type=sa.String(length=13), type_=sa.String(length=12),
                              existing_nullable=False)
    with op.batch_alter_table('ward', schema=None) as batch_op:
        batch_op.drop_column('signer_title')
        batch_op.drop_column('signer_name')
