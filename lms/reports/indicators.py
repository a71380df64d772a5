"""The ward plans' indicators, each counted by the database (GROUP BY / COUNT DISTINCT on indexes);
no person's row is ever loaded into Python to count it.

Every public function takes (ward_id, start, end): the period is in Vietnam's calendar, both days
included. Two kinds of figure:

- what happened in the period: enrolled, completed, certified, attended, used an AI tool;
- what holds at the period's end: households with a certified member, mentors with five mentees
  who completed a course.

People are counted by id, so a person erased under the data law still counts as one (their
certificates are "withdrawn" on erasure and still count; revoked ones never do).
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from lms.accounts.models import User
from lms.certificates.models import Certificate
from lms.cohorts.models import Attendance, ClassSession, Cohort
from lms.extensions import db
from lms.households.models import Household, HouseholdMember, Mentorship
from lms.reports.events import (
    DIMENSIONS, KINDS, count_by, count_people, months, people_query, people_select, scope, utc_bounds,
)
from lms.reports.models import AiToolUse
from lms.wards.models import ResidentialGroup

MENTEES_WANTED = 5


# --- the plain functions, one an indicator -------------------------------------------------------

def people_enrolled(ward_id: int, start: date, end: date) -> int:
    return count_people("enrolled", ward_id, start, end)


def people_completed(ward_id: int, start: date, end: date) -> int:
    return count_people("completed", ward_id, start, end)


def people_certified(ward_id: int, start: date, end: date) -> int:
    return count_people("certified", ward_id, start, end)


def _three(ward_id: int, start: date, end: date, by: str) -> dict:
    """{value: {"enrolled": n, "completed": n, "certified": n}}."""
    out: dict = {}
    for kind in KINDS:
        for dim, n in count_by(kind, ward_id, start, end, by).items():
            out.setdefault(dim, dict.fromkeys(KINDS, 0))[kind] = n
    return out


def by_audience(ward_id: int, start: date, end: date) -> dict:
    return _three(ward_id, start, end, "audience")


def by_group(ward_id: int, start: date, end: date) -> dict:
    return _three(ward_id, start, end, "group")


def by_course(ward_id: int, start: date, end: date) -> dict:
    return _three(ward_id, start, end, "course")


def by_competence(ward_id: int, start: date, end: date) -> dict:
    return _three(ward_id, start, end, "competence")


def breakdowns(ward_id: int, start: date, end: date) -> dict:
    """Everything the dashboard breaks down, twelve grouped queries: for each kind, by group (whose
    sum is the total: everyone has one group or none), audience, course and competence (one pass)
    and month. {"total": {kind: n}, "audience"|"group"|"course"|"competence": {value: {kind: n}},
    "trend": [{"month", kind: n}]}."""
    out: dict = {"total": dict.fromkeys(KINDS, 0), "audience": {}, "group": {}, "course": {}, "competence": {}}
    table = {month: dict.fromkeys(KINDS, 0) for month in months(start, end)}
    for kind in KINDS:
        groups = count_by(kind, ward_id, start, end, "group")
        out["total"][kind] = sum(groups.values())
        for dim, n in groups.items():
            out["group"].setdefault(dim, dict.fromkeys(KINDS, 0))[kind] = n
        for dim, n in count_by(kind, ward_id, start, end, "audience").items():
            out["audience"].setdefault(dim, dict.fromkeys(KINDS, 0))[kind] = n
        for key, n in count_by(kind, ward_id, start, end, "course_competence").items():
            which, value = ("course", int(key[1:])) if key[0] == "c" else ("competence", key[1:])
            out[which].setdefault(value, dict.fromkeys(KINDS, 0))[kind] = n
        for month, n in count_by(kind, ward_id, start, end, "month").items():
            if month in table:
                table[month][kind] = n
    out["trend"] = [{"month": key, **counts} for key, counts in table.items()]
    return out


def households_query(ward_id: int | None, end: date) -> sa.Select:
    """Households of the ward with a member certified by the period's end
    (SELECT household_id, user_id, ward_id)."""
    _, high = utc_bounds(None, end)
    return (sa.select(HouseholdMember.household_id.label("household_id"), HouseholdMember.user_id.label("user_id"),
                      Household.ward_id.label("ward_id"))
            .join(Household, Household.id == HouseholdMember.household_id)
            .join(Certificate, Certificate.user_id == HouseholdMember.user_id)
            .where(scope(Household.ward_id, ward_id), Certificate.status != "revoked", Certificate.issued_at < high))


def households_by_ward(ward_id: int | None, end: date) -> dict:
    """{ward id: {"with_certified", "known"}}: households with at least one certified member by the
    end, out of all known households."""
    q = households_query(ward_id, end).subquery()
    with_certified = dict(db.session.execute(
        sa.select(q.c.ward_id, sa.func.count(sa.distinct(q.c.household_id))).group_by(q.c.ward_id)).all())
    known = dict(db.session.execute(sa.select(Household.ward_id, sa.func.count()).where(scope(Household.ward_id, ward_id))
                                    .group_by(Household.ward_id)).all())
    return {w: {"with_certified": with_certified.get(w, 0), "known": known.get(w, 0)} for w in {*with_certified, *known}}


def households(ward_id: int, start: date, end: date) -> dict:
    return households_by_ward(ward_id, end).get(ward_id, {"with_certified": 0, "known": 0})


def _completed_by(ward_id: int | None, high) -> sa.Subquery:
    """(ward_id, user_id) of everyone who completed a course in a ward before `high`."""
    return people_select("completed", ward_id, None, high, None).subquery("done")


def mentors_query(ward_id: int | None, end: date, *, five: bool) -> sa.Select:
    """SELECT user_id (and ward_id) of the ward's mentors by the end; with `five`, only those who
    guided at least five mentees who completed a course in the ward by then."""
    _, high = utc_bounds(None, end)
    columns = (Mentorship.mentor_id.label("user_id"), Mentorship.ward_id.label("ward_id"))
    if not five:
        return (sa.select(*columns).where(scope(Mentorship.ward_id, ward_id), Mentorship.created_at < high)
                .distinct())
    done = _completed_by(ward_id, high)
    finished = sa.exists().where(done.c.user_id == Mentorship.mentee_id, done.c.ward_id == Mentorship.ward_id)
    return (sa.select(*columns)
            .where(scope(Mentorship.ward_id, ward_id), Mentorship.created_at < high, finished)
            .group_by(Mentorship.ward_id, Mentorship.mentor_id)
            .having(sa.func.count(sa.distinct(Mentorship.mentee_id)) >= MENTEES_WANTED))


def mentors_by_ward(ward_id: int | None, end: date) -> dict:
    """{ward id: {"mentors", "mentors_five"}}: mentors ("Đại sứ số") and those with at least five
    mentees who completed a course."""
    out: dict = {}
    for key, five in (("mentors", False), ("mentors_five", True)):
        q = mentors_query(ward_id, end, five=five).subquery()
        for w, n in db.session.execute(sa.select(q.c.ward_id, sa.func.count()).group_by(q.c.ward_id)):
            out.setdefault(w, {"mentors": 0, "mentors_five": 0})[key] = n
    return out


def mentors(ward_id: int, start: date, end: date) -> dict:
    return mentors_by_ward(ward_id, end).get(ward_id, {"mentors": 0, "mentors_five": 0})


def attendance_query(ward_id: int | None, start: date, end: date, audience: str | None = None) -> sa.Select:
    """SELECT user_id, class_session_id, ward_id, audience of presences at the ward's in-person
    sessions held in the period (live classes record theirs in the same table)."""
    q = (sa.select(Attendance.user_id.label("user_id"), Attendance.class_session_id.label("class_session_id"),
                   Cohort.ward_id.label("ward_id"), Cohort.audience.label("audience"))
         .select_from(Cohort).join(ClassSession, ClassSession.cohort_id == Cohort.id)
         .join(Attendance, Attendance.class_session_id == ClassSession.id)
         .where(scope(Cohort.ward_id, ward_id), ClassSession.day >= start, ClassSession.day <= end))
    return q.where(Cohort.audience == audience) if audience else q


EMPTY_ATTENDANCE = {"sessions": 0, "presences": 0, "people": 0, "elderly": 0, "disability": 0}


def attendance_by_ward(ward_id: int | None, start: date, end: date) -> dict:
    """{ward id: counts}, in one pass: sessions held with someone present, presences, distinct
    people, and distinct people at classes for older people and for people with disabilities."""
    q = attendance_query(ward_id, start, end).subquery()

    def people_of(audience):
        return sa.func.count(sa.distinct(sa.case((q.c.audience == audience, q.c.user_id))))

    rows = db.session.execute(
        sa.select(q.c.ward_id, sa.func.count(sa.distinct(q.c.class_session_id)), sa.func.count(),
                  sa.func.count(sa.distinct(q.c.user_id)), people_of("elderly"), people_of("disability"))
        .group_by(q.c.ward_id))
    return {w: dict(zip(EMPTY_ATTENDANCE, counts)) for w, *counts in rows}


def attendance(ward_id: int, start: date, end: date) -> dict:
    return attendance_by_ward(ward_id, start, end).get(ward_id, dict(EMPTY_ATTENDANCE))


def ai_users_query(ward_id: int | None, start: date, end: date) -> sa.Select:
    return (sa.select(AiToolUse.user_id.label("user_id"), AiToolUse.kind.label("dim"), AiToolUse.ward_id.label("ward_id"))
            .where(scope(AiToolUse.ward_id, ward_id), AiToolUse.used_on >= start, AiToolUse.used_on <= end))


def learners_query(ward_id: int | None, end: date) -> sa.Select:
    """SELECT ward_id, user_id of the ward's learners: enrolled in one of its cohorts by the period's end."""
    _, high = utc_bounds(None, end)
    return people_select("enrolled", ward_id, None, high, None)


def ai_users_by_ward(ward_id: int | None, start: date, end: date, *, kinds: bool = True) -> dict:
    """{ward id: {"users", "learners", "by_kind"}}: distinct learners with an AI-tool record dated in
    the period, out of the ward's learners; and by kind of tool."""
    q = ai_users_query(ward_id, start, end).subquery()
    lq = learners_query(ward_id, end).subquery()
    out: dict = {}

    def row(w):
        return out.setdefault(w, {"users": 0, "learners": 0, "by_kind": {}})

    for w, n in db.session.execute(sa.select(q.c.ward_id, sa.func.count(sa.distinct(q.c.user_id))).group_by(q.c.ward_id)):
        row(w)["users"] = n
    for w, n in db.session.execute(sa.select(lq.c.ward_id, sa.func.count(sa.distinct(lq.c.user_id))).group_by(lq.c.ward_id)):
        row(w)["learners"] = n
    if kinds:
        for w, kind, n in db.session.execute(sa.select(q.c.ward_id, q.c.dim, sa.func.count(sa.distinct(q.c.user_id)))
                                             .group_by(q.c.ward_id, q.c.dim)):
            row(w)["by_kind"][kind] = n
    out.pop(None, None)
    return out


