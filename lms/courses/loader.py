"""Load the checked content tree into the database: idempotent, keyed by slug, never deleting.

lms.content reads, checks and renders the content folder without a database; this module is the
one place that writes what it read into the course, lesson, quiz and question tables.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import sqlalchemy as sa
from flask import url_for

from lms.content.check import check_content, image_dimensions
from lms.content.model import CourseSource, LessonSource, Problem, QuestionSource, QuizSource
from lms.content.question_types import get_question_type
from lms.content.render import render_markdown
from lms.courses.models import Course, CourseVersion, Lesson
from lms.courses.search import index_lesson, remove_lesson
from lms.extensions import db
from lms.quizzes.models import Question, Quiz
from lms.timeutil import utcnow


class ContentInvalid(Exception):
    """The tree has problems; nothing was loaded."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.retired)


def _digest(*parts: object) -> str:
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def _quiz_hash(quiz: QuizSource) -> str:
    data = asdict(quiz)
    data.pop("path", None)
    return _digest(data)


def _question_hash(question: QuestionSource) -> str:
    data = asdict(question)
    data.pop("line", None)  # moving a question in its file is not a change to it
    return _digest(data)


def _course_hash(source: CourseSource) -> str:
    """One hash over the course, its lessons and its quizzes: unchanged means skip it all."""
    return _digest(
        source.content_hash,
        [(lesson.slug, lesson.position, lesson.content_hash,
          _quiz_hash(lesson.check_quiz) if lesson.check_quiz else None) for lesson in source.lessons],
        _quiz_hash(source.final_quiz) if source.final_quiz else None,
    )


def sync_content(root: Path) -> SyncReport:
    """Check the tree, then stage every change; the caller commits once (all or nothing)."""
    tree, problems = check_content(root)
    if problems:
        raise ContentInvalid(problems)
    report = SyncReport()
    existing = {c.slug: c for c in db.session.scalars(sa.select(Course))}
    for source in tree.courses:
        _sync_course(source, existing.get(source.slug), report)
    seen = {source.slug for source in tree.courses}
    now = utcnow()
    for slug, course in existing.items():
        if slug not in seen and course.retired_at is None:
            course.retired_at = now
            report.retired.append(slug)
    db.session.flush()
    return report


def _sync_course(source: CourseSource, course: Course | None, report: SyncReport) -> None:
    full_hash = _course_hash(source)
    if course is not None and course.content_hash == full_hash and course.retired_at is None:
        report.unchanged += 1
        return
    now = utcnow()
    if course is None:
        course = Course(slug=source.slug, created_at=now)
        db.session.add(course)
        report.created.append(source.slug)
    else:
        report.updated.append(source.slug)
    course.title = dict(source.title)
    course.summary = dict(source.summary)
    course.audiences = list(source.audiences)
    course.competences = list(source.competences)
    course.level = source.level
    course.minutes = source.minutes
    course.final_quiz_after_lessons = source.final_quiz_after_lessons
    course.version = source.version
    course.content_hash = full_hash
    course.retired_at = None
    course.updated_at = now
    db.session.flush()
    _record_version(course, source.version, full_hash)

    lessons = {lesson.slug: lesson for lesson in db.session.scalars(
        sa.select(Lesson).where(Lesson.course_id == course.id))}
    for lesson_source in source.lessons:
        lesson = _sync_lesson(course, source, lesson_source, lessons.get(lesson_source.slug), now)
        _sync_quiz(course, lesson, lesson_source.slug, lesson_source.check_quiz, now)
    for slug, lesson in lessons.items():
        if source.lesson(slug) is None and lesson.retired_at is None:
            # Retired, not deleted: progress and certificates may point at it.
            lesson.retired_at = now
            remove_lesson(lesson.id)
            _sync_quiz(course, lesson, slug, None, now)  # its check goes with it
            report.retired.append(f"{source.slug}/{slug}")
    _sync_quiz(course, None, "final", source.final_quiz, now)


