"""Has a learner finished a course online? All its lessons read and its final quiz passed."""
from __future__ import annotations

import sqlalchemy as sa

from lms.courses.models import Lesson, LessonProgress
from lms.extensions import db
from lms.quizzes.models import Quiz, QuizAttempt


def lessons_done(user_id: int, course_id: int) -> tuple[int, int]:
    """(lessons completed, active lessons) for one learner and course."""
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(Lesson)
        .where(Lesson.course_id == course_id, Lesson.retired_at.is_(None))
    )
    done = db.session.scalar(
        sa.select(sa.func.count()).select_from(LessonProgress)
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .where(
            LessonProgress.user_id == user_id,
            LessonProgress.completed_at.is_not(None),
            Lesson.course_id == course_id,
            Lesson.retired_at.is_(None),
        )
    )
    return done or 0, total or 0


def final_quiz_passed(user_id: int, course_id: int) -> bool:
    return bool(db.session.scalar(
        sa.select(sa.func.count()).select_from(QuizAttempt)
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .where(
            QuizAttempt.user_id == user_id,
            QuizAttempt.passed.is_(True),
            Quiz.course_id == course_id,
            Quiz.kind == "final",
        )
    ))


def completed_online(user_id: int, course_id: int) -> bool:
    """The online earning rule: every active lesson completed and the final quiz passed."""
    done, total = lessons_done(user_id, course_id)
    return total > 0 and done >= total and final_quiz_passed(user_id, course_id)
