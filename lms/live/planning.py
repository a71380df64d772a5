"""The instructor's day: the sessions ahead of the cohorts they teach, a weekly series to schedule,
and the lessons they may present."""
from __future__ import annotations

from datetime import date, time as clock, timedelta

import sqlalchemy as sa

from lms.cohorts.models import ClassSession, Cohort
from lms.cohorts.schedule import add_session
from lms.courses.models import Lesson
from lms.extensions import db

MAX_SERIES = 52  # a weekly series is at most a year of weeks


def day_sessions(cohort_ids: list[int], today: date, days: int = 14) -> list[ClassSession]:
    """Sessions of these cohorts from today for `days` days, soonest first."""
    if not cohort_ids:
        return []
    return db.session.scalars(
        sa.select(ClassSession).where(ClassSession.cohort_id.in_(cohort_ids), ClassSession.day >= today,
                                      ClassSession.day < today + timedelta(days=days))
        .order_by(ClassSession.day, ClassSession.starts_at)
    ).all()


def series_days(first: date, weekdays: set[int], count: int) -> list[date]:
    """The next `count` days from `first` (included) that fall on `weekdays` (0 = Monday)."""
    days, day = [], first
    while weekdays and len(days) < count:
        if day.weekday() in weekdays:
            days.append(day)
        day += timedelta(days=1)
    return days


def add_series(cohort: Cohort, *, first: date, weekdays: set[int], count: int, starts_at: clock,
               place: str) -> list[ClassSession]:
    """Schedule a weekly series (e.g. every Tuesday and Thursday, 8 times); a day and time the
    cohort already has is not added twice."""
    existing = set(db.session.execute(
        sa.select(ClassSession.day, ClassSession.starts_at).where(ClassSession.cohort_id == cohort.id)).all())
    return [add_session(cohort, day=day, starts_at=starts_at, place=place)
            for day in series_days(first, weekdays, count) if (day, starts_at) not in existing]


def lessons_for(cohort: Cohort) -> list[Lesson]:
    """The lessons an instructor may present to this cohort: those of its courses."""
    return [lesson for course in cohort.courses for lesson in course.active_lessons]
