"""The dashboard's links, the people behind a figure, the plan's figures and targets, bad input,
the exports and the province view, through HTTP."""
from __future__ import annotations

import io

import openpyxl

Q = "start=2026-01-01&end=2026-06-30"


def test_the_people_behind_a_figure_are_named_but_an_erased_person_only_counted(client, auth, known_ward):
    auth.sign_in_directly(known_ward.coordinator)
    w = known_ward.ward.id
    html = client.get(f"/reports/wards/{w}/people?kind=certified&{Q}").get_data(as_text=True)
    assert "3 người" in html
    assert "Người Học P1" in html and "Người Học P3" in html
    assert "Người đã xoá dữ liệu" in html and "Người Học P5" not in html
    html = client.get(f"/reports/wards/{w}/people?kind=enrolled&by=audience&key=elderly&{Q}").get_data(as_text=True)
    assert "4 người" in html and "Người Học P9" in html and "Người Học P3" not in html
    html = client.get(f"/reports/wards/{w}/people?kind=ai&{Q}").get_data(as_text=True)
    assert "Người Học P4" in html and "Người Phường Khác" not in html


def test_people_lists_refuse_nonsense_with_404(client, auth, known_ward):
    auth.sign_in_directly(known_ward.coordinator)
    w = known_ward.ward.id
    for query in ("kind=everyone", "kind=certified&by=shoe&key=1", "kind=certified&by=group&key=abc",
                  "kind=certified&page=0", "kind=certified&start=2026-06-01&end=2026-01-01"):
        assert client.get(f"/reports/wards/{w}/people?{query}").status_code == 404, query


def test_bad_periods_get_a_clear_message_not_an_error(client, auth, known_ward):
    auth.sign_in_directly(known_ward.coordinator)
    w = known_ward.ward.id
    cases = {"start=2026-06-30&end=2026-01-01": "Ngày kết thúc phải sau ngày bắt đầu.",
             "start=2016-01-01&end=2026-01-01": "Kỳ báo cáo dài nhất là 6 năm.",
             "start=31/02/2026": "không đúng",
             "start=1800-01-01": "năm 2000 đến năm 2100"}
    for query, message in cases.items():
        response = client.get(f"/reports/wards/{w}?{query}")
        assert response.status_code == 422, query
        assert message in response.get_data(as_text=True), query
    response = client.get(f"/reports/wards/{w}/report.xlsx?start=2026-06-30&end=2026-01-01")
    assert response.status_code == 302


def test_an_empty_ward_and_a_period_without_data_show_zeros(client, auth, known_ward, make_ward, make_user):
    empty = make_ward("Phường Trống", groups=())
    admin = make_user(("admin",), ward=None)
    auth.sign_in_directly(admin)
    response = client.get(f"/reports/wards/{empty.id}")
    assert response.status_code == 200
    assert "Chưa có số liệu nào trong kỳ này" in response.get_data(as_text=True)
    assert client.get(f"/reports/wards/{empty.id}/report.xlsx").status_code == 200
    assert client.get(f"/reports/wards/{known_ward.ward.id}?start=2031-01-01&end=2031-03-31").status_code == 200


def test_the_plan_saves_figures_and_targets_and_the_dashboard_compares(client, auth, known_ward):
    auth.sign_in_directly(known_ward.coordinator)
    w = known_ward.ward.id
    response = client.post(f"/reports/wards/{w}/plan", data={
        "pop-0-adults": "30", "pop-0-households": "4", "pop-0-elderly": "2", "pop-0-disability": "1",
        f"pop-{known_ward.market.id}-traders": "4", "target-adults_certified": "80",
        "target-households_certified": "95", "target-ai_users": "60%", "target-elderly_attended": "100"})
    assert response.status_code == 302
    html = client.get(f"/reports/wards/{w}?{Q}").get_data(as_text=True)
    assert "10.0%" in html  # 3 certified of 30 adults
    assert "50.0%" in html  # 2 of 4 households; 2 of 4 traders would be 25.0%
    assert "28.6%" in html  # 2 AI users of 7 learners
    assert "100.0%" in html and "✔ Đạt" in html and "✘ Chưa đạt" in html
    # The form shows what was saved.
    assert 'value="30"' in client.get(f"/reports/wards/{w}/plan").get_data(as_text=True)


def test_the_plan_refuses_bad_figures_and_keeps_nothing(client, auth, known_ward):
    auth.sign_in_directly(known_ward.coordinator)
    w = known_ward.ward.id
    cases = [({"target-ai_users": "120"}, "từ 0 đến 100"),
             ({"target-ai_users": "-5"}, "từ 0 đến 100"),
             ({"pop-0-adults": "abc"}, "số nguyên"),
             ({"pop-0-adults": "2", "target-ai_users": "60"}, "nhỏ hơn số người đã được chứng nhận (3)"),
             ({"pop-0-households": "1"}, "nhỏ hơn số hộ đã có người được chứng nhận (2)")]
    for data, message in cases:
        response = client.post(f"/reports/wards/{w}/plan", data=data)
        assert response.status_code == 422, data
        assert message in response.get_data(as_text=True), data
    from lms.reports.services import populations, targets

    assert populations(w) == {} and targets(w) == {}


def test_the_xlsx_and_csv_carry_period_ward_date_and_definitions(client, auth, known_ward):
    auth.sign_in_directly(known_ward.coordinator)
    w = known_ward.ward.id
    response = client.get(f"/reports/wards/{w}/report.xlsx?{Q}")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True).active
    rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    flat = [row for row in rows if row and row[0] is not None]
    assert flat[1][:2] == ("Đơn vị", "Phường Mẫu A")
    assert flat[2][:2] == ("Kỳ báo cáo", "01/01/2026 – 30/06/2026")
    assert flat[3][0] == "Ngày lập"
    by_label = {row[0]: row for row in flat}
    certified = by_label["Người được chứng nhận kỹ năng số cơ bản"]
    assert certified[1] == 3 and "thu hồi không tính" in certified[6]
    assert by_label["Hộ có thành viên được chứng nhận (Gia đình số)"][1:3] == (2, 4)
    csv = client.get(f"/reports/wards/{w}/report.csv?{Q}")
    assert csv.status_code == 200
    text = csv.data.decode("utf-8-sig")
    assert "Kỳ báo cáo,01/01/2026 – 30/06/2026" in text and "Người ghi danh vào lớp,6" in text


def test_the_province_view_puts_wards_side_by_side_sorted_and_exported(client, auth, known_ward, make_user):
    admin = make_user(("admin",), ward=None)
    auth.sign_in_directly(admin)
    html = client.get(f"/reports/province?{Q}&sort=enrolled&dir=desc").get_data(as_text=True)
    assert html.index("Phường Mẫu A") < html.index("Phường Khác B")
    html = client.get(f"/reports/province?{Q}&sort=enrolled").get_data(as_text=True)
    assert html.index("Phường Khác B") < html.index("Phường Mẫu A")
    response = client.get(f"/reports/province.xlsx?{Q}&sort=name")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Phường, xã"
    assert [r[0] for r in rows[1:]] == ["Phường Khác B", "Phường Mẫu A"]
    assert rows[2][2] == 6  # Phường Mẫu A: enrolled
    assert client.get(f"/reports/province?sort=<script>").status_code == 200
