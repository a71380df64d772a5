"""AuditLog: one row per act that changes someone's record in a way a ward must account for."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.timeutil import utcnow


class AuditLog(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # SET NULL: the entry outlives the account of whoever acted (erasure keeps the act, not the person).
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(sa.String(64))
    target_type: Mapped[str | None] = mapped_column(sa.String(40))
    target_id: Mapped[int | None] = mapped_column(sa.Integer)
    ward_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ward.id", ondelete="SET NULL"), index=True)
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    actor = relationship("User")
    ward = relationship("Ward")

    __table_args__ = (sa.Index("ix_audit_log_target", "target_type", "target_id"),)

    def __repr__(self) -> str:
        return f"<AuditLog {self.action} {self.target_type}:{self.target_id}>"
