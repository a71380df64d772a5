"""After an answer: one consistent message — right or wrong, the right choice in words, the explanation."""
import re

import pytest
import sqlalchemy as sa
from markupsafe import escape

from lms.extensions import db
from lms.quizzes.models import Question, Quiz, QuizAttempt
from tests.quizzes.reading import read_every_lesson
from tests.quizzes.test_taking_quizzes import _answer_all, _quiz, _right, _start, _wrong


@pytest.fixture()
def learner(make_user, auth, catalogue):
    user = make_user()
    read_every_lesson(user)
    auth.login(user)
    return user


def _check_with_true_false_opening(verdict):
    """A check whose true/false question's explanation starts with "Sai." or "Đúng."."""
    for question in db.session.scalars(sa.select(Question).join(Question.quiz).where(
            Question.type == "true_false", Quiz.kind == "check", Question.retired_at.is_(None))):
        if question.explanation["vi"].startswith(verdict + "."):
            return question
    pytest.skip(f"no true/false question explained with {verdict!r}")


def _answer_in_check(client, question, choice):
    attempt = _start(client, question.quiz)
    number = attempt.question_order.index(question.id) + 1
    response = client.post(f"/quizzes/attempts/{attempt.id}/{number}", data={"question_id": question.id, "choice": choice})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _feedback(text):
    return re.search(r'<div class="feedback.*?</div>', text, re.S).group(0)


def test_a_right_true_false_answer_never_reads_right_then_false(client, learner):
    question = _check_with_true_false_opening("Sai")
    box = _feedback(_answer_in_check(client, question, _right(question)))
    assert "Đúng rồi!" in box
    assert "Sai. " not in box  # the statement's verdict is said once, as the right answer
    assert re.search(r"Đáp án đúng:.*<strong>Sai</strong>", box, re.S)
    rest = question.explanation["vi"].split(".", 1)[1].strip()
    assert str(escape(rest)) in box


def test_a_wrong_true_false_answer_says_what_was_chosen_and_what_is_right(client, learner):
    question = _check_with_true_false_opening("Sai")
    text = _answer_in_check(client, question, _wrong(question))
    box = _feedback(text)
    assert "Chưa đúng." in box and "✘" in box
    assert re.search(r"Bạn chọn:\s*Đúng", box)
    assert re.search(r"Đáp án đúng:.*<strong>Sai</strong>", box, re.S)
    assert "Đúng rồi!" not in box
    # The choice list marks the right answer in words, not only by colour.
    assert text.count("Đáp án đúng</strong>") == 1


def test_a_wrong_choice_shows_the_right_choice(client, learner):
    quiz = _quiz("check", "cuoc-goi-gia-danh")
    attempt = _start(client, quiz)
    number, question = next((n, q) for n, q in enumerate(
        (db.session.get(Question, qid) for qid in attempt.question_order), 1) if q.type != "true_false")
    text = client.post(f"/quizzes/attempts/{attempt.id}/{number}",
                       data={"question_id": question.id, "choice": _wrong(question)}).get_data(as_text=True)
    box = _feedback(text)
    right = next(c for c in question.choices if c["key"] in question.answer)
    label = right["text"]["vi"] if right.get("text") else right["alt"]["vi"]
    assert "Đáp án đúng:" in box and str(escape(label)) in box
    assert str(escape(question.explanation["vi"])) in box
    assert "✘ </span>Bạn chọn</strong>" in text


def test_the_next_question_link_takes_focus_after_an_answer(client, learner):
    attempt = _start(client, _quiz("check", "cuoc-goi-gia-danh"))
    question = db.session.get(Question, attempt.question_order[0])
    text = client.post(f"/quizzes/attempts/{attempt.id}/1", headers={"HX-Request": "true"},
                       data={"question_id": question.id, "choice": _right(question)}).get_data(as_text=True)
    assert re.search(r'<a class="button primary" autofocus [^>]*>Câu tiếp theo', text)


def test_a_check_page_before_answering_shows_no_answer(client, learner):
    attempt = _start(client, _quiz("check", "cuoc-goi-gia-danh"))
    text = client.get(f"/quizzes/attempts/{attempt.id}/1").get_data(as_text=True)
    assert "Đáp án đúng" not in text


def test_final_quiz_review_shows_the_right_choice_once_answers_may_be_shown(client, learner):
    quiz = _quiz("final")
    for _try in range(quiz.max_attempts):
        attempt = _start(client, quiz)
        _answer_all(client, attempt, pick=_wrong)
        client.post(f"/quizzes/attempts/{attempt.id}/submit")
    db.session.expire_all()
    text = client.get(f"/quizzes/attempts/{attempt.id}/result").get_data(as_text=True)
    assert text.count("Đáp án đúng:") == attempt.question_count
    assert text.count("Bạn chọn:") == attempt.question_count


def test_final_quiz_with_tries_left_does_not_show_the_key(client, learner):
    quiz = _quiz("final")
    attempt = _start(client, quiz)
    _answer_all(client, attempt, pick=_wrong)
    client.post(f"/quizzes/attempts/{attempt.id}/submit", data={"confirm": "1"})
    text = client.get(f"/quizzes/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "Đáp án đúng" not in text


def test_submitting_with_unanswered_questions_asks_first_and_scores_nothing(client, learner):
    quiz = _quiz("final")
    attempt = _start(client, quiz)
    questions = _answer_all(client, attempt, how_many=attempt.question_count - 2)
    asked = client.post(f"/quizzes/attempts/{attempt.id}/submit")
    text = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Nộp bài khi còn câu chưa trả lời?" in text
    total = attempt.question_count
    assert f"Câu {total - 1}</a>" in text and f"Câu {total}</a>" in text and f"Câu {total - 2}</a>" not in text
    assert 'name="confirm" value="1"' in text and ">Nộp bài</button>" in text
    db.session.refresh(attempt)
    assert attempt.submitted_at is None and attempt.correct_count is None
    assert client.get(f"/quizzes/{quiz.id}/").get_data(as_text=True).count("Còn 3 lần làm bài") == 1
    done = client.post(f"/quizzes/attempts/{attempt.id}/submit", data={"confirm": "1"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/attempts/{attempt.id}/result")
    db.session.refresh(attempt)
    assert attempt.submitted_at is not None and attempt.correct_count == len(questions) - 2


def test_submitting_with_every_question_answered_asks_nothing(client, learner):
    quiz = _quiz("final")
    attempt = _start(client, quiz)
    _answer_all(client, attempt)
    assert client.post(f"/quizzes/attempts/{attempt.id}/submit").status_code == 302
