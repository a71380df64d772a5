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

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from lms.accounts.models import User
from lms.certificates.models import Certificate
from lms.cohorts.models import Attendance, ClassSession, Cohort, Enrollment, cohort_course
from lms.courses.models import Course
from lms.extensions import db
from lms.households.models import Household, HouseholdMember, Mentorship
from lms.quizzes.models import Quiz, QuizAttempt
from lms.reports.models import AiToolUse
from lms.wards.models import ResidentialGroup

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
KINDS = ("enrolled", "completed", "certified")
DIMENSIONS = ("audience", "group", "course", "competence")
MENTEES_WANTED = 5


def utc_bounds(start: date | None, end: date) -> tuple[datetime | None, datetime]:
    """The period in Vietnam's calendar as naive UTC bounds [low, high); no start is "ever"."""
    def at(day: date) -> datetime:
        return datetime.combine(day, time.min, VIETNAM).astimezone(timezone.utc).replace(tzinfo=None)

    return (at(start) if start else None), at(end + timedelta(days=1))


def _within(column, low, high):
    return sa.and_(column >= low, column < high) if low is not None else column < high


# --- events: (user_id, course_id, at) ------------------------------------------------------------

def _enrolment_events(ward_id: int, low, high) -> sa.Select:
    """Enrolments into the ward's cohorts; one row per course of the cohort (none: course NULL)."""
    return (sa.select(Enrollment.user_id.label("user_id"), cohort_course.c.course_id.label("course_id"),
                      Enrollment.enrolled_at.label("at"))
            .join(Cohort, Cohort.id == Enrollment.cohort_id)
            .outerjoin(cohort_course, cohort_course.c.cohort_id == Cohort.id)
            .where(Cohort.ward_id == ward_id, _within(Enrollment.enrolled_at, low, high)))


def _certification_events(ward_id: int, low, high) -> sa.Select:
    """Certificates issued by the ward, revoked ones left out (withdrawn = erased, still counted)."""
    return (sa.select(Certificate.user_id.label("user_id"), Certificate.course_id.label("course_id"),
                      Certificate.issued_at.label("at"))
            .where(Certificate.ward_id == ward_id, Certificate.status != "revoked",
                   _within(Certificate.issued_at, low, high)))


def _completion_events(ward_id: int, low, high) -> sa.Select:
    """A course's final quiz passed by one of the ward's people, or a certificate (which is only
    issued on completion, online or attested in person)."""
    quizzes = (sa.select(QuizAttempt.user_id.label("user_id"), Quiz.course_id.label("course_id"),
                         QuizAttempt.submitted_at.label("at"))
               .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
               .join(User, User.id == QuizAttempt.user_id)
               .where(User.ward_id == ward_id, Quiz.kind == "final", QuizAttempt.passed.is_(True),
                      _within(QuizAttempt.submitted_at, low, high)))
    return sa.union_all(quizzes, _certification_events(ward_id, low, high))


_EVENTS = {"enrolled": _enrolment_events, "completed": _completion_events, "certified": _certification_events}


def _memberships(ward_id: int) -> sa.Select:
    """(user_id, audience): the audiences of the ward's cohorts a person is a member of."""
    return (sa.select(Enrollment.user_id.label("user_id"), Cohort.audience.label("audience"))
            .join(Cohort, Cohort.id == Enrollment.cohort_id).where(Cohort.ward_id == ward_id))


def course_competences() -> list[tuple[int, str]]:
    """(course id, competence) pairs: a handful of courses, read from the course table."""
    return [(course_id, str(code)) for course_id, codes in db.session.execute(sa.select(Course.id, Course.competences))
            for code in (codes or [])]


