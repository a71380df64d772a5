"""Quizzes and questions as loaded from content/; the answer key never leaves the server."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.timeutil import utcnow

QUIZ_KINDS = ("check", "final")


class Quiz(db.Model):
    __tablename__ = "quiz"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id", ondelete="RESTRICT"), index=True)
    lesson_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lesson.id", ondelete="RESTRICT"), index=True)
    # "final", or the lesson's slug for the check after it: stable across renumbering.
    key: Mapped[str] = mapped_column(sa.String(80))
    kind: Mapped[str] = mapped_column(sa.String(8))
    pass_mark: Mapped[int | None] = mapped_column(sa.SmallInteger)
    max_attempts: Mapped[int | None] = mapped_column(sa.SmallInteger)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    retired_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    course = relationship("Course")
    lesson = relationship("Lesson")
    questions: Mapped[list[Question]] = relationship(back_populates="quiz", order_by="Question.position")

    __table_args__ = (
        sa.UniqueConstraint("course_id", "key", name="uq_quiz_course_key"),
        sa.CheckConstraint(f"kind IN {QUIZ_KINDS!r}", name="kind"),
    )

    @property
    def active_questions(self) -> list[Question]:
        return [q for q in self.questions if q.retired_at is None]


class Question(db.Model):
    __tablename__ = "question"

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(sa.ForeignKey("quiz.id", ondelete="RESTRICT"), index=True)
    key: Mapped[str] = mapped_column(sa.String(80))
    position: Mapped[int] = mapped_column(sa.Integer)
    type: Mapped[str] = mapped_column(sa.String(16))
    prompt: Mapped[dict] = mapped_column(sa.JSON)
    choices: Mapped[list] = mapped_column(sa.JSON)  # [{"key", "text": {vi,en}, "image", "alt"}]
    screen: Mapped[dict | None] = mapped_column(sa.JSON)
    explanation: Mapped[dict] = mapped_column(sa.JSON)
    answer: Mapped[list] = mapped_column(sa.JSON)  # the key: never rendered into a page
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    retired_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    quiz: Mapped[Quiz] = relationship(back_populates="questions")

    __table_args__ = (sa.UniqueConstraint("quiz_id", "key", name="uq_question_quiz_key"),)


class QuizAttempt(db.Model):
    """One try at a quiz; questions and choices are shuffled once, when it starts."""

    __tablename__ = "quiz_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    quiz_id: Mapped[int] = mapped_column(sa.ForeignKey("quiz.id", ondelete="RESTRICT"), index=True)
    number: Mapped[int] = mapped_column(sa.SmallInteger)
    question_order: Mapped[list] = mapped_column(sa.JSON)  # question ids
    choice_order: Mapped[dict] = mapped_column(sa.JSON)  # question id -> [choice keys]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    correct_count: Mapped[int | None] = mapped_column(sa.SmallInteger)
    question_count: Mapped[int] = mapped_column(sa.SmallInteger)
    passed: Mapped[bool | None] = mapped_column(sa.Boolean)

    quiz: Mapped[Quiz] = relationship()
    answers: Mapped[list[Answer]] = relationship(back_populates="attempt", order_by="Answer.id")

    __table_args__ = (
        # A double tap or a resubmitted form can never make attempt number N twice.
        sa.UniqueConstraint("user_id", "quiz_id", "number", name="uq_quiz_attempt_user_quiz_number"),
        # At most one attempt in progress per learner and quiz, whichever process starts it: the
        # checks in start_attempt read several times, so two starts could each find none open.
        sa.Index("uq_quiz_attempt_open", "user_id", "quiz_id", unique=True,
                 postgresql_where=sa.text("submitted_at IS NULL"), sqlite_where=sa.text("submitted_at IS NULL")),
        # The ward reports count a period's passed final quizzes from this index alone.
        sa.Index("ix_quiz_attempt_quiz_submitted", "quiz_id", "submitted_at", "passed", "user_id"),
    )

    @property
    def score_percent(self) -> int:
        if not self.question_count or self.correct_count is None:
            return 0
        return round(100 * self.correct_count / self.question_count)


class Answer(db.Model):
    __tablename__ = "answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("quiz_attempt.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("question.id", ondelete="RESTRICT"), index=True)
    response: Mapped[list] = mapped_column(sa.JSON)  # chosen choice keys, or ["true"]/["false"]
    correct: Mapped[bool] = mapped_column(sa.Boolean)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)

    attempt: Mapped[QuizAttempt] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()

    __table_args__ = (sa.UniqueConstraint("attempt_id", "question_id", name="uq_answer_attempt_question"),)


class QuizTryGrant(db.Model):
    """One more try at a final quiz, given by staff to a learner who used them all.

    `after_attempts` is how many tries the learner had handed in when it was given: a grant answers
    one lock-out, so a double tap or two staff at once cannot give two (unique constraint).
    """

    __tablename__ = "quiz_try_grant"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    quiz_id: Mapped[int] = mapped_column(sa.ForeignKey("quiz.id", ondelete="RESTRICT"), index=True)
    cohort_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cohort.id", ondelete="SET NULL"))
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    after_attempts: Mapped[int] = mapped_column(sa.SmallInteger)
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("user_id", "quiz_id", "after_attempts", name="uq_quiz_try_grant_user_quiz_after"),
    )
