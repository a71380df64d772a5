"""Learners out of tries of a final quiz: staff of their class see them and give one more try."""
import re

import pytest
import sqlalchemy as sa

from lms.audit.models import AuditLog
from lms.cohorts.services import create_cohort, enrol
from lms.courses.models import Course
from lms.extensions import db
from lms.quizzes.models import QuizTryGrant
from tests.factories import DEFAULT_PIN
from tests.quizzes.reading import read_every_lesson
from tests.cohorts.conftest import world  # noqa: F401  (the ward, its staff and a class)
from tests.quizzes.test_taking_quizzes import COURSE, _answer_all, _quiz, _start, _wrong


@pytest.fixture()
def locked(world, client, auth, catalogue):  # noqa: F811
    """The learner of the class has failed every try of the final quiz."""
    world.cohort.courses = [db.session.scalar(sa.select(Course).where(Course.slug == COURSE))]
    db.session.commit()
    read_every_lesson(world.learner, COURSE)
    auth.login(world.learner)
    quiz = _quiz("final")
    for _try in range(quiz.max_attempts):
        attempt = _start(client, quiz)
        _answer_all(client, attempt, pick=_wrong)
        client.post(f"/quizzes/attempts/{attempt.id}/submit")
    assert client.post(f"/quizzes/{quiz.id}/start").status_code == 403
    auth.logout()
    return quiz


def _grant_url(world, quiz):
    return f"/cohorts/{world.cohort.id}/quiz-tries/{quiz.id}/{world.learner.id}"


def test_the_instructor_sees_who_ran_out_and_gives_one_more_try(client, auth, world, locked):
    auth.login(world.instructor)
    page = client.get(f"/cohorts/{world.cohort.id}/quiz-tries")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Nguyễn Thị Lan" in text and "Đã làm 3 lần, chưa đạt." in text
    assert "An toàn" in text  # grouped under the course
    done = client.post(_grant_url(world, locked))
    assert done.status_code == 302
    after = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Đã cấp thêm 1 lượt làm bài cho Nguyễn Thị Lan." in after
    assert "Đã làm 3 lần" not in after
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "quiz.try_granted"))
    assert entry.actor_id == world.instructor.id and entry.target_id == world.learner.id
    assert entry.ward_id == world.ward.id and entry.details["quiz_id"] == locked.id
    auth.logout()
    auth.login(world.learner)
    assert "Còn 1 lần làm bài" in client.get(f"/quizzes/{locked.id}/").get_data(as_text=True)
    attempt = _start(client, locked)
    assert attempt.number == 4


def test_granting_twice_gives_exactly_one_more_try(client, auth, world, locked):
    auth.login(world.coordinator)
    assert client.post(_grant_url(world, locked)).status_code == 302
    again = client.post(_grant_url(world, locked))
    assert again.status_code == 409 and "vẫn còn lượt" in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizTryGrant)) == 1
    auth.logout()
    auth.login(world.learner)
    attempt = _start(client, locked)
    _answer_all(client, attempt, pick=_wrong)
    client.post(f"/quizzes/attempts/{attempt.id}/submit")
    assert client.post(f"/quizzes/{locked.id}/start").status_code == 403  # the one extra try is used
    auth.logout()
    auth.login(world.coordinator)  # locked out again: another try can be given
    assert "Đã làm 4 lần, chưa đạt." in client.get(f"/cohorts/{world.cohort.id}/quiz-tries").get_data(as_text=True)
    assert client.post(_grant_url(world, locked)).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizTryGrant)) == 2


def test_a_learner_with_tries_left_gets_none_extra(client, auth, world, catalogue):
    world.cohort.courses = [db.session.scalar(sa.select(Course).where(Course.slug == COURSE))]
    db.session.commit()
    auth.login(world.instructor)
    quiz = _quiz("final")
    assert client.post(_grant_url(world, quiz)).status_code == 409
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizTryGrant)) == 0


def test_a_coordinator_of_another_ward_finds_nothing(client, auth, world, locked):
    auth.login(world.other_coordinator)
    assert client.get(f"/cohorts/{world.cohort.id}/quiz-tries").status_code == 404
    assert client.post(_grant_url(world, locked)).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizTryGrant)) == 0


def test_an_instructor_of_another_class_finds_nothing(client, auth, world, locked):
    auth.login(world.other_instructor)
    assert client.get(f"/cohorts/{world.cohort.id}/quiz-tries").status_code == 404
    assert client.post(_grant_url(world, locked)).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizTryGrant)) == 0


def test_a_learner_may_not_give_themself_a_try(client, auth, world, locked):
    auth.login(world.learner)
    assert client.get(f"/cohorts/{world.cohort.id}/quiz-tries").status_code == 403
    assert client.post(_grant_url(world, locked)).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizTryGrant)) == 0


def test_only_members_and_the_class_courses_quizzes(client, auth, world, locked, make_user):
    """Someone of the ward outside this class, or a quiz of a course the class does not take, is 404."""
    outsider = make_user(ward=world.ward, name="Ngoài Lớp")
    other = create_cohort(ward_id=world.ward.id, name="Lớp khác", audience="everyone")
    enrol(other, world.learner, consent=True)
    db.session.commit()
    auth.login(world.instructor)
    assert client.post(f"/cohorts/{world.cohort.id}/quiz-tries/{locked.id}/{outsider.id}").status_code == 404
    world.cohort.courses = []
    db.session.commit()
    assert client.post(_grant_url(world, locked)).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizTryGrant)) == 0


def test_the_grant_form_needs_the_csrf_token(client, auth, world, locked, other_app):
    strict = other_app(WTF_CSRF_ENABLED=True).test_client()
    login = strict.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', login).group(1)
    strict.post("/login", data={"phone": world.instructor.phone, "secret": DEFAULT_PIN, "csrf_token": token})
    page = strict.get(f"/cohorts/{world.cohort.id}/quiz-tries")
    assert page.status_code == 200  # signed in
    assert strict.post(_grant_url(world, locked)).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizTryGrant)) == 0
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    assert strict.post(_grant_url(world, locked), data={"csrf_token": token}).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizTryGrant)) == 1
