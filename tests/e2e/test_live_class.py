"""Done-when of the instructor's hall: one projector (1280×720) and two phones (360×640) run a whole
class. The instructor starts today's session; a phone joins by scanning the QR code it sees on the
projector (the code is read from a screenshot by a QR decoder, not from the page source) and is
marked present; a phone without signal comes back to the current slide; three slides are followed;
a live question is answered and the counts change on the projector; the reveal shows the
explanation; the summary is right; axe is clean on the projector, phone and summary pages."""
from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from lms.cohorts.models import Attendance
from lms.cohorts.services import enrol
from lms.extensions import db
from tests.e2e.harness import PHONE, assert_accessible, assert_no_console_errors
from tests.factories import DEFAULT_PIN
from tests.live.conftest import hall  # noqa: F401  (the ward, cohort and today's session)

pytestmark = pytest.mark.e2e

zxingcpp = pytest.importorskip("zxingcpp", reason="the QR decoder is in the test extras (pip install -e .[test])")


def sign_in(page, live, user, next_url: str | None = None) -> None:
    page.goto(live("/login"))
    page.get_by_label("Số điện thoại").fill(user.phone)
    page.get_by_label("Mã PIN hoặc mật khẩu").fill(DEFAULT_PIN)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


def scan(projector) -> str:
    """What a phone's camera would read: the QR code in a screenshot of the projector."""
    from PIL import Image

    image = Image.open(io.BytesIO(projector.screenshot()))
    codes = [c for c in zxingcpp.read_barcodes(image) if c.format == zxingcpp.BarcodeFormat.QRCode]
    assert len(codes) == 1, "the projector shows one readable QR code"
    return codes[0].text


def phone_shows(page, text: str, timeout: int = 10_000) -> None:
    page.locator("#follow").get_by_text(text).first.wait_for(timeout=timeout)


def present_ids(class_session) -> set[int]:
    db.session.expire_all()
    return set(db.session.scalars(sa.select(Attendance.user_id).where(
        Attendance.class_session_id == class_session.id)))


