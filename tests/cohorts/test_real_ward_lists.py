"""Ward lists as wards really have them: extra columns, dates of birth, Unicode Text, the template,
a number someone else holds, groups the ward does not have yet, consent given before."""
import io
import re
from datetime import datetime

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from lms.accounts.models import User
from lms.cohorts.models import Enrollment, StagedImport
from lms.extensions import db
from lms.wards.models import ResidentialGroup


def upload(client, cohort, name, data):
    return client.post(f"/cohorts/{cohort.id}/import", data={"sheet": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def person(phone):
    db.session.expire_all()
    return db.session.scalars(sa.select(User).where(User.phone == phone)).all()


def enrolled(cohort, user_id) -> bool:
    return db.session.scalar(sa.select(Enrollment.id).where(Enrollment.cohort_id == cohort.id,
                                                            Enrollment.user_id == user_id)) is not None


@pytest.fixture()
def coordinator(client, auth, world):
    auth.login(world.coordinator)
    return client


def preview_of(client, response):
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    url = response.headers["Location"]
    return url, client.get(url).get_data(as_text=True)


def test_extra_columns_and_full_dates_of_birth_are_read_keeping_only_the_year(coordinator, world):
    data = xlsx([
        ["STT", "Họ và tên", "Ngày sinh", "Số điện thoại", "Nhóm", "Số CCCD"],
        [1, "Lê Thị Chín", datetime(1951, 3, 15), "0987650001", "Hội phụ nữ", "001151000123"],
        [2, "Phan Văn Tám", "07/11/1949", "0987650002", "Hội cựu chiến binh", ""],
        [3, "Vũ Thị Bảy", 1955, "0987650003", "", ""],
    ])
    url, page = preview_of(coordinator, upload(coordinator, world.cohort, "phuong.xlsx", data))
    assert "3 người mới sẽ được tạo tài khoản" in page
    assert "bỏ qua, không đọc và không lưu: E “Nhóm”, F “Số CCCD”" in page
    assert "001151000123" not in page
    assert coordinator.post(url, data={"consent": "y"}).status_code == 302
    years = {p.full_name: p.birth_year for p in db.session.scalars(sa.select(User).where(
        User.phone.in_(["+84987650001", "+84987650002", "+84987650003"])))}
    assert years == {"Lê Thị Chín": 1951, "Phan Văn Tám": 1949, "Vũ Thị Bảy": 1955}
    kept = db.session.scalar(sa.select(StagedImport.rows).where(StagedImport.key == url.rsplit("/", 1)[1]))
    assert kept == []


def test_excel_unicode_text_is_accepted_and_offered_by_the_file_picker(coordinator, world):
    page = coordinator.get(f"/cohorts/{world.cohort.id}/import").get_data(as_text=True)
    assert re.search(r'accept="[^"]*\.txt', page)
    assert "Chỉ năm sinh được lưu" in page
    text = "Họ và tên\tSố điện thoại\tNgày sinh\r\nĐinh Thị Mười\t0987650011\t02/01/1950\r\n"
    data = text.encode("utf-16")  # what Excel's "Unicode Text" writes: BOM, UTF-16 LE, tabs
    url, page = preview_of(coordinator, upload(coordinator, world.cohort, "danh sach.txt", data))
    assert "Đinh Thị Mười" in page and "1950" in page


def test_the_template_downloads_and_reads_back(coordinator, world, client):
    response = coordinator.get("/cohorts/import-template.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("STT", "Họ và tên", "Số điện thoại", "Năm sinh")
    assert rows[1][1:3] == ("Nguyễn Văn An", "0912345678")
    url, page = preview_of(coordinator, upload(coordinator, world.cohort, "mau.xlsx", response.data))
    assert "1 người mới sẽ được tạo tài khoản" in page and "bỏ qua" not in page.split("Dòng sẽ bỏ qua")[0][-300:]


def test_the_template_is_for_staff_who_enrol(client, auth, world):
    auth.login(world.learner)
    assert client.get("/cohorts/import-template.xlsx").status_code == 403


def test_a_number_held_by_someone_of_another_name_asks_and_is_never_an_enrolment_of_them(coordinator, world,
                                                                                         make_user):
    mai = make_user(ward=world.ward, name="Đỗ Thị Mai", phone="0987650021")
    db.session.commit()
    data = "Họ và tên,Số điện thoại\nTrịnh Văn Mười,0987650021\n".encode()
    url, page = preview_of(coordinator, upload(coordinator, world.cohort, "a.csv", data))
    assert "Số này đang là của: Đỗ Thị Mai." in page and 'name="choice-2"' in page
    assert "Đã ở trong lớp này từ trước" not in page
    assert "0 người đã có tài khoản sẽ được ghi danh" in page
    coordinator.post(url, data={"consent": "y"})  # left unanswered: nothing written
    assert not enrolled(world.cohort, mai.id)
    assert [p.full_name for p in person("+84987650021")] == ["Đỗ Thị Mai"]
    # "Người khác, dùng chung số": Mười is created on the shared number; Mai is still not enrolled.
    url, page = preview_of(coordinator, upload(coordinator, world.cohort, "a.csv", data))
    assert coordinator.post(url, data={"consent": "y", "choice-2": "new"}).status_code == 302
    assert not enrolled(world.cohort, mai.id)
    assert sorted(p.full_name for p in person("+84987650021")) == ["Trịnh Văn Mười", "Đỗ Thị Mai"]


def test_a_group_the_ward_lacks_is_added_from_the_preview_after_confirming(coordinator, world):
    data = "Họ và tên,Số điện thoại,Thôn\nHà Văn Một,0987650031,Thôn Đoài\nHà Thị Hai,0987650032,thôn đoài\n".encode()
    url, page = preview_of(coordinator, upload(coordinator, world.cohort, "a.csv", data))
    assert "Phường chưa có tổ dân phố hoặc thôn “Thôn Đoài”" in page
    assert "Thêm vào phường và kiểm tra lại" in page
    refused = coordinator.post(url + "/groups", data={})
    assert refused.status_code == 422 and "Hãy đánh dấu để xác nhận." in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(ResidentialGroup).where(ResidentialGroup.name == "Thôn Đoài")) is None

    done = coordinator.post(url + "/groups", data={"confirm": "y"})
    assert done.status_code == 302
    groups = db.session.scalars(sa.select(ResidentialGroup).where(ResidentialGroup.ward_id == world.ward.id,
                                                                  ResidentialGroup.name.ilike("%o%i"))).all()
    assert [(g.name, g.kind) for g in groups] == [("Thôn Đoài", "thon")]
    page = coordinator.get(url).get_data(as_text=True)
    assert "2 người mới sẽ được tạo tài khoản" in page and "Phường chưa có" not in page
    coordinator.post(url, data={"consent": "y"})
    assert {p.group_id for p in person("+84987650031") + person("+84987650032")} == {groups[0].id}


def test_another_wards_coordinator_cannot_add_groups_through_my_preview(coordinator, client, auth, world):
    data = "Họ và tên,Số điện thoại,Thôn\nHà Văn Một,0987650041,Thôn Mới\n".encode()
    url, _ = preview_of(coordinator, upload(coordinator, world.cohort, "a.csv", data))
    auth.logout()
    auth.login(world.other_coordinator)
    assert client.post(url + "/groups", data={"confirm": "y"}).status_code == 404
    assert db.session.scalar(sa.select(ResidentialGroup).where(ResidentialGroup.name == "Thôn Mới")) is None


def test_a_name_that_looks_like_a_formula_is_flagged(coordinator, world):
    data = "Họ và tên,Số điện thoại\n\"=HYPERLINK(\"\"http://x\"\")\",0987650051\n@Tên,0987650052\n".encode()
    url, page = preview_of(coordinator, upload(coordinator, world.cohort, "a.csv", data))
    assert "2 tên bắt đầu bằng =, +, - hoặc @" in page
    assert page.count("Tên bắt đầu bằng dấu của công thức: hãy kiểm tra.") == 2


def test_someone_who_consented_before_is_not_asked_again(coordinator, world, make_user):
    from lms.cohorts.services import create_cohort

    other = create_cohort(ward_id=world.ward.id, name="Lớp hai", audience="everyone")
    db.session.commit()
    lan = world.learner  # consented when enrolled in the first cohort
    data = f"Họ và tên,Số điện thoại\n{lan.full_name},{lan.phone}\n".encode()
    url, page = preview_of(coordinator, upload(coordinator, other, "a.csv", data))
    assert "Mọi người trong danh sách đã đồng ý trước đây; không cần hỏi lại." in page
    assert 'name="consent"' not in page
    assert coordinator.post(url, data={}).status_code == 302
    assert enrolled(other, lan.id)


def test_a_new_person_still_needs_the_consent(coordinator, world):
    data = "Họ và tên,Số điện thoại\nMới Văn Một,0987650061\n".encode()
    url, page = preview_of(coordinator, upload(coordinator, world.cohort, "a.csv", data))
    assert 'name="consent"' in page
    response = coordinator.post(url, data={})
    assert response.status_code == 422 and "Cần xác nhận sự đồng ý trước khi ghi danh." in response.get_data(as_text=True)
    assert person("+84987650061") == []


def test_the_reason_column_is_kept_on_a_narrow_phone(coordinator, world):
    data = "Họ và tên,Số điện thoại\nAi Đó,12345\n".encode()
    url, page = preview_of(coordinator, upload(coordinator, world.cohort, "a.csv", data))
    assert re.search(r'<table class="rows stack-narrow">', page)
    with coordinator.get("/static/css/app.css") as response:
        css = response.get_data(as_text=True)
    assert "table.stack-narrow td[data-label]::before" in css
