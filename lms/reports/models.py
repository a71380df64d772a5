"""What the ward reports need besides the learning data: the ward's population figures (the
denominators), the plan's targets, and records that a learner used an AI tool."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.timeutil import utcnow

# Population figures a ward plan counts against (per ward, or per residential group / market).
POPULATION_MEASURES = ("adults", "households", "elderly", "disability", "traders")
# The plan's targets, one percentage each (see lms.reports.indicators.TARGETS for the wording).
TARGET_KEYS = ("adults_certified", "households_certified", "elderly_attended", "disability_attended",
               "traders_certified", "ai_users", "mentors_five", "groups_with_classes")
# What kind of AI tool a learner used (the plans' list: smart search, writing, translation,
# the public-service assistant), and "other".
AI_TOOL_KINDS = ("search", "writing", "translation", "public_service", "other")


class WardPopulation(db.Model):
    """One figure: e.g. 12,400 adults in the ward, or 85 traders at Chợ Đông.

    `scope` is the group's id, or 0 for the whole ward, so one figure per ward, group and measure
    is enforced by a plain unique constraint (NULLs never collide)."""

    __tablename__ = "ward_population"

    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(sa.ForeignKey("ward.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("residential_group.id", ondelete="CASCADE"))
    scope: Mapped[int] = mapped_column(sa.Integer, default=0)
    measure: Mapped[str] = mapped_column(sa.String(16))
    value: Mapped[int] = mapped_column(sa.Integer)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    __table_args__ = (
        sa.UniqueConstraint("ward_id", "scope", "measure", name="uq_ward_population_ward_scope_measure"),
        sa.CheckConstraint(f"measure IN {POPULATION_MEASURES!r}", name="measure"),
        sa.CheckConstraint("value >= 0", name="value"),
    )


class WardTarget(db.Model):
    """The plan's target for one indicator, in percent (0–100)."""

    __tablename__ = "ward_target"

    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(sa.ForeignKey("ward.id", ondelete="CASCADE"))
    indicator: Mapped[str] = mapped_column(sa.String(32))
    percent: Mapped[int] = mapped_column(sa.SmallInteger)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    __table_args__ = (
        sa.UniqueConstraint("ward_id", "indicator", name="uq_ward_target_ward_indicator"),
        sa.CheckConstraint(f"indicator IN {TARGET_KEYS!r}", name="indicator"),
        sa.CheckConstraint("percent BETWEEN 0 AND 100", name="percent"),
    )


class AiToolUse(db.Model):
    """A learner used an AI tool for something: recorded by the learner, or by an instructor for
    the class after a hands-on session. One row per learner, kind and day (a double tap is one)."""

    __tablename__ = "ai_tool_use"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    # The learner's ward when it was recorded: the reports count by it on one index.
    ward_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ward.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(sa.String(16))
    purpose: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    used_on: Mapped[date] = mapped_column(sa.Date)
    cohort_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cohort.id", ondelete="SET NULL"))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    by_instructor: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User", foreign_keys=[user_id])

    __table_args__ = (
        sa.UniqueConstraint("user_id", "kind", "used_on", name="uq_ai_tool_use_user_kind_day"),
        sa.CheckConstraint(f"kind IN {AI_TOOL_KINDS!r}", name="kind"),
        sa.Index("ix_ai_tool_use_ward_day", "ward_id", "used_on", "user_id"),
    )
