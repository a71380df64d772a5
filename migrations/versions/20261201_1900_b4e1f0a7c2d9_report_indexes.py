"""report indexes: enrolments by cohort and day, final-quiz passes by quiz and day, certificates by
ward and day with the columns counted, sessions by cohort and day

Revision ID: b4e1f0a7c2d9
Revises: 3f9a1c7e5b42
Create Date: 2026-12-01 19:00:00
"""
from alembic import op


revision = 'b4e1f0a7c2d9'
down_revision = '3f9a1c7e5b42'
branch_labels = None
depends_on = None

# Each covers the columns the ward reports count (lms/reports/events.py), so a breakdown reads
# the index alone: one ward's enrolments of a period, its final-quiz passes, its certificates.
INDEXES = (
    ('ix_enrollment_cohort_enrolled', 'enrollment', ['cohort_id', 'enrolled_at', 'user_id']),
    ('ix_quiz_attempt_quiz_submitted', 'quiz_attempt', ['quiz_id', 'submitted_at', 'passed', 'user_id']),
    ('ix_certificate_ward_issued_counted', 'certificate', ['ward_id', 'issued_at', 'status', 'user_id', 'course_id']),
    ('ix_class_session_cohort_day', 'class_session', ['cohort_id', 'day']),
)


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
