"""What a learner's phone keeps for reading without signal, and answers it queued meanwhile."""
from __future__ import annotations

import hashlib
import hmac
import re
import sqlite3
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, url_for
from sqlalchemy.exc import IntegrityError

from lms.cohorts.models import Enrollment, cohort_course
from lms.courses.models import Course, Lesson
from lms.extensions import db
from lms.offline.models import QueuedAnswer
from lms.quizzes.models import Answer, Quiz, QuizAttempt
from lms.quizzes.services import (
    QuizError, answer_question, question_type, quiz_or_none, start_attempt, submit_attempt,
)

# A phone makes these ids itself (crypto.randomUUID, or random hex on older phones).
CLIENT_ID = re.compile(r"[A-Za-z0-9-]{8,64}")
# Course images only: lesson text may link to other sites, and nothing is fetched from them.
_IMAGE_SRC = re.compile(r'<img[^>]+src="(/courses/[^"/]+/images/[^"]+)"')
# What every kept page needs to look right offline (the page's own script and stylesheet).
SHELL_FILES = ("css/app.css", "js/htmx.min.js", "js/app.js", "js/offline.js", "favicon.svg")


def account_key(user_id: int | None) -> str:
    """The name a phone gives one person's kept pages: no id in clear, the same on every visit.

    A shared phone keeps one person's pages at a time: when a page arrives with another key (the
    next person signed in, or nobody), the service worker drops the previous person's pages.
    """
    if user_id is None:
        return "none"
    secret = str(current_app.secret_key or "").encode()
    return hmac.new(secret, f"offline:{user_id}".encode(), hashlib.sha256).hexdigest()[:24]


def enrolled_courses(user_id: int) -> list[Course]:
    """The courses of the cohorts this person is enrolled in, in catalogue order."""
    course_ids = sa.select(cohort_course.c.course_id).join(
        Enrollment, Enrollment.cohort_id == cohort_course.c.cohort_id).where(Enrollment.user_id == user_id)
    return list(db.session.scalars(sa.select(Course).where(
        Course.id.in_(course_ids), Course.retired_at.is_(None)).order_by(Course.slug)))


def lesson_images(lesson: Lesson) -> list[str]:
    """The course images a lesson shows, in either language."""
    found: list[str] = []
    for html in (lesson.html or {}).values():
        for src in _IMAGE_SRC.findall(html or ""):
            if src not in found:
                found.append(src.replace("&amp;", "&"))
    return found


def _check_quizzes(course: Course) -> dict[int, int]:
    """lesson id -> id of the check after it, for one course."""
    return dict(db.session.execute(sa.select(Quiz.lesson_id, Quiz.id).where(
        Quiz.course_id == course.id, Quiz.kind == "check", Quiz.retired_at.is_(None))).all())


def _choice_images(quiz_ids: list[int], slug: str) -> list[str]:
    from lms.quizzes.models import Question

    images = []
    for choices in db.session.scalars(sa.select(Question.choices).where(
            Question.quiz_id.in_(quiz_ids), Question.retired_at.is_(None))):
        for choice in choices or ():
            image = choice.get("image") if isinstance(choice, dict) else None
            if image:
                images.append(url_for("courses.image", slug=slug, filename=str(image).replace("images/", "", 1)))
    return images


def pages_to_keep(user_id: int) -> dict:
    """The addresses a phone fetches ahead for this person: their enrolled courses' pages, each
    lesson and the check after it, with their images; and the files every page needs.

    Only the person's own pages (no staff page, nobody else's data). Each course carries its
    content hash so a phone fetches a course again only when its text has changed.
    """
    courses = []
    for course in enrolled_courses(user_id):
        checks = _check_quizzes(course)
        pages = [url_for("courses.course", slug=course.slug)]
        images: list[str] = []
        for lesson in course.active_lessons:
            pages.append(url_for("courses.lesson", slug=course.slug, lesson_slug=lesson.slug))
            if lesson.id in checks:
                pages.append(url_for("offline.check", quiz_id=checks[lesson.id]))
            images.extend(src for src in lesson_images(lesson) if src not in images)
        images.extend(src for src in _choice_images(list(checks.values()), course.slug) if src not in images)
        courses.append({"slug": course.slug, "version": course.content_hash, "pages": pages, "images": images})
    return {
        "account": account_key(user_id),
        "fallback": url_for("offline.fallback"),
        "shell": [url_for("static", filename=name) for name in SHELL_FILES],
        "courses": courses,
    }


