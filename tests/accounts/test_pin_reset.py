"""A forgotten PIN: a coordinator of the ward gives a new one; a card-only learner chooses one."""
import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.accounts.services import verify_secret
from lms.audit.models import AuditLog
from lms.timeutil import utcnow


def _pin_on_page(html: str) -> str:
    return html.split('class="pin"')[1].split(">", 1)[1].split("<", 1)[0].replace(" ", "")


def test_coordinator_resets_a_learners_pin_and_the_new_one_works(app, client, auth, make_ward, make_user, db):
    ward = make_ward()
    coordinator = make_user(("coordinator",), ward=ward, name="Cán Bộ")
    learner = make_user(ward=ward)
    learner.locked_until, learner.failed_logins = utcnow().replace(year=2100), 3
    db.session.commit()
    auth.login(coordinator)
    response = client.post(f"/people/{learner.id}/reset-pin")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    pin = _pin_on_page(response.get_data(as_text=True))
    assert len(pin) == 6 and pin.isdigit()
    db.session.expire_all()
    saved = db.session.get(User, learner.id)
    assert verify_secret(saved.secret_hash, pin) and saved.locked_until is None
    assert db.session.scalar(sa.select(AuditLog.action).where(AuditLog.target_id == learner.id)) == "reset_pin"
    other = app.test_client()
    assert other.post("/login", data={"phone": learner.phone, "secret": "482916"}).status_code == 401
    assert other.post("/login", data={"phone": learner.phone, "secret": pin}).status_code == 302


def test_another_wards_coordinator_cannot_reset(client, auth, make_ward, make_user, db):
    learner = make_user(ward=make_ward("Phường A"))
    auth.login(make_user(("coordinator",), ward=make_ward("Phường B")))
    assert client.post(f"/people/{learner.id}/reset-pin").status_code == 404
    db.session.expire_all()
    assert verify_secret(db.session.get(User, learner.id).secret_hash, "482916")


@pytest.mark.parametrize("role", ["learner", "instructor"])
def test_learners_and_instructors_cannot_reset_anyones_pin(client, auth, make_ward, make_user, role):
    ward = make_ward()
    target = make_user(ward=ward, name="Người Khác")
    auth.login(make_user((role,), ward=ward))
    assert client.post(f"/people/{target.id}/reset-pin").status_code == 403


def test_a_coordinator_cannot_reset_another_coordinators_pin(client, auth, make_ward, make_user):
    ward = make_ward()
    colleague = make_user(("coordinator",), ward=ward, name="Đồng Nghiệp")
    auth.login(make_user(("coordinator",), ward=ward))
    assert client.post(f"/people/{colleague.id}/reset-pin").status_code == 403


def test_reset_needs_a_post(client, auth, make_ward, make_user):
    ward = make_ward()
    learner = make_user(ward=ward)
    auth.login(make_user(("coordinator",), ward=ward, name="Cán Bộ"))
    assert client.get(f"/people/{learner.id}/reset-pin").status_code == 405


def test_someone_without_a_pin_chooses_one_without_a_current_pin(app, client, auth, make_ward, db):
    from lms.accounts.people import create_person as create_user

    card_only = create_user(full_name="Học Viên Thẻ", phone="0912 777 888", ward=make_ward())
    db.session.commit()
    auth.sign_in_directly(card_only)
    page = client.get("/account/pin").get_data(as_text=True)
    assert "Chọn mã PIN" in page and 'name="current"' not in page
    response = client.post("/account/pin", data={"new": "730519", "confirm": "730519"})
    assert response.status_code == 302
    db.session.expire_all()
    assert verify_secret(db.session.get(User, card_only.id).secret_hash, "730519")
