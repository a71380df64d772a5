"""At a desktop, a coordinator records a household and a digital ambassador's mentees, and sees
which households have no learner yet and which mentors are still below five."""
import pytest

from lms.cohorts.services import create_cohort, enrol
from lms.extensions import db
from tests.e2e.harness import assert_accessible, assert_no_console_errors

pytestmark = pytest.mark.e2e


def test_gia_dinh_so_and_dai_su_so(live, projector_page, make_ward, make_user):
    ward = make_ward("Phường Đông")
    make_user(("coordinator",), ward=ward, name="Trần Thị Thu Hà", phone="0900000001")
    learner = make_user(ward=ward, name="Nguyễn Thị Lan", phone="0912345621")
    make_user(ward=ward, name="Phạm Văn Tư", phone="0912345622")
    cohort = create_cohort(ward_id=ward.id, name="Lớp A", audience="everyone")
    enrol(cohort, learner, consent=True)
    db.session.commit()
    cohort_id, learner_id = cohort.id, learner.id
    page = projector_page
    page.goto(live("/login"))
    page.get_by_label("Số điện thoại").fill("0900000001")
    page.get_by_label("Mã PIN hoặc mật khẩu").fill("482916")
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(live("/cohorts/"))
    page.get_by_role("link", name="Gia đình số").click()
    assert_accessible(page)
    page.get_by_role("link", name="Thêm hộ").click()
    page.get_by_label("Tên hộ").fill("Hộ ông Phạm Văn Tư")
    page.get_by_label("Tổ dân phố / thôn").select_option(label="Tổ dân phố số 1")
    page.get_by_role("button", name="Lưu").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Hộ ông Phạm Văn Tư"
    page.get_by_label("Số điện thoại hoặc họ tên").fill("pham van tu")
    page.get_by_role("button", name="Tìm").click()
    page.get_by_role("button", name="Thêm Phạm Văn Tư vào hộ").click()
    assert "chưa học" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Gia đình số").click()
    assert "0 trên 1 hộ đã có người học." in page.locator("main").inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Đại sứ số").click()
    page.get_by_label("Số điện thoại hoặc họ tên").fill("lan")
    page.get_by_role("button", name="Tìm").click()
    page.get_by_role("link", name="Nguyễn Thị Lan").click()
    page.get_by_label("Số điện thoại hoặc họ tên").fill("0912345622")
    page.get_by_role("button", name="Tìm").click()
    page.get_by_role("button", name="Thêm Phạm Văn Tư").click()
    assert "Còn thiếu 4 người để đủ mục tiêu." in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Đại sứ số").click()
    assert "còn thiếu 4 người" in page.locator("main").inner_text()
    assert_accessible(page)

    # Lan asks to be forgotten: her mentorship goes, the class keeps an anonymous row.
    page.goto(live(f"/cohorts/{cohort_id}/members/{learner_id}"))
    assert_accessible(page)
    page.get_by_role("link", name="Xoá dữ liệu cá nhân…").click()
    assert_accessible(page)
    page.get_by_label("Lý do xoá").select_option("asked")
    page.get_by_label("Tôi hiểu rằng việc xoá không thể hoàn tác.").check()
    page.get_by_role("button", name="Xoá dữ liệu của Nguyễn Thị Lan").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Dữ liệu đã được xoá"
    assert_accessible(page)
    page.goto(live("/mentors/"))
    assert "Nguyễn Thị Lan" not in page.locator("main").inner_text()
    page.goto(live(f"/cohorts/{cohort_id}/roster"))
    assert "Người đã xoá" in page.locator("main").inner_text()
    assert_accessible(page)
    assert_no_console_errors(page)
