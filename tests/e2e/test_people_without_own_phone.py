"""A ward's real list: a couple who share one phone and a woman with no phone are enrolled from an
XLSX with extra columns and full dates of birth; her hamlet, new to the ward, is added from the
preview; she signs in by her card, each of them by the shared number and their own PIN; nobody
learns the names behind the number without a PIN, and each one's progress stays their own."""
import io
from datetime import datetime

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from lms.accounts.models import User
from lms.cohorts.services import create_cohort
from lms.extensions import db
from tests.e2e.harness import assert_accessible, assert_no_console_errors

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 800}
SHARED = "0987 650 081"
COURSE = "an-toan-tren-mang"


def ward_list() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["STT", "Họ và tên", "Số điện thoại", "Ngày sinh", "Tổ dân phố", "Nhóm", "Số CCCD"])
    sheet.append([1, "Phạm Văn Tư", "0987650081", datetime(1950, 3, 2), "Tổ dân phố số 1", "A", "001050000001"])
    sheet.append([2, "Nguyễn Thị Năm", "0987650081", "12/05/1952", "Tổ dân phố số 1", "A", "001152000002"])
    sheet.append([3, "Lê Thị Chín", None, datetime(1946, 11, 20), "Thôn Đồng Xa", "B", "001146000003"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def card_sign_in_and_choose_pin(page, live, url, name, pin):
    page.goto(url)
    assert page.get_by_role("heading", level=1).inner_text() == f"Bạn là {name}?"
    page.get_by_role("button", name="Vào học").click()
    page.goto(live("/account/pin"))
    page.get_by_label("Mã PIN mới (6 chữ số)").fill(pin)
    page.get_by_label("Nhập lại mã PIN mới").fill(pin)
    page.get_by_role("button", name="Lưu mã PIN mới").click()
    page.context.clear_cookies()


def sign_in_with_phone(page, live, pin):
    """On the couple's own phone: they tick "Đây là điện thoại của tôi"."""
    page.goto(live("/login"))
    page.get_by_label("Số điện thoại").fill(SHARED)
    page.get_by_label("Mã PIN hoặc mật khẩu").fill(pin)
    page.get_by_label("Đây là điện thoại của tôi", exact=False).check()
    page.get_by_role("button", name="Đăng nhập").click()


def sign_out(page):
    """The menu's "Đăng xuất" (folded away on a narrow phone)."""
    with page.expect_navigation():
        page.locator("form[action$='/logout']").first.evaluate("form => form.submit()")


def lessons_read(page, live) -> str:
    page.goto(live(f"/courses/{COURSE}"))
    return page.locator("label[for='course-progress']").inner_text()


def test_a_couple_on_one_phone_and_a_woman_with_none(live, new_browser_context, phone_page, make_ward,
                                                        make_user, tmp_path, catalogue):
    ward = make_ward("Phường Đông")
    make_user(("coordinator",), ward=ward, name="Trần Thị Thu Hà", phone="0900000001")
    cohort = create_cohort(ward_id=ward.id, name="Lớp người cao tuổi", audience="elderly",
                           group_id=ward.groups[0].id)
    db.session.commit()
    sheet = tmp_path / "danh-sach-to-1.xlsx"
    sheet.write_bytes(ward_list())

    desk = new_browser_context(DESKTOP)
    desk.goto(live("/login"))
    desk.get_by_label("Số điện thoại").fill("0900000001")
    desk.get_by_label("Mã PIN hoặc mật khẩu").fill("482916")
    desk.get_by_role("button", name="Đăng nhập").click()
    desk.wait_for_url(live("/"))
    desk.goto(live(f"/cohorts/{cohort.id}/import"))
    desk.get_by_label("Tệp danh sách").set_input_files(str(sheet))
    desk.get_by_role("button", name="Tải lên và kiểm tra").click()
    assert desk.get_by_role("heading", level=1).inner_text() == "Xem trước danh sách"
    ignored = desk.locator("#ignored-columns").inner_text()
    assert "Nhóm" in ignored and "Số CCCD" in ignored
    # Dates of birth are kept as years only.
    preview = desk.locator("main").inner_text()
    assert "1950" in preview and "02/03/1950" not in preview and "12/05/1952" not in preview
    # Her hamlet is not one of the ward's yet: the coordinator adds it from the preview.
    new_groups = desk.locator("section[aria-labelledby='groups-title']")
    assert "Thôn Đồng Xa" in new_groups.inner_text()
    new_groups.get_by_label("Tôi xác nhận các tổ dân phố, thôn hoặc chợ này thuộc phường").check()
    new_groups.get_by_role("button", name="Thêm vào phường và kiểm tra lại").click()
    desk.wait_for_load_state()
    assert "Đã thêm 1 tổ dân phố, thôn hoặc chợ vào phường." in desk.locator("main").inner_text()
    assert desk.locator("section[aria-labelledby='groups-title']").count() == 0
    assert desk.get_by_role("heading", name="Dòng sẽ bỏ qua").count() == 0
    ask = desk.locator("#ask-3")
    assert "Dùng chung số điện thoại với dòng 2 trong tệp." in ask.inner_text()
    assert_accessible(desk)
    ask.get_by_label("Người khác, dùng chung số này").check()
    desk.get_by_label("Tôi xác nhận những người trong danh sách").check()
    desk.get_by_role("button", name="Xác nhận ghi danh 2 người").click()
    assert desk.get_by_role("heading", level=1).inner_text() == "Đã ghi danh từ tệp"
    assert "3 người được ghi danh vào lớp" in desk.locator("main").inner_text()
    desk.get_by_role("button", name="In thẻ đăng nhập cho những người này").click()
    cards = {c.locator(".signin-name").inner_text(): c.get_attribute("data-sign-in-url")
             for c in desk.locator(".signin-card").all()}
    assert sorted(cards) == ["Lê Thị Chín", "Nguyễn Thị Năm", "Phạm Văn Tư"]
    assert_no_console_errors(desk)

    # Each of the couple uses their card once to choose their own PIN.
    phone = phone_page
    card_sign_in_and_choose_pin(phone, live, cards["Phạm Văn Tư"], "Phạm Văn Tư", "271828")
    card_sign_in_and_choose_pin(phone, live, cards["Nguyễn Thị Năm"], "Nguyễn Thị Năm", "314159")

    # Someone who only knows the number learns nobody's name.
    sign_in_with_phone(phone, live, "999990")
    text = phone.locator("main").inner_text()
    assert "Phạm Văn Tư" not in text and "Nguyễn Thị Năm" not in text and "Ai đang học?" not in text

    # The shared number and his PIN: him; then her PIN: her.
    sign_in_with_phone(phone, live, "271828")
    phone.wait_for_url(live("/"))
    assert "Phạm Văn Tư" in phone.locator("body").inner_text()
    # He reads the first lesson: his progress, not hers.
    assert lessons_read(phone, live).startswith("Đã học 0/")
    phone.goto(live(f"/courses/{COURSE}/cuoc-goi-gia-danh"))
    with phone.expect_navigation():
        phone.get_by_role("button", name="Tôi đã học xong, làm bài kiểm tra nhanh").click()
    assert lessons_read(phone, live).startswith("Đã học 1/")
    sign_out(phone)
    phone.goto(live("/login"))
    page_text = phone.locator("main").inner_text()
    assert "Ai đang học?" in page_text and "Phạm Văn Tư" in page_text and "Nguyễn Thị Năm" not in page_text
    assert_accessible(phone)
    sign_in_with_phone(phone, live, "314159")
    phone.wait_for_url(live("/"))
    assert "Nguyễn Thị Năm" in phone.locator("body").inner_text()
    assert lessons_read(phone, live).startswith("Đã học 0/")  # on the same phone, his lesson is not hers
    sign_out(phone)

    # "Ai đang học?" now offers both; choosing a name asks for that person's PIN.
    phone.goto(live("/login"))
    phone.get_by_role("link", name="Phạm Văn Tư").click()
    assert phone.get_by_role("heading", name="Nhập mã PIN của Phạm Văn Tư").is_visible()
    phone.get_by_label("Mã PIN hoặc mật khẩu").fill("271828")
    phone.get_by_role("button", name="Đăng nhập").click()
    phone.wait_for_url(live("/"))
    assert_no_console_errors(phone)

    # Another phone that types their number, even after both signed in on theirs, names nobody.
    other = new_browser_context({"width": 360, "height": 740})
    sign_in_with_phone(other, live, "999990")
    text = other.locator("main").inner_text()
    assert "Phạm Văn Tư" not in text and "Nguyễn Thị Năm" not in text and "Ai đang học?" not in text
    other.context.clear_cookies()

    # She has no phone: her card signs her in.
    other.goto(cards["Lê Thị Chín"])
    assert other.get_by_role("heading", level=1).inner_text() == "Bạn là Lê Thị Chín?"
    other.get_by_role("button", name="Vào học").click()
    assert other.get_by_role("heading", level=1).inner_text() == "Lớp của tôi"
    assert "Lớp người cao tuổi" in other.locator("main").inner_text()
    assert lessons_read(other, live).startswith("Đã học 0/")
    db.session.expire_all()
    chin = db.session.scalar(sa.select(User).where(User.full_name == "Lê Thị Chín"))
    assert chin.phone is None and chin.birth_year == 1946 and chin.group.name == "Thôn Đồng Xa"