def people_query(kind: str, ward_id: int, start: date | None, end: date, by: str | None = None) -> sa.Select:
    """SELECT user_id[, dim] of the people behind `kind` (enrolled / completed / certified) in the
    period, by a dimension: audience (of their cohorts), group (their residential group or market;
    0 = none), course, or competence."""
    low, high = utc_bounds(start, end)
    events = _EVENTS[kind](ward_id, low, high).subquery("ev")
    if by is None:
        return sa.select(events.c.user_id)
    if by == "audience":
        members = _memberships(ward_id).subquery("m")
        return (sa.select(events.c.user_id, members.c.audience.label("dim"))
                .join(members, members.c.user_id == events.c.user_id))
    if by == "group":
        return (sa.select(events.c.user_id, sa.func.coalesce(User.group_id, 0).label("dim"))
                .join(User, User.id == events.c.user_id))
    if by == "course":
        return sa.select(events.c.user_id, events.c.course_id.label("dim")).where(events.c.course_id.is_not(None))
    if by == "competence":
        pairs = course_competences()
        if not pairs:
            return sa.select(events.c.user_id, sa.literal("").label("dim")).where(sa.false())
        # A small literal table of the pairs (SQLite takes no column names on VALUES).
        table = sa.union_all(*[sa.select(sa.literal(cid, sa.Integer).label("course_id"),
                                         sa.literal(code, sa.String).label("competence")) for cid, code in pairs]
                             ).subquery("cc") if len(pairs) > 1 else \
            sa.select(sa.literal(pairs[0][0], sa.Integer).label("course_id"),
                      sa.literal(pairs[0][1], sa.String).label("competence")).subquery("cc")
        return (sa.select(events.c.user_id, table.c.competence.label("dim"))
                .join(table, table.c.course_id == events.c.course_id))
    raise ValueError(by)


def count_people(kind: str, ward_id: int, start: date | None, end: date) -> int:
    q = people_query(kind, ward_id, start, end).subquery()
    return db.session.scalar(sa.select(sa.func.count(sa.distinct(q.c.user_id)))) or 0


def count_by(kind: str, ward_id: int, start: date | None, end: date, by: str) -> dict:
    """{dimension value: distinct people}."""
    q = people_query(kind, ward_id, start, end, by).subquery()
    rows = db.session.execute(sa.select(q.c.dim, sa.func.count(sa.distinct(q.c.user_id))).group_by(q.c.dim))
    return {dim: n for dim, n in rows}


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


def households_query(ward_id: int, end: date) -> sa.Select:
    """Households of the ward with a member certified by the period's end (SELECT household_id)."""
    _, high = utc_bounds(None, end)
    return (sa.select(HouseholdMember.household_id.label("household_id"), HouseholdMember.user_id.label("user_id"))
            .join(Household, Household.id == HouseholdMember.household_id)
            .join(Certificate, Certificate.user_id == HouseholdMember.user_id)
            .where(Household.ward_id == ward_id, Certificate.status != "revoked", Certificate.issued_at < high))


def households(ward_id: int, start: date, end: date) -> dict:
    """Households with at least one certified member by the end, out of all known households."""
    q = households_query(ward_id, end).subquery()
    with_certified = db.session.scalar(sa.select(sa.func.count(sa.distinct(q.c.household_id)))) or 0
    known = db.session.scalar(sa.select(sa.func.count()).select_from(Household)
                              .where(Household.ward_id == ward_id)) or 0
    return {"with_certified": with_certified, "known": known}


def mentors_query(ward_id: int, end: date, *, five: bool) -> sa.Select:
    """SELECT user_id of the ward's mentors by the end; with `five`, only those who guided at
    least five mentees who completed a course by then."""
    _, high = utc_bounds(None, end)
    if not five:
        return (sa.select(Mentorship.mentor_id.label("user_id"))
                .where(Mentorship.ward_id == ward_id, Mentorship.created_at < high).distinct())
    done = _completion_events(ward_id, None, high).subquery("done")
    return (sa.select(Mentorship.mentor_id.label("user_id"))
            .where(Mentorship.ward_id == ward_id, Mentorship.created_at < high,
                   Mentorship.mentee_id.in_(sa.select(done.c.user_id)))
            .group_by(Mentorship.mentor_id)
            .having(sa.func.count(sa.distinct(Mentorship.mentee_id)) >= MENTEES_WANTED))


def mentors(ward_id: int, start: date, end: date) -> dict:
    """Mentors ("Đại sứ số") and those with at least five mentees who completed a course."""
    counted = {}
    for key, five in (("mentors", False), ("mentors_five", True)):
        q = mentors_query(ward_id, end, five=five).subquery()
        counted[key] = db.session.scalar(sa.select(sa.func.count()).select_from(q)) or 0
    return counted


