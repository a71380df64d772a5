"""An instructor attests a learner's in-person pass; the certificate is issued once, naming who attested."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from lms.audit.models import AuditLog
from lms.certificates.models import Certificate
from lms.extensions import db
from lms.timeutil import utcnow


@pytest.fixture()
def klass(make_user, make_course, make_cohort, ward_a, lan):
    course = make_course(title="Dịch vụ công trực tuyến", competences=("2.3",))
    other_course = make_course(title="AI cơ bản")
    teacher = make_user(("instructor",), ward=ward_a, name="Lê Văn Minh")
    outsider = make_user(ward=ward_a, name="Người ngoài lớp")
    cohort = make_cohort(ward_a, courses=[course], members=[lan], instructors=[teacher])
    return {"course": course, "other_course": other_course, "teacher": teacher, "cohort": cohort,
            "outsider": outsider}


def _form(klass, learner, **changes):
    data = {"learner_id": learner.id, "course_id": klass["course"].id, "assessed_on": "15/10/2025",
            "assessment_kind": "paper", "confirm": "y"}
    data.update(changes)
    return data


def _certificates():
    return db.session.scalars(sa.select(Certificate)).all()


def test_an_instructor_attests_and_the_certificate_records_who_and_how(client, auth, klass, lan):
    auth.login(klass["teacher"])
    page = client.get(f"/certificates/cohorts/{klass['cohort'].id}/attest").get_data(as_text=True)
    assert "Nguyễn Thị Lan (1956)" in page and "Dịch vụ công trực tuyến" in page
    response = client.post(f"/certificates/cohorts/{klass['cohort'].id}/attest", data=_form(klass, lan))
    assert response.status_code == 302
    [certificate] = _certificates()
    assert (certificate.method, certificate.attested_by_id, certificate.instructor_id) == (
        "in_person", klass["teacher"].id, klass["teacher"].id)
    assert (certificate.assessed_on, certificate.assessment_kind) == (date(2025, 10, 15), "paper")
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "certificate.issued"))
    assert entry.actor_id == klass["teacher"].id and entry.details["method"] == "in_person"
    cohort_page = client.get(f"/certificates/cohorts/{klass['cohort'].id}").get_data(as_text=True)
    assert "Đã cấp chứng nhận cho Nguyễn Thị Lan." in cohort_page


def test_attesting_twice_issues_nothing_more(client, auth, klass, lan):
    auth.login(klass["teacher"])
    url = f"/certificates/cohorts/{klass['cohort'].id}/attest"
    client.post(url, data=_form(klass, lan))
    again = client.post(url, data=_form(klass, lan, assessment_kind="live"), follow_redirects=True)
    assert "đã có chứng nhận khoá học này" in again.get_data(as_text=True)
    assert len(_certificates()) == 1 and _certificates()[0].assessment_kind == "paper"


@pytest.mark.parametrize("changes, message", [
    ({"confirm": ""}, "Hãy đánh dấu xác nhận."),
    ({"assessed_on": "31/02/2025"}, "Ngày chưa đúng"),
    ({"assessed_on": ""}, "Hãy nhập ngày đánh giá."),
    ({"assessment_kind": ""}, "Hãy chọn hình thức đánh giá."),
    ({"assessment_kind": "online"}, "Hãy chọn hình thức đánh giá."),
    ({"learner_id": "0"}, "Hãy chọn học viên."),
])
def test_bad_input_is_refused_in_words_and_nothing_is_issued(client, auth, klass, lan, changes, message):
    auth.login(klass["teacher"])
    response = client.post(f"/certificates/cohorts/{klass['cohort'].id}/attest", data=_form(klass, lan, **changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _certificates() == []


def test_a_future_date_an_outsider_or_another_course_is_refused(client, auth, klass, lan):
    auth.login(klass["teacher"])
    url = f"/certificates/cohorts/{klass['cohort'].id}/attest"
    tomorrow = (utcnow().date() + timedelta(days=2)).strftime("%d/%m/%Y")
    cases = [
        (_form(klass, lan, assessed_on=tomorrow), "Ngày đánh giá không thể ở tương lai."),
        (_form(klass, klass["outsider"]), "Người này không phải học viên của lớp."),
        (_form(klass, lan, course_id=klass["other_course"].id), "Lớp này không học khoá học đã chọn."),
        (_form(klass, lan, learner_id="999999"), "Người này không phải học viên của lớp."),
    ]
    for data, message in cases:
        response = client.post(url, data=data)
        assert response.status_code == 422 and message in response.get_data(as_text=True), message
    assert _certificates() == []


def test_only_the_cohorts_own_instructors_may_attest(client, auth, klass, make_user, ward_a, lan):
    url = f"/certificates/cohorts/{klass['cohort'].id}/attest"
    auth.login(make_user(("instructor",), ward=ward_a, name="Giảng viên lớp khác"))
    assert client.get(url).status_code == 404
    assert client.post(url, data=_form(klass, lan)).status_code == 404
    auth.logout()
    auth.login(make_user(("coordinator",), ward=ward_a))
    assert client.post(url, data=_form(klass, lan)).status_code == 403
    auth.logout()
    auth.login(lan)
    assert client.post(url, data=_form(klass, lan)).status_code == 403
    assert _certificates() == []


def test_an_online_certificate_already_earned_is_not_issued_again_in_person(client, auth, klass, lan,
                                                                           finish_course):
    from lms.certificates.services import issue_if_completed

    finish_course(lan, klass["course"])
    issue_if_completed(lan, klass["course"])
    db.session.commit()
    auth.login(klass["teacher"])
    client.post(f"/certificates/cohorts/{klass['cohort'].id}/attest", data=_form(klass, lan))
    assert [c.method for c in _certificates()] == ["online"]
