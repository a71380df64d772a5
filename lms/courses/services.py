"""Queries over the loaded catalogue."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort

from lms.courses.models import Course, Lesson
from lms.extensions import db


def catalogue(audience: str | None = None, competence: str | None = None) -> list[Course]:
    """Active courses, optionally for one audience or one competence code."""
    courses = db.session.scalars(
        sa.select(Course).where(Course.retired_at.is_(None)).order_by(Course.id)
    ).all()
    if audience:
        courses = [c for c in courses if audience in c.audiences or "everyone" in c.audiences]
    if competence:
        courses = [c for c in courses if competence in c.competences]
    return courses


def course_or_404(slug: str) -> Course:
    course = db.session.scalar(sa.select(Course).where(Course.slug == slug))
    if course is None or course.retired_at is not None:
        abort(404)
    return course


def lesson_or_404(course: Course, lesson_slug: str) -> Lesson:
    lesson = db.session.scalar(
        sa.select(Lesson).where(Lesson.course_id == course.id, Lesson.slug == lesson_slug)
    )
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
