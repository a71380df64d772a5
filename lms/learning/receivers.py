"""A learner's lessons and quiz attempts, for their own data download (lms.accounts.privacy asks
through lms.signals.personal_data_requested)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from lms.courses.models import Lesson, LessonProgress
from lms.extensions import db
from lms.quizzes.models import Quiz, QuizAttempt
from lms.signals import personal_data_requested
from lms.templating import pick


def _when(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


@personal_data_requested.connect
def learning_sections(sender, user=None, **extra):
    if user is None:
        return None
    return {
        "lessons": [
            {"lesson": pick(lesson.title), "course_id": lesson.course_id,
             "started_at": _when(progress.started_at), "completed_at": _when(progress.completed_at)}
            for progress, lesson in db.session.execute(
                sa.select(LessonProgress, Lesson).join(Lesson).where(LessonProgress.user_id == user.id)
                .order_by(LessonProgress.started_at))
        ],
        "quiz_attempts": [
            {"quiz": f"{quiz.course_id}/{quiz.key}", "number": attempt.number,
             "started_at": _when(attempt.started_at), "submitted_at": _when(attempt.submitted_at),
             "correct": attempt.correct_count, "questions": attempt.question_count, "passed": attempt.passed}
            for attempt, quiz in db.session.execute(
                sa.select(QuizAttempt, Quiz).join(Quiz).where(QuizAttempt.user_id == user.id)
                .order_by(QuizAttempt.started_at))
        ],
    }
