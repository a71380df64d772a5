"""A learner's own certificates: the list, the page with its name choice, asking for one not earned,
and no one else's certificate reachable."""
import pytest
import sqlalchemy as sa

from lms.certificates.models import Certificate
from lms.extensions import db
from lms.signals import person_erased
from tests.certificates.conftest import finish


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Certificate))


def test_my_certificates_lists_them_and_the_page_shows_everything_printed(client, auth, lan, issued):
    auth.login(lan)
    listing = client.get("/certificates/").get_data(as_text=True)
    assert "An toàn trên mạng" in listing and "Chứng nhận hợp lệ" in listing
    page = client.get(f"/certificates/{issued.id}").get_data(as_text=True)
    for expected in ("Nguyễn Thị Lan", "1956", "phiên bản 1", "4.2 Bảo vệ dữ liệu cá nhân", "Bậc 1 (cơ bản)",
                     "Học trực tuyến", "Phường Mẫu", "/verify/", "credential.json", "credential.jwt"):
        assert expected in page, expected


def test_the_nav_offers_my_certificates_to_signed_in_people(client, auth, lan):
    assert "Chứng nhận của tôi" not in client.get("/").get_data(as_text=True)
    auth.login(lan)
    assert "Chứng nhận của tôi" in client.get("/").get_data(as_text=True)


def test_the_learner_chooses_how_the_name_shows_on_the_public_page(client, auth, lan, issued):
    auth.login(lan)
    page = client.get(f"/certificates/{issued.id}").get_data(as_text=True)
    assert "Nguyễn T. L." in page
    response = client.post("/certificates/name-display", data={"display": "full", "certificate_id": issued.id})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/certificates/{issued.id}")
    db.session.expire_all()
    assert lan.show_full_name is True
    client.post("/certificates/name-display", data={"display": "initials"})
    db.session.expire_all()
    assert lan.show_full_name is False
    client.post("/certificates/name-display", data={"display": "everything"})
    db.session.expire_all()
    assert lan.show_full_name is False


def test_asking_for_a_certificate_not_earned_gets_a_clear_403_and_nothing_is_issued(client, auth, lan, make_course):
    course = make_course()
    finish(lan, course, lessons=1, quiz_passed=False)
    auth.login(lan)
    response = client.get(f"/certificates/course/{course.slug}")
    text = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "Bạn chưa nhận được chứng nhận" in text and "1 trên 2" in text and "chưa đạt" in text
    assert _count() == 0
    assert client.get("/certificates/course/khong-co-khoa-nay").status_code == 404


def test_asking_after_finishing_issues_it_once(client, auth, lan, make_course):
    course = make_course()
    finish(lan, course)
    auth.login(lan)
    first = client.post(f"/certificates/course/{course.slug}")
    second = client.post(f"/certificates/course/{course.slug}")
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert _count() == 1
    # Once issued, the link opens it.
    opened = client.get(f"/certificates/course/{course.slug}")
    assert opened.status_code == 302 and opened.headers["Location"] == first.headers["Location"]


def test_following_the_link_issues_nothing_it_shows_a_button(client, auth, lan, make_course):
    """State changes go through POST: a link (a preview, a prefetch, another site's <img>) issues nothing."""
    course = make_course()
    finish(lan, course)
    auth.login(lan)
    for _ in range(2):
        page = client.get(f"/certificates/course/{course.slug}")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "Bạn đã đủ điều kiện nhận chứng nhận" in text
        assert f'method="post" action="/certificates/course/{course.slug}"' in text
    assert _count() == 0


def test_issuing_needs_the_forms_csrf_token(other_app, lan, make_course):
    course = make_course()
    finish(lan, course)
    app = other_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    import re

    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    client.post("/login", data={"phone": lan.phone, "secret": "482916", "csrf_token": token})
    refused = client.post(f"/certificates/course/{course.slug}")
    assert refused.status_code == 400
    assert _count() == 0
    claim = client.get(f"/certificates/course/{course.slug}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', claim).group(1)
    issued = client.post(f"/certificates/course/{course.slug}", data={"csrf_token": token})
    assert issued.status_code == 302 and "/certificates/" in issued.headers["Location"]
    assert _count() == 1


def test_posting_before_the_rule_is_met_issues_nothing(client, auth, lan, make_course):
    course = make_course()
    finish(lan, course, lessons=1, quiz_passed=False)
    auth.login(lan)
    assert client.post(f"/certificates/course/{course.slug}").status_code == 403
    assert _count() == 0


@pytest.mark.parametrize("suffix", ["", "/print", "/chung-nhan.pdf", "/credential.jwt", "/credential.json"])
def test_another_learner_cannot_reach_my_certificate(client, auth, make_user, ward_a, issued, suffix):
    auth.login(make_user(ward=ward_a, name="Người khác"))
    assert client.get(f"/certificates/{issued.id}{suffix}").status_code == 404


def test_signing_in_is_needed_for_my_certificates(client, issued):
    for url in ("/certificates/", f"/certificates/{issued.id}", f"/certificates/{issued.id}/credential.jwt"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_cohorts_instructor_may_view_and_print_but_not_download_the_signed_credential(
        client, auth, make_user, make_cohort, ward_a, lan, issued):
    teacher = make_user(("instructor",), ward=ward_a, name="Lê Văn Minh")
    make_cohort(ward_a, courses=[issued.course], members=[lan], instructors=[teacher])
    auth.login(teacher)
    assert client.get(f"/certificates/{issued.id}").status_code == 200
    assert client.get(f"/certificates/{issued.id}/chung-nhan.pdf").status_code == 200
    assert client.get(f"/certificates/{issued.id}/credential.jwt").status_code == 404


def test_erasing_a_person_withdraws_their_certificates_and_records_who(app, client, make_user, ward_a, issued):
    from lms.audit.models import AuditLog
    from lms.accounts.models import PersonErasure

    coordinator = make_user(("coordinator",), ward=ward_a)
    db.session.add(PersonErasure(user_id=issued.user_id, ward_id=ward_a.id, erased_by_id=coordinator.id,
                                 reason="asked"))
    db.session.flush()
    person_erased.send(app, user=issued.user)
    db.session.commit()
    db.session.refresh(issued)
    assert issued.status == "withdrawn" and issued.withdrawn_at is not None
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "certificate.withdrawn"))
    assert entry.actor_id == coordinator.id and entry.details["previous_status"] == "valid"


def test_my_data_download_lists_my_certificates(app, lan, issued):
    from lms.signals import personal_data_requested

    sections = {}
    for _receiver, result in personal_data_requested.send(app, user=lan):
        sections.update(result or {})
    [entry] = sections["certificates"]
    assert entry["course"] == "An toàn trên mạng" and entry["status"] == "valid"
