"""At a desktop, a ward's coordinator reads the plan's indicators for the first half-year, follows
a figure to the people behind it, records the plan's figures and targets, sees the dashboard
compare, and downloads the report as XLSX; axe finds nothing serious on any of these pages."""
import io

import openpyxl
import pytest

from tests.e2e.harness import assert_accessible, assert_no_console_errors
from tests.factories import DEFAULT_PIN
from tests.reports.conftest import known_ward  # noqa: F401 (the hand-made ward with known answers)

pytestmark = pytest.mark.e2e

CERTIFIED = "Người được chứng nhận kỹ năng số cơ bản"


def _figure_row(page, label):
    return page.locator("table.report-table tbody tr").filter(
        has=page.get_by_role("rowheader").filter(has_text=label)).first


def test_a_coordinator_reads_records_targets_and_exports_the_wards_report(live, projector_page, known_ward):
    page = projector_page
    page.goto(live("/login"))
    page.get_by_label("Số điện thoại").fill(known_ward.coordinator.phone)
    page.get_by_label("Mã PIN hoặc mật khẩu").fill(DEFAULT_PIN)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Báo cáo").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Báo cáo: Phường Mẫu A"
    assert_accessible(page)

    # The period: the first six months of 2026.
    page.get_by_label("Từ ngày").fill("2026-01-01")
    page.get_by_label("Đến ngày").fill("2026-06-30")
    page.get_by_role("button", name="Xem").click()
    assert "Kỳ báo cáo: 01/01/2026 – 30/06/2026" in page.locator("main").inner_text()
    certified = _figure_row(page, CERTIFIED)
    assert certified.locator("td").first.inner_text() == "3"
    assert_accessible(page)

    # The figure leads to the people behind it; the erased person is only counted.
    certified.get_by_role("link", name="3").click()
    text = page.locator("main").inner_text()
    assert "3 người" in text and "Người Học P1" in text and "Người Học P3" in text
    assert "Người Học P5" not in text and "Người đã xoá dữ liệu" in text
    assert_accessible(page)
    page.go_back()

    # The plan's figures and targets.
    page.get_by_role("link", name="Số dân và chỉ tiêu").click()
    assert_accessible(page)
    page.locator("#pop-0-adults").fill("100")
    page.locator("#pop-0-households").fill("10")
    page.get_by_label("Người trưởng thành được chứng nhận kỹ năng số cơ bản (%)").fill("80")
    page.get_by_label("Hộ gia đình có ít nhất một thành viên được chứng nhận (%)").fill("20")
    page.get_by_role("button", name="Lưu").click()
    assert "Đã lưu số dân và chỉ tiêu." in page.locator("main").inner_text()
    page.get_by_label("Từ ngày").fill("2026-01-01")
    page.get_by_label("Đến ngày").fill("2026-06-30")
    page.get_by_role("button", name="Xem").click()
    cells = _figure_row(page, CERTIFIED).locator("td")
    assert cells.nth(2).inner_text() == "3.0%"
    assert "80%" in cells.nth(3).inner_text() and "Chưa đạt" in cells.nth(3).inner_text()
    households = _figure_row(page, "Gia đình số").locator("td")
    assert households.nth(2).inner_text() == "50.0%" and "Đạt" in households.nth(3).inner_text()
    assert_accessible(page)

    # The report for the People's Committee, as a spreadsheet.
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải báo cáo Excel (XLSX)").click()
    assert download.value.suggested_filename == "bao-cao-phuong-2026-01-01-2026-06-30.xlsx"
    with open(download.value.path(), "rb") as saved:
        sheet = openpyxl.load_workbook(io.BytesIO(saved.read()), read_only=True).active
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert rows["Kỳ báo cáo"][1] == "01/01/2026 – 30/06/2026"
    assert rows[CERTIFIED][1:6] == (3, 100, 3, 80, "Chưa đạt")
    assert_no_console_errors(page)
