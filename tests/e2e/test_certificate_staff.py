"""Staff pages in a real browser: an instructor attests an in-person pass, a coordinator revokes a
certificate and opens the attestation export — axe-clean on every page, no script needed."""
import pytest
import sqlalchemy as sa

from lms.certificates.models import Certificate
from lms.cohorts.models import Cohort, Enrollment
from lms.courses.models import Course
from lms.extensions import db
from tests.e2e.harness import assert_accessible, assert_no_console_errors

pytestmark = pytest.mark.e2e


def _sign_in(page, live, phone: str):
    page.goto(live("/login"))
    page.get_by_label("Số điện thoại").fill(phone)
    page.get_by_label("Mã PIN hoặc mật khẩu").fill("482916")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(live("/"))


@pytest.fixture()
def hall(make_ward, make_user):
    ward = make_ward("Phường Mẫu")
    teacher = make_user(("instructor",), ward=ward, name="Lê Văn Minh", phone="0912 345 620")
    make_user(("coordinator",), ward=ward, name="Trần Thị Thu Hà", phone="0912 345 621")
    learner = make_user(ward=ward, name="Vũ Văn Bình", phone="0912 345 622", birth_year=1949)
    course = Course(slug="khoa-truc-tiep", title={"vi": "Dịch vụ công trực tuyến"}, summary={"vi": "x"},
                    audiences=["everyone"], competences=["2.3"], level=1, minutes=30, version=2, content_hash="x")
    db.session.add(course)
    db.session.flush()
    cohort = Cohort(ward_id=ward.id, name="Lớp người cao tuổi", audience="elderly", join_code="E2ECERT1")
    cohort.courses, cohort.instructors = [course], [teacher]
    db.session.add(cohort)
    db.session.flush()
    db.session.add(Enrollment(cohort_id=cohort.id, user_id=learner.id))
    db.session.commit()
    return {"cohort": cohort, "learner": learner}


def test_an_instructor_attests_then_a_coordinator_revokes_and_exports(live, projector_page, new_browser_context,
                                                                     hall):
    page = projector_page
    _sign_in(page, live, "0912345620")
    page.get_by_role("link", name="Chứng nhận của tôi").click()
    page.get_by_role("link", name="Lớp người cao tuổi").click()
    assert_accessible(page)
    page.get_by_role("link", name="Xác nhận học viên đạt (học trực tiếp)").click()
    assert_accessible(page)
    page.get_by_role("button", name="Cấp chứng nhận").click()  # nothing filled in: told what is missing
    assert "Hãy chọn học viên." in page.content()
    assert_accessible(page)
    page.get_by_label("Học viên", exact=True).select_option(label="Vũ Văn Bình (1949)")
    page.get_by_label("Khoá học", exact=True).select_option(label="Dịch vụ công trực tuyến")
    page.get_by_label("Ngày đánh giá (ngày/tháng/năm)").fill("10/10/2025")
    page.get_by_label("Bài kiểm tra trên giấy").check()
    page.get_by_label("Tôi xác nhận học viên đã tham gia lớp học và đã đạt bài đánh giá.").check()
    page.get_by_role("button", name="Cấp chứng nhận").click()
    assert "Đã cấp chứng nhận cho Vũ Văn Bình." in page.locator(".flash").inner_text()
    page.get_by_role("link", name="In tất cả chứng nhận").click()
    assert page.locator(".sheet").count() == 1
    assert_accessible(page)
    assert_no_console_errors(page)

    office = new_browser_context(viewport={"width": 1280, "height": 720})
    _sign_in(office, live, "0912345621")
    office.goto(live("/certificates/manage/"))
    assert_accessible(office)
    office.get_by_role("link", name="Vũ Văn Bình").click()
    assert_accessible(office)
    office.get_by_role("link", name="Thu hồi chứng nhận").click()
    assert_accessible(office)
    office.get_by_label("Cấp nhầm").check()
    office.get_by_label("Ghi chú riêng (không bắt buộc)").fill("Giảng viên xác nhận nhầm người")
    office.get_by_label("Tôi hiểu: sau khi thu hồi, trang kiểm tra sẽ báo chứng nhận này không còn hiệu lực.").check()
    office.get_by_role("button", name="Thu hồi chứng nhận").click()
    assert "Chứng nhận đã bị thu hồi" in office.locator(".cert-status").inner_text()
    assert "Lý do: Cấp nhầm" in office.locator(".cert-status").inner_text()
    assert "Giảng viên xác nhận nhầm người" in office.content()  # the ward's staff see the private note
    assert_accessible(office)

    office.goto(live("/certificates/manage/export"))
    assert_accessible(office)
    office.get_by_label("Từ ngày").fill("01/01/2020")
    office.get_by_label("Đến ngày").fill("31/12/2099")
    office.get_by_label("CSV (.csv, UTF-8)").check()
    with office.expect_download() as download:
        office.get_by_role("button", name="Tải danh sách").click()
    assert download.value.suggested_filename.endswith(".csv")
    assert_no_console_errors(office)

    db.session.expire_all()
    certificate = db.session.scalar(sa.select(Certificate).where(Certificate.user_id == hall["learner"].id))
    assert (certificate.method, certificate.status) == ("in_person", "revoked")
