"""Issue 17's done-when for the phone course (framework group 0): a learner with a disability finds
"Làm quen với điện thoại" through the catalogue filters on a 360×640 phone, reads all six lessons
with their sources, answers every lesson check (practice phone screens included) and passes the
final quiz — no page wider than the phone, axe-clean throughout."""
import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.quizzes.models import Question, QuizAttempt
from tests.e2e.harness import assert_accessible, assert_no_console_errors

pytestmark = pytest.mark.e2e

COURSE = "lam-quen-dien-thoai"


def _answer_current_question(page):
    """Pick the right choice by reading the key from the database, as a test can (a page never shows it)."""
    qid = int(page.locator('input[name="question_id"]').input_value())
    for value in db.session.get(Question, qid).answer:
        page.locator(f'input[name="choice"][value="{value}"]').check()


def _assert_fits_the_phone(page):
    # A phone browser widens its layout to fit wide content, so compare with the screen's 360 px.
    width = page.evaluate("() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth,"
                          " ...[...document.querySelectorAll('body *')].filter(e => e.offsetParent !== null)"
                          " .map(e => e.getBoundingClientRect().right))")
    assert width <= 361, f"{page.url} is {width}px wide"


def test_learner_with_a_disability_finds_and_completes_the_phone_course_on_a_phone(
        live, phone_page, catalogue, make_user):
    learner = make_user(name="Trần Văn Sáu", phone="0912 345 617")
    page = phone_page
    page.goto(live("/login"))
    page.get_by_label("Số điện thoại").fill("0912345617")
    page.get_by_label("Mã PIN hoặc mật khẩu").fill("482916")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(live("/"))

    # The catalogue filters find the course for people with disabilities and for competence 0.1.
    page.goto(live("/courses/"))
    page.get_by_label("Dành cho").select_option("disability")
    page.get_by_label("Năng lực số").select_option("0.1")
    page.get_by_role("button", name="Lọc").click()
    page.wait_for_url("**audience=disability**")
    assert_accessible(page)
    _assert_fits_the_phone(page)
    assert page.get_by_role("link", name="AI cơ bản").count() == 0
    page.get_by_role("link", name="Làm quen với điện thoại").click()
    assert_accessible(page)
    page.locator(".lessons a").first.click()

    lessons_read = screens_seen = 0
    while True:
        assert page.locator("article.lesson h1").is_visible()
        sources = page.locator("section.sources")
        assert sources.get_by_role("heading", name="Nguồn").is_visible()
        assert sources.locator("li a[href^='http']").count() >= 1
        _assert_fits_the_phone(page)
        assert_accessible(page)
        page.get_by_role("button", name="Tôi đã học xong, làm bài kiểm tra nhanh").click()
        lessons_read += 1
        page.get_by_role("button", name="Bắt đầu làm bài").click()
        while True:
            if page.locator("figure.phone").count():
                screens_seen += 1
                assert page.locator("figure.phone .phone-badge").is_visible()
                _assert_fits_the_phone(page)
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
    assert screens_seen == 3  # a video call in lesson 5; an OTP message and a "bank" call in lesson 6

    assert "Đã học 6/6 bài" in page.content()
    page.get_by_role("link", name="Làm bài kiểm tra cuối khoá").click()
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    while "/review" not in page.url:
        assert_accessible(page)
        _assert_fits_the_phone(page)
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
    assert attempt.quiz.kind == "final" and attempt.quiz.course.slug == COURSE
