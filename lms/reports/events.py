"""Who did what, when, in which ward: the SQL the ward reports count from.

Each kind of event (enrolled, completed, certified) is one or two flat SELECTs ("branches") over
its own table and the indexes made for them (migration "report indexes"): enrolments by cohort and
day, final-quiz passes by quiz and day, certificates by ward and day. A breakdown adds its column
to each branch, so the database groups straight from the index without a nested events table
joined to another one.

The period is in Vietnam's calendar, both days included; people are counted by id.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import g
from sqlalchemy.orm import aliased

from lms.accounts.models import User
from lms.certificates.models import Certificate
from lms.cohorts.models import Cohort, Enrollment, cohort_course
from lms.courses.models import Course
from lms.extensions import db
from lms.quizzes.models import Quiz, QuizAttempt

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
KINDS = ("enrolled", "completed", "certified")
DIMENSIONS = ("audience", "group", "course", "competence")


def utc_bounds(start: date | None, end: date) -> tuple[datetime | None, datetime]:
    """The period in Vietnam's calendar as naive UTC bounds [low, high); no start is "ever"."""
    def at(day: date) -> datetime:
        return datetime.combine(day, time.min, VIETNAM).astimezone(timezone.utc).replace(tzinfo=None)

    return (at(start) if start else None), at(end + timedelta(days=1))


def _within(column, low, high):
    return sa.and_(column >= low, column < high) if low is not None else column < high


def scope(column, ward_id: int | None):
    """One ward, or every ward (None: the province view groups by the ward column instead)."""
    return sa.true() if ward_id is None else column == ward_id


class _Branch:
    def __init__(self, query, user, ward, at, course=None, cohort=None, audience=None, user_joined=False):
        self.query, self.user, self.ward, self.at = query, user, ward, at
        self.course, self.cohort, self.audience, self.user_joined = course, cohort, audience, user_joined


def _branches(kind: str, ward_id: int | None, low, high) -> list[_Branch]:
    out = []
    if kind == "enrolled":
        # Enrolments into the ward's cohorts.
        q = (sa.select().select_from(Enrollment).join(Cohort, Cohort.id == Enrollment.cohort_id)
             .where(scope(Cohort.ward_id, ward_id), _within(Enrollment.enrolled_at, low, high)))
        out.append(_Branch(q, Enrollment.user_id, Cohort.ward_id, Enrollment.enrolled_at,
                           cohort=Enrollment.cohort_id, audience=Cohort.audience))
    if kind == "completed":
        # A course's final quiz passed by one of the ward's people...
        q = (sa.select().select_from(QuizAttempt).join(Quiz, Quiz.id == QuizAttempt.quiz_id)
             .join(User, User.id == QuizAttempt.user_id)
             .where(scope(User.ward_id, ward_id), Quiz.kind == "final", QuizAttempt.passed.is_(True),
                    _within(QuizAttempt.submitted_at, low, high)))
        if ward_id is not None and _one_of_many(ward_id):
            # One ward among many: start from its people (ward index, then their attempts), not
            # from every pass of the province in the period. Said as IN, because SQLite's planner
            # otherwise walks the attempts by quiz and day (a ward of 1,000 among 100,000 people:
            # 81 ms → 3 ms for this read; the dashboard's CPU 274 → 97 ms). A ward that is most
            # of its database reads faster the other way round.
            people = aliased(User)
            q = q.where(QuizAttempt.user_id.in_(sa.select(people.id).where(people.ward_id == ward_id)))
        out.append(_Branch(q, QuizAttempt.user_id, User.ward_id, QuizAttempt.submitted_at, course=Quiz.course_id,
                           user_joined=True))
    if kind in ("completed", "certified"):
        # ...or a certificate (only issued on completion, online or attested in person). Revoked
        # ones never count; withdrawn ones (the person was erased) still do.
        q = (sa.select().select_from(Certificate)
             .where(scope(Certificate.ward_id, ward_id), Certificate.status != "revoked",
                    _within(Certificate.issued_at, low, high)))
        out.append(_Branch(q, Certificate.user_id, Certificate.ward_id, Certificate.issued_at,
                           course=Certificate.course_id))
    if not out:
        raise ValueError(kind)
    return out


def _one_of_many(ward_id: int) -> bool:
    """Whether the ward holds less than half of the people in the database (two index counts,
    made once a request: g lives only for this request)."""
    memo = g.setdefault("report_ward_share", {})
    if ward_id not in memo:
        mine, everyone = db.session.execute(sa.select(
            sa.select(sa.func.count()).select_from(User).where(User.ward_id == ward_id).scalar_subquery(),
            sa.select(sa.func.count()).select_from(User).scalar_subquery())).one()
        memo[ward_id] = 2 * mine < everyone
    return memo[ward_id]