def ai_users(ward_id: int, start: date, end: date) -> dict:
    return ai_users_by_ward(ward_id, start, end).get(ward_id, {"users": 0, "learners": 0, "by_kind": {}})


def groups_with_classes_by_ward(ward_id: int | None, start: date, end: date) -> dict:
    """{ward id: {"with_classes", "groups"}}: residential groups and markets where a class met in
    the period, out of the ward's groups."""
    groups = dict(db.session.execute(sa.select(ResidentialGroup.ward_id, sa.func.count())
                                     .where(scope(ResidentialGroup.ward_id, ward_id))
                                     .group_by(ResidentialGroup.ward_id)).all())
    held = dict(db.session.execute(
        sa.select(Cohort.ward_id, sa.func.count(sa.distinct(Cohort.group_id)))
        .select_from(Cohort).join(ClassSession, ClassSession.cohort_id == Cohort.id)
        .where(scope(Cohort.ward_id, ward_id), Cohort.group_id.is_not(None),
               ClassSession.day >= start, ClassSession.day <= end).group_by(Cohort.ward_id)).all())
    return {w: {"with_classes": held.get(w, 0), "groups": groups.get(w, 0)} for w in {*groups, *held}}


def groups_with_classes(ward_id: int, start: date, end: date) -> dict:
    return groups_with_classes_by_ward(ward_id, start, end).get(ward_id, {"with_classes": 0, "groups": 0})


