"""Sharing a certificate from a 360×640 phone: the phone's share sheet (Web Share API, stubbed at the
browser edge), copying the link with a visible confirmation, the link to copy by hand where the browser
can do neither, and the signed files under "Dành cho người kiểm tra"."""
import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.certificates.codes import display_code
from lms.courses.models import Course
from lms.extensions import db
from tests.e2e.harness import PHONE, _page, assert_accessible, assert_no_console_errors
from tests.factories import DEFAULT_PIN

pytestmark = pytest.mark.e2e

COURSE = "an-toan-tren-mang"
# The stand-ins record what the page asked for; the real share sheet and clipboard belong to the phone.
SHARE_STUB = """
window.__shared = [];
Object.defineProperty(navigator, "share", {configurable: true,
  value: function (data) { window.__shared.push(data); return Promise.resolve(); }});
"""
CLIPBOARD_STUB = """
window.__copied = [];
Object.defineProperty(navigator, "clipboard", {configurable: true,
  value: {writeText: function (text) { window.__copied.push(text); return Promise.resolve(); }}});
"""
NEITHER = """
Object.defineProperty(navigator, "share", {configurable: true, value: undefined});
Object.defineProperty(navigator, "clipboard", {configurable: true, value: undefined});
"""
WIDTH = ("() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth,"
         " ...[...document.querySelectorAll('body *')].filter(e => e.offsetParent !== null)"
         " .map(e => e.getBoundingClientRect().right))")


@pytest.fixture()
def certificate(app, catalogue, make_ward, make_user):
    from lms.certificates.services import issue_certificate
    from tests.certificates.conftest import finish

    ward = make_ward("Phường Mẫu")
    learner = make_user(ward=ward, name="Nguyễn Thị Lan", phone="0912 345 620", birth_year=1956)
    course = db.session.scalar(sa.select(Course).where(Course.slug == COURSE))
    finish(learner, course)
    issued = issue_certificate(db.session.get(User, learner.id), course).certificate
    db.session.commit()
    return issued


def _phone(browser, init_script: str):
    context, page = _page(browser, PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    context.add_init_script(init_script)
    return context, page


def _open(page, live, certificate):
    page.goto(live("/login"))
    page.get_by_label("Số điện thoại").fill("0912345620")
    page.get_by_label("Mã PIN hoặc mật khẩu").fill(DEFAULT_PIN)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(live("/"))
    page.goto(live(f"/certificates/{certificate.id}"))


def _wait(page, condition: str) -> None:
    for _ in range(100):
        if page.evaluate(condition):
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"never true: {condition}")


def test_the_learner_shares_the_certificate_through_the_phones_share_sheet(live, browser, certificate):
    context, page = _phone(browser, SHARE_STUB + CLIPBOARD_STUB)
    try:
        _open(page, live, certificate)
        share = page.get_by_role("button", name="Chia sẻ")
        assert share.is_visible()
        box = share.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44
        share.click()
        _wait(page, "() => window.__shared.length === 1")
        [shared] = page.evaluate("() => window.__shared")
        assert shared["url"] == live(f"/verify/{display_code(certificate.code)}")
        assert "An toàn trên mạng" in shared["title"] and "An toàn trên mạng" in shared["text"]
        assert "Nguyễn" not in shared["text"]  # the page behind the link decides how the name shows
        assert page.get_by_role("status").inner_text() == "Đã mở phần chia sẻ của điện thoại."
        # with a share sheet and a clipboard, no need to tell people to copy by hand
        assert not page.get_by_text("nhấn giữ vào đường link").is_visible()

        page.get_by_role("button", name="Sao chép liên kết").click()
        _wait(page, "() => window.__copied.length === 1")
        assert page.evaluate("() => window.__copied") == [live(f"/verify/{display_code(certificate.code)}")]
        status = page.get_by_role("status")
        assert status.is_visible() and "Đã chép liên kết" in status.inner_text()

        # the signed files are for whoever checks them, under their own heading, after the sharing
        heading = page.get_by_role("heading", name="Dành cho người kiểm tra")
        assert heading.is_visible()
        section = page.locator("section", has=heading)
        assert section.get_by_role("link", name="Tải chứng nhận số (.json)").count() == 1
        assert section.get_by_role("link", name="Tải chứng nhận số (.jwt)").count() == 1
        assert page.locator("main a[href$='credential.json']").count() == 1
        assert heading.bounding_box()["y"] > share.bounding_box()["y"]

        assert page.evaluate(WIDTH) <= PHONE["width"]
        assert_no_console_errors(page)
        assert_accessible(page)
    finally:
        context.close()


def test_where_the_phone_can_neither_share_nor_copy_the_link_is_there_to_copy_by_hand(live, browser, certificate):
    context, page = _phone(browser, NEITHER)
    try:
        _open(page, live, certificate)
        # the buttons are on the page but stay hidden: a button that does nothing is never shown
        assert page.locator("[data-share]").count() == 1 and page.locator("[data-share]").is_hidden()
        assert page.locator("[data-copy]").count() == 1 and page.locator("[data-copy]").is_hidden()
        assert page.get_by_role("button", name="Chia sẻ").count() == 0
        assert page.get_by_text("nhấn giữ vào đường link ở trên").is_visible()
        link = page.locator("main .cert-link a")
        assert link.is_visible() and link.inner_text() == live(f"/verify/{display_code(certificate.code)}")
        assert page.evaluate(WIDTH) <= PHONE["width"]
        assert_no_console_errors(page)
    finally:
        context.close()


def test_a_failed_copy_says_so_and_shows_the_link_to_copy_by_hand(live, browser, certificate):
    context, page = _phone(browser, NEITHER.replace(
        'Object.defineProperty(navigator, "clipboard", {configurable: true, value: undefined});',
        'Object.defineProperty(navigator, "clipboard", {configurable: true, value: {writeText: function () {'
        ' return Promise.reject(new Error("denied")); }}});'))
    try:
        _open(page, live, certificate)
        assert not page.get_by_text("nhấn giữ vào đường link ở trên").is_visible()
        page.get_by_role("button", name="Sao chép liên kết").click()
        _wait(page, "() => document.querySelector('[data-share-status]').textContent.length > 0")
        assert "Không chép được" in page.get_by_role("status").inner_text()
        assert page.get_by_text("nhấn giữ vào đường link ở trên").is_visible()
    finally:
        context.close()
