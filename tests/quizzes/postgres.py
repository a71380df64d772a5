"""PostgreSQL for the concurrency tests: the suite's own database when it runs on PostgreSQL,
otherwise the one `make test` uses (LMS_TEST_POSTGRES_URL, else postgresql://postgres@127.0.0.1:5432/test;
**its `public` schema is wiped**). Skipped when no PostgreSQL answers; with CI set, that fails.

Also a small course (two lessons, a final quiz of five single-choice questions) and learners who
have read its lessons and are signed in, made directly: hundreds at once, quickly.
"""
from __future__ import annotations

import os
import secrets
import threading
from dataclasses import dataclass
from datetime import timedelta

import psycopg
import pytest
import sqlalchemy as sa

from lms import create_app
from lms.config import normalise_database_url
from lms.extensions import db
from tests.conftest import RequestClient, dispose_engines, make_test_config, reset_schema, wipe

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"  # the Makefile's PG_TEST_URL
QUESTIONS = 5
RIGHT, WRONG = "b", "c"


def _answers(url: str) -> bool:
    try:
        psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=3).close()
    except psycopg.OperationalError:
        return False
    return True


@pytest.fixture(scope="session")
def postgres_url(database_url) -> str:
    if database_url.startswith("postgresql"):
        return database_url
    url = normalise_database_url(os.environ.get("LMS_TEST_POSTGRES_URL") or DEFAULT_URL)
    if not _answers(url):
        message = f"no PostgreSQL answers at {url} (set LMS_TEST_POSTGRES_URL or LMS_TEST_DATABASE_URL)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return url


@pytest.fixture(scope="session")
def _own_postgres_app(postgres_url, database_url):
    """An app on PostgreSQL when the suite itself runs on SQLite; None when it runs on PostgreSQL."""
    if postgres_url == database_url:
        yield None
        return
    app = create_app(make_test_config(postgres_url))
    app.test_client_class = RequestClient
    reset_schema(app)
    yield app
    dispose_engines(app)


@pytest.fixture()
def pg_app(request, _own_postgres_app):
    """An app context on an empty PostgreSQL database; every row written is removed afterwards."""
    if _own_postgres_app is None:
        yield request.getfixturevalue("app")
        return
    with _own_postgres_app.app_context():
        try:
            yield _own_postgres_app
        finally:
            db.session.remove()
            wipe(_own_postgres_app)


class WorkerClient(RequestClient):
    """A client whose requests wait for one of the app's workers, as gunicorn's threads serve a
    process: a request holds two pooled connections (the ORM's and lms.fastread's), so an app
    serves at most half its pool at once, and the rest queue as they would at a real server."""

    def open(self, *args, **kwargs):
        with self.application.extensions["workers"]:
            return super().open(*args, **kwargs)


@pytest.fixture()
def racing_app(pg_app, postgres_url):
    """Another app object on the same database, as another gunicorn process would be."""
    made = []

    def make(workers: int = 4):
        other = create_app(make_test_config(postgres_url, SQLALCHEMY_ENGINE_OPTIONS={
            "pool_size": 2 * workers, "max_overflow": 0, "pool_timeout": 120}))
        other.extensions["workers"] = threading.BoundedSemaphore(workers)
        other.test_client_class = WorkerClient
        made.append(other)
        return other

    yield make
    for other in made:
        dispose_engines(other)


@dataclass
class Course:
    id: int
    slug: str
    quiz_id: int
    question_ids: list[int]


def make_course() -> Course:
    """Two lessons and a final quiz of five questions, the right choice always "b"; pass mark 60 %."""
    from lms.courses.models import Course as CourseRow, Lesson
    from lms.quizzes.models import Question, Quiz

    slug = f"khoa-dong-thoi-{secrets.token_hex(3)}"
    course = CourseRow(slug=slug, title={"vi": "Thanh toán số an toàn", "en": "Safe digital payments"},
                       summary={"vi": "Tóm tắt.", "en": "Summary."}, audiences=["everyone"], competences=["4.2"],
                       level=1, minutes=30, version=1, content_hash="x" * 64)
    db.session.add(course)
    db.session.flush()
    for i in (1, 2):
        db.session.add(Lesson(course_id=course.id, slug=f"bai-{i}", position=i, title={"vi": f"Bài {i}"}, minutes=10,
                              competences=["4.2"], html={"vi": "<p>x</p>"}, slides={"vi": []},
                              plain_text={"vi": "x"}, content_hash="y" * 64))
    quiz = Quiz(course_id=course.id, key="final", kind="final", pass_mark=60, max_attempts=3, content_hash="z" * 64)
    db.session.add(quiz)
    db.session.flush()
    for i in range(1, QUESTIONS + 1):
        db.session.add(Question(
            quiz_id=quiz.id, key=f"q{i}", position=i, type="single", prompt={"vi": f"Câu hỏi {i}?"},
            choices=[{"key": k, "text": {"vi": f"Lựa chọn {k}"}} for k in ("a", "b", "c")], screen=None,
            explanation={"vi": "Vì thế."}, answer=[RIGHT], content_hash="q" * 64))
    db.session.commit()
    question_ids = list(db.session.scalars(sa.select(Question.id).where(Question.quiz_id == quiz.id)))
    return Course(course.id, slug, quiz.id, question_ids)


@dataclass
class Learner:
    id: int
    session_key: str
    session_version: int


def make_learners(course: Course, count: int) -> list[Learner]:
    """Learners of one ward who have read the course's lessons, each signed in on a phone of their own."""
    from lms.accounts.models import AccountSession, User, UserRole
    from lms.accounts.signins import key_hash
    from lms.courses.models import Lesson, LessonProgress
    from lms.timeutil import utcnow
    from lms.wards.models import Ward

    ward = Ward(name=f"Phường Đồng Thời {secrets.token_hex(2)}", kind="phuong", province="Tỉnh Thử")
    db.session.add(ward)
    db.session.flush()
    lesson_ids = list(db.session.scalars(sa.select(Lesson.id).where(Lesson.course_id == course.id)))
    now, learners = utcnow(), []
    for n in range(count):
        user = User(full_name=f"Học Viên {n + 1}", phone=f"+84913{n:06d}", ward_id=ward.id, birth_year=1950 + n % 30)
        user.role_rows = [UserRole(role="learner")]
        db.session.add(user)
        db.session.flush()
        key = secrets.token_urlsafe(32)
        db.session.add(AccountSession(user_id=user.id, key_hash=key_hash(key), session_version=user.session_version,
                                      label="|", method="card", created_at=now, last_seen_at=now,
                                      expires_at=now + timedelta(days=14)))
        db.session.add_all([LessonProgress(user_id=user.id, lesson_id=i, completed_at=now) for i in lesson_ids])
        learners.append(Learner(user.id, key, user.session_version))
    db.session.commit()
    return learners


def signed_in_client(app, learner: Learner):
    """A test client of `app` carrying the learner's signed-in cookie (as a card sign-in leaves it)."""
    from lms.accounts.principal import SESSION_KEY, SESSION_VERSION

    client = app.test_client()
    with client.session_transaction() as session:
        session.permanent = True
        session.update({"_user_id": str(learner.id), "_fresh": True, SESSION_KEY: learner.session_key,
                        SESSION_VERSION: learner.session_version})
    return client