def trend(ward_id: int, start: date, end: date) -> list[dict]:
    """By month of the period: distinct people enrolled, completed and certified that month."""
    table = {month: dict.fromkeys(KINDS, 0) for month in months(start, end)}
    for kind in KINDS:
        for key, n in count_by(kind, ward_id, start, end, "month").items():
            if key in table:
                table[key][kind] = n
    return [{"month": key, **counts} for key, counts in table.items()]


PEOPLE_KINDS = (*KINDS, "households", "attended", "mentors", "mentors_five", "ai")


def people_behind(ward_id: int, start: date, end: date, kind: str, by: str | None = None,
                  key: str | None = None) -> sa.Select | None:
    """SELECT user_id of the people a figure counts (None when the question makes no sense)."""
    if kind in KINDS:
        if by is None:
            return people_query(kind, ward_id, start, end)
        if by not in DIMENSIONS or key is None:
            return None
        q = people_query(kind, ward_id, start, end, by).subquery()
        value: object = key
        if by in ("group", "course"):
            if not key.isdigit() or len(key) > 9:
                return None
            value = int(key)
        return sa.select(q.c.user_id).where(q.c.dim == value)
    if kind == "households":
        return households_query(ward_id, end).with_only_columns(HouseholdMember.user_id.label("user_id"))
    if kind == "attended":
        if by not in (None, "audience"):
            return None
        return attendance_query(ward_id, start, end, key if by else None)
    if kind in ("mentors", "mentors_five"):
        return mentors_query(ward_id, end, five=kind == "mentors_five")
    if kind == "ai":
        q = ai_users_query(ward_id, start, end)
        return q.where(AiToolUse.kind == key) if by == "kind" and key else q
    return None


def people_page(ward_id: int, start: date, end: date, kind: str, by, key, *, offset: int, limit: int):
    """(total, rows of (id, full_name, erased_at, group name)) of the people behind a figure, in
    Vietnamese name order, one page; None when the question makes no sense."""
    q = people_behind(ward_id, start, end, kind, by, key)
    if q is None:
        return None
    ids = q.subquery()
    total = db.session.scalar(sa.select(sa.func.count(sa.distinct(ids.c.user_id)))) or 0
    rows = db.session.execute(
        sa.select(User.id, User.full_name, User.erased_at, ResidentialGroup.name)
        .outerjoin(ResidentialGroup, ResidentialGroup.id == User.group_id)
        .where(User.id.in_(sa.select(ids.c.user_id)))
        .order_by(User.sort_key, User.id).offset(offset).limit(limit)).all()
    return total, rows
