"""A long unbroken word or link (60 characters) never widens the page on a 360 px phone: the lesson
text, a table in it, its sources and a quiz's choices wrap instead (lms/static/css/app.css)."""
import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.quizzes.models import Question, Quiz
from tests.content.conftest import LESSON_2, QUIZ_2
from tests.courses.small_course import load_course
from tests.e2e.harness import PHONE, assert_no_console_errors

pytestmark = pytest.mark.e2e

WORD = "Matkhaucuabanphaidaivakhodoannhungdedoivoichinhban2026nhenha"  # 60 letters
URL = "https://dichvucong.example/thu-tuc/dang-ky-tai-khoan-muc-hai-vneid"
LESSON = LESSON_2 + f"""
Một mật khẩu như {WORD} thì dài. Đường link {URL} cũng dài.

| Cách đặt | Ví dụ |
|---|---|
| Ghép nhiều chữ | {WORD} |
"""
QUIZ = QUIZ_2.replace("Lan-thich-hoa-sen-2024", WORD)


def _no_sideways_scroll(page):
    # A phone browser widens its layout to fit wide content, so compare with the screen's 360 px,
    # not with window.innerWidth (which grows with the page).
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.body.scrollWidth,"
                           " Math.max(...[...document.querySelectorAll('main *')].map(e => e.getBoundingClientRect().right))]")
    assert max(widths) <= PHONE["width"], f"the page is {widths} px wide on a {PHONE['width']} px screen ({page.url})"


def test_a_lesson_and_a_question_with_long_words_fit_a_360px_phone(live, phone_page, make_user, tmp_path, monkeypatch):
    root = load_course(live.app, tmp_path / "content", {"02-mat-khau.md": LESSON, "02-mat-khau.quiz.yaml": QUIZ})
    monkeypatch.setitem(live.app.config, "CONTENT_DIR", str(root))  # the course's pictures
    make_user(phone="0912 345 601")
    page = phone_page
    page.goto(live("/login"))
    page.get_by_label("Số điện thoại").fill("0912345601")
    page.get_by_label("Mã PIN hoặc mật khẩu").fill("482916")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(live("/"))

    page.goto(live("/courses/an-toan/mat-khau"))
    assert page.get_by_text(WORD).first.is_visible()
    assert page.locator("table").get_by_text(WORD).is_visible()
    _no_sideways_scroll(page)

    quiz = db.session.scalar(sa.select(Quiz).where(Quiz.key == "mat-khau"))
    question = db.session.scalar(sa.select(Question).where(Question.key == "dau-hieu"))
    page.goto(live(f"/quizzes/{quiz.id}/"))
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    while int(page.locator('input[name="question_id"]').input_value()) != question.id:
        page.get_by_role("radio").first.check()
        page.get_by_role("button", name="Gửi câu trả lời").click()
        page.get_by_role("link", name="Câu tiếp theo").click()
    assert page.get_by_text(WORD).is_visible()
    _no_sideways_scroll(page)
    assert_no_console_errors(page)