def test_a_whole_class_runs_from_projector_and_phones(live, browser, hall, make_user):  # noqa: F811
    absent = make_user(ward=hall.ward, name="Vũ Thị Vắng")
    enrol(hall.cohort, absent, consent=True)
    db.session.commit()

    from tests.e2e.harness import PROJECTOR, _page

    projector_context, laptop = _page(browser, PROJECTOR)
    phone_contexts = []
    phones = []
    for _ in range(2):
        context, page = _page(browser, PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
        phone_contexts.append(context)
        phones.append(page)
    lan, binh = phones
    try:
        # The instructor starts today's session from "Hôm nay".
        sign_in(laptop, live, hall.instructor)
        laptop.goto(live("/hom-nay"))
        assert "Nhà văn hoá tổ 3" in laptop.locator("main").inner_text()
        laptop.get_by_role("link", name="Bắt đầu lớp").first.click()
        laptop.get_by_role("button", name="Bắt đầu lớp").click()
        laptop.wait_for_url(re.compile(r"/live/\d+$"))
        control_url = laptop.url
        laptop.get_by_role("link", name="Trình chiếu toàn màn hình").click()
        laptop.wait_for_url(re.compile(r"/live/\d+/present$"))
        projector = laptop
        assert "Mở đầu" in projector.locator(".slide:not([hidden])").inner_text()
        assert_accessible(projector)

        # Lan scans the code on the projector before signing in: sign-in leads back into the class.
        url = scan(projector)
        assert urlsplit(url).path.startswith("/j/") and url.startswith(live(""))
        lan.goto(url)
        lan.wait_for_url(re.compile(r"/login"))
        lan.get_by_label("Số điện thoại").fill(hall.learner.phone)
        lan.get_by_label("Mã PIN hoặc mật khẩu").fill(DEFAULT_PIN)
        lan.get_by_role("button", name="Đăng nhập").click()
        lan.wait_for_url(re.compile(r"/live/\d+/follow$"))
        assert "Bạn đã vào lớp và được điểm danh có mặt." in lan.locator("main").inner_text()
        assert hall.learner.id in present_ids(hall.session)
        # Bình is already signed in on his phone: one scan and he is in.
        sign_in(binh, live, hall.learner2)
        binh.goto(scan(projector))
        binh.wait_for_url(re.compile(r"/live/\d+/follow$"))
        assert present_ids(hall.session) == {hall.learner.id, hall.learner2.id}
        projector.locator("#screen").get_by_text("2 người đã vào lớp").wait_for()
        projector.locator("#screen").get_by_text("2 điện thoại đang theo dõi").wait_for()
        phone_shows(lan, "Mở đầu")
        assert_accessible(lan)

        # Slide 2 on every phone.
        projector.keyboard.press("ArrowRight")
        assert projector.locator("#slide-number").inner_text() == "2"
        for phone in phones:
            phone_shows(phone, "Mã OTP là mật khẩu dùng một lần.")
        # Lan's phone loses its signal; the class moves on to slide 3 without her.
        phone_contexts[0].set_offline(True)
        projector.keyboard.press("PageDown")
        phone_shows(binh, "Ngân hàng không bao giờ hỏi mã OTP.")
        lan.wait_for_timeout(2500)
        assert "Trang 2 trên 4" in lan.locator("#follow").inner_text()
        # Signal back: the same class, the current slide, nothing asked again.
        phone_contexts[0].set_offline(False)
        phone_shows(lan, "Ngân hàng không bao giờ hỏi mã OTP.", timeout=20_000)
        assert "Trang 3 trên 4" in lan.locator("#follow").inner_text()
        # A phone that reloads comes back to the same slide too.
        lan.reload()
        assert "Trang 3 trên 4" in lan.locator("#follow").inner_text()
        projector.keyboard.press(" ")
        for phone in phones:
            phone_shows(phone, "Gọi tổng đài ngân hàng.")
            assert "Trang 4 trên 4" in phone.locator("#follow").inner_text()

        # A live question from the lesson's check, sent from the control page in another tab.
        control = projector_context.new_page()
        control.goto(control_url)
        control.get_by_label("Ai được phép hỏi mã OTP của bạn?").check()
        control.get_by_role("button", name="Gửi câu hỏi").click()
        for phone in phones:
            phone.locator(".answer-button").first.wait_for()
        projector.locator(".live-question").get_by_text("0 người đã trả lời").wait_for()
        assert_accessible(lan)
        lan.evaluate("window.stillThisPage = true")
        lan.locator(".answer-button", has_text="Không ai cả").click()
        # Sent without reloading the page (the whole hall answers at once): the phone says so.
        lan.locator("#follow").get_by_text("Bạn đã trả lời. Hãy chờ giảng viên công bố đáp án.").wait_for()
        assert lan.evaluate("window.stillThisPage === true")
        assert lan.locator(".answer-button").count() == 0
        projector.locator(".live-question").get_by_text("1 người đã trả lời").wait_for()
        binh.locator(".answer-button", has_text="Nhân viên ngân hàng").click()
        projector.locator(".live-question").get_by_text("2 người đã trả lời").wait_for()
        counts = projector.locator(".live-question .bar-count").all_inner_texts()
        assert counts == ["1 người", "1 người", "0 người"]
        assert "Không ai được hỏi mã OTP." not in projector.locator("#screen").inner_text()
        assert_accessible(projector)

        # Close, then reveal: the explanation on the projector and on the phones.
        control.reload()
        control.get_by_role("button", name="Đóng câu hỏi").click()
        control.get_by_role("button", name="Hiện đáp án và lời giải thích").click()
        projector.locator("#screen .explanation").get_by_text("Không ai được hỏi mã OTP.").wait_for()
        assert "Đáp án đúng" in projector.locator(".bar.right").inner_text()
        phone_shows(lan, "Không ai được hỏi mã OTP.")
        assert "Bạn trả lời đúng." in lan.locator("#follow").inner_text()
        phone_shows(binh, "Câu trả lời của bạn chưa đúng.")

        # The class ends; the summary says who came, how the room answered, who may need help.
        control.get_by_role("button", name="Quay lại bài giảng").click()
        control.get_by_role("button", name="Kết thúc buổi học").click()
        control.wait_for_url(re.compile(r"/summary$"))
        text = control.locator("main").inner_text()
        assert "Điểm danh: 2 có mặt, 1 vắng" in text
        assert "1 trên 2 người trả lời đúng" in text
        help_list = control.locator("section[aria-labelledby=h-help] li").all_inner_texts()
        assert help_list == ["Vũ Thị Vắng — vắng buổi này", "Bùi Văn Bình — trả lời chưa đúng nhiều câu"]
        assert_accessible(control)
        phone_shows(lan, "Buổi học đã kết thúc.")
        for page in (projector, control, lan, binh):
            assert_no_console_errors(page)
    finally:
        for context in (projector_context, *phone_contexts):
            context.close()
