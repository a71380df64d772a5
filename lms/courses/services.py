"""Queries over the loaded catalogue."""
from __future__ import annotations


import sqlalchemy as sa
from flask import abort, current_app
from sqlalchemy.exc import IntegrityError

from lms.courses.models import Course, Lesson, LessonProgress
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


def neighbours(course: Course, lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
    """The lessons before and after this one, skipping retired ones."""
    lessons = course.active_lessons
    index = next(i for i, item in enumerate(lessons) if item.id == lesson.id)
    before = lessons[index - 1] if index > 0 else None
    after = lessons[index + 1] if index + 1 < len(lessons) else None
    return before, after


# --- a learner's progress --------------------------------------------------------------


def course_progress(user_id: int, course_id: int) -> dict[int, bool]:
    """lesson id → completed, for every lesson of the course the learner has opened."""
    rows = db.session.execute(
        sa.select(LessonProgress.lesson_id, LessonProgress.completed_at)
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .where(LessonProgress.user_id == user_id, Lesson.course_id == course_id))
    return {lesson_id: completed_at is not None for lesson_id, completed_at in rows}


def record_visit(user_id: int, lesson: Lesson, progress: dict[int, bool]) -> bool:
    """Note that a learner opened a lesson (once), for "continue where I left off"; True if new."""
    if lesson.id in progress:
        return False
    _insert_progress(user_id, lesson.id, completed=False)
    return True


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
