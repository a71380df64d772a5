"""A ward instance of its own (SQLite file, keys and all in a folder of the test) with a realistic
data set, whatever database the rest of the suite runs on: backups and moves start from SQLite."""
from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms import create_app
from lms.extensions import db as _db
from tests.conftest import RequestClient, dispose_engines, make_test_config, reset_schema
from tests.factories import DEFAULT_PIN


def instance_app(instance: Path, **overrides):
    """An app whose database and keys live in `instance` (the signing key is made there on first use)."""
    instance.mkdir(parents=True, exist_ok=True)
    overrides.setdefault("SQLALCHEMY_DATABASE_URI", f"sqlite:///{instance / 'lms.db'}")
    app = create_app(make_test_config(overrides.pop("SQLALCHEMY_DATABASE_URI"), **overrides))
    app.instance_path = str(instance)
    app.test_client_class = RequestClient
    return app


@pytest.fixture()
def app(tmp_path):
    """This folder's tests run on a ward's own SQLite instance, migrated as production does."""
    ward_app = instance_app(tmp_path / "ward", SECRET_KEY="khoa-phien-cua-phuong-mau")
    reset_schema(ward_app)
    ctx = ward_app.app_context()
    ctx.push()
    try:
        yield ward_app
    finally:
        _db.session.remove()
        ctx.pop()
        dispose_engines(ward_app)


@pytest.fixture()
def fresh_instance(tmp_path):
    """Another, empty instance to restore into; its connections closed after the test."""
    made = []

    def make(name: str = "restored", **overrides):
        other = instance_app(tmp_path / name, **overrides)
        made.append(other)
        return other

    yield make
    for other in made:
        dispose_engines(other)


@dataclass
class Ward:
    learner: object
    coordinator: object
    certificate_code: str
    certificate_id: int
    revoked_code: str


