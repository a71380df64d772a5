"""roster and people lists read in order from indexes: enrollment.member_key (a member's place in
the roster) on (cohort_id, member_key, user_id); one residential group on (group_id, ward_id,
sort_key, id), replacing the index on group_id alone; staff found by role on (role, user_id)

Revision ID: 9e3b5c1d7a24
Revises: e4b7a1c9d253
Create Date: 2026-12-01 20:00:00

Every existing enrolment gets its member_key from its person (lms.cohorts.member_order); from then
on the ORM keeps it and bulk inserts write it themselves.
"""
import sqlalchemy as sa
from alembic import op


revision = '9e3b5c1d7a24'
down_revision = 'e4b7a1c9d253'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('member_key', sa.LargeBinary(), nullable=True))
    _fill_member_keys()
    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.create_index('ix_enrollment_cohort_member', ['cohort_id', 'member_key', 'user_id'], unique=False)
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.create_index('ix_user_account_group_sort', ['group_id', 'ward_id', 'sort_key', 'id'], unique=False)
        batch_op.drop_index('ix_user_account_group_id')
    with op.batch_alter_table('user_role', schema=None) as batch_op:
        batch_op.create_index('ix_user_role_role_user', ['role', 'user_id'], unique=False)


def _fill_member_keys():
    """Data migration: each enrolment's key from its person, in batches."""
    from lms.cohorts.member_order import member_key

    bind = op.get_bind()
    enrollment = sa.table("enrollment", sa.column("id", sa.Integer), sa.column("user_id", sa.Integer),
                          sa.column("member_key", sa.LargeBinary))
    users = sa.table("user_account", sa.column("id", sa.Integer), sa.column("sort_key", sa.LargeBinary),
                     sa.column("erased_at", sa.DateTime))
    last = 0
    while True:
        batch = bind.execute(
            sa.select(enrollment.c.id, users.c.sort_key, users.c.erased_at)
            .join(users, users.c.id == enrollment.c.user_id)
            .where(enrollment.c.id > last).order_by(enrollment.c.id).limit(5000)).all()
        if not batch:
            break
        last = batch[-1].id
        bind.execute(enrollment.update().where(enrollment.c.id == sa.bindparam("eid"))
                     .values(member_key=sa.bindparam("key")),
                     [{"eid": row.id, "key": member_key(row.sort_key, row.erased_at is not None)} for row in batch])


def downgrade():
    with op.batch_alter_table('user_role', schema=None) as batch_op:
        batch_op.drop_index('ix_user_role_role_user')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.create_index('ix_user_account_group_id', ['group_id'], unique=False)
        batch_op.drop_index('ix_user_account_group_sort')
    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.drop_index('ix_enrollment_cohort_member')
        batch_op.drop_column('member_key')
