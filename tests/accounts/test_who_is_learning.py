"""“Ai đang học?”: a browser names only the people who signed in on it, never those behind a number."""
import pytest

from lms.accounts.here import COOKIE
from lms.accounts.people import create_person as create_user
from lms.accounts.services import hash_secret
from lms.extensions import db

SHARED = "0987650061"
TU_PIN, NAM_PIN = "271828", "314159"


@pytest.fixture()
def couple(app, make_ward):
    ward = make_ward("Phường Đông")
    tu = create_user(full_name="Phạm Văn Tư", phone=SHARED, secret=TU_PIN, ward=ward)
    nam = create_user(full_name="Nguyễn Thị Năm", phone=SHARED, secret=NAM_PIN, ward=ward, share_phone=True)
    db.session.commit()
    return tu, nam


def sign_in(client, pin, **extra):
    """On the household's own phone: "Đây là điện thoại của tôi" ticked."""
    return client.post("/login", data={"phone": SHARED, "secret": pin, "remember": "y", **extra})


def test_a_computer_nobody_calls_theirs_remembers_no_names(client, couple):
    """A ward office's shared computer: people sign in without ticking "my phone"."""
    signed_in = client.post("/login", data={"phone": SHARED, "secret": TU_PIN})
    assert signed_in.status_code == 302
    assert COOKIE not in signed_in.headers.get("Set-Cookie", "")
    client.post("/logout")
    page = client.get("/login").get_data(as_text=True)
    assert "Ai đang học?" not in page and "Phạm Văn Tư" not in page


def test_typing_a_number_names_nobody(client, couple):
    page = client.get("/login").get_data(as_text=True)
    assert "Ai đang học?" not in page
    wrong = sign_in(client, "999990")
    text = wrong.get_data(as_text=True)
    assert wrong.status_code == 401
    assert "Phạm Văn Tư" not in text and "Nguyễn Thị Năm" not in text and "Ai đang học?" not in text
    assert COOKIE not in wrong.headers.get("Set-Cookie", "")


def test_the_shared_number_and_each_pin_say_who_signs_in_and_the_browser_remembers_only_them(client, couple):
    tu, nam = couple
    response = sign_in(client, TU_PIN)
    assert response.status_code == 302
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None and "Tư" not in cookie.value and "87650061" not in cookie.value
    client.post("/logout")
    page = client.get("/login").get_data(as_text=True)
    assert "Ai đang học?" in page and "Phạm Văn Tư" in page
    assert "Nguyễn Thị Năm" not in page  # she has never signed in on this browser
    chosen = client.get(f"/login?who={tu.id}").get_data(as_text=True)
    assert "Nhập mã PIN của Phạm Văn Tư" in chosen and 'name="phone"' not in chosen
    assert client.post("/login", data={"who": tu.id, "secret": TU_PIN}).status_code == 302
    assert client.get("/account/pin").status_code == 200


def test_a_wrong_pin_after_choosing_a_name_is_refused(client, couple):
    tu, _ = couple
    sign_in(client, TU_PIN)
    client.post("/logout")
    refused = client.post("/login", data={"who": tu.id, "secret": "999990"})
    assert refused.status_code == 401
    assert client.get("/account/pin").status_code == 302


def test_a_cookie_not_signed_here_or_naming_someone_else_shows_no_names(client, couple, app):
    tu, nam = couple
    from itsdangerous import URLSafeSerializer

    client.set_cookie(COOKIE, URLSafeSerializer("another key", salt="who-signed-in-here").dumps([tu.id, nam.id]))
    page = client.get("/login").get_data(as_text=True)
    assert "Phạm Văn Tư" not in page and "Nguyễn Thị Năm" not in page
    # Choosing someone the browser does not list leads nowhere: the plain form, nobody named.
    chosen = client.get(f"/login?who={nam.id}").get_data(as_text=True)
    assert "Nguyễn Thị Năm" not in chosen and 'name="phone"' in chosen
    assert client.post("/login", data={"who": nam.id, "secret": NAM_PIN}).status_code == 422


def test_both_of_the_couple_are_offered_once_both_signed_in_here(client, couple):
    tu, nam = couple
    sign_in(client, TU_PIN)
    client.post("/logout")
    sign_in(client, NAM_PIN)
    client.post("/logout")
    page = client.get("/login").get_data(as_text=True)
    assert page.index("Nguyễn Thị Năm") < page.index("Phạm Văn Tư")  # the latest first
    nam_row = db.session.get(type(nam), nam.id)
    nam_row.secret_hash = hash_secret("123450")  # a changed PIN: the old one no longer works
    db.session.commit()
    assert client.post("/login", data={"who": nam.id, "secret": NAM_PIN}).status_code == 401
