"""lesson sources

Revision ID: 5a0c3e7d9b21
Revises: d8f814719198
Create Date: 2026-12-01 17:15:00


Each lesson keeps the sources its front matter lists, per language ({"vi": [{"title",
"publisher", "url", "checked"}], "en": […]}), shown at the end of the lesson page. Empty until
the next `flask content sync`, which fills it (lessons without sources do not pass the check).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5a0c3e7d9b21'
down_revision = 'd8f814719198'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('lesson', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sources', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('lesson', schema=None) as batch_op:
        batch_op.drop_column('sources')
