"""Choices are shown shuffled everywhere (checks after lessons too): the same order for one person
on every reload and every try, a different order for another person, scored by choice id."""
import re

import sqlalchemy as sa

from lms.extensions import db
from lms.quizzes.models import Question, Quiz, QuizAttempt
from lms.quizzes.services import choice_order_for
from tests.courses.small_course import load_course
from tests.quizzes.reading import read_every_lesson

CHOICE = re.compile(r'name="choice" value="([^"]+)"')


def _check(key):
    return db.session.scalar(sa.select(Quiz).where(Quiz.key == key))


def _question(key):
    return db.session.scalar(sa.select(Question).where(Question.key == key))


def _start(client, quiz):
    response = client.post(f"/quizzes/{quiz.id}/start")
    assert response.status_code == 302
    return db.session.get(QuizAttempt, int(re.search(r"/attempts/(\d+)/", response.headers["Location"]).group(1)))


def _shown(client, attempt, key):
    """The choice ids of question `key` as its page draws them, top to bottom."""
    number = attempt.question_order.index(_question(key).id) + 1
    page = client.get(f"/quizzes/attempts/{attempt.id}/{number}")
    assert page.status_code == 200
    return CHOICE.findall(page.get_data(as_text=True)), number


def test_a_lesson_check_shows_the_persons_shuffled_order_on_every_reload_and_try(app, client, auth, make_user, tmp_path):
    load_course(app, tmp_path / "content")
    learner = make_user()
    auth.login(learner)
    otp = _question("otp")
    expected = choice_order_for(learner.id, otp)

    attempt = _start(client, _check("cuoc-goi"))
    first, number = _shown(client, attempt, "otp")
    again, _ = _shown(client, attempt, "otp")
    assert first == again == expected and sorted(first) == ["a", "b", "c"]
    # Scored by id on the server: the right id wins wherever it is drawn.
    right = client.post(f"/quizzes/attempts/{attempt.id}/{number}", data={"question_id": otp.id, "choice": "b"})
    assert "Đúng rồi!" in right.get_data(as_text=True)
    for n, qid in enumerate(attempt.question_order, start=1):
        question = db.session.get(Question, qid)
        client.post(f"/quizzes/attempts/{attempt.id}/{n}", data={"question_id": qid, "choice": question.answer})
    client.post(f"/quizzes/attempts/{attempt.id}/submit")

    retry = _start(client, _check("cuoc-goi"))
    assert retry.id != attempt.id
    assert _shown(client, retry, "otp")[0] == expected


def test_different_people_see_different_orders(app, tmp_path):
    load_course(app, tmp_path / "content")
    questions = [_question(key) for key in ("otp", "dau-hieu", "tin-nhan", "chuyen-tien")]
    with app.test_request_context():
        orders = {tuple(tuple(choice_order_for(user_id, q)) for q in questions) for user_id in range(1, 7)}
        same = choice_order_for(1, questions[0]) == choice_order_for(1, questions[0])
    assert len(orders) > 1 and same
    assert all(sorted(order) == sorted(c["key"] for c in q.choices) for order, q in zip(next(iter(orders)), questions))


def test_a_final_quiz_shows_the_same_order_as_the_persons_own_order(app, client, auth, make_user, tmp_path):
    load_course(app, tmp_path / "content")
    learner = make_user()
    read_every_lesson(learner)
    auth.login(learner)
    attempt = _start(client, db.session.scalar(sa.select(Quiz).where(Quiz.key == "final")))
    for key in ("tin-nhan", "chuyen-tien"):
        assert _shown(client, attempt, key)[0] == choice_order_for(learner.id, _question(key))


def test_true_false_keeps_true_then_false(app, client, auth, make_user, tmp_path):
    load_course(app, tmp_path / "content")
    auth.login(make_user())
    attempt = _start(client, _check("cuoc-goi"))
    assert _shown(client, attempt, "cong-an")[0] == ["true", "false"]