def course_competences() -> list[tuple[int, str]]:
    """(course id, competence) pairs: a handful of courses, read from the course table."""
    return [(course_id, str(code)) for course_id, codes in db.session.execute(sa.select(Course.id, Course.competences))
            for code in (codes or [])]


def _literal_table(pairs: list[tuple[int, str]], name: str):
    """A small literal table (course_id, dim) (SQLite takes no column names on VALUES)."""
    selects = [sa.select(sa.literal(cid, sa.Integer).label("course_id"), sa.literal(code, sa.String).label("dim"))
               for cid, code in pairs]
    return (sa.union_all(*selects) if len(selects) > 1 else selects[0]).subquery(name)


def _course_keys() -> list[tuple[int, str]]:
    """Course and competence in one pass: each course maps to "c<id>" and to "k<code>" of each of
    its competences."""
    courses = db.session.scalars(sa.select(Course.id)).all()
    return [(cid, f"c{cid}") for cid in courses] + [(cid, f"k{code}") for cid, code in course_competences()]


def _with_dim(b: _Branch, by: str | None, ward_id: int | None):
    """(query, dim column or None) of a branch for one breakdown; None when nothing can match."""
    q = b.query
    if by is None:
        return q, None
    if by == "audience":
        if b.audience is not None:  # an enrolment: the audience of the class enrolled into
            return q, b.audience
        # Otherwise the audiences of the ward's classes the person is a member of.
        member, mcohort = aliased(Enrollment), aliased(Cohort)
        q = (q.join(member, member.user_id == b.user)
             .join(mcohort, sa.and_(mcohort.id == member.cohort_id, mcohort.ward_id == b.ward)))
        return q, mcohort.audience
    if by == "group":
        if not b.user_joined:
            q = q.join(User, User.id == b.user)
        return q, sa.func.coalesce(User.group_id, 0)
    if by == "month":
        return q, _month(b.at)
    if by in ("course", "competence", "course_competence"):
        course = b.course
        if course is None:
            q = q.join(cohort_course, cohort_course.c.cohort_id == b.cohort)
            course = cohort_course.c.course_id
        if by == "course":
            return q, course
        pairs = course_competences() if by == "competence" else _course_keys()
        if not pairs:
            return None, None
        table = _literal_table(pairs, "cc")
        return q.join(table, table.c.course_id == course), table.c.dim
    raise ValueError(by)


def people_select(kind: str, ward_id: int | None, low, high, by: str | None) -> sa.Select:
    """SELECT ward_id, user_id[, dim]: one flat SELECT, or the union of two."""
    selects = []
    for b in _branches(kind, ward_id, low, high):
        q, dim = _with_dim(b, by, ward_id)
        if q is None:
            continue
        columns = [b.ward.label("ward_id"), b.user.label("user_id")] + ([dim.label("dim")] if by else [])
        selects.append(q.with_only_columns(*columns))
    if not selects:
        columns = [sa.literal(0).label("ward_id"), sa.literal(0).label("user_id")]
        return sa.select(*columns, *([sa.literal("").label("dim")] if by else [])).where(sa.false())
    if len(selects) == 1:
        return selects[0]
    union = sa.union_all(*selects).subquery("ev")
    return sa.select(*union.c)


def people_query(kind: str, ward_id: int, start: date | None, end: date, by: str | None = None) -> sa.Select:
    """SELECT user_id[, dim] of the people behind `kind` (enrolled / completed / certified) in the
    period, by a dimension: audience (of the class enrolled into, or for completions and
    certificates of the ward's classes they are members of), group (their residential group or
    market; 0 = none), course, competence or month ("YYYY-MM")."""
    low, high = utc_bounds(start, end)
    q = people_select(kind, ward_id, low, high, by).subquery("p")
    return sa.select(q.c.user_id, *([q.c.dim] if by else []))


def count_by_ward(kind: str, ward_id: int | None, start: date | None, end: date, by: str | None = None) -> dict:
    """{(ward id, dimension value): distinct people} ({ward id: n} without a dimension); every ward
    of the instance in one grouped query when ward_id is None."""
    low, high = utc_bounds(start, end)
    q = people_select(kind, ward_id, low, high, by).subquery("p")
    keys = [q.c.ward_id] + ([q.c.dim] if by else [])
    rows = db.session.execute(sa.select(*keys, sa.func.count(sa.distinct(q.c.user_id))).group_by(*keys))
    return {(tuple(row[:-1]) if by else row[0]): row[-1] for row in rows}


def count_people(kind: str, ward_id: int, start: date | None, end: date) -> int:
    return count_by_ward(kind, ward_id, start, end).get(ward_id, 0)


def count_by(kind: str, ward_id: int, start: date | None, end: date, by: str) -> dict:
    """{dimension value: distinct people}."""
    return {dim: n for (_ward, dim), n in count_by_ward(kind, ward_id, start, end, by).items()}


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
