"""A cohort's roster: members in Vietnamese order, progress per course, attendance; exports."""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _

from lms.accounts.models import User
from lms.accounts.phone import display_phone
from lms.cohorts.collation import name_key
from lms.cohorts.models import Attendance, ClassSession, Cohort, Enrollment
from lms.courses.models import Course, Lesson, LessonProgress
from lms.extensions import db
from lms.spreadsheets import csv_bytes, safe_cell, xlsx_bytes
from lms.quizzes.models import Quiz, QuizAttempt
from lms.templating import pick


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
    user: User
    enrollment: Enrollment
    progress: list[CourseProgress] = field(default_factory=list)
    attended: int = 0


def _members(cohort: Cohort, group_id: int | None, user_id: int | None):
    query = (sa.select(Enrollment, User).join(User, User.id == Enrollment.user_id)
             .where(Enrollment.cohort_id == cohort.id))
    if group_id:
        query = query.where(User.group_id == group_id)
    if user_id:
        query = query.where(User.id == user_id)
    return db.session.execute(query).unique().all()


def roster(cohort: Cohort, group_id: int | None = None, user_id: int | None = None) -> list[RosterRow]:
    """Members (of one residential group, or one person, if asked) with progress and attendance."""
    pairs = _members(cohort, group_id, user_id)
    courses = list(cohort.courses)
    course_ids = [c.id for c in courses]
    members = sa.select(Enrollment.user_id).where(Enrollment.cohort_id == cohort.id).scalar_subquery()
    totals, done, passed = {}, {}, set()
    if course_ids:
        totals = dict(db.session.execute(
            sa.select(Lesson.course_id, sa.func.count()).where(
                Lesson.course_id.in_(course_ids), Lesson.retired_at.is_(None)).group_by(Lesson.course_id)
        ).all())
        done = {(u, c): n for u, c, n in db.session.execute(
            sa.select(LessonProgress.user_id, Lesson.course_id, sa.func.count())
            .join(Lesson, Lesson.id == LessonProgress.lesson_id)
            .where(LessonProgress.user_id.in_(members), LessonProgress.completed_at.is_not(None),
                   Lesson.course_id.in_(course_ids), Lesson.retired_at.is_(None))
            .group_by(LessonProgress.user_id, Lesson.course_id)
        ).all()}
        passed = set(db.session.execute(
            sa.select(QuizAttempt.user_id, Quiz.course_id).join(Quiz, Quiz.id == QuizAttempt.quiz_id)
            .where(QuizAttempt.user_id.in_(members), QuizAttempt.passed.is_(True), Quiz.kind == "final",
                   Quiz.course_id.in_(course_ids)).distinct()
        ).all())
    attended = dict(db.session.execute(
        sa.select(Attendance.user_id, sa.func.count())
        .join(ClassSession, ClassSession.id == Attendance.class_session_id)
        .where(ClassSession.cohort_id == cohort.id).group_by(Attendance.user_id)
    ).all())
    rows = []
    for enrollment, user in pairs:
        progress = [CourseProgress(c, done.get((user.id, c.id), 0), totals.get(c.id, 0), (user.id, c.id) in passed)
                    for c in courses]
        rows.append(RosterRow(user, enrollment, progress, attended.get(user.id, 0)))
    rows.sort(key=lambda r: (r.user.erased_at is not None, name_key(r.user.full_name)))
    return rows


def session_count(cohort: Cohort) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(ClassSession).where(ClassSession.cohort_id == cohort.id)
    ) or 0


def table(cohort: Cohort, rows: list[RosterRow], *, full: bool) -> tuple[list[str], list[list]]:
    """Headings and cells of the export; `full` adds what only coordinators may see."""
    headings = [_("STT"), _("Họ và tên"), _("Số điện thoại")]
    if full:
        headings += [_("Năm sinh"), _("Tổ dân phố / thôn"), _("Cần hỗ trợ tiếp cận"), _("Ghi danh ngày")]
    for course in cohort.courses:
        title = pick(course.title)
        headings += [_("%(course)s: bài đã học", course=title), _("%(course)s: số bài", course=title),
                     _("%(course)s: hoàn thành", course=title)]
    headings += [_("Số buổi có mặt"), _("Số buổi học")]
    sessions = session_count(cohort)
    cells = []
    for number, row in enumerate(rows, start=1):
        user = row.user
        line = [number, safe_cell(user.full_name), display_phone(user.phone)]
        if full:
            line += [user.birth_year, safe_cell(user.group.name) if user.group else "",
                     _("Có") if user.needs_accessibility_support else "",
                     row.enrollment.enrolled_at.strftime("%d/%m/%Y")]
        for p in row.progress:
            line += [p.done, p.total, _("Có") if p.completed else _("Chưa")]
        line += [row.attended, sessions]
        cells.append(line)
    return headings, cells


def export_csv(headings: list[str], cells: list[list]) -> bytes:
    return csv_bytes(headings, cells)


def export_xlsx(title: str, headings: list[str], cells: list[list]) -> bytes:
    return xlsx_bytes(title, headings, cells)
