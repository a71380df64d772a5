"""Certificate: what a learner earned, on which content version, and whether it still stands."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.timeutil import utcnow

METHODS = ("online", "in_person")
STATUSES = ("valid", "revoked", "withdrawn")
# Why a certificate was revoked, as the public verify page says it (labels: certificates.manage).
REVOKE_REASON_CODES = ("issued_in_error", "fraud", "learner_request", "other")
ASSESSMENT_KINDS = ("live", "paper")


class Certificate(db.Model):
    __tablename__ = "certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    # 12 Crockford base32 characters (60 random bits) and, since codes got one, a check character;
    # stored without dashes; see codes.py.
    code: Mapped[str] = mapped_column(sa.String(13), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="RESTRICT"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id", ondelete="RESTRICT"), index=True)
    # Copied at issue: a later content version must not change what was attested.
    course_version: Mapped[int] = mapped_column(sa.Integer)
    course_title: Mapped[dict] = mapped_column(sa.JSON)
    competences: Mapped[list] = mapped_column(sa.JSON)
    level: Mapped[int] = mapped_column(sa.SmallInteger)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    ward_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ward.id", ondelete="RESTRICT"))
    instructor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    method: Mapped[str] = mapped_column(sa.String(10))
    attested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    assessed_on: Mapped[date | None] = mapped_column(sa.Date)
    assessment_kind: Mapped[str | None] = mapped_column(sa.String(8))
    status: Mapped[str] = mapped_column(sa.String(10), default="valid", server_default="valid")
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    # Shown publicly: one code from certificates.manage.REVOKE_REASONS. The free text below stays
    # private to the ward and is scrubbed when the person is erased.
    revoke_reason_code: Mapped[str | None] = mapped_column(sa.String(32))
    revoke_reason: Mapped[str | None] = mapped_column(sa.String(500))
    withdrawn_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # Position in the published Bitstring Status List, drawn at random (W3C: herd privacy).
    status_index: Mapped[int] = mapped_column(sa.Integer, unique=True)

    user = relationship("User", foreign_keys=[user_id])
    course = relationship("Course")
    ward = relationship("Ward")
    instructor = relationship("User", foreign_keys=[instructor_id])
    attested_by = relationship("User", foreign_keys=[attested_by_id])
    revoked_by = relationship("User", foreign_keys=[revoked_by_id])

    __table_args__ = (
        # Exactly one certificate per learner and course, however many requests race to issue it.
        sa.UniqueConstraint("user_id", "course_id", name="uq_certificate_user_course"),
        sa.CheckConstraint(f"method IN {METHODS!r}", name="method"),
        sa.CheckConstraint(f"status IN {STATUSES!r}", name="status"),
        sa.CheckConstraint(
            f"assessment_kind IS NULL OR assessment_kind IN {ASSESSMENT_KINDS!r}", name="assessment_kind"
        ),
        sa.CheckConstraint(
            "method = 'online' OR (assessed_on IS NOT NULL AND assessment_kind IS NOT NULL)",
            name="in_person_assessment",
        ),
        sa.CheckConstraint("status <> 'revoked' OR revoked_at IS NOT NULL", name="revoked_at"),
        sa.CheckConstraint("status_index >= 0", name="status_index"),
        sa.Index("ix_certificate_ward_issued", "ward_id", "issued_at"),
        # The ward reports count a period's certificates from this index alone.
        sa.Index("ix_certificate_ward_issued_counted", "ward_id", "issued_at", "status", "user_id", "course_id"),
    )

    @property
    def is_valid(self) -> bool:
        return self.status == "valid"

    def __repr__(self) -> str:
        return f"<Certificate {self.code} {self.status}>"
