"""A live class: one in-person session run from the projector, with phones following along.

Everything a live class knows is in these rows (never in one process's memory), so any worker of
any process can answer any phone: the projector's slide, the open question, who joined, who
answered what. `version` goes up on every change every phone must see (slide, question, end); it is
part of the ETag of what they poll (lms.live.follow).
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.timeutil import utcnow

# The newest question of a live class is the current one until it is "done" (put away).
QUESTION_STATES = ("open", "closed", "revealed", "done")


class LiveSession(db.Model):
    __tablename__ = "live_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    # One live class per scheduled session: starting it again opens the same one.
    class_session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("class_session.id", ondelete="CASCADE"), unique=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lesson.id", ondelete="SET NULL"))
    started_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    slide: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")
    # The projector screen that drives the slides: the last one opened wins, the other is told.
    screen_key: Mapped[str | None] = mapped_column(sa.String(32))

    class_session = relationship("ClassSession")
    cohort = relationship("Cohort")
    lesson = relationship("Lesson")


class LiveParticipant(db.Model):
    """A learner who joined (by scanning, or ticked by the instructor); last_seen_at says if their
    phone is still following."""

    __tablename__ = "live_participant"

    id: Mapped[int] = mapped_column(primary_key=True)
    live_session_id: Mapped[int] = mapped_column(sa.ForeignKey("live_session.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    via: Mapped[str] = mapped_column(sa.String(8), default="scan")  # "scan" or "hand"

    user = relationship("User")

    __table_args__ = (
        sa.UniqueConstraint("live_session_id", "user_id", name="uq_live_participant_session_user"),
        sa.CheckConstraint("via IN ('scan', 'hand')", name="via"),
    )


class LiveQuestion(db.Model):
    """One question sent to the phones: open, then closed, then revealed."""

    __tablename__ = "live_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    live_session_id: Mapped[int] = mapped_column(sa.ForeignKey("live_session.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("question.id", ondelete="RESTRICT"))
    state: Mapped[str] = mapped_column(sa.String(8), default="open")
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    question = relationship("Question")

    __table_args__ = (sa.CheckConstraint(f"state IN {QUESTION_STATES!r}", name="state"),)


class LiveResponse(db.Model):
    """One learner's answer to one live question; the first answer is kept (unique)."""

    __tablename__ = "live_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    live_question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("live_question.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    response: Mapped[list] = mapped_column(sa.JSON)
    correct: Mapped[bool] = mapped_column(sa.Boolean)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Shared-phone mode: the instructor answered for this person from their own phone.
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    __table_args__ = (
        sa.UniqueConstraint("live_question_id", "user_id", name="uq_live_response_question_user"),
    )