def _record_version(course: Course, version: int, content_hash: str) -> None:
    row = db.session.scalar(sa.select(CourseVersion).where(
        CourseVersion.course_id == course.id, CourseVersion.version == version))
    if row is None:
        db.session.add(CourseVersion(course_id=course.id, version=version, content_hash=content_hash))
    else:
        # The author edited without raising the version number: keep the latest content's hash.
        row.content_hash = content_hash


def _sync_lesson(course: Course, course_source: CourseSource, source: LessonSource,
                 lesson: Lesson | None, now) -> Lesson:
    if lesson is None:
        lesson = Lesson(course_id=course.id, slug=source.slug, created_at=now)
        db.session.add(lesson)
    lesson.position = source.position
    returning = lesson.retired_at is not None
    lesson.retired_at = None
    if returning and lesson.content_hash == source.content_hash:
        db.session.flush()
        index_lesson(lesson)  # back from retirement with the same text: searchable again
    if lesson.content_hash != source.content_hash:
        rendered = {lang: _render(course_source, text) for lang, text in source.markdown.items()}
        lesson.title = dict(source.title)
        lesson.minutes = source.minutes
        lesson.competences = list(source.competences or course_source.competences)
        lesson.html = {lang: r.html for lang, r in rendered.items()}
        lesson.slides = {lang: list(r.slides) for lang, r in rendered.items()}
        lesson.plain_text = {lang: r.plain_text for lang, r in rendered.items()}
        lesson.sources = {lang: [ref.as_dict() for ref in refs] for lang, refs in source.sources.items()}
        lesson.content_hash = source.content_hash
        lesson.updated_at = now
        db.session.flush()
        index_lesson(lesson)
    db.session.flush()
    return lesson


def _render(course_source: CourseSource, text: str):
    def resolve_link(course_slug: str | None, lesson_slug: str) -> str:
        return url_for("courses.lesson", slug=course_slug or course_source.slug, lesson_slug=lesson_slug)

    def resolve_image(relative: str) -> tuple[str, int | None, int | None]:
        width, height = image_dimensions(course_source.path / relative)
        filename = relative.removeprefix("images/")
        return url_for("courses.image", slug=course_source.slug, filename=filename), width, height

    return render_markdown(text, resolve_link=resolve_link, resolve_image=resolve_image)


def _sync_quiz(course: Course, lesson: Lesson | None, key: str, source: QuizSource | None, now) -> None:
    quiz = db.session.scalar(sa.select(Quiz).where(Quiz.course_id == course.id, Quiz.key == key))
    if source is None:
        if quiz is not None and quiz.retired_at is None:
            quiz.retired_at = now
        return
    quiz_hash = _quiz_hash(source)
    if quiz is None:
        quiz = Quiz(course_id=course.id, key=key)
        db.session.add(quiz)
    elif quiz.content_hash == quiz_hash and quiz.retired_at is None:
        return
    quiz.lesson_id = lesson.id if lesson else None
    quiz.kind = source.kind
    quiz.pass_mark = source.pass_mark
    quiz.max_attempts = source.max_attempts
    quiz.content_hash = quiz_hash
    quiz.retired_at = None
    quiz.updated_at = now
    db.session.flush()
    questions = {q.key: q for q in db.session.scalars(sa.select(Question).where(Question.quiz_id == quiz.id))}
    for position, qs in enumerate(source.questions, start=1):
        question = questions.pop(qs.key, None)
        if question is None:
            question = Question(quiz_id=quiz.id, key=qs.key)
            db.session.add(question)
        question.position = position
        question.retired_at = None
        question_hash = _question_hash(qs)
        if question.content_hash != question_hash:
            stored = get_question_type(qs.type).stored(qs)  # the type decides how its row looks
            question.type = stored.type
            question.prompt = dict(qs.prompt)
            question.choices = stored.choices
            question.screen = stored.screen
            question.explanation = dict(qs.explanation)
            question.answer = stored.answer
            question.content_hash = question_hash
    for question in questions.values():
        # Retired so that past answers to it still make sense.
        if question.retired_at is None:
            question.retired_at = now
    db.session.flush()

