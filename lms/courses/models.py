"""Courses and lessons as loaded from content/: versioned, retired rather than deleted."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.content.model import AUDIENCES as AUDIENCE_LABELS
from lms.extensions import db
from lms.timeutil import utcnow

# The audience keys, in the content format's order (defined once, in lms.content.model).
AUDIENCES: tuple[str, ...] = tuple(AUDIENCE_LABELS)


class Course(db.Model):
    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title: Mapped[dict] = mapped_column(sa.JSON)  # {"vi": …, "en": …}
    summary: Mapped[dict] = mapped_column(sa.JSON)
    audiences: Mapped[list] = mapped_column(sa.JSON)
    competences: Mapped[list] = mapped_column(sa.JSON)
    level: Mapped[int] = mapped_column(sa.SmallInteger)
    minutes: Mapped[int] = mapped_column(sa.Integer)
    version: Mapped[int] = mapped_column(sa.Integer)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    # From course.yaml: the final quiz opens only once every lesson is read (on unless turned off).
    final_quiz_after_lessons: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())
    retired_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    lessons: Mapped[list[Lesson]] = relationship(back_populates="course", order_by="Lesson.position")
    versions: Mapped[list[CourseVersion]] = relationship(
        back_populates="course", order_by="CourseVersion.version"
    )

    @property
    def active_lessons(self) -> list[Lesson]:
        return [lesson for lesson in self.lessons if lesson.retired_at is None]


class CourseVersion(db.Model):
    """Each content version a course has had; certificates name the one they were earned on."""

    __tablename__ = "course_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id", ondelete="RESTRICT"), index=True)
    version: Mapped[int] = mapped_column(sa.Integer)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    course: Mapped[Course] = relationship(back_populates="versions")

    __table_args__ = (sa.UniqueConstraint("course_id", "version", name="uq_course_version_course_version"),)


class Lesson(db.Model):
    __tablename__ = "lesson"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id", ondelete="RESTRICT"), index=True)
    slug: Mapped[str] = mapped_column(sa.String(80))
    position: Mapped[int] = mapped_column(sa.Integer)
    title: Mapped[dict] = mapped_column(sa.JSON)
    minutes: Mapped[int] = mapped_column(sa.Integer)
    competences: Mapped[list] = mapped_column(sa.JSON)
    # Rendered and sanitised once at sync, so a page view never parses markdown. Deferred: lists
    # of lessons (course page, pager, progress) should not drag every lesson's text along.
    html: Mapped[dict] = mapped_column(sa.JSON, deferred=True)  # {"vi": html, "en": html}
    slides: Mapped[dict] = mapped_column(sa.JSON, deferred=True)  # {"vi": [html, …], "en": […]}
    plain_text: Mapped[dict] = mapped_column(sa.JSON, deferred=True)
    # Where the lesson's facts come from, per language: [{"title", "publisher", "url", "checked"}].
    sources: Mapped[dict | None] = mapped_column(sa.JSON, deferred=True)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    retired_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    course: Mapped[Course] = relationship(back_populates="lessons")

    __table_args__ = (sa.UniqueConstraint("course_id", "slug", name="uq_lesson_course_slug"),)

    def has_language(self, lang: str) -> bool:
        return bool(self.html.get(lang))


class LessonProgress(db.Model):
    """A learner's reading of one lesson; kept when the lesson's text changes or it is retired."""

    __tablename__ = "lesson_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[int] = mapped_column(sa.ForeignKey("lesson.id", ondelete="RESTRICT"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    lesson: Mapped[Lesson] = relationship()

    __table_args__ = (sa.UniqueConstraint("user_id", "lesson_id", name="uq_lesson_progress_user_lesson"),)
