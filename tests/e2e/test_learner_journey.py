"""Done-when of the phone reader: a demo learner finds a course by a search typed without
diacritics, reads every lesson, passes the checks and the final quiz — axe-clean on every page."""
import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.quizzes.models import Question, QuizAttempt
from tests.e2e.harness import assert_accessible, assert_no_console_errors

pytestmark = pytest.mark.e2e

COURSE = "an-toan-tren-mang"


def _answer_current_question(page, correct=True):
    """Pick the right choice by reading the key from the database, as a test can (a page never shows it)."""
    qid = int(page.locator('input[name="question_id"]').input_value())
    question = db.session.get(Question, qid)
    values = question.answer if correct else [v for v in ("true", "false") if [v] != question.answer][:1]
    for value in values:
        page.locator(f'input[name="choice"][value="{value}"]').check()


def test_learner_finds_reads_checks_and_passes_a_course_on_a_phone(live, phone_page, catalogue, make_user):
    learner = make_user(name="Nguyễn Thị Lan", phone="0912 345 600")
    page = phone_page
    page.goto(live("/login"))
    page.get_by_label("Số điện thoại").fill("0912345600")
    page.get_by_label("Mã PIN hoặc mật khẩu").fill("482916")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(live("/"))
    assert_accessible(page)

    page.get_by_label("Tìm bài học").fill("lua dao")
    page.get_by_role("button", name="Tìm", exact=True).click()
    assert_accessible(page)
    page.locator(f'.hits a[href^="/courses/{COURSE}/"]').first.click()
    page.get_by_role("link", name="An toàn trên mạng").click()
    assert_accessible(page)
    page.locator(".lessons a").first.click()

    lessons_read = 0
    while True:
        assert page.locator("article.lesson h1").is_visible()
        assert_accessible(page)
        page.get_by_role("button", name="Tôi đã học xong, làm bài kiểm tra nhanh").click()
        lessons_read += 1
        assert_accessible(page)
        page.get_by_role("button", name="Bắt đầu làm bài").click()
        while True:
            assert_accessible(page)
            _answer_current_question(page)
            page.get_by_role("button", name="Gửi câu trả lời").click()
            status = page.locator(".feedback[role=status]")
            status.wait_for()
            assert "Đúng rồi!" in status.inner_text()
            if page.get_by_role("link", name="Câu tiếp theo").count():
                page.get_by_role("link", name="Câu tiếp theo").click()
            else:
                page.get_by_role("button", name="Xem kết quả").click()
                break
        assert_accessible(page)
        if page.get_by_role("link", name="Sang bài tiếp theo").count():
            page.get_by_role("link", name="Sang bài tiếp theo").click()
        else:
            page.get_by_role("link", name="Về trang khoá học").click()
            break
    assert lessons_read == 6

    assert "Đã học 6/6 bài" in page.content()
    page.get_by_role("link", name="Làm bài kiểm tra cuối khoá").click()
    assert_accessible(page)
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    while "/review" not in page.url:
        assert_accessible(page)
        _answer_current_question(page)
        page.locator("form button.primary").click()
        page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_role("button", name="Nộp bài").click()
    assert "Chúc mừng! Bạn đã đạt bài kiểm tra cuối khoá." in page.locator(".result").inner_text()
    assert_accessible(page)
    assert_no_console_errors(page)
    attempt = db.session.scalar(sa.select(QuizAttempt).where(QuizAttempt.user_id == learner.id,
                                                             QuizAttempt.passed.is_(True)).order_by(QuizAttempt.id.desc()))
    assert attempt.quiz.kind == "final"


def test_high_contrast_and_bigger_text_work_on_a_phone(live, phone_page, catalogue):
    page = phone_page
    page.goto(live(f"/courses/{COURSE}/cuoc-goi-gia-danh"))
    size_before = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert size_before >= 18
    page.get_by_role("button", name="Chữ to hơn").click()
    page.get_by_role("button", name="Tương phản cao").click()
    for _ in range(100):  # changed in place, without reloading the page
        if page.evaluate("document.documentElement.className") == "text-1 contrast":
            break
        page.wait_for_timeout(50)
    assert page.evaluate("document.documentElement.className") == "text-1 contrast"
    assert page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)") > size_before
    assert_accessible(page)


def test_read_aloud_says_plainly_when_the_phone_has_no_vietnamese_voice(live, phone_page, catalogue):
    page = phone_page
    # Headless Chromium has no voices: exactly the case of a phone without a Vietnamese voice.
    page.goto(live(f"/courses/{COURSE}/cuoc-goi-gia-danh"))
    # It says so at once, instead of offering a button that cannot read.
    reason = page.locator(".read-aloud-why")
    reason.wait_for()
    assert "chưa có giọng đọc tiếng Việt" in reason.inner_text()
    assert not page.get_by_role("button", name="Đọc to bài này").is_visible()


def test_every_control_is_at_least_44_pixels_to_tap(live, phone_page, catalogue, make_user):
    page = phone_page
    for path in ("/login", "/courses/", f"/courses/{COURSE}/", f"/courses/{COURSE}/cuoc-goi-gia-danh"):
        page.goto(live(path))
        small = page.evaluate("""() => [...document.querySelectorAll('button, a.button, input, select, nav a, .lessons a')]
            .filter(el => el.offsetParent !== null && el.type !== 'hidden')
            .map(el => [el.outerHTML.slice(0, 80), el.getBoundingClientRect()])
            .filter(([, r]) => r.height < 44 || r.width < 44)
            .map(([html, r]) => html + ' ' + Math.round(r.width) + 'x' + Math.round(r.height))""")
        assert small == [], f"{path}: {small}"
