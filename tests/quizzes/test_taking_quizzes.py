"""Taking checks and final quizzes: scored on the server, never twice, never leaking the key."""
import re
import threading

import pytest
import sqlalchemy as sa
from markupsafe import escape

from lms.extensions import db
from lms.quizzes.models import Answer, Question, Quiz, QuizAttempt
from lms.quizzes.services import plain_explanation
from tests.quizzes.reading import read_every_lesson

COURSE = "an-toan-tren-mang"


def _quiz(kind="final", key=None):
    query = sa.select(Quiz).join(Quiz.course).where(Quiz.kind == kind)
    query = query.where(Quiz.key == key) if key else query.where(Quiz.course.has(slug=COURSE))
    return db.session.scalar(query)


def _start(client, quiz):
    response = client.post(f"/quizzes/{quiz.id}/start")
    assert response.status_code == 302, response.get_data(as_text=True)
    attempt_id = int(re.search(r"/attempts/(\d+)/", response.headers["Location"]).group(1))
    return db.session.get(QuizAttempt, attempt_id)


def _right(question):
    return question.answer


def _wrong(question):
    if question.type == "true_false":
        return ["false" if question.answer == ["true"] else "true"]
    return [next(c["key"] for c in question.choices if c["key"] not in question.answer)]


def _answer_all(client, attempt, pick=_right, how_many=None):
    questions = [db.session.get(Question, qid) for qid in attempt.question_order]
    for number, question in enumerate(questions[:how_many], start=1):
        response = client.post(f"/quizzes/attempts/{attempt.id}/{number}",
                               data={"question_id": question.id, "choice": pick(question)})
        assert response.status_code in (200, 302), response.get_data(as_text=True)
    return questions


@pytest.fixture()
def learner(make_user, auth, catalogue):
    user = make_user()
    read_every_lesson(user)  # the final quiz opens once the lessons are read
    auth.login(user)
    return user


def test_a_check_gives_immediate_feedback_with_the_explanation(client, learner):
    quiz = _quiz("check", "cuoc-goi-gia-danh")
    attempt = _start(client, quiz)
    question = db.session.get(Question, attempt.question_order[0])
    right = client.post(f"/quizzes/attempts/{attempt.id}/1", data={"question_id": question.id, "choice": _right(question)})
    text = right.get_data(as_text=True)
    assert right.status_code == 200 and "Đúng rồi!" in text
    # A true/false explanation's leading "Sai."/"Đúng." is said as the right answer instead.
    assert str(escape(plain_explanation(question)["vi"])) in text
    assert 'role="status"' in text


def test_a_wrong_answer_is_said_in_words_not_only_colour(client, learner):
    attempt = _start(client, _quiz("check", "cuoc-goi-gia-danh"))
    question = db.session.get(Question, attempt.question_order[0])
    text = client.post(f"/quizzes/attempts/{attempt.id}/1",
                       data={"question_id": question.id, "choice": _wrong(question)}).get_data(as_text=True)
    assert "Chưa đúng." in text and "✘" in text


def test_htmx_answer_returns_only_the_question_fragment(client, learner):
    attempt = _start(client, _quiz("check", "cuoc-goi-gia-danh"))
    question = db.session.get(Question, attempt.question_order[0])
    text = client.post(f"/quizzes/attempts/{attempt.id}/1", headers={"HX-Request": "true"},
                       data={"question_id": question.id, "choice": _right(question)}).get_data(as_text=True)
    assert text.lstrip().startswith("<section") and "<html" not in text


def test_passing_the_final_quiz_is_scored_on_the_server(client, learner):
    quiz = _quiz()
    attempt = _start(client, quiz)
    _answer_all(client, attempt)
    result = client.post(f"/quizzes/attempts/{attempt.id}/submit")
    assert result.status_code == 302
    page = client.get(result.headers["Location"]).get_data(as_text=True)
    assert "Chúc mừng! Bạn đã đạt bài kiểm tra cuối khoá." in page
    db.session.refresh(attempt)
    assert attempt.passed and attempt.correct_count == attempt.question_count


def test_failing_hides_explanations_until_passed_or_out_of_tries(client, learner):
    quiz = _quiz()
    attempt = _start(client, quiz)
    questions = _answer_all(client, attempt, pick=_wrong)
    page = client.get(client.post(f"/quizzes/attempts/{attempt.id}/submit").headers["Location"]).get_data(as_text=True)
    assert "Bạn chưa đạt" in page
    assert all(str(escape(q.explanation["vi"])) not in page for q in questions)
    assert "Bạn còn 2 lần làm bài" in page


