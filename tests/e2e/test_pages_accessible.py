"""axe-core on the pages the foundation and reader issues add, for each kind of user, phone and projector."""
import pytest

from tests.e2e.harness import assert_accessible, assert_no_console_errors

pytestmark = pytest.mark.e2e


def _sign_in(page, live, phone, pin="482916"):
    page.goto(live("/login"))
    page.get_by_label("Số điện thoại").fill(phone)
    page.get_by_label("Mã PIN hoặc mật khẩu").fill(pin)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(live("/"))


def test_coordinator_pages_are_accessible_on_a_desktop(live, projector_page, make_ward, make_user):
    ward = make_ward()
    make_user(("coordinator",), ward=ward, phone="0912 000 101")
    person = make_user(ward=ward, name="Phạm Văn Hùng", phone="0912 000 102")
    page = projector_page
    _sign_in(page, live, "0912000101")
    for path in ("/people/", f"/people/{person.id}", f"/people/{person.id}/edit", "/account/pin", "/courses/"):
        page.goto(live(path))
        assert_accessible(page)
    page.goto(live(f"/people/{person.id}"))
    page.get_by_role("button", name="Đặt lại mã PIN").click()
    assert len(page.locator(".pin").inner_text().replace(" ", "")) == 6
    assert_accessible(page)
    page.goto(live(f"/people/{person.id}/edit"))
    page.get_by_label("Số điện thoại").fill("123")
    page.get_by_role("button", name="Lưu").click()
    assert page.get_by_text("Số điện thoại chưa đúng").is_visible()
    assert_accessible(page)
    assert_no_console_errors(page)


def test_learner_pages_are_accessible_in_english_too(live, phone_page, catalogue, make_user):
    make_user(phone="0912 000 103")
    page = phone_page
    _sign_in(page, live, "0912000103")
    page.get_by_role("button", name="English").click()
    for path in ("/", "/courses/", "/courses/thanh-toan-so/", "/courses/thanh-toan-so/thanh-toan-qr",
                 "/my-learning", "/courses/search?q=vneid", "/no-such-page"):
        page.goto(live(path))
        assert page.evaluate("document.documentElement.lang") == "en"
        assert_accessible(page)
    assert_no_console_errors(page)


def test_error_pages_are_accessible(live, phone_page):
    page = phone_page
    page.goto(live("/courses/khong-co/"))
    assert "Không tìm thấy trang" in page.locator("h1").inner_text()
    assert_accessible(page)
