"""A province on one machine, started once per test module: nginx before two gunicorn processes
(deploy/province-local), PostgreSQL and Redis reached through relays the fault tests can cut.

The database (LMS_DEPLOY_DATABASE_URL, default test_deploy) and the Redis db (LMS_DEPLOY_REDIS_URL,
default db 5) are wiped at the start. The release steps are the real ones: `flask db upgrade` and
`flask content sync` on a copy of content/, whose lessons a test may then edit.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import time

import pytest
import sqlalchemy as sa

from tests.deploy.shape import (DATABASE_URL, REDIS_URL, ROOT, Relay, flask, require_services, start_province,
                                stop_province)

PIN = "482916"
COURSE = "an-toan-tren-mang"
LEARNERS = ("Nguyễn Thị Lan", "Bùi Văn Bình", "Trần Thị Chi", "Phạm Văn Dũng", "Hoàng Thị Em",
            "Đỗ Văn Giang", "Lê Thị Hạnh", "Vũ Văn Khoa")


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    phone: str


@dataclass(frozen=True)
class Ward:
    coordinator: Person
    instructor: Person
    learners: tuple[Person, ...]
    cohort_id: int
    class_session_id: int
    course_slug: str
    lesson_slugs: tuple[str, ...]
    lesson_ids: tuple[int, ...]
    check_quiz_ids: tuple[int, ...]


def _empty_database() -> None:
    from lms.config import normalise_database_url

    engine = sa.create_engine(normalise_database_url(DATABASE_URL.rsplit("/", 1)[0] + "/postgres"),
                              isolation_level="AUTOCOMMIT")
    name = DATABASE_URL.rsplit("/", 1)[1].split("?", 1)[0]
    with engine.connect() as conn:
        if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    engine = sa.create_engine(normalise_database_url(DATABASE_URL))
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def _people(content_dir) -> Ward:
    """The ward a province serves, written as an administrator would (not through the web)."""
    from lms import create_app
    from lms.accounts.people import create_person
    from lms.cohorts.schedule import add_session, vietnam_today
    from lms.cohorts.services import create_cohort, enrol
    from lms.courses.models import Course
    from lms.extensions import db
    from lms.quizzes.models import Quiz
    from lms.wards.models import ResidentialGroup, Ward as WardRow
    from tests.conftest import dispose_engines, make_test_config

    app = create_app(make_test_config(DATABASE_URL, CONTENT_DIR=str(content_dir)))
    with app.app_context():
        ward = WardRow(name="Phường Đông", kind="phuong", province="Tỉnh Thử")
        ward.groups = [ResidentialGroup(name="Tổ dân phố số 1", kind="to_dan_pho")]
        db.session.add(ward)
        db.session.flush()

        def person(name, phone, roles=("learner",)):
            row = create_person(full_name=name, phone=phone, roles=roles, secret=PIN, ward=ward, birth_year=1955)
            return row, Person(row.id, name, phone)

        _, coordinator = person("Trần Thị Thu Hà", "0912000001", ("coordinator",))
        instructor_row, instructor = person("Lê Văn Minh", "0912000002", ("instructor",))
        rows = [person(name, f"0912000{101 + n}") for n, name in enumerate(LEARNERS)]
        course = db.session.scalar(sa.select(Course).where(Course.slug == COURSE))
        cohort = create_cohort(ward_id=ward.id, name="Lớp an toàn trên mạng", audience="everyone",
                               instructor_ids=[instructor_row.id], course_ids=[course.id])
        for row, _ in rows:
            enrol(cohort, row, consent=True)
        session = add_session(cohort, day=vietnam_today(), starts_at=time(8, 0), place="Nhà văn hoá tổ 1")
        db.session.commit()
        lessons = course.active_lessons
        checks = {quiz.lesson_id: quiz.id for quiz in db.session.scalars(
            sa.select(Quiz).where(Quiz.course_id == course.id, Quiz.kind == "check"))}
        found = Ward(coordinator, instructor, tuple(p for _, p in rows), cohort.id, session.id, course.slug,
                     tuple(lesson.slug for lesson in lessons), tuple(lesson.id for lesson in lessons),
                     tuple(checks[lesson.id] for lesson in lessons))
    dispose_engines(app)
    return found


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    require_services()
    import redis

    directory = tmp_path_factory.mktemp("province")
    content = directory / "content"
    shutil.copytree(ROOT / "content", content)
    _empty_database()
    redis.Redis.from_url(REDIS_URL).flushdb()
    database, cache = Relay(DATABASE_URL, 5432), Relay(REDIS_URL, 6379)
    database.mend()
    cache.mend()
    env = {
        "DATABASE_URL": database.url(DATABASE_URL),
        "REDIS_URL": cache.url(REDIS_URL),
        "SECRET_KEY": "province-test-secret-key-the-same-on-every-process",
        "LMS_SIGNING_KEY": str(directory / "signing_key.pem"),
        "LMS_CONTENT_DIR": str(content),
        "TRUSTED_PROXIES": "1",
        "LOGIN_RATE_LIMIT": "10 per minute",
    }
    started = None
    try:
        flask(env, "db", "upgrade")
        flask(env, "content", "sync")
        ward = _people(content)
        started = start_province(directory, env, database, cache)
        started.ward = ward
        yield started
    finally:
        if started is not None:
            stop_province(started)
        database.cut()
        cache.cut()
