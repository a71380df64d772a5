"""One queued answer sent twice at the same moment, from two processes (a phone coming back online
in two tabs, or retrying while the first send is still on its way): counted once, by the database's
unique (person, client id), and the check scored once."""
import threading

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.offline.models import QueuedAnswer
from lms.quizzes.models import Answer, Question, Quiz, QuizAttempt
from tests.quizzes.postgres import (  # noqa: F401 (fixtures)
    RIGHT, _own_postgres_app, make_course, make_learners, pg_app, postgres_url, racing_app, signed_in_client,
)


def _make_check(course) -> tuple[int, list[int]]:
    from lms.courses.models import Lesson

    lesson_id = db.session.scalar(sa.select(Lesson.id).where(Lesson.course_id == course.id, Lesson.position == 1))
    quiz = Quiz(course_id=course.id, lesson_id=lesson_id, key="bai-1", kind="check", content_hash="c" * 64)
    db.session.add(quiz)
    db.session.flush()
    for i in (1, 2):
        db.session.add(Question(
            quiz_id=quiz.id, key=f"k{i}", position=i, type="single", prompt={"vi": f"Câu kiểm tra {i}?"},
            choices=[{"key": k, "text": {"vi": f"Lựa chọn {k}"}} for k in ("a", "b", "c")], screen=None,
            explanation={"vi": "Vì thế."}, answer=[RIGHT], content_hash="k" * 64))
    db.session.commit()
    return quiz.id, list(db.session.scalars(sa.select(Question.id).where(Question.quiz_id == quiz.id)
                                            .order_by(Question.position)))


@pytest.mark.postgres
def test_the_same_queued_answer_from_two_processes_at_once_is_counted_once(pg_app, racing_app):
    course = make_course()
    quiz_id, (first, last) = _make_check(course)
    learners = make_learners(course, 15)
    one, two = racing_app(), racing_app()
    url = f"/offline/checks/{quiz_id}/answers"
    for learner in learners:
        sent = signed_in_client(one, learner).post(url, json={
            "client_id": f"first-{learner.id}-0000", "question_id": first, "choices": [RIGHT]})
        assert sent.status_code == 200, sent.get_data(as_text=True)[:300]

    replies = {learner.id: [] for learner in learners}
    barrier = threading.Barrier(2 * len(learners))
    problems = []

    def send(app, learner):
        try:
            client = signed_in_client(app, learner)
            barrier.wait(timeout=120)
            reply = client.post(url, json={"client_id": f"last-{learner.id}-0000", "question_id": last,
                                           "choices": [RIGHT]})
            assert reply.status_code == 200, (reply.status_code, reply.get_data(as_text=True)[:300])
            replies[learner.id].append(reply.get_json())
        except Exception as exc:  # noqa: BLE001 (asserted below)
            problems.append(f"{type(exc).__name__}: {exc}"[:400])

    threads = [threading.Thread(target=send, args=(app, learner)) for learner in learners for app in (one, two)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert not problems, problems[:5]
    db.session.expire_all()
    for learner in learners:
        assert sorted(r["again"] for r in replies[learner.id]) == [False, True]
        assert all(r["finished"] and r["right"] == 2 and r["total"] == 2 for r in replies[learner.id])
        attempts = list(db.session.scalars(sa.select(QuizAttempt).where(QuizAttempt.user_id == learner.id)))
        assert [(a.correct_count, a.submitted_at is not None) for a in attempts] == [(2, True)]
        answers = db.session.scalar(sa.select(sa.func.count()).select_from(Answer)
                                    .where(Answer.attempt_id == attempts[0].id))
        receipts = db.session.scalar(sa.select(sa.func.count()).select_from(QueuedAnswer)
                                     .where(QueuedAnswer.user_id == learner.id))
        assert (answers, receipts) == (2, 2)