@pytest.fixture()
def ward_data(app, catalogue, make_ward, make_user, client, auth) -> Ward:
    """A ward in use: staff and learners, a cohort with sessions and attendance, lessons read,
    final quizzes answered through the quiz services (certificates issued), one certificate
    revoked (an audit row), a household, a mentor, an AI tool recorded, a learner signed in."""
    from lms.certificates.models import Certificate
    from lms.certificates.services import revoke
    from lms.cohorts.models import Attendance, ClassSession, Cohort, Enrollment
    from lms.courses.models import Course, Lesson, LessonProgress
    from lms.households.models import Household, HouseholdMember, Mentorship
    from lms.quizzes.models import Question
    from lms.quizzes.services import answer_question, final_quiz_for, start_attempt, submit_attempt
    from lms.reports.models import AiToolUse
    from lms.timeutil import utcnow

    ward = make_ward("Phường Mẫu")
    coordinator = make_user(("coordinator",), ward=ward, name="Trần Thị Thu Hà", birth_year=1980)
    instructor = make_user(("instructor",), ward=ward, name="Lê Văn Minh", birth_year=1995)
    names = ["Nguyễn Thị Lan", "Phạm Văn Đức", "Hoàng Thị Ánh", "Vũ Đình Quý", "Đặng Thị Hương", "Bùi Văn Tám"]
    learners = [make_user(ward=ward, name=name, birth_year=1950 + i, group=ward.groups[i % 2])
                for i, name in enumerate(names)]
    courses = _db.session.scalars(sa.select(Course).order_by(Course.id).limit(2)).all()
    cohort = Cohort(ward_id=ward.id, name="Lớp người cao tuổi", audience="elderly", join_code="LANCAO2026")
    cohort.courses = list(courses)
    cohort.instructors = [instructor]
    _db.session.add(cohort)
    _db.session.flush()
    _db.session.add_all(Enrollment(cohort_id=cohort.id, user_id=p.id, enrolled_by_id=coordinator.id)
                        for p in learners)
    meeting = ClassSession(cohort_id=cohort.id, day=date(2026, 10, 10), starts_at=time(8, 30),
                           place="Nhà văn hoá TDP 1")
    _db.session.add(meeting)
    _db.session.flush()
    _db.session.add_all(Attendance(class_session_id=meeting.id, user_id=p.id, marked_by_id=instructor.id)
                        for p in learners[:4])
    home = Household(ward_id=ward.id, group_id=ward.groups[0].id, name="Hộ bà Lan", name_key="ho ba lan")
    _db.session.add(home)
    _db.session.flush()
    _db.session.add_all([HouseholdMember(household_id=home.id, user_id=learners[0].id),
                         HouseholdMember(household_id=home.id, user_id=learners[1].id),
                         Mentorship(ward_id=ward.id, mentor_id=learners[0].id, mentee_id=learners[2].id,
                                    created_by_id=coordinator.id),
                         AiToolUse(user_id=learners[0].id, ward_id=ward.id, kind="public_service",
                                   purpose="Hỏi cách nộp hồ sơ", used_on=date(2026, 11, 20), cohort_id=cohort.id,
                                   recorded_by_id=instructor.id, by_instructor=True)])
    _db.session.commit()
    for index, person in enumerate(learners[:4]):
        course = courses[index % 2]
        for lesson in _db.session.scalars(sa.select(Lesson).where(Lesson.course_id == course.id)):
            _db.session.add(LessonProgress(user_id=person.id, lesson_id=lesson.id, completed_at=utcnow()))
        _db.session.commit()
        attempt = start_attempt(person, final_quiz_for(course.id))
        for question_id in attempt.question_order:
            question = _db.session.get(Question, question_id)
            answer_question(person, attempt, question_id, _right(question) if index != 3 else _wrong(question))
        submit_attempt(person, attempt)
        _db.session.commit()
    issued = _db.session.scalars(sa.select(Certificate).order_by(Certificate.id)).all()
    assert len(issued) == 3, "three learners passed their final quiz; the fourth answered wrongly"
    revoke(issued[2], coordinator, "issued_in_error", note="Nhập nhầm người học")
    _db.session.commit()
    auth.login(learners[0])  # a signed-in device and a sign-in recorded
    return Ward(learner=learners[0], coordinator=coordinator, certificate_code=issued[0].code,
                certificate_id=issued[0].id, revoked_code=issued[2].code)


def _right(question) -> list[str]:
    return [str(key) for key in question.answer]


def _wrong(question) -> list[str]:
    """One choice that is not the key (the other of true and false for a true/false question)."""
    keys = ["true", "false"] if question.type == "true_false" else [str(c["key"]) for c in question.choices]
    return [next(k for k in keys if k not in _right(question))]


def sqlite_tables(path: Path) -> dict[str, list[tuple]]:
    """Every table of a SQLite file (the search index's own tables too), every column, as stored."""
    with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as conn:
        names = [n for (n,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {name: sorted(conn.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr) for name in names}


def move_target_url() -> str:
    """An empty PostgreSQL database for the move (its public schema is wiped); skipped when no
    server answers, and a failure with CI set."""
    url = os.environ.get("LMS_TEST_MOVE_DATABASE_URL")
    if not url:
        suite = os.environ.get("LMS_TEST_DATABASE_URL")
        url = f"{suite.rsplit('/', 1)[0]}/{suite.rsplit('/', 1)[1].split('?')[0]}_move" if suite \
            else "postgresql://postgres@127.0.0.1:5432/test_move"
    from lms.config import normalise_database_url

    parsed = sa.engine.make_url(normalise_database_url(url))
    try:
        _create_database(parsed)
        engine = sa.create_engine(parsed)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
    except sa.exc.OperationalError as exc:
        message = f"PostgreSQL does not answer at {parsed.render_as_string()}: {str(exc.orig).strip()[:200]}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return parsed.render_as_string(hide_password=False)


def _create_database(url) -> None:
    server = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.database}).first()
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
    finally:
        server.dispose()


@pytest.fixture()
def pg_target() -> str:
    return move_target_url()


__all__ = ["DEFAULT_PIN", "instance_app", "sqlite_tables"]
