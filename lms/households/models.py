"""Households ("Gia đình số") and mentorships ("Đại sứ số") of a ward."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.timeutil import utcnow


class Household(db.Model):
    """A household the coordinator names as they know it: the head of household or the address."""

    __tablename__ = "household"

    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(sa.ForeignKey("ward.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("residential_group.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(160))
    # The name without case or diacritics: "Hộ ông Tư" and "ho ong tu" are one household.
    name_key: Mapped[str] = mapped_column(sa.String(160))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    group = relationship("ResidentialGroup")
    members: Mapped[list[HouseholdMember]] = relationship(
        back_populates="household", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.UniqueConstraint("ward_id", "group_id", "name_key", name="uq_household_ward_group_name"),
    )


class HouseholdMember(db.Model):
    __tablename__ = "household_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(sa.ForeignKey("household.id", ondelete="CASCADE"), index=True)
    # A person lives in one household.
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), unique=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    household: Mapped[Household] = relationship(back_populates="members")
    user = relationship("User")


class Mentorship(db.Model):
    """A digital ambassador (mentor) guides a mentee; the plans aim for at least five each."""

    __tablename__ = "mentorship"

    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(sa.ForeignKey("ward.id", ondelete="CASCADE"), index=True)
    mentor_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    mentee_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    mentor = relationship("User", foreign_keys=[mentor_id])
    mentee = relationship("User", foreign_keys=[mentee_id])

    __table_args__ = (
        sa.UniqueConstraint("mentor_id", "mentee_id", name="uq_mentorship_mentor_mentee"),
        sa.CheckConstraint("mentor_id <> mentee_id", name="not_self"),
    )
