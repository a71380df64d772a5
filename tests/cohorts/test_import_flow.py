"""Upload, preview, confirm: nothing written before the confirmation, everything or nothing after."""
import io
import re
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.cohorts.models import Enrollment, StagedImport
from lms.cohorts.services import enrol
from lms.extensions import db
from lms.households.models import Household, HouseholdMember

FIXTURES = Path(__file__).parent / "fixtures"


def upload(client, cohort, name, data=None):
    data = (FIXTURES / name).read_bytes() if data is None else data
    return client.post(f"/cohorts/{cohort.id}/import", data={"sheet": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def staged_key(response) -> str:
    return response.headers["Location"].rsplit("/", 1)[1]


def count(model, *where):
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


@pytest.fixture()
def signed_in(client, auth, world, make_user):
    lan = make_user(ward=world.ward, name="Nguyễn Thị Lan", phone="0912345699")
    enrol(world.cohort, lan, consent=True)
    db.session.commit()
    auth.login(world.coordinator)
    return client


def test_preview_shows_every_bad_row_with_its_line_and_reason(signed_in, world):
    response = upload(signed_in, world.cohort, "messy_export.xlsx")
    assert response.status_code == 302
    page = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "10 dòng trong tệp" in page
    assert "4 người mới sẽ được tạo tài khoản" in page
    # Line 8 gives line 4's number to another name: a question (same phone, another person?), not an error.
    assert re.search(r'id="ask-8".*?Dùng chung số điện thoại với dòng 4 trong tệp', page, re.S)
    for line, reason in [(7, "Số điện thoại “12345” chưa đúng"),
                         (9, "Đã ở trong lớp này từ trước."), (10, "Năm sinh “2090” không thể đúng"),
                         (11, "Thiếu họ và tên."), (12, "Phường chưa có tổ dân phố hoặc thôn “Tổ 9”")]:
        assert re.search(rf"<td[^>]*>{line}</td>.*?{re.escape(reason)}", page, re.S), (line, reason)
    assert count(User, User.phone == "+84912345601") == 0


def test_confirm_writes_the_previewed_rows_once(signed_in, world):
    key = staged_key(upload(signed_in, world.cohort, "messy_export.xlsx"))
    url = f"/cohorts/{world.cohort.id}/import/{key}"
    before = count(Enrollment, Enrollment.cohort_id == world.cohort.id)
    response = signed_in.post(url, data={"consent": "y", "support_consent": "y"})
    assert response.status_code == 302
    assert count(Enrollment, Enrollment.cohort_id == world.cohort.id) == before + 4
    binh = db.session.scalar(sa.select(User).where(User.phone == "+84912345602"))
    assert (binh.full_name, binh.birth_year, binh.secret_hash) == ("Trần Thị Bình", 1948, None)
    assert binh.data_consent_at is not None and binh.needs_accessibility_support
    assert binh.roles == {"learner"} and binh.ward_id == world.ward.id
    # Both people of "Hộ ông Nguyễn Văn An" are in one household of the ward.
    household = db.session.scalar(sa.select(Household).where(Household.name == "Hộ ông Nguyễn Văn An"))
    assert count(HouseholdMember, HouseholdMember.household_id == household.id) == 2
    done = signed_in.get(url).get_data(as_text=True)
    assert "4 tài khoản mới" in done and "4 người được ghi danh vào lớp" in done

    # Once written, the copy of the rows kept for the preview is dropped.
    assert db.session.scalar(sa.select(StagedImport.rows).where(StagedImport.key == key)) == []

    again = signed_in.post(url, data={"consent": "y"}, follow_redirects=True)
    assert "đã được ghi danh rồi" in again.get_data(as_text=True)
    assert count(Enrollment, Enrollment.cohort_id == world.cohort.id) == before + 4


def test_uploading_the_same_file_again_creates_nobody_twice(signed_in, world):
    key = staged_key(upload(signed_in, world.cohort, "messy_export.xlsx"))
    signed_in.post(f"/cohorts/{world.cohort.id}/import/{key}", data={"consent": "y"})
    users, enrolments = count(User), count(Enrollment)
    second = staged_key(upload(signed_in, world.cohort, "messy_export.xlsx"))
    page = signed_in.get(f"/cohorts/{world.cohort.id}/import/{second}").get_data(as_text=True)
    assert "0 người mới sẽ được tạo tài khoản" in page and "5 người đã ở trong lớp, bỏ qua" in page
    # Only the row sharing line 4's number, left unanswered the first time, asks again.
    assert "1 dòng cần bạn chọn" in page and 'id="ask-8"' in page
    assert (count(User), count(Enrollment)) == (users, enrolments)


def test_confirming_without_consent_writes_nothing_and_says_why(signed_in, world):
    key = staged_key(upload(signed_in, world.cohort, "utf8_comma.csv"))
    response = signed_in.post(f"/cohorts/{world.cohort.id}/import/{key}", data={})
    assert response.status_code == 422
    assert "Cần xác nhận sự đồng ý trước khi ghi danh." in response.get_data(as_text=True)
    assert count(User, User.phone == "+84912345621") == 0


def test_accessibility_is_not_kept_without_its_own_consent(signed_in, world):
    key = staged_key(upload(signed_in, world.cohort, "messy_export.xlsx"))
    signed_in.post(f"/cohorts/{world.cohort.id}/import/{key}", data={"consent": "y"})
    binh = db.session.scalar(sa.select(User).where(User.phone == "+84912345602"))
    assert not binh.needs_accessibility_support and binh.accessibility_consent_at is None


@pytest.mark.parametrize("name, message", [
    ("missing_phone_column.csv", "Tệp thiếu cột bắt buộc: “Số điện thoại”"),
    ("empty.csv", "Tệp trống"),
    ("old_excel.xls", "Excel kiểu cũ (.xls)"),
    ("not_a_sheet.pdf", "Chỉ nhận tệp Excel (.xlsx), CSV (.csv) hoặc Unicode Text (.txt)."),
])
def test_bad_files_are_refused_with_a_reason_and_nothing_is_kept(signed_in, world, name, message):
    response = upload(signed_in, world.cohort, name)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(StagedImport) == 0


def test_a_file_over_the_limit_is_refused(signed_in, world, monkeypatch):
    # The limit (5 MB) made small, so the test client need not spool a real 5 MB body to disk.
    from lms.cohorts import import_routes, sheets

    monkeypatch.setattr(sheets, "MAX_BYTES", 2000)
    monkeypatch.setattr(import_routes, "MAX_BYTES", 2000)
    response = upload(signed_in, world.cohort, "big.csv", "Họ và tên,Số điện thoại\n".encode() * 200)
    assert response.status_code == 413
    assert "lớn hơn 5 MB" in response.get_data(as_text=True)


def test_no_file_chosen(signed_in, world):
    response = signed_in.post(f"/cohorts/{world.cohort.id}/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Hãy chọn tệp danh sách." in response.get_data(as_text=True)


@pytest.mark.parametrize("name", ["utf8_bom_semicolon.csv", "utf16_tab.csv", "utf16_semicolon.csv",
                                  "decomposed_nfd.csv", "windows_1258.csv", "utf8_comma.csv"])
def test_every_export_enrols_the_same_three_people(signed_in, world, name):
    key = staged_key(upload(signed_in, world.cohort, name))
    signed_in.post(f"/cohorts/{world.cohort.id}/import/{key}", data={"consent": "y"})
    names = set(db.session.scalars(sa.select(User.full_name).where(User.phone.in_(
        ["+84912345621", "+84912345622", "+84912345623"]))))
    assert names == {"Ngô Thị Hoà", "Trịnh Văn Sơn", "Lý Thị Hồng"}


def test_another_coordinator_cannot_see_or_confirm_my_preview(signed_in, client, auth, world, make_user):
    key = staged_key(upload(signed_in, world.cohort, "utf8_comma.csv"))
    colleague = make_user(("coordinator",), ward=world.ward, name="Cán bộ khác")
    auth.logout()
    auth.login(colleague)
    url = f"/cohorts/{world.cohort.id}/import/{key}"
    assert client.get(url).status_code == 404
    assert client.post(url, data={"consent": "y"}).status_code == 404
    assert count(User, User.phone == "+84912345621") == 0


def test_an_expired_preview_cannot_be_confirmed(signed_in, world):
    key = staged_key(upload(signed_in, world.cohort, "utf8_comma.csv"))
    staged = db.session.scalar(sa.select(StagedImport).where(StagedImport.key == key))
    staged.expires_at -= timedelta(hours=3)
    db.session.commit()
    response = signed_in.post(f"/cohorts/{world.cohort.id}/import/{key}", data={"consent": "y"})
    assert response.status_code == 410
    assert "Bản xem trước đã hết hạn" in response.get_data(as_text=True)
    assert count(User, User.phone == "+84912345621") == 0


def test_a_failure_while_writing_leaves_nothing_half_written(signed_in, world, monkeypatch):
    from lms.cohorts.signals import households_named

    key = staged_key(upload(signed_in, world.cohort, "messy_export.xlsx"))

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(households_named, "send", explode)
    users = count(User)
    response = signed_in.post(f"/cohorts/{world.cohort.id}/import/{key}", data={"consent": "y"})
    assert response.status_code == 500
    assert count(User) == users
    assert db.session.scalar(sa.select(StagedImport.confirmed_at).where(StagedImport.key == key)) is None


def test_two_confirmations_at_the_same_moment_write_once(signed_in, world, app):
    key = staged_key(upload(signed_in, world.cohort, "messy_export.xlsx"))
    url = f"/cohorts/{world.cohort.id}/import/{key}"
    coordinator_phone = world.coordinator.phone
    statuses = []

    def confirm():
        with app.test_client() as other:
            other.post("/login", data={"phone": coordinator_phone, "secret": "482916"})
            statuses.append(other.post(url, data={"consent": "y"}).status_code)

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [302, 302]
    assert count(User, User.phone.in_(["+84912345601", "+84912345602", "+84912345603", "+84912345611"])) == 4
    assert count(Enrollment, Enrollment.cohort_id == world.cohort.id) == 6  # the learner, Lan and 4 new
