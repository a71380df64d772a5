"""A coordinator pages through the ward's people, filters by group, finds a person typed without
diacritics, and pages through a big cohort's roster, then opens the whole list to print."""
import pytest

from lms.cohorts.services import create_cohort, enrol
from lms.extensions import db
from tests.e2e.harness import assert_accessible, assert_no_console_errors

pytestmark = pytest.mark.e2e


def test_people_pages_filters_and_search(live, phone_page, make_ward, make_user):
    ward = make_ward("Phường Đông")
    make_user(("coordinator",), ward=ward, name="Trần Thị Thu Hà", phone="0900000001")
    for i in range(110):
        make_user(ward=ward, name=f"Lê Văn Người{i:03d}", group=ward.groups[i % 2], pin=None)
    make_user(ward=ward, name="Đỗ Thị Ánh", phone="0987654321", group=ward.groups[1], pin=None)
    page = phone_page
    page.goto(live("/login"))
    page.get_by_label("Số điện thoại").fill("0900000001")
    page.get_by_label("Mã PIN hoặc mật khẩu").fill("482916")
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(live("/people/"))
    main = page.locator("main")
    # 111 learners: the coordinator is listed under "Cán bộ", not among the learners.
    assert "111 người" in main.inner_text() and "Trang 1 / 3" in main.inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Trang sau").click()
    assert "Trang 2 / 3" in main.inner_text()
    page.get_by_role("link", name="Trang 3", exact=True).click()
    assert "Trang 3 / 3" in main.inner_text()

    page.get_by_label("Tổ dân phố / thôn").select_option(label="Tổ dân phố số 2")
    page.get_by_role("button", name="Tìm").click()
    assert "56 người" in main.inner_text() and "Trang 1 / 2" in main.inner_text()
    assert "group=" in page.url

    page.goto(live("/people/"))
    page.get_by_label("Số điện thoại hoặc họ tên").fill("do thi anh")
    page.get_by_role("button", name="Tìm").click()
    assert "1 người" in main.inner_text()
    page.get_by_role("link", name="Đỗ Thị Ánh").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Đỗ Thị Ánh"
    assert_no_console_errors(page)


def test_roster_pages_and_whole_list_to_print(live, projector_page, make_ward, make_user):
    ward = make_ward("Phường Đông")
    make_user(("coordinator",), ward=ward, name="Trần Thị Thu Hà", phone="0900000001")
    cohort = create_cohort(ward_id=ward.id, name="Lớp đông", audience="everyone")
    for i in range(65):
        enrol(cohort, make_user(ward=ward, name=f"Hoàng Thị Học{i:03d}", pin=None), consent=True)
    db.session.commit()
    cohort_id = cohort.id
    page = projector_page
    page.goto(live("/login"))
    page.get_by_label("Số điện thoại").fill("0900000001")
    page.get_by_label("Mã PIN hoặc mật khẩu").fill("482916")
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(live(f"/cohorts/{cohort_id}/roster"))
    main = page.locator("main")
    assert "65 học viên" in main.inner_text() and "Trang 1 / 2" in main.inner_text()
    assert page.locator("tbody tr").count() == 50
    assert_accessible(page)
    page.get_by_role("link", name="Trang 2", exact=True).click()
    assert page.locator("tbody tr").count() == 15
    assert page.locator("tbody tr").first.locator("td").first.inner_text() == "51"
    page.get_by_label("Số điện thoại hoặc họ tên").fill("hoc042")
    page.get_by_role("button", name="Lọc").click()
    assert page.locator("tbody tr").count() == 1 and "Hoàng Thị Học042" in main.inner_text()
    page.goto(live(f"/cohorts/{cohort_id}/roster"))
    page.get_by_role("link", name="Xem cả danh sách để in").click()
    assert page.locator("tbody tr").count() == 65
    assert_accessible(page)
    assert_no_console_errors(page)
