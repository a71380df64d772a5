"""The ward's signature and stamp block on printed certificates: who signs and their title, set by the
ward's coordinator, on the print page and in the PDF, which stays one A4 page."""
import io

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from lms.audit.models import AuditLog
from lms.extensions import db
from lms.wards.models import Ward


@pytest.fixture()
def coordinator(make_user, ward_a):
    return make_user(("coordinator",), ward=ward_a, name="Trần Thị Thu Hà")


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_the_coordinator_sets_who_signs_and_it_prints_on_the_page_and_in_the_pdf(client, auth, coordinator, lan,
                                                                                  issued, ward_a):
    auth.login(coordinator)
    listing = client.get("/certificates/manage/").get_data(as_text=True)
    assert f"/certificates/manage/signer/{ward_a.id}" in listing
    form = client.get(f"/certificates/manage/signer/{ward_a.id}")
    assert form.status_code == 200 and "Chức vụ người ký" in form.get_data(as_text=True)
    response = client.post(f"/certificates/manage/signer/{ward_a.id}",
                           data={"signer_title": "  Chủ tịch  UBND phường ", "signer_name": "Lê  Hoàng Phúc"})
    assert response.status_code == 302
    assert "Đã lưu người ký" in client.get(response.headers["Location"]).get_data(as_text=True)
    ward = db.session.get(Ward, ward_a.id)
    db.session.refresh(ward)
    assert (ward.signer_title, ward.signer_name) == ("Chủ tịch UBND phường", "Lê Hoàng Phúc")
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "ward.certificate_signer"))
    assert entry.actor_id == coordinator.id and entry.details["after"]["signer_name"] == "Lê Hoàng Phúc"

    auth.logout()
    auth.login(lan)
    page = client.get(f"/certificates/{issued.id}/print").get_data(as_text=True)
    assert "Chủ tịch UBND phường" in page and "Lê Hoàng Phúc" in page
    assert "(Ký, ghi rõ họ tên và đóng dấu)" in page
    day = issued.issued_at  # issued just now: the same date in Vietnam unless run right at midnight there
    assert "Phường Mẫu, ngày " in page and f"năm {day.year}" in page
    response = client.get(f"/certificates/{issued.id}/chung-nhan.pdf")
    pages = pdf_pages(response.data)
    assert len(pages) == 1
    for expected in ("CHỦ TỊCH UBND PHƯỜNG", "Lê Hoàng Phúc", "(Ký, ghi rõ họ tên và đóng dấu)", "Phường Mẫu, ngày",
                     "Nguyễn Thị Lan", "An toàn trên mạng"):
        assert expected in pages[0], expected


def test_without_a_signer_the_block_is_left_blank_to_sign_by_hand(client, auth, lan, issued):
    auth.logout()
    auth.login(lan)
    page = client.get(f"/certificates/{issued.id}/print").get_data(as_text=True)
    assert "Đại diện nơi cấp" in page and "(Ký, ghi rõ họ tên và đóng dấu)" in page
    pages = pdf_pages(client.get(f"/certificates/{issued.id}/chung-nhan.pdf").data)
    assert len(pages) == 1 and "ĐẠI DIỆN NƠI CẤP" in pages[0]


@pytest.mark.parametrize("data, message", [
    ({"signer_title": "", "signer_name": "Lê Hoàng Phúc"}, "Hãy nhập chức vụ của người ký."),
    ({"signer_title": "Chủ tịch UBND phường", "signer_name": " "}, "Hãy nhập họ và tên người ký."),
    ({"signer_title": "x" * 121, "signer_name": "Lê Hoàng Phúc"}, "Chức vụ dài quá 120 ký tự."),
    ({"signer_title": "Chủ tịch UBND phường", "signer_name": "y" * 121}, "Họ và tên dài quá 120 ký tự."),
])
def test_bad_input_is_refused_in_words_and_nothing_is_saved(client, auth, coordinator, ward_a, data, message):
    auth.login(coordinator)
    response = client.post(f"/certificates/manage/signer/{ward_a.id}", data=data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Ward, ward_a.id).signer_name is None


