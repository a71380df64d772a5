"""Sessions that end: a copied cookie stops working the moment its sign-in ends, on every process.

An attacker who copied a learner's session cookie (or remember-me cookie) earlier keeps using it;
each test ends the sign-in the way a person or a coordinator would, then tries the copy again.
"""
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.accounts.models import AccountSession, User
from lms.audit.models import AuditLog
from lms.cohorts.services import create_cohort, enrol
from lms.extensions import db
from lms.timeutil import utcnow
from tests.factories import DEFAULT_PIN

MY_DATA = "/my/data.json"
PHONE = "Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Mobile Safari/537.36"
LAPTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"


def _sign_in(app, user, *, pin=DEFAULT_PIN, remember=False, agent=PHONE):
    """A new phone: its own client, signed in by phone number and PIN."""
    phone = app.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = agent
    data = {"phone": user.phone, "secret": pin}
    if remember:
        data["remember"] = "y"
    assert phone.post("/login", data=data).status_code == 302
    return phone


def _copy(app, client, *names):
    """An attacker's browser holding copies of these cookies of `client`."""
    thief = app.test_client()
    thief.environ_base["HTTP_USER_AGENT"] = client.environ_base.get("HTTP_USER_AGENT", "")
    for name in names or ("session",):
        cookie = client.get_cookie(name)
        assert cookie is not None, name
        thief.set_cookie(name, cookie.value)
    return thief


def _refused(client, url=MY_DATA):
    response = client.get(url)
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


@pytest.fixture()
def ward_people(make_ward, make_user):
    ward = make_ward("Phường Đông")
    other_ward = make_ward("Phường Tây")
    people = {
        "ward": ward,
        "learner": make_user(ward=ward, name="Nguyễn Thị Lan"),
        "coordinator": make_user(("coordinator",), ward=ward, name="Trần Thị Thu Hà"),
        "colleague": make_user(("coordinator",), ward=ward, name="Đồng Nghiệp"),
        "other_coordinator": make_user(("coordinator",), ward=other_ward, name="Cán Bộ Tây"),
        "admin": make_user(("admin",), name="Quản Trị"),
    }
    people["cohort"] = create_cohort(ward_id=ward.id, name="Lớp người cao tuổi", audience="elderly")
    enrol(people["cohort"], people["learner"], by=people["coordinator"], consent=True)
    db.session.commit()
    return people


# --- a copied session cookie after each way a sign-in ends -------------------------------------


def test_a_copied_cookie_is_refused_after_sign_out(app, ward_people):
    phone = _sign_in(app, ward_people["learner"])
    thief = _copy(app, phone)
    assert thief.get(MY_DATA).status_code == 200
    assert thief.get(MY_DATA).status_code == 200  # the same cookie twice in a row
    phone.post("/logout")
    assert _refused(thief)
    assert _refused(thief)  # and stays refused


def test_a_copied_cookie_is_refused_after_signing_out_everywhere(app, ward_people):
    phone = _sign_in(app, ward_people["learner"])
    laptop = _sign_in(app, ward_people["learner"], agent=LAPTOP)
    thief = _copy(app, phone)
    assert thief.get(MY_DATA).status_code == 200
    response = laptop.post("/account/devices/end-all")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert _refused(thief) and _refused(phone) and _refused(laptop)


def test_a_pin_change_on_another_phone_signs_the_old_cookie_out_but_keeps_that_phone(app, ward_people):
    learner = ward_people["learner"]
    phone = _sign_in(app, learner)
    thief = _copy(app, phone)
    other_phone = _sign_in(app, learner, agent=LAPTOP)
    response = other_phone.post("/account/pin", data={"current": DEFAULT_PIN, "new": "730519", "confirm": "730519"})
    assert response.status_code == 302
    assert _refused(thief) and _refused(phone)
    assert other_phone.get(MY_DATA).status_code == 200  # the phone that changed it stays signed in


def test_a_coordinators_pin_reset_signs_the_old_cookie_out(app, client, auth, ward_people):
    learner = ward_people["learner"]
    thief = _copy(app, _sign_in(app, learner))
    auth.login(ward_people["coordinator"])
    assert client.post(f"/people/{learner.id}/reset-pin").status_code == 200
    assert _refused(thief)


def test_revoking_a_persons_cards_signs_them_out(app, client, auth, ward_people):
    learner, cohort = ward_people["learner"], ward_people["cohort"]
    thief = _copy(app, _sign_in(app, learner))
    auth.login(ward_people["coordinator"])
    assert client.post(f"/cohorts/{cohort.id}/members/{learner.id}/cards/revoke").status_code == 302
    assert _refused(thief)


