"""Queries over the loaded catalogue."""
from __future__ import annotations

from datetime import date
from typing import NamedTuple

import sqlalchemy as sa
from flask import abort, current_app
from sqlalchemy.exc import IntegrityError

from lms.courses.models import Course, Lesson, LessonProgress
from lms.fastread import FastRead
from lms.extensions import db
from lms.signals import course_progress_changed
from lms.timeutil import utcnow


def catalogue(audience: str | None = None, competence: str | None = None) -> list[Course]:
    """Active courses, optionally for one audience or one competence code."""
    courses = db.session.scalars(
        sa.select(Course).where(Course.retired_at.is_(None)).order_by(Course.id)
    ).all()
    if audience:
        courses = [c for c in courses if audience in c.audiences]
    if competence:
        courses = [c for c in courses if competence in c.competences]
    return courses


def course_or_404(slug: str) -> Course:
    course = db.session.scalar(sa.select(Course).where(Course.slug == slug))
    if course is None or course.retired_at is not None:
        abort(404)
    return course


def lesson_or_404(course: Course, lesson_slug: str) -> Lesson:
    # course.lessons is loaded for the pager anyway, so finding the lesson there costs no query.
    lesson = next((item for item in course.lessons if item.slug == lesson_slug), None)
    if lesson is None or lesson.retired_at is not None:
        abort(404)
    return lesson


def lesson_sources(lesson: Lesson, lang: str) -> list[dict]:
    """The lesson's sources in `lang` (else Vietnamese), each with `checked` as a date."""
    by_lang = lesson.sources or {}
    sources = []
    for item in by_lang.get(lang) or by_lang.get("vi") or ():
        try:
            checked = date.fromisoformat(item.get("checked") or "")
        except (TypeError, ValueError):
            checked = None
        sources.append({**item, "checked": checked})
    return sources


def neighbours(course: Course, lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
    """The lessons before and after this one, skipping retired ones."""
    lessons = course.active_lessons
    index = next(i for i, item in enumerate(lessons) if item.id == lesson.id)
    before = lessons[index - 1] if index > 0 else None
    after = lessons[index + 1] if index + 1 < len(lessons) else None
    return before, after


# --- a learner's progress --------------------------------------------------------------


class ReaderLesson(NamedTuple):
    """What the lesson page needs to decide which page to show, found in one query."""

    course_id: int
    lesson_id: int
    content_hash: str  # the course's: changes with any edit to it or its lessons
    opened: bool  # this learner has opened it before
    done: bool  # … and marked it done


# The lesson page runs it on every view: compiled once and run on the driver (lms.fastread).
_READER_LESSON = FastRead(
    sa.select(Course.id, Lesson.id, Course.content_hash, LessonProgress.id, LessonProgress.completed_at)
    .join(Lesson, Lesson.course_id == Course.id)
    .outerjoin(LessonProgress, sa.and_(LessonProgress.lesson_id == Lesson.id,
                                       LessonProgress.user_id == sa.bindparam("user_id")))
    .where(Course.slug == sa.bindparam("slug"), Lesson.slug == sa.bindparam("lesson_slug"),
           Course.retired_at.is_(None), Lesson.retired_at.is_(None))
)


def reader_lesson_or_404(slug: str, lesson_slug: str, user_id: int | None) -> ReaderLesson:
    """An active lesson of an active course, with the learner's progress on it (if signed in)."""
    row = _READER_LESSON.first({"slug": slug, "lesson_slug": lesson_slug, "user_id": user_id})
    if row is None:
        abort(404)
    course_id, lesson_id, content_hash, progress_id, completed_at = row
    return ReaderLesson(course_id, lesson_id, content_hash, progress_id is not None, completed_at is not None)


def record_visit(user_id: int, lesson_id: int) -> None:
    """Note that a learner opened a lesson, for "continue where I left off" (once: a repeat is ignored)."""
    _insert_progress(user_id, lesson_id, completed=False)


def complete_lesson(user, lesson: Lesson) -> LessonProgress:
    """Mark a lesson done; doing it twice, or two taps at once, changes nothing more."""
    progress = db.session.scalar(sa.select(LessonProgress).where(
        LessonProgress.user_id == user.id, LessonProgress.lesson_id == lesson.id))
    if progress is None:
        _insert_progress(user.id, lesson.id, completed=True)
        progress = db.session.scalar(sa.select(LessonProgress).where(
            LessonProgress.user_id == user.id, LessonProgress.lesson_id == lesson.id))
    if progress.completed_at is None:
        progress.completed_at = utcnow()
        db.session.flush()
    course_progress_changed.send(current_app._get_current_object(), user=user, course=lesson.course)
    return progress


def _insert_progress(user_id: int, lesson_id: int, *, completed: bool) -> None:
    """Insert inside a savepoint so a racing duplicate is simply ignored."""
    now = utcnow()
    try:
        with db.session.begin_nested():
            db.session.add(LessonProgress(user_id=user_id, lesson_id=lesson_id, started_at=now,
                                          completed_at=now if completed else None))
    except IntegrityError:
        pass


def completed_lesson_ids(user_id: int, course_id: int | None = None) -> set[int]:
    query = sa.select(LessonProgress.lesson_id).where(
        LessonProgress.user_id == user_id, LessonProgress.completed_at.is_not(None))
    if course_id is not None:
        query = query.join(Lesson, Lesson.id == LessonProgress.lesson_id).where(Lesson.course_id == course_id)
    return set(db.session.scalars(query))
