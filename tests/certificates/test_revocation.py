"""A coordinator of the certificate's ward revokes it with a reason, after confirming; it is audited."""
import pytest
import sqlalchemy as sa

from lms.audit.models import AuditLog
from lms.certificates.codes import display_code
from lms.certificates.models import Certificate
from lms.extensions import db


@pytest.fixture()
def coordinator(make_user, ward_a):
    return make_user(("coordinator",), ward=ward_a, name="Trần Thị Thu Hà")


def _fresh(certificate_id: int) -> Certificate:
    db.session.expire_all()
    return db.session.get(Certificate, certificate_id)


def test_revoking_asks_for_a_reason_and_a_confirmation_first(client, auth, coordinator, issued):
    auth.login(coordinator)
    form = client.get(f"/certificates/manage/{issued.id}/revoke")
    text = form.get_data(as_text=True)
    assert form.status_code == 200 and "Lý do thu hồi (hiện công khai)" in text
    assert all(label in text for label in ("Cấp nhầm", "Gian lận", "Người học yêu cầu", "Lý do khác"))
    missing = client.post(f"/certificates/manage/{issued.id}/revoke", data={"note": "x", "confirm": "y"})
    assert missing.status_code == 422 and "Hãy chọn lý do thu hồi." in missing.get_data(as_text=True)
    made_up = client.post(f"/certificates/manage/{issued.id}/revoke",
                          data={"reason_code": "Nguyễn Thị Lan nhờ thu hồi", "confirm": "y"})
    assert made_up.status_code == 422
    too_long = client.post(f"/certificates/manage/{issued.id}/revoke",
                           data={"reason_code": "other", "note": "x" * 501, "confirm": "y"})
    assert too_long.status_code == 422 and "Ghi chú dài quá 500 ký tự." in too_long.get_data(as_text=True)
    unconfirmed = client.post(f"/certificates/manage/{issued.id}/revoke",
                              data={"reason_code": "issued_in_error", "note": "Nhầm lớp"})
    text = unconfirmed.get_data(as_text=True)
    assert unconfirmed.status_code == 422 and "Hãy đánh dấu xác nhận" in text and "Nhầm lớp" in text
    assert _fresh(issued.id).status == "valid"


def test_a_coordinator_revokes_and_the_audit_log_records_who_and_when(client, auth, coordinator, issued):
    auth.login(coordinator)
    response = client.post(f"/certificates/manage/{issued.id}/revoke",
                           data={"reason_code": "issued_in_error", "note": "Cấp nhầm người", "confirm": "y"})
    assert response.status_code == 302
    certificate = _fresh(issued.id)
    assert (certificate.status, certificate.revoke_reason_code, certificate.revoke_reason,
            certificate.revoked_by_id) == ("revoked", "issued_in_error", "Cấp nhầm người", coordinator.id)
    assert certificate.revoked_at is not None
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "certificate.revoked"))
    assert (entry.actor_id, entry.target_type, entry.target_id, entry.ward_id) == (
        coordinator.id, "certificate", issued.id, issued.ward_id)
    assert entry.details["reason_code"] == "issued_in_error" and entry.details["note"] == "Cấp nhầm người"
    assert entry.at is not None
    # The ward's staff see the private note; the public page only the fixed reason.
    detail = client.get(f"/certificates/manage/{issued.id}").get_data(as_text=True)
    assert "Trần Thị Thu Hà" in detail and "Cấp nhầm người" in detail and "Lý do: Cấp nhầm" in detail
    public = client.get(f"/verify/{display_code(certificate.code)}")
    assert "Lý do: Cấp nhầm" in public.get_data(as_text=True)
    assert "Cấp nhầm người" not in public.get_data(as_text=True)


def test_revoking_twice_changes_nothing_more(client, auth, coordinator, issued):
    auth.login(coordinator)
    client.post(f"/certificates/manage/{issued.id}/revoke",
                data={"reason_code": "fraud", "note": "Lần một", "confirm": "y"})
    again = client.post(f"/certificates/manage/{issued.id}/revoke",
                        data={"reason_code": "other", "note": "Lần hai", "confirm": "y"})
    assert again.status_code == 302
    assert (_fresh(issued.id).revoke_reason_code, _fresh(issued.id).revoke_reason) == ("fraud", "Lần một")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog)
                             .where(AuditLog.action == "certificate.revoked")) == 1


def test_another_wards_coordinator_gets_not_found(client, auth, make_user, make_ward, issued):
    other = make_user(("coordinator",), ward=make_ward("Xã Khác"))
    auth.login(other)
    for url in (f"/certificates/manage/{issued.id}", f"/certificates/manage/{issued.id}/revoke"):
        assert client.get(url).status_code == 404
    response = client.post(f"/certificates/manage/{issued.id}/revoke", data={"reason_code": "other", "confirm": "y"})
    assert response.status_code == 404
    assert _fresh(issued.id).status == "valid"
    assert "Nguyễn Thị Lan" not in client.get("/certificates/manage/").get_data(as_text=True)


@pytest.mark.parametrize("role", ["learner", "instructor"])
def test_learners_and_instructors_may_never_revoke(client, auth, make_user, ward_a, issued, role):
    auth.login(make_user((role,), ward=ward_a))
    assert client.get(f"/certificates/manage/{issued.id}/revoke").status_code == 403
    assert client.post(f"/certificates/manage/{issued.id}/revoke",
                       data={"reason_code": "other", "confirm": "y"}).status_code == 403
    assert client.get("/certificates/manage/").status_code == 403
    assert _fresh(issued.id).status == "valid"


def test_the_ward_list_finds_a_certificate_by_name_or_code(client, auth, coordinator, issued):
    auth.login(coordinator)
    assert "Nguyễn Thị Lan" in client.get("/certificates/manage/?q=Lan").get_data(as_text=True)
    by_code = client.get(f"/certificates/manage/?q={issued.code.lower()}").get_data(as_text=True)
    assert "Nguyễn Thị Lan" in by_code
    assert "Nguyễn Thị Lan" not in client.get("/certificates/manage/?status=revoked").get_data(as_text=True)


def test_a_revoked_certificate_can_no_longer_be_printed_or_downloaded(client, auth, coordinator, issued, lan):
    auth.login(coordinator)
    client.post(f"/certificates/manage/{issued.id}/revoke", data={"reason_code": "issued_in_error", "confirm": "y"})
    auth.logout()
    auth.login(lan)
    for suffix in ("print", "chung-nhan.pdf", "credential.jwt", "credential.json"):
        response = client.get(f"/certificates/{issued.id}/{suffix}")
        assert response.status_code == 410, suffix
        assert "thu hồi" in response.get_data(as_text=True)
    assert "Chứng nhận đã bị thu hồi" in client.get(f"/certificates/{issued.id}").get_data(as_text=True)
