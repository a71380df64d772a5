"""Answers queued on a phone without signal: graded on the server, each counted once."""
import re
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from lms.extensions import db
from lms.offline.models import QueuedAnswer
from lms.quizzes.models import Answer, QuizAttempt
from tests.factories import DEFAULT_PIN
from tests.offline.conftest import COURSE, check_of, final_of


@pytest.fixture()
def check(lan):
    return check_of(COURSE, "cuoc-goi-gia-danh")


def _send(client, quiz, question, choices, client_id=None):
    return client.post(f"/offline/checks/{quiz.id}/answers", json={
        "client_id": client_id or str(uuid.uuid4()), "question_id": question.id, "choices": choices})


def _wrong(question):
    if question.type == "true_false":
        return ["false" if question.answer == ["true"] else "true"]
    return [next(c["key"] for c in question.choices if c["key"] not in question.answer)]


def _count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_each_queued_answer_is_graded_here_and_the_last_one_scores_the_check(client, auth, lan, check):
    auth.login(lan)
    questions = check.active_questions
    replies = []
    for i, question in enumerate(questions):
        choices = list(question.answer) if i else _wrong(question)  # the first one wrong
        reply = _send(client, check, question, choices)
        assert reply.status_code == 200
        replies.append(reply.get_json())
    assert [r["correct"] for r in replies] == [False] + [True] * (len(questions) - 1)
    assert [r["finished"] for r in replies] == [False] * (len(questions) - 1) + [True]
    attempt = db.session.scalar(sa.select(QuizAttempt).where(QuizAttempt.user_id == lan.id))
    assert replies[-1] == {"question_id": questions[-1].id, "again": False, "correct": True, "finished": True,
                           "result_url": f"/quizzes/attempts/{attempt.id}/result",
                           "right": len(questions) - 1, "total": len(questions)}
    assert attempt.submitted_at is not None and attempt.correct_count == len(questions) - 1


def test_the_same_queued_answer_sent_twice_is_counted_once_even_after_the_check_is_finished(client, auth, lan, check):
    auth.login(lan)
    questions = check.active_questions
    ids = [str(uuid.uuid4()) for _ in questions]
    for question, client_id in zip(questions, ids):
        assert _send(client, check, question, list(question.answer), client_id).status_code == 200
    for question, client_id in zip(questions, ids):  # the whole queue again: replies lost on a weak line
        again = _send(client, check, question, _wrong(question), client_id)
        assert again.status_code == 200
        assert again.get_json()["again"] is True and again.get_json()["correct"] is True  # the first one stands
    assert _count(QuizAttempt) == 1  # no new attempt for answers already counted
    assert _count(Answer) == len(questions) and _count(QueuedAnswer) == len(questions)
    attempt = db.session.scalar(sa.select(QuizAttempt))
    assert attempt.correct_count == len(questions)


