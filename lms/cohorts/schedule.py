"""In-person sessions of a cohort (buổi học) and who was there."""
from __future__ import annotations

from datetime import date, time, timedelta

import sqlalchemy as sa

from lms.accounts.models import User
from lms.accounts.collation import sort_by_name
from lms.cohorts.models import Attendance, ClassSession, Cohort, Enrollment
from lms.accounts.text import clean
from lms.extensions import db
from lms.timeutil import utcnow


def vietnam_today() -> date:
    """Today's date in Vietnam (UTC+7, no daylight saving), whatever the server's clock zone."""
    return (utcnow() + timedelta(hours=7)).date()


def add_session(cohort: Cohort, *, day: date, starts_at: time, place: str) -> ClassSession:
    """Add a session to a cohort's schedule."""
    session = ClassSession(cohort_id=cohort.id, day=day, starts_at=starts_at, place=clean(place)[:200])
    db.session.add(session)
    db.session.flush()
    return session


def update_session(session: ClassSession, *, day: date, starts_at: time, place: str) -> None:
    """Move a session to another day, time or place."""
    session.day, session.starts_at, session.place = day, starts_at, clean(place)[:200]
    db.session.flush()


def delete_session(session: ClassSession) -> None:
    """Remove a session from the schedule, with its attendance."""
    db.session.delete(session)
    db.session.flush()


def sessions_of(cohort: Cohort) -> list[ClassSession]:
    return db.session.scalars(
        sa.select(ClassSession).where(ClassSession.cohort_id == cohort.id)
        .order_by(ClassSession.day, ClassSession.starts_at)
    ).all()


def attendance_counts(cohort: Cohort) -> dict[int, int]:
    """How many people were marked present at each session of a cohort."""
    return dict(db.session.execute(
        sa.select(Attendance.class_session_id, sa.func.count())
        .join(ClassSession, ClassSession.id == Attendance.class_session_id)
        .where(ClassSession.cohort_id == cohort.id).group_by(Attendance.class_session_id)
    ).all())


def register(session: ClassSession) -> list[tuple[User, bool]]:
    """The cohort's living members in Vietnamese order, each with whether they were present."""
    people = db.session.scalars(
        sa.select(User).join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.cohort_id == session.cohort_id, User.erased_at.is_(None))
    ).unique().all()
    present = set(db.session.scalars(
        sa.select(Attendance.user_id).where(Attendance.class_session_id == session.id)
    ))
    return [(person, person.id in present) for person in sort_by_name(people)]


def set_attendance(session: ClassSession, present_ids, by: User) -> tuple[int, int]:
    """Make the register say exactly who was present; returns (marked, unmarked).

    Sending the same register twice changes nothing; ids of non-members are ignored.
    """
    # Erased people are not on the register, so their past attendance is never unticked.
    members = set(db.session.scalars(
        sa.select(Enrollment.user_id).join(User, User.id == Enrollment.user_id)
        .where(Enrollment.cohort_id == session.cohort_id, User.erased_at.is_(None))
    ))
    wanted = {int(i) for i in present_ids if str(i).isdigit() and int(i) in members}
    current = set(db.session.scalars(
        sa.select(Attendance.user_id).where(Attendance.class_session_id == session.id)
    ))
    now = utcnow()
    added = wanted - current
    removed = (current - wanted) & members
    db.session.add_all(Attendance(class_session_id=session.id, user_id=uid, marked_by_id=by.id, marked_at=now)
                       for uid in added)
    if removed:
        db.session.execute(sa.delete(Attendance).where(
            Attendance.class_session_id == session.id, Attendance.user_id.in_(removed)))
    db.session.flush()
    return len(added), len(removed)


def upcoming_sessions(cohort_ids: list[int], today: date) -> list[ClassSession]:
    """Sessions from today on for these cohorts, soonest first."""
    if not cohort_ids:
        return []
    return db.session.scalars(
        sa.select(ClassSession).where(ClassSession.cohort_id.in_(cohort_ids), ClassSession.day >= today)
        .order_by(ClassSession.day, ClassSession.starts_at)
    ).all()
