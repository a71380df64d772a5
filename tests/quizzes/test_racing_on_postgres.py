"""Learners racing on PostgreSQL: a whole class handing in its final quiz at one moment, and one
learner's two phones (two app objects, as two gunicorn processes) doing the same thing at once.

Guaranteed by the database, not by checks in Python: one attempt number per learner and quiz, one
attempt in progress (uq_quiz_attempt_open), one answer per question of an attempt, one certificate
per learner and course; answering and handing in lock the attempt's row (quizzes.services._hold_open).
"""
import re
import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from lms.certificates.models import Certificate
from lms.extensions import db
from lms.quizzes.models import Answer, QuizAttempt
from lms.timeutil import utcnow
from tests.quizzes.postgres import (  # noqa: F401 (fixtures)
    QUESTIONS, RIGHT, WRONG, _own_postgres_app, make_course, make_learners, pg_app, postgres_url, racing_app,
    signed_in_client,
)


def _picks(n: int) -> list[str]:
    """Learner n's choices: every third gets all wrong (fails), every third 3 of 5 (passes at 60 %)."""
    right = (0, 3, QUESTIONS)[n % 3]
    return [RIGHT] * right + [WRONG] * (QUESTIONS - right)


def _attempt_id(response) -> int:
    assert response.status_code == 302, (response.status_code, response.get_data(as_text=True)[:300])
    return int(re.search(r"/attempts/(\d+)/", response.headers["Location"]).group(1))


def _race(jobs, timeout: float = 300) -> list[str]:
    """Run the jobs in threads released together at a barrier; the failures they report."""
    barrier = threading.Barrier(len(jobs))
    problems: list[str] = []

    def run(job):
        try:
            barrier.wait(timeout=120)
            job()
        except Exception as exc:  # noqa: BLE001 (reported and asserted below)
            problems.append(f"{type(exc).__name__}: {exc}"[:400])

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(t.is_alive() for t in threads), "a request hung"
    return problems


def _take(client, course, picks) -> tuple[int, str]:
    """Start (or resume), answer every question, hand in: the attempt id and where it led."""
    attempt_id = _attempt_id(client.post(f"/quizzes/{course.quiz_id}/start"))
    for number, (question_id, choice) in enumerate(zip(course.question_ids, picks), start=1):
        response = client.post(f"/quizzes/attempts/{attempt_id}/{number}",
                               data={"question_id": question_id, "choice": choice})
        assert response.status_code == 302, (response.status_code, response.get_data(as_text=True)[:300])
    response = client.post(f"/quizzes/attempts/{attempt_id}/submit", data={"confirm": "1"})
    assert response.status_code == 302, (response.status_code, response.get_data(as_text=True)[:300])
    return attempt_id, response.headers["Location"]


def _rows(model, *where):
    db.session.expire_all()
    return list(db.session.scalars(sa.select(model).where(*where)))


def _certificates(learners) -> dict[int, int]:
    counts = dict.fromkeys((learner.id for learner in learners), 0)
    for certificate in _rows(Certificate, Certificate.user_id.in_(counts)):
        counts[certificate.user_id] += 1
    return counts


@pytest.mark.postgres
def test_three_hundred_learners_handing_in_at_one_moment_are_each_scored_once(pg_app, racing_app):
    course = make_course()
    learners = make_learners(course, 300)
    processes = [racing_app(workers=8), racing_app(workers=8)]  # two gunicorn processes
    results: dict[int, tuple[int, str, str]] = {}

    def learner_job(n, learner):
        def job():
            client = signed_in_client(processes[n % 2], learner)
            attempt_id, location = _take(client, course, _picks(n))
            again = client.post(f"/quizzes/attempts/{attempt_id}/submit", data={"confirm": "1"})  # a second tap
            results[learner.id] = (attempt_id, location, again.headers.get("Location", str(again.status_code)))
        return job

    problems = _race([learner_job(n, learner) for n, learner in enumerate(learners)])
    assert not problems, problems[:5]
    certificates = _certificates(learners)
    for n, learner in enumerate(learners):
        attempt_id, location, again = results[learner.id]
        assert location.endswith(f"/attempts/{attempt_id}/result") and again == location
        attempts = _rows(QuizAttempt, QuizAttempt.user_id == learner.id)
        assert [(a.id, a.number) for a in attempts] == [(attempt_id, 1)]
        right = _picks(n).count(RIGHT)
        assert attempts[0].submitted_at is not None and attempts[0].correct_count == right
        assert attempts[0].passed is (right >= 3)
        answers = _rows(Answer, Answer.attempt_id == attempt_id)
        assert sorted(a.question_id for a in answers) == sorted(course.question_ids)
        assert sorted(a.response[0] for a in answers) == sorted(_picks(n))
        assert certificates[learner.id] == (1 if right >= 3 else 0)
    assert sum(certificates.values()) == 200