def test_attempts_are_limited_and_a_fourth_is_refused(client, learner):
    quiz = _quiz()
    for _ in range(quiz.max_attempts):
        attempt = _start(client, quiz)
        _answer_all(client, attempt, pick=_wrong)
        client.post(f"/quizzes/attempts/{attempt.id}/submit")
    refused = client.post(f"/quizzes/{quiz.id}/start")
    assert refused.status_code == 403
    assert "dùng hết số lần làm bài" in refused.get_data(as_text=True)
    last = db.session.scalars(sa.select(QuizAttempt).order_by(QuizAttempt.number.desc())).first()
    page = client.get(f"/quizzes/attempts/{last.id}/result").get_data(as_text=True)
    assert "Từng câu hỏi" in page  # out of tries: now the explanations teach


def test_submitting_twice_counts_one_attempt(client, learner):
    quiz = _quiz()
    attempt = _start(client, quiz)
    _answer_all(client, attempt, pick=_wrong)
    client.post(f"/quizzes/attempts/{attempt.id}/submit")
    client.post(f"/quizzes/attempts/{attempt.id}/submit")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt)) == 1
    page = client.get(f"/quizzes/{quiz.id}/").get_data(as_text=True)
    assert "Còn 2 lần làm bài" in page


def test_a_double_tap_on_start_resumes_the_same_attempt(client, learner):
    quiz = _quiz()
    first = _start(client, quiz)
    second = _start(client, quiz)
    assert first.id == second.id


def test_an_answer_resubmitted_does_not_add_a_row(client, learner):
    attempt = _start(client, _quiz("check", "cuoc-goi-gia-danh"))
    question = db.session.get(Question, attempt.question_order[0])
    for _ in range(3):
        client.post(f"/quizzes/attempts/{attempt.id}/1", data={"question_id": question.id, "choice": _wrong(question)})
    client.post(f"/quizzes/attempts/{attempt.id}/1", data={"question_id": question.id, "choice": _right(question)})
    answers = db.session.scalars(sa.select(Answer)).all()
    assert len(answers) == 1 and answers[0].correct is False  # a check's first answer stands


def test_concurrent_submits_score_once(app, client, learner):
    quiz = _quiz()
    attempt = _start(client, quiz)
    _answer_all(client, attempt)
    cookie = client.get_cookie("session")
    codes = []

    def submit():
        other = app.test_client()
        other.set_cookie("session", cookie.value)
        codes.append(other.post(f"/quizzes/attempts/{attempt.id}/submit").status_code)

    threads = [threading.Thread(target=submit) for _ in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert codes == [302] * 4
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt)) == 1
    assert db.session.get(QuizAttempt, attempt.id).passed is True


def test_questions_are_shuffled_per_attempt_and_choices_keep_the_persons_order(client, learner):
    quiz = _quiz()
    question_orders, choice_orders = set(), set()
    for _ in range(quiz.max_attempts):
        attempt = _start(client, quiz)
        question_orders.add(tuple(attempt.question_order))
        choice_orders.add(tuple(sorted((qid, tuple(keys)) for qid, keys in attempt.choice_order.items())))
        client.post(f"/quizzes/attempts/{attempt.id}/submit", data={"confirm": "1"})
    assert len(question_orders) > 1
    assert len(choice_orders) == 1  # the same person sees each question's choices in one order


def test_no_question_page_contains_the_answer_key(client, learner):
    """The page for a question is the same whichever choice is the right one."""
    quiz = _quiz()
    attempt = _start(client, quiz)
    for number, qid in enumerate(attempt.question_order, start=1):
        question = db.session.get(Question, qid)
        before = client.get(f"/quizzes/attempts/{attempt.id}/{number}").get_data(as_text=True)
        original = question.answer
        question.answer = _wrong(question)
        db.session.commit()
        after = client.get(f"/quizzes/attempts/{attempt.id}/{number}").get_data(as_text=True)
        question.answer = original
        db.session.commit()
        # The CSRF token is signed with the time: two requests a second apart differ there only.
        strip = lambda html: re.sub(r'(name="csrf_token" value|name="csrf-token" content)="[^"]*"', "", html)  # noqa: E731
        assert strip(before) == strip(after)


