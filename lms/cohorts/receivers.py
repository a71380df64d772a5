"""What cohorts keep about a person, for the person's own data download and for erasure
(lms.accounts.privacy asks through lms.signals: people sit below cohorts and never import them)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from lms.audit.scrub import Former, mentions
from lms.cohorts.models import Attendance, ClassSession, Cohort, Enrollment, StagedImport, cohort_instructor
from lms.extensions import db
from lms.signals import person_erased, personal_data_requested


def _when(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


@personal_data_requested.connect
def cohort_sections(sender, user=None, **extra):
    """The person's classes and the sessions they attended."""
    if user is None:
        return None
    return {
        "cohorts": [
            {"name": cohort.name, "ward": cohort.ward.name if cohort.ward else None,
             "enrolled_at": _when(enrollment.enrolled_at), "how": enrollment.source}
            for enrollment, cohort in db.session.execute(
                sa.select(Enrollment, Cohort).join(Cohort).where(Enrollment.user_id == user.id)
                .order_by(Enrollment.enrolled_at))
        ],
        "attendance": [
            {"cohort": cohort_name, "day": day.isoformat(), "starts_at": starts.strftime("%H:%M"), "place": place}
            for cohort_name, day, starts, place in db.session.execute(
                sa.select(Cohort.name, ClassSession.day, ClassSession.starts_at, ClassSession.place)
                .join(ClassSession, ClassSession.cohort_id == Cohort.id)
                .join(Attendance, Attendance.class_session_id == ClassSession.id)
                .where(Attendance.user_id == user.id).order_by(ClassSession.day))
        ],
    }


@person_erased.connect
def forget_erased_person(sender, user=None, former: Former | None = None, **extra):
    """An erased person teaches no class any more, their own previews go, and every preview waiting
    for confirmation, in every ward, loses the row that was theirs (the rest of it stays)."""
    from lms.cohorts.importing import purge_expired_imports

    if user is None:
        return
    db.session.execute(sa.delete(cohort_instructor).where(cohort_instructor.c.user_id == user.id))
    db.session.execute(sa.delete(StagedImport).where(StagedImport.owner_id == user.id))
    purge_expired_imports()
    if former is not None and former.phone:
        for staged in db.session.scalars(sa.select(StagedImport).where(StagedImport.confirmed_at.is_(None))):
            rows = staged.rows or []
            kept = [row for row in rows if not _row_is(row, former)]
            if len(kept) != len(rows):
                staged.rows = kept
    db.session.flush()


def _row_is(row: dict, former: Former) -> bool:
    """A row is the person's when its number is theirs, however typed."""
    if row.get("phone") == former.phone:
        return True
    return any(isinstance(value, str) and mentions(value, former)
               for key, value in row.items() if key in ("phone", "phone_text"))