@pytest.mark.postgres
def test_one_learner_handing_in_from_two_processes_at_once_gets_one_result(pg_app, racing_app):
    course = make_course()
    learners = make_learners(course, 20)
    one, two = racing_app(), racing_app()
    attempt_ids, locations = {}, {learner.id: [] for learner in learners}
    for learner in learners:  # every question answered right, nothing handed in yet
        client = signed_in_client(one, learner)
        attempt_ids[learner.id] = _attempt_id(client.post(f"/quizzes/{course.quiz_id}/start"))
        for number, question_id in enumerate(course.question_ids, start=1):
            client.post(f"/quizzes/attempts/{attempt_ids[learner.id]}/{number}",
                        data={"question_id": question_id, "choice": RIGHT})

    def hand_in(app, learner):
        def job():
            response = signed_in_client(app, learner).post(
                f"/quizzes/attempts/{attempt_ids[learner.id]}/submit", data={"confirm": "1"})
            assert response.status_code == 302, response.status_code
            locations[learner.id].append(response.headers["Location"])
        return job

    problems = _race([hand_in(app, learner) for learner in learners for app in (one, two)])
    assert not problems, problems[:5]
    certificates = _certificates(learners)
    for learner in learners:
        attempt_id = attempt_ids[learner.id]
        assert locations[learner.id] == [f"/quizzes/attempts/{attempt_id}/result"] * 2
        attempts = _rows(QuizAttempt, QuizAttempt.user_id == learner.id)
        assert [(a.id, a.correct_count, a.passed) for a in attempts] == [(attempt_id, QUESTIONS, True)]
        assert len(_rows(Answer, Answer.attempt_id == attempt_id)) == QUESTIONS
        assert certificates[learner.id] == 1


@pytest.mark.postgres
def test_an_answer_racing_the_hand_in_is_either_scored_or_refused_never_lost(pg_app, racing_app):
    course = make_course()
    learners = make_learners(course, 20)
    one, two = racing_app(), racing_app()
    attempt_ids, answered = {}, {}
    last = course.question_ids[-1]
    for learner in learners:  # four of five answered right; the fifth is sent as the other phone hands in
        client = signed_in_client(one, learner)
        attempt_ids[learner.id] = _attempt_id(client.post(f"/quizzes/{course.quiz_id}/start"))
        for number, question_id in enumerate(course.question_ids[:-1], start=1):
            client.post(f"/quizzes/attempts/{attempt_ids[learner.id]}/{number}",
                        data={"question_id": question_id, "choice": RIGHT})

    def answer(learner):
        def job():
            response = signed_in_client(one, learner).post(
                f"/quizzes/attempts/{attempt_ids[learner.id]}/{QUESTIONS}", data={"question_id": last, "choice": RIGHT})
            assert response.status_code == 302, response.status_code
            # On to the review: the answer was saved. To the result: handed in first, refused.
            answered[learner.id] = response.headers["Location"].endswith("/review")
        return job

    def hand_in(learner):
        def job():
            response = signed_in_client(two, learner).post(
                f"/quizzes/attempts/{attempt_ids[learner.id]}/submit", data={"confirm": "1"})
            assert response.status_code == 302, response.status_code
        return job

    problems = _race([job for learner in learners for job in (answer(learner), hand_in(learner))])
    assert not problems, problems[:5]
    for learner in learners:
        attempt = _rows(QuizAttempt, QuizAttempt.user_id == learner.id)[0]
        saved = _rows(Answer, Answer.attempt_id == attempt.id)
        assert len(saved) == (QUESTIONS if answered[learner.id] else QUESTIONS - 1)
        assert attempt.correct_count == len(saved), "an answer was saved but not scored"


