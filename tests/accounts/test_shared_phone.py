"""A household shares one phone: the number and each person's own PIN say who is learning."""
import pytest
import sqlalchemy as sa

from lms.accounts import services
from lms.accounts.models import User, UserRole
from lms.accounts.services import hash_secret, reset_pin, verify_secret
from lms.extensions import db

SHARED = "0987111222"


@pytest.fixture()
def couple(make_ward, make_user):
    """Ông Tư has the phone; bà Năm, his wife, uses his number with her own PIN."""
    ward = make_ward("Phường Đông")
    tu = make_user(ward=ward, name="Nguyễn Văn Tư", phone=SHARED, pin="482916")
    nam = User(full_name="Lê Thị Năm", phone=tu.phone, ward_id=ward.id, secret_kind="pin",
               secret_hash=hash_secret("730519"))
    nam.role_rows = [UserRole(role="learner")]
    db.session.add(nam)
    db.session.commit()
    return ward, tu, nam


def signed_in_as(client) -> str:
    return client.get("/account/").get_data(as_text=True)


def test_each_person_signs_in_on_the_shared_number_with_their_own_pin(client, couple):
    _, tu, nam = couple
    response = client.post("/login", data={"phone": SHARED, "secret": "730519"})
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Lê Thị Năm" in page and "Nguyễn Văn Tư" not in page
    client.post("/logout")
    assert client.post("/login", data={"phone": SHARED, "secret": "482916"}).status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Nguyễn Văn Tư" in page and "Lê Thị Năm" not in page


def test_a_wrong_pin_on_a_shared_number_names_nobody(client, couple):
    response = client.post("/login", data={"phone": SHARED, "secret": "159357"})
    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "Lê Thị Năm" not in page and "Nguyễn Văn Tư" not in page
    unknown = client.post("/login", data={"phone": "0987999888", "secret": "159357"})
    assert unknown.status_code == response.status_code


def test_every_failure_costs_the_same_number_of_verifications_whoever_holds_the_number(app, couple, monkeypatch):
    calls = []
    real = services.verify_secret
    monkeypatch.setattr(services, "verify_secret", lambda h, s: calls.append(h) or real(h, s))
    with app.test_request_context():
        for phone, pin in [(SHARED, "159357"), ("0987999888", "159357")]:
            calls.clear()
            assert services.authenticate(phone, pin, address="10.0.0.9").user is None
            assert len(calls) == services.SHARED_PHONE_LIMIT, phone


def test_a_right_pin_stops_at_its_match_so_the_usual_sign_in_costs_less(app, couple, monkeypatch):
    """Only the person who knows the PIN sees how long a success takes; four checks each time
    would make every sign-in (and a hall of learners joining a class) four times dearer."""
    _, tu, nam = couple
    calls = []
    real = services.verify_secret
    monkeypatch.setattr(services, "verify_secret", lambda h, s: calls.append(h) or real(h, s))
    with app.test_request_context():
        for pin, person in [("482916", tu), ("730519", nam)]:
            calls.clear()
            assert services.authenticate(SHARED, pin, address="10.0.0.9").user.id == person.id
            assert len(calls) < services.SHARED_PHONE_LIMIT


def test_a_pin_a_housemate_uses_is_refused_with_a_neutral_message(client, auth, couple):
    _, tu, nam = couple
    auth.login(tu)
    response = client.post("/account/pin", data={"current": "482916", "new": "730519", "confirm": "730519"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Mã PIN này không dùng được. Hãy chọn 6 chữ số khác." in page
    assert "Lê Thị Năm" not in page
    db.session.expire_all()
    assert verify_secret(db.session.get(User, tu.id).secret_hash, "482916")


def test_a_reset_pin_never_equals_a_housemates(app, couple, monkeypatch):
    _, tu, nam = couple
    pins = iter(["730519", "730519", "864209"])
    monkeypatch.setattr(services, "new_pin", lambda: next(pins))
    with app.test_request_context():
        assert reset_pin(db.session.get(User, tu.id)) == "864209"