def attendance_query(ward_id: int, start: date, end: date, audience: str | None = None) -> sa.Select:
    """SELECT user_id, class_session_id of presences at the ward's in-person sessions held in the
    period (live classes record theirs in the same table)."""
    q = (sa.select(Attendance.user_id.label("user_id"), Attendance.class_session_id.label("class_session_id"))
         .join(ClassSession, ClassSession.id == Attendance.class_session_id)
         .join(Cohort, Cohort.id == ClassSession.cohort_id)
         .where(Cohort.ward_id == ward_id, ClassSession.day >= start, ClassSession.day <= end))
    return q.where(Cohort.audience == audience) if audience else q


def attendance(ward_id: int, start: date, end: date) -> dict:
    """Sessions held with someone present, presences, distinct people, and distinct people at
    classes for older people and for people with disabilities."""
    q = attendance_query(ward_id, start, end).subquery()
    sessions, presences, people = db.session.execute(
        sa.select(sa.func.count(sa.distinct(q.c.class_session_id)), sa.func.count(),
                  sa.func.count(sa.distinct(q.c.user_id)))).one()
    out = {"sessions": sessions or 0, "presences": presences or 0, "people": people or 0}
    for audience in ("elderly", "disability"):
        sub = attendance_query(ward_id, start, end, audience).subquery()
        out[audience] = db.session.scalar(sa.select(sa.func.count(sa.distinct(sub.c.user_id)))) or 0
    return out


def ai_users_query(ward_id: int, start: date, end: date) -> sa.Select:
    return (sa.select(AiToolUse.user_id.label("user_id"), AiToolUse.kind.label("dim"))
            .where(AiToolUse.ward_id == ward_id, AiToolUse.used_on >= start, AiToolUse.used_on <= end))


def learners_query(ward_id: int, end: date) -> sa.Select:
    """SELECT user_id of the ward's learners: enrolled in one of its cohorts by the period's end."""
    _, high = utc_bounds(None, end)
    return _enrolment_events(ward_id, None, high).with_only_columns(Enrollment.user_id.label("user_id"))


def ai_users(ward_id: int, start: date, end: date) -> dict:
    """Distinct learners with an AI-tool record dated in the period, out of the ward's learners;
    and by kind of tool."""
    q = ai_users_query(ward_id, start, end).subquery()
    users = db.session.scalar(sa.select(sa.func.count(sa.distinct(q.c.user_id)))) or 0
    kinds = dict(db.session.execute(sa.select(q.c.dim, sa.func.count(sa.distinct(q.c.user_id))).group_by(q.c.dim)).all())
    lq = learners_query(ward_id, end).subquery()
    learners = db.session.scalar(sa.select(sa.func.count(sa.distinct(lq.c.user_id)))) or 0
    return {"users": users, "learners": learners, "by_kind": kinds}


def groups_with_classes(ward_id: int, start: date, end: date) -> dict:
    """Residential groups and markets where a class met in the period, out of the ward's groups."""
    groups = db.session.scalar(sa.select(sa.func.count()).select_from(ResidentialGroup)
                               .where(ResidentialGroup.ward_id == ward_id)) or 0
    held = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Cohort.group_id)))
        .select_from(ClassSession).join(Cohort, Cohort.id == ClassSession.cohort_id)
        .where(Cohort.ward_id == ward_id, Cohort.group_id.is_not(None),
               ClassSession.day >= start, ClassSession.day <= end)) or 0
    return {"with_classes": held, "groups": groups}


def _month(column):
    """'YYYY-MM' of a UTC timestamp, in Vietnam's calendar (UTC+7 all year), in SQL."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.func.to_char(column + sa.text("interval '7 hours'"), "YYYY-MM")
    return sa.func.strftime("%Y-%m", column, "+7 hours")


def months(start: date, end: date) -> list[str]:
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def trend(ward_id: int, start: date, end: date) -> list[dict]:
    """By month of the period: distinct people enrolled, completed and certified that month."""
    low, high = utc_bounds(start, end)
    table = {month: dict.fromkeys(KINDS, 0) for month in months(start, end)}
    for kind in KINDS:
        events = _EVENTS[kind](ward_id, low, high).subquery("ev")
        month = _month(events.c.at).label("month")
        for key, n in db.session.execute(sa.select(month, sa.func.count(sa.distinct(events.c.user_id)))
                                         .group_by(month)):
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