def check_or_none(quiz_id: int) -> Quiz | None:
    """A lesson's check, the only kind of quiz a phone may answer offline."""
    quiz = quiz_or_none(quiz_id)
    return quiz if quiz is not None and quiz.kind == "check" else None


@dataclass(frozen=True)
class Received:
    answer: Answer
    attempt: QuizAttempt
    again: bool  # this queued answer had been received before: nothing was counted now

    @property
    def finished(self) -> bool:
        return self.attempt.submitted_at is not None


def receive_queued_answer(account, quiz: Quiz, client_id: str, question_id: int, choices: list[str]) -> Received:
    """Record an answer a phone queued offline, once per client id; graded here, as online.

    The check's open attempt takes it (a new one is started when none is open); once every
    question of the attempt has an answer it is scored, so the learner's result is the server's.
    """
    if quiz.kind != "check":
        raise QuizError("online_only")
    if not CLIENT_ID.fullmatch(client_id or ""):
        raise QuizError("bad_client_id")
    earlier = _received(account.id, client_id)
    if earlier is not None:
        return earlier
    # Refused before anything is written: a question no longer asked, or no choice it offers.
    question = next((q for q in quiz.active_questions if q.id == question_id), None)
    if question is None:
        raise QuizError("wrong_question")
    if question_type(question).parse(question, choices) is None:
        raise QuizError("bad_choice")
    _begin(db.session)
    attempt = start_attempt(account, quiz)
    if question_id not in attempt.question_order:
        raise QuizError("wrong_question")
    try:
        with db.session.begin_nested():
            db.session.add(QueuedAnswer(user_id=account.id, client_id=client_id, attempt_id=attempt.id,
                                        question_id=question_id))
    except IntegrityError:
        # The same answer, sent twice at once: the other request has it (PostgreSQL waited for it).
        db.session.rollback()
        earlier = _received(account.id, client_id)
        if earlier is None:
            raise
        return earlier
    answer = answer_question(account, attempt, question_id, choices)
    answered = set(db.session.scalars(sa.select(Answer.question_id).where(Answer.attempt_id == attempt.id)))
    if set(attempt.question_order) <= answered:
        submit_attempt(account, attempt)
    return Received(answer, attempt, again=False)


def _begin(session) -> None:
    """Open the transaction now on SQLite, so the receipt, the attempt and the answer are kept
    or dropped together.

    Python's sqlite3 begins a transaction only before INSERT, UPDATE or DELETE, not before a
    SAVEPOINT; a savepoint opened first (start_attempt's, or ours) would otherwise be its own
    transaction, and releasing it would commit that part alone."""
    raw = session.connection().connection.dbapi_connection
    if isinstance(raw, sqlite3.Connection) and not raw.in_transaction:
        raw.execute("BEGIN")


def _received(user_id: int, client_id: str) -> Received | None:
    receipt = db.session.scalar(sa.select(QueuedAnswer).where(
        QueuedAnswer.user_id == user_id, QueuedAnswer.client_id == client_id))
    if receipt is None:
        return None
    answer = db.session.scalar(sa.select(Answer).where(
        Answer.attempt_id == receipt.attempt_id, Answer.question_id == receipt.question_id))
    attempt = db.session.get(QuizAttempt, receipt.attempt_id)
    return Received(answer, attempt, again=True)
