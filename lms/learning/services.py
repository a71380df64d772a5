"""Queries over one learner's progress across courses and quizzes."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from lms.courses.models import Course, Lesson, LessonProgress
from lms.courses.services import completed_lesson_ids
from lms.extensions import db
from lms.quizzes.completion import final_quiz_passed


@dataclass(frozen=True)
class CourseProgress:
    course: Course
    done: int
    total: int
    final_passed: bool
    next_lesson: Lesson | None
    last_visit: datetime | None

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.total > 0 and self.done >= self.total and self.final_passed


def my_learning(user_id: int) -> list[CourseProgress]:
    """Every course the learner has started, most recently visited first."""
    rows = db.session.execute(
        sa.select(Lesson.course_id, sa.func.max(LessonProgress.started_at))
        .join(LessonProgress, LessonProgress.lesson_id == Lesson.id)
        .where(LessonProgress.user_id == user_id)
        .group_by(Lesson.course_id)
    ).all()
    done_ids = completed_lesson_ids(user_id)
    result = []
    for course_id, last_visit in rows:
        course = db.session.get(Course, course_id)
        if course is None or course.retired_at is not None:
            continue
        lessons = course.active_lessons
        done = sum(1 for lesson in lessons if lesson.id in done_ids)
        upcoming = next((lesson for lesson in lessons if lesson.id not in done_ids), None)
        result.append(CourseProgress(course, done, len(lessons), final_quiz_passed(user_id, course_id),
                                     upcoming, last_visit))
    result.sort(key=lambda p: p.last_visit or datetime.min, reverse=True)
    return result


def continue_where_left_off(user_id: int) -> CourseProgress | None:
    """The most recent unfinished course, with the lesson to open next."""
    return next((p for p in my_learning(user_id) if not p.finished), None)
