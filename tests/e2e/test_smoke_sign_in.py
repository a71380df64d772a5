"""Smoke test: a learner signs in on a phone."""
import pytest

from tests.e2e.harness import assert_accessible, assert_no_console_errors

pytestmark = pytest.mark.e2e


def test_learner_signs_in_on_a_phone_with_number_and_pin(live, phone_page, make_ward, make_user):
    ward = make_ward()
    learner = make_user(ward=ward, name="Nguyễn Thị Lan", phone="0912 345 678", pin="482916")
    page = phone_page

    page.goto(live("/login"))
    assert_accessible(page)
    page.get_by_label("Số điện thoại").fill("0912.345.678")
    page.get_by_label("Mã PIN hoặc mật khẩu").fill("482916")
    page.get_by_role("button", name="Đăng nhập").click()

    page.wait_for_url(live("/"))
    assert page.get_by_role("heading", level=1).inner_text() == f"Xin chào, {learner.full_name}"
    assert_accessible(page)
    assert_no_console_errors(page)


def test_wrong_pin_shows_a_plain_message_on_the_phone(live, phone_page, make_ward, make_user):
    learner = make_user(ward=make_ward(), phone="0912 345 679")
    page = phone_page
    page.goto(live("/login"))
    page.get_by_label("Số điện thoại").fill("0912345679")
    page.get_by_label("Mã PIN hoặc mật khẩu").fill("000001")
    page.get_by_role("button", name="Đăng nhập").click()
    alert = page.get_by_role("alert")
    assert "chưa đúng" in alert.inner_text()
    assert page.url.startswith(live("/login"))
    assert_accessible(page)
    assert learner.id  # still just one account; nothing created by a failed sign-in