def test_an_answer_for_another_quizs_question_is_refused(client, learner):
    attempt = _start(client, _quiz())
    foreign = db.session.scalar(sa.select(Question).join(Quiz).where(Quiz.kind == "check"))
    response = client.post(f"/quizzes/attempts/{attempt.id}/1", data={"question_id": foreign.id, "choice": foreign.answer})
    assert response.status_code == 422
    assert "không thuộc bài kiểm tra" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 0


@pytest.mark.parametrize("choice", [["zz"], [], ["a", "a"], ["<script>"]])
def test_a_choice_that_is_not_the_questions_is_refused(client, learner, choice):
    attempt = _start(client, _quiz())
    question = db.session.get(Question, attempt.question_order[0])
    response = client.post(f"/quizzes/attempts/{attempt.id}/1", data={"question_id": question.id, "choice": choice})
    assert response.status_code == 422
    assert "Hãy chọn một trong các câu trả lời có sẵn." in response.get_data(as_text=True)


def test_someone_elses_attempt_is_not_found(app, client, learner, make_user):
    attempt = _start(client, _quiz())
    stranger = app.test_client()
    other = make_user(name="Người Khác")
    stranger.post("/login", data={"phone": other.phone, "secret": "482916"})
    for url in (f"/quizzes/attempts/{attempt.id}/1", f"/quizzes/attempts/{attempt.id}/review",
                f"/quizzes/attempts/{attempt.id}/result"):
        assert stranger.get(url).status_code == 404
    assert stranger.post(f"/quizzes/attempts/{attempt.id}/submit").status_code == 404


def test_an_expired_session_mid_quiz_loses_no_answers(app, client, learner):
    quiz = _quiz()
    attempt = _start(client, quiz)
    _answer_all(client, attempt, how_many=3)
    client.cookie_jar.clear() if hasattr(client, "cookie_jar") else client.delete_cookie("session")
    response = client.get(f"/quizzes/attempts/{attempt.id}/4")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    client.post("/login", data={"phone": learner.phone, "secret": "482916"})
    resumed = client.post(f"/quizzes/{quiz.id}/start")
    assert resumed.headers["Location"].endswith(f"/attempts/{attempt.id}/4")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 3


def test_missing_quiz_and_question_numbers_are_404(client, learner):
    assert client.get("/quizzes/999999/").status_code == 404
    attempt = _start(client, _quiz())
    assert client.get(f"/quizzes/attempts/{attempt.id}/999").status_code == 404


def test_a_picture_question_shows_each_picture_with_its_description(client, learner):
    picture = db.session.scalar(sa.select(Question).where(Question.type == "picture"))
    attempt = _start(client, picture.quiz)
    number = attempt.question_order.index(picture.id) + 1
    page = client.get(f"/quizzes/attempts/{attempt.id}/{number}").get_data(as_text=True)
    for choice in picture.choices:
        assert f'/courses/{picture.quiz.course.slug}/images/{choice["image"].removeprefix("images/")}' in page
        assert f'alt="{escape(choice["alt"]["vi"])}"' in page


def test_a_scenario_is_drawn_as_a_phone_screen_without_live_links(client, learner):
    scenario = db.session.scalar(sa.select(Question).where(Question.type == "scenario",
                                                           Question.screen["kind"].as_string() == "sms"))
    attempt = _start(client, scenario.quiz)
    number = attempt.question_order.index(scenario.id) + 1
    page = client.get(f"/quizzes/attempts/{attempt.id}/{number}").get_data(as_text=True)
    assert 'class="phone"' in page and "Đây là màn hình giả" in page
    if scenario.screen.get("link"):
        assert f'href="{scenario.screen["link"]}' not in page


def test_every_multiple_question_asks_once_to_choose_all_correct_answers(client, learner):
    multiple = db.session.scalars(sa.select(Question).where(Question.type == "multiple",
                                                            Question.retired_at.is_(None))).all()
    assert multiple
    for question in multiple:
        for lang in ("vi", "en"):
            assert not re.search(r"chọn tất cả|choose all", question.prompt.get(lang, ""), re.IGNORECASE)
    question = multiple[0]
    attempt = _start(client, question.quiz)
    number = attempt.question_order.index(question.id) + 1
    page = client.get(f"/quizzes/attempts/{attempt.id}/{number}").get_data(as_text=True)
    assert len(re.findall(r"chọn tất cả", page, re.IGNORECASE)) == 1
