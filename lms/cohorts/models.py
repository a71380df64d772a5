"""Cohorts (lớp học) of a ward and who is enrolled in them."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.courses.models import AUDIENCES
from lms.extensions import db
from lms.timeutil import utcnow

cohort_instructor = sa.Table(
    "cohort_instructor",
    db.metadata,
    sa.Column("cohort_id", sa.ForeignKey("cohort.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
)

cohort_course = sa.Table(
    "cohort_course",
    db.metadata,
    sa.Column("cohort_id", sa.ForeignKey("cohort.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("course_id", sa.ForeignKey("course.id", ondelete="RESTRICT"), primary_key=True),
)


class Cohort(db.Model):
    __tablename__ = "cohort"

    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(sa.ForeignKey("ward.id", ondelete="RESTRICT"), index=True)
    group_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("residential_group.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(160))
    audience: Mapped[str] = mapped_column(sa.String(16), default="everyone")
    join_code: Mapped[str] = mapped_column(sa.String(12), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    ward = relationship("Ward")
    group = relationship("ResidentialGroup")
    instructors = relationship("User", secondary=cohort_instructor)
    courses = relationship("Course", secondary=cohort_course, order_by="Course.slug")
    enrollments: Mapped[list[Enrollment]] = relationship(back_populates="cohort")

    __table_args__ = (sa.CheckConstraint(f"audience IN {AUDIENCES!r}", name="audience"),)


class Enrollment(db.Model):
    __tablename__ = "enrollment"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)

    cohort: Mapped[Cohort] = relationship(back_populates="enrollments")
    user = relationship("User")

    __table_args__ = (sa.UniqueConstraint("cohort_id", "user_id", name="uq_enrollment_cohort_user"),)
