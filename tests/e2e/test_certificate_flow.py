"""Done-when of certificates: a learner finishes a course on a phone, sees the certificate, and a
stranger opening its link sees that it is valid, with the learner's name masked."""
import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from lms.certificates.models import Certificate
from lms.courses.models import Course, LessonProgress
from lms.extensions import db
from lms.quizzes.models import Question
from lms.timeutil import utcnow
from tests.e2e.harness import assert_accessible, assert_no_console_errors

pytestmark = pytest.mark.e2e

COURSE = "an-toan-tren-mang"


def _answer_current_question(page):
    """Pick the right choice by reading the key from the database, as a test can (a page never shows it)."""
    qid = int(page.locator('input[name="question_id"]').input_value())
    for value in db.session.get(Question, qid).answer:
        page.locator(f'input[name="choice"][value="{value}"]').check()


# A radio or checkbox inside its label is tapped through the label, so the label is measured.
SMALL_TARGETS = """() => [...document.querySelectorAll('button, a.button, input, select, nav a, .crumbs a')]
    .filter(el => el.offsetParent !== null && el.type !== 'hidden')
    .map(el => [el.outerHTML.slice(0, 80), (el.closest('label') || el).getBoundingClientRect()])
    .filter(([, r]) => r.height < 44 || r.width < 44)
    .map(([html, r]) => html + ' ' + Math.round(r.width) + 'x' + Math.round(r.height))"""


def _sign_in(page, live, phone: str, pin: str = "482916"):
    page.goto(live("/login"))
    page.get_by_label("Số điện thoại").fill(phone)
    page.get_by_label("Mã PIN hoặc mật khẩu").fill(pin)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(live("/"))


def test_a_learner_finishes_a_course_and_a_stranger_sees_the_certificate_is_valid(
        live, phone_page, new_browser_context, catalogue, make_ward, make_user):
    ward = make_ward("Phường Mẫu")
    learner = make_user(ward=ward, name="Nguyễn Thị Lan", phone="0912 345 610", birth_year=1956)
    course = db.session.scalar(sa.select(Course).where(Course.slug == COURSE))
    # The lessons were read earlier (the reader has its own browser test); the final quiz is taken here.
    for lesson in course.active_lessons:
        db.session.add(LessonProgress(user_id=learner.id, lesson_id=lesson.id, completed_at=utcnow()))
    db.session.commit()

    page = phone_page
    _sign_in(page, live, "0912345610")
    page.goto(live(f"/courses/{COURSE}/"))
    page.get_by_role("link", name="Làm bài kiểm tra cuối khoá").click()
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    while "/review" not in page.url:
        _answer_current_question(page)
        page.locator("form button.primary").click()
        page.wait_for_load_state()
    page.get_by_role("button", name="Nộp bài").click()
    assert "Chúc mừng! Bạn đã đạt bài kiểm tra cuối khoá." in page.locator(".result").inner_text()

    # Submitting the quiz issued the certificate in the same request.
    db.session.expire_all()
    certificate = db.session.scalar(sa.select(Certificate).where(Certificate.user_id == learner.id))
    assert certificate is not None and certificate.method == "online"

    page.get_by_text("Trình đơn", exact=True).click()  # the phone menu opens first
    page.get_by_role("link", name="Chứng nhận của tôi").click()
    assert_accessible(page)
    page.get_by_role("link", name="An toàn trên mạng").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Chứng nhận: An toàn trên mạng"
    assert "Chứng nhận hợp lệ" in page.locator(".cert-status").inner_text()
    assert_accessible(page)
    assert page.evaluate(SMALL_TARGETS) == []
    verify_link = page.locator(".cert-link a").get_attribute("href")
    assert verify_link.startswith(live("/verify/"))

    page.get_by_role("link", name="Xem bản in").click()
    assert "Nguyễn Thị Lan" in page.locator(".sheet").inner_text()
    assert page.locator(".sheet svg.qr").count() == 1
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải bản PDF").click()
    text = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes())).pages[0].extract_text()
    assert "Nguyễn Thị Lan" in text and "An toàn trên mạng" in text
    assert_no_console_errors(page)

    stranger = new_browser_context()
    stranger.goto(verify_link)
    assert stranger.get_by_role("heading", level=1).inner_text() == "Kiểm tra chứng nhận"
    assert "Chứng nhận hợp lệ" in stranger.locator(".cert-status").inner_text()
    shown = stranger.locator("main").inner_text()
    assert "Nguyễn T. L." in shown
    assert "Nguyễn Thị Lan" not in shown and "1956" not in shown
    assert_accessible(stranger)
    assert stranger.evaluate(SMALL_TARGETS) == []
    assert_no_console_errors(stranger)


def test_a_stranger_types_a_code_on_the_verify_form(live, new_browser_context, make_ward, make_user, app):
    ward = make_ward("Phường Mẫu")
    learner = make_user(ward=ward, name="Nguyễn Thị Lan")
    course = Course(slug="khoa-e2e", title={"vi": "Thanh toán số"}, summary={"vi": "x"}, audiences=["everyone"],
                    competences=["2.1"], level=1, minutes=10, version=1, content_hash="x")
    db.session.add(course)
    db.session.commit()
    from lms.certificates.services import issue_certificate

    certificate = issue_certificate(learner, course).certificate
    db.session.commit()

    page = new_browser_context()
    page.goto(live("/verify"))
    assert_accessible(page)
    page.get_by_label("Mã chứng nhận").fill(certificate.code.lower()[:6] + " " + certificate.code.lower()[6:])
    page.get_by_role("button", name="Kiểm tra").click()
    assert "Chứng nhận hợp lệ" in page.locator(".cert-status").inner_text()
    assert_no_console_errors(page)
    page.get_by_label("Mã chứng nhận").fill("ZZZZ-ZZZZ-ZZZZ")
    page.get_by_role("button", name="Kiểm tra").click()
    # A forged code is a 404 page (the browser logs the status; that is the point).
    assert "Không tìm thấy chứng nhận" in page.locator(".cert-status").inner_text()
    assert_accessible(page)
