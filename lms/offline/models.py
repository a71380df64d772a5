"""Receipts of answers queued on a phone while it had no signal."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.timeutil import utcnow


class QueuedAnswer(db.Model):
    """One answer a phone queued offline, named by the id the phone gave it.

    A phone may send the same queued answer twice (the first reply lost on a weak line, two tabs
    coming back online at once): the unique (person, client id) makes the second a no-op, so an
    answer is counted once, even if the first one finished the attempt and a new one has begun.
    """

    __tablename__ = "queued_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(sa.String(64))
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("quiz_attempt.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("question.id", ondelete="RESTRICT"), index=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.UniqueConstraint("user_id", "client_id", name="uq_queued_answer_user_client"),)