def test_a_role_change_signs_the_person_out(app, client, auth, ward_people):
    learner = ward_people["learner"]
    thief = _copy(app, _sign_in(app, learner))
    auth.login(ward_people["admin"])
    response = client.post(f"/people/{learner.id}/edit", data={
        "full_name": learner.full_name, "phone": learner.phone, "birth_year": learner.birth_year, "group_id": "0",
        "email": "", "roles": ["learner", "instructor"]})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, learner.id).roles == {"learner", "instructor"}
    assert _refused(thief)


def test_erasure_signs_the_person_out(app, client, auth, ward_people):
    learner = ward_people["learner"]
    thief = _copy(app, _sign_in(app, learner))
    auth.login(ward_people["coordinator"])
    response = client.post(f"/people/{learner.id}/erase", data={"reason": "asked", "confirm": "y"})
    assert response.status_code == 302
    assert _refused(thief)


def test_a_session_ended_in_one_process_is_refused_by_another(app, other_app, ward_people):
    phone = _sign_in(app, ward_people["learner"])
    elsewhere = _copy(other_app(), phone)  # another worker process, the same database
    assert elsewhere.get(MY_DATA).status_code == 200
    assert elsewhere.get(MY_DATA).status_code == 200
    phone.post("/logout")
    assert _refused(elsewhere)


# --- remember me --------------------------------------------------------------------------------


def _remembered(app, client):
    """A browser that kept only the remember-me cookie (the session cookie was gone)."""
    return _copy(app, client, "lms_remember")


def test_the_remember_cookie_is_new_on_every_sign_in_and_restores_a_session(app, ward_people):
    learner = ward_people["learner"]
    first = _sign_in(app, learner, remember=True)
    second = _sign_in(app, learner, remember=True)
    assert first.get_cookie("lms_remember").value != second.get_cookie("lms_remember").value
    assert first.get_cookie("remember_token") is None  # Flask-Login's never-changing token is not set
    browser = _remembered(app, first)
    assert browser.get(MY_DATA).status_code == 200
    assert browser.get_cookie("session") is not None  # a fresh session for the same device
    assert browser.get(MY_DATA).status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AccountSession)
                             .where(AccountSession.ended_at.is_(None))) == 2


def test_the_remember_cookie_is_refused_after_sign_out(app, ward_people):
    phone = _sign_in(app, ward_people["learner"], remember=True)
    copy = _remembered(app, phone)
    response = phone.post("/logout")
    assert any(header.startswith("lms_remember=;") for header in response.headers.getlist("Set-Cookie"))
    assert _refused(copy)


