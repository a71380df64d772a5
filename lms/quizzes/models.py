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
