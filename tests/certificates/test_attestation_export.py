"""Coordinators export the certified people of a period, XLSX or CSV, for their own ward only."""
import csv
import io
from datetime import datetime

import pytest
from openpyxl import load_workbook

from lms.certificates.codes import display_code
from lms.extensions import db

HEADER = ["Họ và tên", "Năm sinh", "Tổ dân phố / thôn", "Khoá học", "Năng lực số", "Bậc", "Ngày cấp",
          "Hình thức", "Mã chứng nhận", "Trạng thái", "Lớp", "Nhóm đối tượng"]


@pytest.fixture()
def coordinator(make_user, ward_a):
    return make_user(("coordinator",), ward=ward_a, name="Trần Thị Thu Hà")


@pytest.fixture()
def dated(issued):
    # 23:30 UTC on 14/10/2025 is 06:30 on 15/10/2025 in Vietnam: the list goes by Vietnam's calendar.
    issued.issued_at = datetime(2025, 10, 14, 23, 30)
    db.session.commit()
    return issued


def _csv(response) -> list[list[str]]:
    assert response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_the_csv_has_the_wards_shape_with_a_bom(client, auth, coordinator, dated):
    auth.login(coordinator)
    response = client.get("/certificates/manage/export", query_string={
        "start": "15/10/2025", "end": "15/10/2025", "format": "csv"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == HEADER
    assert rows[1] == ["Nguyễn Thị Lan", "1956", "Tổ dân phố số 1", "An toàn trên mạng", "4.2, 4.1", "1",
                       "15/10/2025", "Trực tuyến", display_code(dated.code), "Hợp lệ", "", ""]


def test_the_xlsx_holds_the_same_rows(client, auth, coordinator, dated):
    auth.login(coordinator)
    response = client.get("/certificates/manage/export", query_string={
        "start": "1/10/2025", "end": "31.10.2025", "format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == HEADER
    assert rows[1][0] == "Nguyễn Thị Lan" and rows[1][1] == 1956 and rows[1][8] == display_code(dated.code)


def test_the_period_is_inclusive_and_outside_it_nothing_is_listed(client, auth, coordinator, dated):
    auth.login(coordinator)
    rows = _csv(client.get("/certificates/manage/export",
                           query_string={"start": "14/10/2025", "end": "14/10/2025", "format": "csv"}))
    assert rows == [HEADER]


def test_another_wards_certificates_never_appear(client, auth, make_user, make_ward, dated):
    auth.login(make_user(("coordinator",), ward=make_ward("Xã Khác")))
    rows = _csv(client.get("/certificates/manage/export",
                           query_string={"start": "01/01/2025", "end": "31/12/2025", "format": "csv"}))
    assert rows == [HEADER]


def test_a_name_that_looks_like_a_formula_is_kept_as_text(client, auth, coordinator, dated):
    dated.user.full_name = "=HYPERLINK(\"x\")"
    db.session.commit()
    auth.login(coordinator)
    rows = _csv(client.get("/certificates/manage/export",
                           query_string={"start": "01/10/2025", "end": "31/10/2025", "format": "csv"}))
    assert rows[1][0] == "'=HYPERLINK(\"x\")"


@pytest.mark.parametrize("query, message", [
    ({"start": "32/10/2025", "end": "31/10/2025", "format": "csv"}, "Ngày chưa đúng"),
    ({"start": "", "end": "31/10/2025", "format": "csv"}, "Hãy nhập ngày bắt đầu."),
    ({"start": "31/10/2025", "end": "01/10/2025", "format": "csv"}, "Ngày kết thúc phải sau ngày bắt đầu."),
    ({"start": "01/10/2025", "end": "31/10/2025", "format": "pdf"}, "Hãy chọn định dạng tệp."),
    # Dates a period cannot hold (they gave a 500: the end plus one day overflows), and unreal ones.
    ({"start": "01/01/2025", "end": "31/12/9999", "format": "csv"}, "Hãy chọn một ngày từ 01/01/2000 đến 31/12/2099."),
    ({"start": "31/12/9999", "end": "31/12/9999", "format": "xlsx"}, "Hãy chọn một ngày từ 01/01/2000 đến 31/12/2099."),
    ({"start": "00/00/0000", "end": "31/10/2025", "format": "csv"}, "Ngày chưa đúng"),
    ({"start": "01/10/2025", "end": "2026-02-30", "format": "csv"}, "Ngày chưa đúng"),
    ({"start": "01/10/2025", "end": "30/02/2026", "format": "csv"}, "Ngày chưa đúng"),
    ({"start": "01/10/2025", "end": "31/12/1999", "format": "csv"}, "Hãy chọn một ngày từ 01/01/2000 đến 31/12/2099."),
])
def test_bad_dates_are_refused_in_words_keeping_what_was_typed(client, auth, coordinator, query, message):
    auth.login(coordinator)
    response = client.get("/certificates/manage/export", query_string=query)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert message in text and f'value="{query["end"]}"' in text


def test_the_export_page_says_it_mirrors_vneid_and_is_not_vneid(client, auth, coordinator):
    auth.login(coordinator)
    text = client.get("/certificates/manage/export").get_data(as_text=True)
    assert "VNeID" in text and "không phải là VNeID" in text


@pytest.mark.parametrize("role", ["learner", "instructor"])
def test_learners_and_instructors_cannot_export(client, auth, make_user, ward_a, role):
    auth.login(make_user((role,), ward=ward_a))
    assert client.get("/certificates/manage/export?start=01/01/2025&end=31/12/2025").status_code == 403


def test_an_admin_chooses_the_ward(client, auth, make_user, dated, ward_a):
    auth.login(make_user(("admin",), name="Quản trị"))
    query = {"start": "01/10/2025", "end": "31/10/2025", "format": "csv"}
    assert client.get("/certificates/manage/export", query_string=query).status_code == 422
    rows = _csv(client.get("/certificates/manage/export", query_string={**query, "ward_id": ward_a.id}))
    assert len(rows) == 2


def test_the_list_names_the_class_and_its_audience(client, auth, coordinator, dated, ward_a):
    from lms.cohorts.models import Cohort, Enrollment

    cohort = Cohort(ward_id=ward_a.id, name="Lớp người cao tuổi tổ 1", audience="elderly", join_code="EXPORT1")
    cohort.courses = [dated.course]
    db.session.add(cohort)
    db.session.flush()
    db.session.add(Enrollment(cohort_id=cohort.id, user_id=dated.user_id))
    db.session.commit()
    auth.login(coordinator)
    rows = _csv(client.get("/certificates/manage/export", query_string={
        "start": "15/10/2025", "end": "15/10/2025", "format": "csv"}))
    assert rows[1][-2:] == ["Lớp người cao tuổi tổ 1", "Người cao tuổi"]
