"""On a phone: a card signs a learner in, the cohort's QR link adds them to a second class, and they
see their own data. At a desktop: the instructor ticks attendance."""
import datetime

import pytest

from lms.accounts.cards import issue_cards
from lms.cohorts.schedule import add_session
from lms.cohorts.services import create_cohort, enrol
from lms.extensions import db
from tests.e2e.harness import assert_accessible, assert_no_console_errors

pytestmark = pytest.mark.e2e


@pytest.fixture()
def ward_with_classes(make_ward, make_user):
    ward = make_ward("Phường Đông")
    coordinator = make_user(("coordinator",), ward=ward, name="Trần Thị Thu Hà", phone="0900000001")
    instructor = make_user(("instructor",), ward=ward, name="Lê Văn Minh", phone="0900000002")
    learner = make_user(ward=ward, name="Ngô Thị Hoà", phone="0912345621")
    first = create_cohort(ward_id=ward.id, name="Lớp người cao tuổi", audience="elderly",
                          instructor_ids=[instructor.id])
    second = create_cohort(ward_id=ward.id, name="Lớp thanh toán số", audience="everyone")
    enrol(first, learner, by=coordinator, consent=True)
    session = add_session(first, day=datetime.date(2026, 12, 5), starts_at=datetime.time(8, 30),
                          place="Nhà văn hoá tổ 1")
    (_, raw, _token), = issue_cards(first, [learner], coordinator)
    db.session.commit()
    return {"first": first, "second": second, "session": session, "raw": raw, "learner": learner}


def test_a_learner_signs_in_by_card_and_joins_a_class_by_its_qr_on_a_phone(live, phone_page, ward_with_classes):
    page = phone_page
    page.goto(live(f"/s/{ward_with_classes['raw']}"))
    assert page.get_by_role("heading", level=1).inner_text() == "Bạn là Ngô Thị Hoà?"
    page.get_by_role("button", name="Vào học").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Lớp của tôi"
    assert "05/12/2026" in page.locator("main").inner_text()
    assert_accessible(page)

    page.goto(live(f"/join/{ward_with_classes['second'].join_code}"))
    assert "Lớp thanh toán số" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Vào lớp").click()
    assert "Bạn đã vào lớp “Lớp thanh toán số”." in page.get_by_role("status").first.inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Dữ liệu của tôi").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Dữ liệu của tôi"
    assert "Lớp thanh toán số" in page.locator("main").inner_text()
    assert_accessible(page)
    assert_no_console_errors(page)

    page.goto(live(f"/s/{ward_with_classes['raw']}"))
    assert "đã được dùng" in page.locator("main").inner_text()
    assert_accessible(page)


def test_the_instructor_ticks_attendance_on_the_hall_laptop(live, projector_page, ward_with_classes):
    page = projector_page
    page.goto(live("/login"))
    page.get_by_label("Số điện thoại").fill("0900000002")
    page.get_by_label("Mã PIN hoặc mật khẩu").fill("482916")
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("navigation", name="Trình đơn chính").get_by_role("link", name="Lớp học").click()
    page.get_by_role("link", name="Lớp người cao tuổi").click()
    assert_accessible(page)
    page.get_by_role("link", name="Lịch học và điểm danh").click()
    assert_accessible(page)
    page.get_by_role("link", name="Điểm danh 05/12/2026").click()
    page.get_by_label("Ngô Thị Hoà").check()
    page.get_by_role("button", name="Lưu điểm danh").click()
    assert "1 người có mặt" in page.get_by_role("status").first.inner_text()
    assert page.get_by_label("Ngô Thị Hoà").is_checked()
    assert_accessible(page)
    page.get_by_role("link", name="Lịch học").first.click()
    page.get_by_role("link", name="Danh sách lớp").click()
    assert "1/1 buổi" in page.locator("main").inner_text()
    assert_accessible(page)
    assert_no_console_errors(page)