@pytest.mark.postgres
def test_two_phones_starting_the_same_quiz_at_once_share_one_attempt(pg_app, racing_app):
    course = make_course()
    learners = make_learners(course, 20)
    one, two = racing_app(), racing_app()
    seen = {learner.id: [] for learner in learners}

    def start(app, learner):
        def job():
            seen[learner.id].append(_attempt_id(signed_in_client(app, learner).post(f"/quizzes/{course.quiz_id}/start")))
        return job

    def answer_and_hand_in(app, learner):
        def job():
            client, attempt_id = signed_in_client(app, learner), seen[learner.id][0]
            for number, question_id in enumerate(course.question_ids, start=1):
                response = client.post(f"/quizzes/attempts/{attempt_id}/{number}",
                                       data={"question_id": question_id, "choice": RIGHT})
                assert response.status_code == 302, response.status_code
            response = client.post(f"/quizzes/attempts/{attempt_id}/submit", data={"confirm": "1"})
            assert response.headers["Location"].endswith(f"/attempts/{attempt_id}/result"), response.status_code
        return job

    problems = _race([start(app, learner) for learner in learners for app in (one, two)])
    assert not problems, problems[:5]
    problems = _race([answer_and_hand_in(app, learner) for learner in learners for app in (one, two)])
    assert not problems, problems[:5]
    certificates = _certificates(learners)
    for learner in learners:
        attempts = _rows(QuizAttempt, QuizAttempt.user_id == learner.id)
        assert len(attempts) == 1 and seen[learner.id] == [attempts[0].id] * 2
        assert attempts[0].correct_count == QUESTIONS
        assert len(_rows(Answer, Answer.attempt_id == attempts[0].id)) == QUESTIONS
        assert certificates[learner.id] == 1


def test_the_database_refuses_a_second_attempt_in_progress(app):
    """The partial unique index itself, on SQLite as on PostgreSQL; a handed-in attempt frees the place."""
    course = make_course()
    learner = make_learners(course, 1)[0]

    def attempt(number, **values):
        return QuizAttempt(user_id=learner.id, quiz_id=course.quiz_id, number=number, question_order=[],
                           choice_order={}, question_count=QUESTIONS, **values)

    db.session.add(attempt(1))
    db.session.commit()
    db.session.add(attempt(2))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.execute(sa.update(QuizAttempt).values(submitted_at=utcnow(), correct_count=0, passed=False))
    db.session.add(attempt(2))
    db.session.commit()
    assert len(_rows(QuizAttempt, QuizAttempt.user_id == learner.id)) == 2


def test_a_start_that_lost_the_race_resumes_the_attempt_in_progress(app, monkeypatch):
    """Another phone's attempt appears between the checks and the insert: that one is used, no error."""
    from lms.accounts.models import User
    from lms.quizzes import services
    from lms.quizzes.models import Quiz

    course = make_course()
    learner = db.session.get(User, make_learners(course, 1)[0].id)
    quiz = db.session.get(Quiz, course.quiz_id)
    real_attempts_of = services.attempts_of
    other = {}

    def attempts_of_meanwhile(user_id, quiz_):
        rows = real_attempts_of(user_id, quiz_)
        if not other:  # the other phone commits attempt 1 right after this learner's first look
            with db.engine.begin() as conn:
                other["id"] = conn.execute(sa.insert(QuizAttempt).values(
                    user_id=user_id, quiz_id=quiz_.id, number=1, question_order=course.question_ids,
                    choice_order={}, question_count=QUESTIONS, started_at=utcnow())
                    .returning(QuizAttempt.id)).scalar_one()
        return rows

    monkeypatch.setattr(services, "attempts_of", attempts_of_meanwhile)
    with app.test_request_context():
        attempt = services.start_attempt(learner, quiz)
        db.session.commit()
    assert attempt.id == other["id"]
    assert len(_rows(QuizAttempt, QuizAttempt.user_id == learner.id)) == 1
