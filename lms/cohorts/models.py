"""Cohorts (lớp học) of a ward: members, instructors, courses, in-person sessions and attendance,
spreadsheet imports waiting for confirmation. (Sign-in cards and erasures are about people:
lms.accounts.models.)"""
from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.courses.models import AUDIENCES
from lms.extensions import db
from lms.timeutil import utcnow

ENROLMENT_SOURCES = ("manual", "self", "import")

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
    # A residential group (tổ dân phố / thôn) or a market (chợ): both are ResidentialGroup rows.
    group_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("residential_group.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(160))
    # The name folded (lms.accounts.text.fold), kept by an attribute event, for searching.
    name_key: Mapped[str] = mapped_column(sa.String(160), default="", server_default="")
    audience: Mapped[str] = mapped_column(sa.String(16), default="everyone")
    join_code: Mapped[str] = mapped_column(sa.String(12), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    ward = relationship("Ward")
    group = relationship("ResidentialGroup")
    instructors = relationship("User", secondary=cohort_instructor)
    courses = relationship("Course", secondary=cohort_course, order_by="Course.slug")
    enrollments: Mapped[list[Enrollment]] = relationship(back_populates="cohort")
    sessions: Mapped[list[ClassSession]] = relationship(
        back_populates="cohort", order_by=lambda: [ClassSession.day, ClassSession.starts_at],
        cascade="all, delete-orphan",
    )

    __table_args__ = (sa.CheckConstraint(f"audience IN {AUDIENCES!r}", name="audience"),)


class Enrollment(db.Model):
    __tablename__ = "enrollment"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    # How the person came in: by a coordinator, by the cohort's code, or from a spreadsheet.
    source: Mapped[str] = mapped_column(sa.String(8), default="manual", server_default="manual")
    enrolled_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # The member's place in the roster, kept from their name (lms.cohorts.member_order).
    member_key: Mapped[bytes | None] = mapped_column(sa.LargeBinary)

    cohort: Mapped[Cohort] = relationship(back_populates="enrollments")
    user = relationship("User", foreign_keys=[user_id])

    __table_args__ = (
        sa.UniqueConstraint("cohort_id", "user_id", name="uq_enrollment_cohort_user"),
        sa.CheckConstraint(f"source IN {ENROLMENT_SOURCES!r}", name="source"),
        # The ward reports count a period's enrolments from this index alone.
        sa.Index("ix_enrollment_cohort_enrolled", "cohort_id", "enrolled_at", "user_id"),
        # A roster page read in order from the index (lms.cohorts.member_order).
        sa.Index("ix_enrollment_cohort_member", "cohort_id", "member_key", "user_id"),
    )


class ClassSession(db.Model):
    """One in-person class meeting (buổi học): a day, a start time and a place."""

    __tablename__ = "class_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(sa.Date)
    starts_at: Mapped[time] = mapped_column(sa.Time)
    place: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    cohort: Mapped[Cohort] = relationship(back_populates="sessions")
    attendance: Mapped[list[Attendance]] = relationship(
        back_populates="class_session", cascade="all, delete-orphan"
    )

    __table_args__ = (sa.Index("ix_class_session_cohort_day", "cohort_id", "day"),)


class Attendance(db.Model):
    """Someone was present at a session; ticking twice never makes two rows."""

    __tablename__ = "attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    class_session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("class_session.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    marked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)

    class_session: Mapped[ClassSession] = relationship(back_populates="attendance")

    __table_args__ = (
        sa.UniqueConstraint("class_session_id", "user_id", name="uq_attendance_class_session_user"),
    )


class StagedImport(db.Model):
    """A checked spreadsheet waiting for the coordinator's confirmation.

    The rows are kept exactly as previewed, so confirming writes what the coordinator saw.
    """

    __tablename__ = "staged_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(43), unique=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    ward_id: Mapped[int] = mapped_column(sa.ForeignKey("ward.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    rows: Mapped[list] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    result: Mapped[dict | None] = mapped_column(sa.JSON)

    cohort: Mapped[Cohort] = relationship()


from lms.accounts import names as _names  # noqa: E402  (the folded name follows every rename)

_names.register_cohort(Cohort)

from lms.cohorts import member_order as _member_order  # noqa: E402  (roster order follows each name)

_member_order.register(Enrollment)
