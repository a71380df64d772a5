"""After answering a check on a 360×640 phone: one consistent message (right or wrong, the right
choice named and marked in words, the explanation), and focus on "Câu tiếp theo"."""
import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.quizzes.models import Question, Quiz
from tests.e2e.harness import assert_accessible, assert_no_console_errors

pytestmark = pytest.mark.e2e


def _check_with_a_false_statement():
    for question in db.session.scalars(sa.select(Question).join(Question.quiz).where(
            Question.type == "true_false", Quiz.kind == "check", Question.retired_at.is_(None))):
        if question.explanation["vi"].startswith("Sai.") and question.answer == ["false"]:
            return question.quiz
    pytest.skip("no check with a false statement explained with 'Sai.'")


def test_answers_read_consistently_and_focus_moves_on(live, phone_page, catalogue, make_user):
    make_user(name="Nguyễn Thị Lan", phone="0912 345 611")
    quiz = _check_with_a_false_statement()
    page = phone_page
    page.goto(live("/login"))
    page.get_by_label("Số điện thoại").fill("0912345611")
    page.get_by_label("Mã PIN hoặc mật khẩu").fill("482916")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(live("/"))
    page.goto(live(f"/quizzes/{quiz.id}/"))
    page.get_by_role("button", name="Bắt đầu làm bài").click()

    seen_true_false = seen_wrong_choice = False
    while True:
        qid = int(page.locator('input[name="question_id"]').input_value())
        question = db.session.get(Question, qid)
        if question.type == "true_false":
            # Right about a false statement: never "Đúng rồi!" followed by "Sai. …".
            page.locator(f'input[name="choice"][value="{question.answer[0]}"]').check()
        else:
            wrong = next(c["key"] for c in question.choices if c["key"] not in question.answer)
            page.locator(f'input[name="choice"][value="{wrong}"]').check()
        page.locator("#question button[type=submit]").click()
        box = page.locator(".feedback[role=status]")
        box.wait_for()
        text = box.inner_text()
        assert "Đáp án đúng:" in text
        marks = page.locator(".choice .mark.right")
        assert marks.count() >= 1 and "Đáp án đúng" in marks.first.inner_text()
        if question.type == "true_false":
            seen_true_false = True
            assert "Đúng rồi!" in text and "Chưa đúng" not in text
            assert "Sai." not in text.replace("Đáp án đúng: Sai", "")
            assert "Đáp án đúng: Sai" in text
        else:
            seen_wrong_choice = True
            assert "Chưa đúng." in text and "Đúng rồi!" not in text and "Bạn chọn:" in text
            right = next(c for c in question.choices if c["key"] in question.answer)
            label = (right.get("text") or right.get("alt"))["vi"]
            assert label in text
            assert page.locator(".choice .mark.wrong").count() == 1
        # The page is no wider than the phone, and the next step has the focus.
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        focused = page.evaluate("document.activeElement && document.activeElement.textContent.trim()")
        assert_accessible(page)
        if page.get_by_role("link", name="Câu tiếp theo").count():
            assert focused.startswith("Câu tiếp theo"), focused
            page.keyboard.press("Enter")
            page.wait_for_load_state()
        else:
            assert focused == "Xem kết quả", focused
            page.keyboard.press("Enter")
            break
    page.wait_for_url("**/result")
    assert seen_true_false
    assert page.locator("ol.review .right-answer").count() == len(quiz.active_questions)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)
    assert_no_console_errors(page)
    if not seen_wrong_choice:
        pytest.skip("this check has only true/false questions")
