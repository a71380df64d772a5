"""A cohort's roster: members in Vietnamese order, progress per course, attendance; exports."""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _

from lms.accounts.models import User
from lms.accounts.phone import display_phone
from lms.cohorts.models import Attendance, ClassSession, Cohort, Enrollment
from lms.courses.models import Course, Lesson, LessonProgress
from lms.extensions import db
from lms.paging import PER_PAGE, Page
from lms.spreadsheets import safe_cell
from lms.quizzes.models import Quiz, QuizAttempt
from lms.templating import pick
from lms.wards.models import ResidentialGroup


@dataclass
class CourseProgress:
    course: Course
    done: int
    total: int
    passed: bool

    @property
    def completed(self) -> bool:
        """The online rule of quizzes.completion: every lesson read and the final quiz passed."""
        return self.total > 0 and self.done >= self.total and self.passed


@dataclass
class RosterRow:
    """A member's row: `user` and `enrollment` are one plain row (id, full_name, phone, birth_year,
    needs_accessibility_support, erased_at, group_name, enrolled_at)."""

    user: sa.Row
    enrollment: sa.Row
    progress: list[CourseProgress] = field(default_factory=list)
    attended: int = 0


def _member_query(cohort: Cohort, group_id: int | None = None, user_id: int | None = None, query: str = ""):
    """Members of a cohort (of one group, one person, or matching a search), in roster order."""
    conditions = [Enrollment.cohort_id == cohort.id]
    if group_id:
        conditions.append(User.group_id == group_id)
    if user_id:
        conditions.append(Enrollment.user_id == user_id)
    if query:
        from lms.accounts.directory import _search_condition

        search = _search_condition(cohort.ward_id, query)
        if search is not None:
            conditions.append(search)
    return conditions


def _order():
    # Erased people last; then Vietnamese name order: the member's key kept on the enrolment
    # (lms.cohorts.member_order), so a page is read from the (cohort_id, member_key, user_id) index.
    return [Enrollment.member_key, Enrollment.user_id]


def _rows(cohort: Cohort, courses: list[Course], user_ids: list[int]) -> list[RosterRow]:
    """Roster rows of the given members, in the order given, with progress and attendance."""
    if not user_ids:
        return []
    # Plain rows, not ORM objects: a page (or an export's chunk) holds only what it shows.
    people = {row.id: row for row in db.session.execute(
        sa.select(User.id, User.full_name, User.phone, User.birth_year, User.needs_accessibility_support,
                  User.erased_at, ResidentialGroup.name.label("group_name"), Enrollment.enrolled_at)
        .join(User, User.id == Enrollment.user_id)
        .outerjoin(ResidentialGroup, ResidentialGroup.id == User.group_id)
        .where(Enrollment.cohort_id == cohort.id, Enrollment.user_id.in_(user_ids))
    )}
    course_ids = [c.id for c in courses]
    totals, done, passed = {}, {}, set()
    if course_ids:
        totals = dict(db.session.execute(
            sa.select(Lesson.course_id, sa.func.count()).where(
                Lesson.course_id.in_(course_ids), Lesson.retired_at.is_(None)).group_by(Lesson.course_id)
        ).all())
        done = {(u, c): n for u, c, n in db.session.execute(
            sa.select(LessonProgress.user_id, Lesson.course_id, sa.func.count())
            .join(Lesson, Lesson.id == LessonProgress.lesson_id)
            .where(LessonProgress.user_id.in_(user_ids), LessonProgress.completed_at.is_not(None),
                   Lesson.course_id.in_(course_ids), Lesson.retired_at.is_(None))
            .group_by(LessonProgress.user_id, Lesson.course_id)
        ).all()}
        passed = set(db.session.execute(
            sa.select(QuizAttempt.user_id, Quiz.course_id).join(Quiz, Quiz.id == QuizAttempt.quiz_id)
            .where(QuizAttempt.user_id.in_(user_ids), QuizAttempt.passed.is_(True), Quiz.kind == "final",
                   Quiz.course_id.in_(course_ids)).distinct()
        ).all())
    attended = dict(db.session.execute(
        sa.select(Attendance.user_id, sa.func.count())
        .join(ClassSession, ClassSession.id == Attendance.class_session_id)
        .where(ClassSession.cohort_id == cohort.id, Attendance.user_id.in_(user_ids)).group_by(Attendance.user_id)
    ).all())
    rows = []
    for uid in user_ids:
        if uid not in people:
            continue
        user = people[uid]
        progress = [CourseProgress(c, done.get((uid, c.id), 0), totals.get(c.id, 0), (uid, c.id) in passed)
                    for c in courses]
        rows.append(RosterRow(user, user, progress, attended.get(uid, 0)))
    return rows