def test_the_remember_cookie_is_refused_after_it_expires(app, ward_people):
    phone = _sign_in(app, ward_people["learner"], remember=True)
    copy = _remembered(app, phone)
    db.session.execute(sa.update(AccountSession).values(remember_expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert _refused(copy)


def test_ending_one_phone_stops_its_remember_cookie_and_leaves_the_others(app, ward_people):
    learner = ward_people["learner"]
    lost = _sign_in(app, learner, remember=True)
    kept = _sign_in(app, learner, remember=True, agent=LAPTOP)
    lost_copy, kept_copy = _remembered(app, lost), _remembered(app, kept)
    lost_id = db.session.scalar(sa.select(AccountSession.id).where(AccountSession.label == "android|Chrome"))
    response = kept.post(f"/account/devices/{lost_id}/end")
    assert response.status_code == 302 and response.headers["Location"] == "/account/devices"
    assert _refused(lost_copy) and _refused(lost)
    assert kept_copy.get(MY_DATA).status_code == 200 and kept.get(MY_DATA).status_code == 200


def test_the_remember_cookie_is_refused_after_a_pin_reset(app, client, auth, ward_people):
    learner = ward_people["learner"]
    copy = _remembered(app, _sign_in(app, learner, remember=True))
    auth.login(ward_people["coordinator"])
    client.post(f"/people/{learner.id}/reset-pin")
    assert _refused(copy)


# --- "phones signed in" -------------------------------------------------------------------------


def test_a_learner_sees_their_phones_and_ends_the_others(app, ward_people):
    learner = ward_people["learner"]
    phone = _sign_in(app, learner)
    laptop = _sign_in(app, learner, agent=LAPTOP)
    page = phone.get("/account/devices")
    assert page.status_code == 200 and page.headers["Cache-Control"].startswith("no-store")
    html = page.get_data(as_text=True)
    assert "Điện thoại Android · Chrome" in html and "Máy tính Windows · Firefox" in html
    assert html.count("Điện thoại này") == 1
    assert utcnow().strftime("%Y") in html and "/account/devices/end-others" in html
    response = phone.post("/account/devices/end-others")
    assert response.status_code == 302
    assert "Đã đăng xuất 1 thiết bị khác" in phone.get("/account/devices").get_data(as_text=True)
    assert _refused(laptop)
    assert phone.get(MY_DATA).status_code == 200


def test_a_learner_cannot_end_another_persons_phone(app, make_user, ward_people):
    victim = _sign_in(app, ward_people["learner"])
    victims_device = db.session.scalar(sa.select(AccountSession.id))
    attacker = _sign_in(app, make_user(ward=ward_people["ward"], name="Kẻ Khác"))
    assert attacker.post(f"/account/devices/{victims_device}/end").status_code == 404
    assert victim.get(MY_DATA).status_code == 200


def test_the_devices_page_needs_sign_in(client):
    assert _refused(client, "/account/devices")
    assert client.post("/account/devices/end-all").status_code == 302


# --- a coordinator ends a person's sessions -----------------------------------------------------


def test_a_coordinator_ends_a_learners_sessions_and_it_is_audited(app, client, auth, ward_people):
    learner = ward_people["learner"]
    thief = _copy(app, _sign_in(app, learner, remember=True), "session", "lms_remember")
    auth.login(ward_people["coordinator"])
    assert "Đăng xuất trên mọi thiết bị" in client.get(f"/people/{learner.id}").get_data(as_text=True)
    response = client.post(f"/people/{learner.id}/sessions/end")
    assert response.status_code == 302 and response.headers["Location"] == f"/people/{learner.id}"
    assert _refused(thief)
    assert db.session.scalar(sa.select(AuditLog.action).where(AuditLog.target_id == learner.id)) == "end_sessions"


def test_a_coordinator_of_another_ward_cannot_end_a_persons_sessions(app, client, auth, ward_people):
    learner = ward_people["learner"]
    phone = _sign_in(app, learner)
    auth.login(ward_people["other_coordinator"])
    assert client.post(f"/people/{learner.id}/sessions/end").status_code == 404
    assert phone.get(MY_DATA).status_code == 200


@pytest.mark.parametrize("target", ["colleague", "admin"])
def test_a_coordinator_cannot_end_staff_sessions(app, client, auth, ward_people, target):
    person = ward_people[target]
    if target == "admin":  # an administrator with a ward, so only the role decides
        person.ward_id = ward_people["ward"].id
        db.session.commit()
    phone = _sign_in(app, person)
    auth.login(ward_people["coordinator"])
    assert client.post(f"/people/{person.id}/sessions/end").status_code == 403
    assert phone.get(MY_DATA).status_code == 200


def test_an_administrator_ends_a_coordinators_sessions(app, client, auth, ward_people):
    phone = _sign_in(app, ward_people["colleague"])
    auth.login(ward_people["admin"])
    assert client.post(f"/people/{ward_people['colleague'].id}/sessions/end").status_code == 302
    assert _refused(phone)


def test_learners_cannot_end_anyones_sessions(app, client, auth, make_user, ward_people):
    auth.login(make_user(ward=ward_people["ward"], name="Học Viên Khác"))
    assert client.post(f"/people/{ward_people['learner'].id}/sessions/end").status_code == 403


# --- last seen, written rarely ------------------------------------------------------------------


def test_last_seen_is_noted_at_most_every_few_minutes(app, ward_people, monkeypatch):
    phone = _sign_in(app, ward_people["learner"])
    writes = []
    from sqlalchemy import event

    def note(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE ACCOUNT_SESSION"):
            writes.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        for _ in range(3):
            assert phone.get(MY_DATA).status_code == 200
        assert writes == []
        db.session.execute(sa.update(AccountSession).values(last_seen_at=utcnow() - timedelta(minutes=10)))
        db.session.commit()
        writes.clear()
        phone.get(MY_DATA)
        phone.get(MY_DATA)
        assert len(writes) == 1
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    db.session.expire_all()
    seen = db.session.scalar(sa.select(AccountSession.last_seen_at))
    assert utcnow() - seen < timedelta(minutes=1)