def test_only_the_wards_own_coordinator_or_an_admin_sets_its_signer(client, auth, make_user, make_ward, ward_a, lan):
    other = make_user(("coordinator",), ward=make_ward("Phường Khác"), name="Phạm Văn Khác")
    data = {"signer_title": "Chủ tịch", "signer_name": "Kẻ Mạo Danh"}
    auth.login(other)
    assert client.get(f"/certificates/manage/signer/{ward_a.id}").status_code == 404
    assert client.post(f"/certificates/manage/signer/{ward_a.id}", data=data).status_code == 404
    assert client.post("/certificates/manage/signer/999999", data=data).status_code == 404
    auth.logout()
    auth.login(lan)
    assert client.post(f"/certificates/manage/signer/{ward_a.id}", data=data).status_code == 403
    db.session.expire_all()
    assert db.session.get(Ward, ward_a.id).signer_name is None
    admin = make_user(("admin",), name="Quản Trị Viên")
    auth.logout()
    auth.login(admin)
    response = client.post(f"/certificates/manage/signer/{ward_a.id}",
                           data={"signer_title": "Phó Chủ tịch UBND phường", "signer_name": "Đỗ Minh Châu"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Ward, ward_a.id).signer_name == "Đỗ Minh Châu"


def test_the_longest_certificate_with_a_long_signer_title_stays_one_a4_page(app):
    from lms.certificates.pdf import render_pdf
    from lms.certificates.sheet import Sheet

    with app.test_request_context():
        sheet = Sheet(
            issuer="Phường Nguyễn Trung Trực, Thành phố Hồ Chí Minh", learner="Nguyễn Thị Bích Ngọc Hoàng Anh",
            birth_year="1956", course="Dùng dịch vụ công trực tuyến và ví điện tử an toàn cho người cao tuổi",
            version="3", competences=["4.2 Bảo vệ dữ liệu cá nhân và quyền riêng tư", "4.1 Bảo vệ thiết bị",
                                      "2.1 Tương tác thông qua công nghệ số",
                                      "1.1 Duyệt, tìm kiếm và lọc dữ liệu, thông tin và nội dung số"],
            level="Bậc 2 (Cơ bản)", method="Học trực tiếp: có mặt ở lớp và đạt bài kiểm tra trên giấy ngày 30/11/2026",
            issued_on="01/12/2026", instructor="Trần Văn Bình", code="KSKP-EWW8-T0FH-4",
            verify_url="https://lopso.example.gov.vn/verify/KSKP-EWW8-T0FH-4",
            signed_at="Phường Nguyễn Trung Trực, ngày 01 tháng 12 năm 2026",
            signer_title="Phó Chủ tịch Ủy ban nhân dân phường Nguyễn Trung Trực", signer_name="Lê Hoàng Phúc")
        data = render_pdf([sheet], "thử")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 841.89) < 1 and abs(float(box.height) - 595.28) < 1
    runs = []
    reader.pages[0].extract_text(visitor_text=lambda t, cm, tm, fd, fs: runs.append((tm[5], t)) if t.strip() else None)
    text = "".join(t for _, t in runs)
    for expected in ("PHÓ CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG", "Lê Hoàng Phúc", "Giảng viên:", "Mã: KSKP-EWW8-T0FH-4"):
        assert expected in text, expected
    # everything inside the page, and room to sign and stamp (≥ 15 mm) between the hint and the name
    assert all(20 < y < 595.28 - 20 for y, _ in runs)
    hint = next(y for y, t in runs if "(Ký, ghi rõ" in t)
    name = next(y for y, t in runs if "Lê Hoàng Phúc" in t)
    assert (hint - name) / 72 * 25.4 >= 15
