"""The cohorts list: the cohorts a person may open, newest first, a page at a time, filtered by
residential group, audience and status (by their sessions) and searched by name without
diacritics; member counts for the page only, in one query."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from lms.accounts.policy import is_admin, managed_wards
from lms.cohorts.models import ClassSession, Cohort, Enrollment, cohort_instructor
from lms.extensions import db
from lms.paging import PER_PAGE, Page

# By their sessions: one still to come, all of them past, or none planned yet.
STATUSES = ("upcoming", "finished", "unscheduled")
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class CohortFilter:
    ward_id: int | None = None
    group_id: int | None = None
    audience: str | None = None
    status: str | None = None
    query: str = ""


def _visible(user, ward_id: int | None):
    """Conditions for the cohorts a person may open (as services.cohorts_for decides)."""
    teaching = sa.select(cohort_instructor.c.cohort_id).where(cohort_instructor.c.user_id == user.id)
    visible = [sa.or_(managed_wards(user, Cohort.ward_id), Cohort.id.in_(teaching))]
    if ward_id and is_admin(user):
        visible.append(Cohort.ward_id == ward_id)
    return visible


def _conditions(user, filters: CohortFilter, today: date) -> list:
    from lms.accounts.names import fold

    conditions = _visible(user, filters.ward_id)
    if filters.group_id:
        conditions.append(Cohort.group_id == filters.group_id)
    if filters.audience:
        conditions.append(Cohort.audience == filters.audience)
    sessions = sa.select(ClassSession.id).where(ClassSession.cohort_id == Cohort.id)
    if filters.status == "upcoming":
        conditions.append(sessions.where(ClassSession.day >= today).exists())
    elif filters.status == "finished":
        conditions += [sessions.exists(), ~sessions.where(ClassSession.day >= today).exists()]
    elif filters.status == "unscheduled":
        conditions.append(~sessions.exists())
    # A ward has a few thousand cohorts at most: the folded name is scanned within the ward.
    for term in list(dict.fromkeys(_WORD.findall(fold(filters.query))))[:6]:
        conditions.append(Cohort.name_key.contains(term, autoescape=True))
    return conditions


def cohorts_page(user, filters: CohortFilter, number: int, today: date, per_page: int = PER_PAGE) -> Page:
    """One page of (cohort, member count), newest first, and how many cohorts match."""
    conditions = _conditions(user, filters, today)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Cohort).where(*conditions)) or 0
    offset = (number - 1) * per_page
    if offset >= total:
        return Page([], total, number, per_page)
    cohorts = db.session.scalars(
        sa.select(Cohort).where(*conditions).order_by(Cohort.created_at.desc(), Cohort.id.desc())
        .limit(per_page).offset(offset).options(sa.orm.selectinload(Cohort.group), sa.orm.selectinload(Cohort.ward))
    ).all()
    counts = dict(db.session.execute(
        sa.select(Enrollment.cohort_id, sa.func.count()).where(Enrollment.cohort_id.in_([c.id for c in cohorts]))
        .group_by(Enrollment.cohort_id)
    ).all())
    return Page([(c, counts.get(c.id, 0)) for c in cohorts], total, number, per_page)
