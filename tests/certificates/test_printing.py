"""Printing: an A4 landscape page with a QR code, a PDF whose Vietnamese text comes out exactly, and a
whole cohort's certificates one per page."""
import io
import re

import pytest
from pypdf import PdfReader

from lms.certificates.codes import display_code
from lms.certificates.services import issue_if_completed
from lms.extensions import db


def pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_the_print_page_is_a4_landscape_with_a_qr_code_to_the_absolute_verify_link(client, auth, lan, issued):
    auth.login(lan)
    response = client.get(f"/certificates/{issued.id}/print")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Nguyễn Thị Lan" in text and "Năm sinh: 1956" in text and "An toàn trên mạng" in text
    verify_url = f"http://localhost/verify/{display_code(issued.code)}"
    assert verify_url in text
    assert re.search(r"<svg[^>]*class=\"qr\"", text)
    assert "style=" not in text and "<script>" not in text
    stylesheet = re.search(r'href="(/certificates/static/print\.css\?v=\w+)"', text).group(1)
    with client.get(stylesheet) as sheet:
        css = sheet.get_data(as_text=True)
    assert "@page { size: A4 landscape" in css


def test_the_pdf_renders_vietnamese_exactly(client, auth, lan, issued):
    auth.login(lan)
    response = client.get(f"/certificates/{issued.id}/chung-nhan.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape
    assert abs(float(box.width) - 841.89) < 1 and abs(float(box.height) - 595.28) < 1  # A4 in points
    text = reader.pages[0].extract_text()
    for expected in ("Nguyễn Thị Lan", "An toàn trên mạng", "CHỨNG NHẬN", "PHƯỜNG MẪU, TỈNH THỬ", "Năm sinh: 1956",
                     "4.2 Bảo vệ dữ liệu cá nhân và quyền riêng tư", display_code(issued.code),
                     "Học trực tuyến", "đây không phải là"):
        assert expected in text, expected
    fonts = {str(f) for page in reader.pages for f in page["/Resources"]["/Font"].values()}
    assert fonts


def test_the_pdf_of_a_real_course_prints_its_vietnamese_title(client, auth, catalogue, lan, finish_course):
    import sqlalchemy as sa

    from lms.courses.models import Course

    course = db.session.scalar(sa.select(Course).where(Course.slug == "an-toan-tren-mang"))
    finish_course(lan, course)
    certificate = issue_if_completed(lan, course)
    db.session.commit()
    auth.login(lan)
    text = pdf_text(client.get(f"/certificates/{certificate.id}/chung-nhan.pdf").data)[0]
    assert "Nguyễn Thị Lan" in text and "An toàn trên mạng" in text


@pytest.fixture()
def cohort_of_three(make_user, make_course, make_cohort, finish_course, ward_a, lan):
    course = make_course(title="Thanh toán số")
    teacher = make_user(("instructor",), ward=ward_a, name="Lê Văn Minh")
    others = [make_user(ward=ward_a, name=name) for name in ("Phạm Văn Hùng", "Đỗ Thị Mai", "Vũ Văn Bình")]
    cohort = make_cohort(ward_a, courses=[course], members=[lan, *others], instructors=[teacher],
                         name="Lớp người cao tuổi")
    for person in (lan, *others[:2]):
        finish_course(person, course)
        issue_if_completed(person, course)
    db.session.commit()
    return {"cohort": cohort, "teacher": teacher, "course": course}


def test_a_cohorts_certificates_print_one_per_page(client, auth, cohort_of_three):
    auth.login(cohort_of_three["teacher"])
    cohort = cohort_of_three["cohort"]
    html = client.get(f"/certificates/cohorts/{cohort.id}/print").get_data(as_text=True)
    assert html.count('class="sheet"') == 3
    assert html.count('<svg') >= 3 and "Vũ Văn Bình" not in html
    response = client.get(f"/certificates/cohorts/{cohort.id}/chung-nhan.pdf")
    pages = pdf_text(response.data)
    assert len(pages) == 3
    assert sorted(p for page in pages for p in ("Nguyễn Thị Lan", "Phạm Văn Hùng", "Đỗ Thị Mai") if p in page) == \
        sorted(["Nguyễn Thị Lan", "Phạm Văn Hùng", "Đỗ Thị Mai"])
    assert all("Thanh toán số" in page for page in pages)


def test_the_wards_coordinator_may_batch_print_but_not_another_ward_or_a_learner(client, auth, make_user, make_ward,
                                                                                cohort_of_three, ward_a, lan):
    cohort = cohort_of_three["cohort"]
    auth.login(make_user(("coordinator",), ward=ward_a))
    assert client.get(f"/certificates/cohorts/{cohort.id}/chung-nhan.pdf").status_code == 200
    auth.logout()
    auth.login(make_user(("coordinator",), ward=make_ward("Xã Khác")))
    assert client.get(f"/certificates/cohorts/{cohort.id}/print").status_code == 404
    auth.logout()
    auth.login(make_user(("instructor",), ward=ward_a, name="Giảng viên khác"))
    assert client.get(f"/certificates/cohorts/{cohort.id}/print").status_code == 404
    auth.logout()
    auth.login(lan)
    assert client.get(f"/certificates/cohorts/{cohort.id}/print").status_code == 403


def test_an_empty_cohort_says_there_is_nothing_to_print(client, auth, make_user, make_cohort, make_course, ward_a):
    teacher = make_user(("instructor",), ward=ward_a)
    cohort = make_cohort(ward_a, courses=[make_course()], instructors=[teacher])
    auth.login(teacher)
    assert "chưa có chứng nhận nào" in client.get(f"/certificates/cohorts/{cohort.id}/print").get_data(as_text=True)
    response = client.get(f"/certificates/cohorts/{cohort.id}/chung-nhan.pdf")
    assert response.status_code == 302