def test_the_database_refuses_a_second_receipt_of_one_id(client, auth, lan, check):
    auth.login(lan)
    question = check.active_questions[0]
    _send(client, check, question, list(question.answer), "phone-made-id-1")
    receipt = db.session.scalar(sa.select(QueuedAnswer))
    db.session.add(QueuedAnswer(user_id=lan.id, client_id="phone-made-id-1", attempt_id=receipt.attempt_id,
                                question_id=question.id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_one_id_from_two_people_is_two_answers(client, auth, lan, check, make_user):
    question = check.active_questions[0]
    auth.login(lan)
    _send(client, check, question, list(question.answer), "same-id-0001")
    auth.logout()
    auth.login(make_user(name="Trần Văn Bình"))
    reply = _send(client, check, question, _wrong(question), "same-id-0001")
    assert reply.get_json()["again"] is False and reply.get_json()["correct"] is False
    assert _count(Answer) == 2


@pytest.mark.parametrize("body, status, message", [
    ({"client_id": "short", "choices": ["a"]}, 422, "thiếu mã nhận diện"),
    ({"client_id": "ok-client-id-1", "choices": ["no-such-choice"]}, 422, "Hãy chọn một trong các câu trả lời có sẵn."),
    ({"client_id": "ok-client-id-2", "choices": []}, 422, "Hãy chọn một trong các câu trả lời có sẵn."),
    ({"client_id": "ok-client-id-3", "choices": "a"}, 422, "Hãy chọn một trong các câu trả lời có sẵn."),
    ({"client_id": "ok-client-id-4", "question_id": 999999, "choices": ["a"]}, 422, "không còn trong bài kiểm tra"),
])
def test_a_bad_queued_answer_gets_a_clear_message_and_writes_nothing(client, auth, lan, check, body, status, message):
    auth.login(lan)
    body = {"question_id": check.active_questions[0].id, **body}
    reply = client.post(f"/offline/checks/{check.id}/answers", json=body)
    assert reply.status_code == status
    assert message in reply.get_json()["error"]
    assert _count(Answer) == 0 and _count(QueuedAnswer) == 0 and _count(QuizAttempt) == 0


def test_a_final_quiz_is_never_answered_from_a_queue(client, auth, lan):
    auth.login(lan)
    final = final_of(COURSE)
    reply = _send(client, final, final.active_questions[0], ["a"])
    assert reply.status_code == 404
    assert reply.get_json()["error"] == "Không tìm thấy bài kiểm tra này."
    assert _count(QuizAttempt) == 0


def test_queued_answers_need_a_sign_in_and_the_csrf_token_of_the_session(other_app, lan, check):
    strict = other_app(WTF_CSRF_ENABLED=True).test_client()
    question = check.active_questions[0]
    body = {"client_id": "csrf-test-0001", "question_id": question.id, "choices": list(question.answer)}
    assert strict.post(f"/offline/checks/{check.id}/answers", json=body).status_code == 400
    login = strict.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', login).group(1)
    strict.post("/login", data={"phone": lan.phone, "secret": DEFAULT_PIN, "csrf_token": token})
    assert strict.post(f"/offline/checks/{check.id}/answers", json=body).status_code == 400
    fresh = strict.get("/offline/state").get_json()["csrf"]
    reply = strict.post(f"/offline/checks/{check.id}/answers", json=body, headers={"X-CSRFToken": fresh})
    assert reply.status_code == 200 and reply.get_json()["correct"] is True
    assert _count(Answer) == 1


def test_without_script_the_check_page_is_a_plain_form_graded_at_once(client, auth, lan, check):
    auth.login(lan)
    page = client.get(f"/offline/checks/{check.id}").get_data(as_text=True)
    question = check.active_questions[0]
    assert f'name="question_id" value="{question.id}"' in page
    reply = client.post(f"/offline/checks/{check.id}/answers",
                        data={"question_id": question.id, "choice": list(question.answer)})
    assert reply.status_code == 302
    assert reply.headers["Location"] == f"/offline/checks/{check.id}#q-{question.id}"
    assert db.session.scalar(sa.select(Answer.correct)) is True
    refused = client.post(f"/offline/checks/{check.id}/answers", data={"question_id": question.id})
    assert refused.status_code == 422
    assert "Hãy chọn một trong các câu trả lời có sẵn." in refused.get_data(as_text=True)


def test_an_answer_refused_after_its_receipt_leaves_nothing_half_written(client, auth, lan, check, monkeypatch):
    from lms.offline import services
    from lms.quizzes.services import QuizError

    def handed_in_meanwhile(*args, **kwargs):
        raise QuizError("submitted")

    monkeypatch.setattr(services, "answer_question", handed_in_meanwhile)
    auth.login(lan)
    question = check.active_questions[0]
    reply = _send(client, check, question, list(question.answer), "kept-for-later-1")
    assert reply.status_code == 409
    assert "sẽ được gửi lại sau" in reply.get_json()["error"]
    assert _count(QueuedAnswer) == 0 and _count(QuizAttempt) == 0 and _count(Answer) == 0
    monkeypatch.undo()
    assert _send(client, check, question, list(question.answer), "kept-for-later-1").get_json()["again"] is False
    assert _count(QueuedAnswer) == 1 and _count(Answer) == 1
