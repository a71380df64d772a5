"""The live final assessment in a browser: the instructor sends the course's final quiz question by
question from the control page, a phone answers with the big buttons, the results page shows the
score and pre-ticks who passed, and one confirmation issues the in-person certificate. axe finds
no serious or critical violation on the results page."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from lms.certificates.models import Certificate
from lms.extensions import db
from tests.e2e.harness import PHONE, PROJECTOR, _page, assert_accessible, assert_no_console_errors
from tests.e2e.test_live_class import sign_in
from tests.live.conftest import hall  # noqa: F401  (the ward, cohort and today's session)
from tests.live.test_final_assessment import add_final_quiz

pytestmark = pytest.mark.e2e


def test_a_final_quiz_run_live_ends_in_one_confirmation(live, browser, hall):  # noqa: F811
    add_final_quiz(hall.course)
    laptop_context, laptop = _page(browser, PROJECTOR)
    phone_context, lan = _page(browser, PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    try:
        sign_in(laptop, live, hall.instructor)
        laptop.goto(live("/hom-nay"))
        laptop.get_by_role("link", name="Bắt đầu lớp").first.click()
        laptop.get_by_role("button", name="Bắt đầu lớp").click()
        laptop.wait_for_url(re.compile(r"/live/\d+$"))
        control_url = laptop.url
        projector = laptop_context.new_page()
        projector.goto(control_url + "/present")
        code = projector.locator("[data-code]").first.get_attribute("data-code")
        sign_in(lan, live, hall.learner)
        lan.goto(live(f"/j/{code}"))
        lan.wait_for_url(re.compile(r"/live/\d+/follow$"))

        # Four questions, one by one; Lan answers three right (75 %: the pass mark).
        answers = [("Lựa chọn B",), ("Lựa chọn A", "Lựa chọn C"), ("Đúng",), ("Lựa chọn C",)]
        for number, chosen in enumerate(answers, start=1):
            laptop.goto(control_url)
            laptop.get_by_role("button", name=f"Gửi câu {number} của bài kiểm tra").click()
            if len(chosen) > 1:
                lan.locator("#follow input[type=checkbox]").first.wait_for()
                for text in chosen:
                    lan.locator("#follow label.choice", has_text=text).locator("input").check()
                lan.get_by_role("button", name="Gửi câu trả lời").click()
            else:
                lan.locator(".answer-button", has_text=chosen[0]).first.click()
            # Sent without a page reload (live.js): the phone says the answer is in.
            lan.locator("#follow").get_by_text("Bạn đã trả lời. Hãy chờ giảng viên công bố đáp án.").wait_for()
            laptop.goto(control_url)
            laptop.get_by_role("button", name="Đóng câu hỏi").click()

        laptop.get_by_role("link", name="Kết quả và cấp chứng nhận").click()
        row = laptop.locator("tr", has_text="Nguyễn Thị Lan")
        assert "3/4 (75%)" in row.inner_text() and "Đạt" in row.inner_text()
        assert row.get_by_role("checkbox").is_checked()
        assert "Vắng" in laptop.locator("tr", has_text="Bùi Văn Bình").inner_text()
        assert_accessible(laptop)
        laptop.get_by_role("button", name="Xác nhận cấp chứng nhận").click()
        assert "Đã cấp 1 chứng nhận: Nguyễn Thị Lan." in laptop.locator("main").inner_text()
        db.session.expire_all()
        certificate = db.session.scalar(sa.select(Certificate))
        assert (certificate.user_id, certificate.method, certificate.assessment_kind) == (
            hall.learner.id, "in_person", "live")
        for page in (laptop, lan):
            assert_no_console_errors(page)
    finally:
        laptop_context.close()
        phone_context.close()