def _members(cohort: Cohort, group_id: int | None, user_id: int | None, query: str, what):
    """SELECT `what` of the members; people are joined only when a filter reads them."""
    statement = sa.select(what).select_from(Enrollment)
    if group_id or query:
        statement = statement.join(User, User.id == Enrollment.user_id)
    return statement.where(*_member_query(cohort, group_id, user_id, query))


def _member_ids(cohort: Cohort, group_id: int | None = None, user_id: int | None = None, query: str = "",
                limit: int | None = None, offset: int = 0) -> list[int]:
    statement = _members(cohort, group_id, user_id, query, Enrollment.user_id).order_by(*_order())
    if limit is not None:
        statement = statement.limit(limit).offset(offset)
    return list(db.session.scalars(statement))


def roster(cohort: Cohort, group_id: int | None = None, user_id: int | None = None) -> list[RosterRow]:
    """Members (of one residential group, or one person, if asked) with progress and attendance."""
    return _rows(cohort, list(cohort.courses), _member_ids(cohort, group_id, user_id))


def member_count(cohort: Cohort, group_id: int | None = None, query: str = "") -> int:
    return db.session.scalar(_members(cohort, group_id, None, query, sa.func.count())) or 0


def roster_page(cohort: Cohort, number: int, group_id: int | None = None, query: str = "",
                per_page: int = PER_PAGE) -> Page:
    """One screen of the roster: its members with progress for them only, and the count."""
    total = member_count(cohort, group_id, query)
    offset = (number - 1) * per_page
    if offset >= total:
        return Page([], total, number, per_page)
    ids = _member_ids(cohort, group_id, None, query, per_page, offset)
    return Page(_rows(cohort, list(cohort.courses), ids), total, number, per_page)


def iter_roster(cohort: Cohort, group_id: int | None = None, chunk: int = 500) -> Iterator[RosterRow]:
    """The whole roster in order, read in chunks of `chunk` members (for printing and exports).

    The ordered member ids are read first (one small column, bounded by the cohort's size); then
    each chunk's people, progress and attendance, so memory stays one chunk deep."""
    courses = list(cohort.courses)
    ids = _member_ids(cohort, group_id)
    for start in range(0, len(ids), chunk):
        rows = _rows(cohort, courses, ids[start:start + chunk])
        yield from rows


def session_count(cohort: Cohort) -> int:
    """Sessions held so far: up to today in Vietnam, or later ones someone was already marked present at
    (a session still to come is not one missed, and "1/0 buổi" would make no sense)."""
    from lms.cohorts.schedule import vietnam_today

    marked = sa.select(Attendance.id).where(Attendance.class_session_id == ClassSession.id).exists()
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(ClassSession).where(
            ClassSession.cohort_id == cohort.id, sa.or_(ClassSession.day <= vietnam_today(), marked))
    ) or 0


_MOBILE = re.compile(r"\+84[35789]\d{8}")


def phone_text(e164: str | None) -> str:
    """display_phone's "0912 345 678", written out directly for a Vietnamese mobile number (every
    number an account holds): phonenumbers takes about 50 µs a number, a large export's main cost."""
    if e164 and _MOBILE.fullmatch(e164):
        return f"0{e164[3:6]} {e164[6:9]} {e164[9:]}"
    return display_phone(e164)


def headings(cohort: Cohort, *, full: bool) -> list[str]:
    """Headings of the export; `full` adds what only coordinators may see."""
    names = [_("STT"), _("Họ và tên"), _("Số điện thoại")]
    if full:
        names += [_("Năm sinh"), _("Tổ dân phố / thôn"), _("Cần hỗ trợ tiếp cận"), _("Ghi danh ngày")]
    for course in cohort.courses:
        title = pick(course.title)
        names += [_("%(course)s: bài đã học", course=title), _("%(course)s: số bài", course=title),
                  _("%(course)s: hoàn thành", course=title)]
    return names + [_("Số buổi có mặt"), _("Số buổi học")]


def cells(cohort: Cohort, rows: Iterable[RosterRow], *, full: bool) -> Iterator[list]:
    """One list of cell values per row, in the order of `headings`; text never runs as a formula."""
    sessions = session_count(cohort)
    yes, no = _("Có"), _("Chưa")
    for number, row in enumerate(rows, start=1):
        user = row.user
        line = [number, safe_cell(user.full_name), phone_text(user.phone)]
        if full:
            line += [user.birth_year, safe_cell(user.group_name or ""),
                     yes if user.needs_accessibility_support else "",
                     row.enrollment.enrolled_at.strftime("%d/%m/%Y")]
        for p in row.progress:
            line += [p.done, p.total, yes if p.completed else no]
        line += [row.attended, sessions]
        yield line


def table(cohort: Cohort, rows: Iterable[RosterRow], *, full: bool) -> tuple[list[str], list[list]]:
    """Headings and cells of the export, all in memory (small rosters, tests)."""
    return headings(cohort, full=full), list(cells(cohort, rows, full=full))
