"""Signing in with a phone number and a PIN: the happy path and every way it goes wrong."""
import sqlalchemy as sa

from lms.accounts.models import User


def test_learner_signs_in_with_the_number_written_any_way_and_lands_on_home(client, auth, make_user):
    learner = make_user(name="Nguyễn Thị Lan", phone="0912 345 678")
    response = client.post("/login", data={"phone": "+84 912.345.678", "secret": "482916"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert "Xin chào, Nguyễn Thị Lan" in home.get_data(as_text=True)
    assert learner.phone == "+84912345678"


def test_wrong_pin_is_refused_with_a_plain_message_and_401(client, auth, make_user):
    learner = make_user()
    response = auth.login(learner, pin="111112")
    assert response.status_code == 401
    text = response.get_data(as_text=True)
    assert "Số điện thoại hoặc mã PIN chưa đúng" in text
    assert client.get("/account/pin").status_code == 302  # still signed out


def test_unknown_number_gets_the_same_answer_as_a_wrong_pin(client):
    response = client.post("/login", data={"phone": "0987 654 321", "secret": "482916"})
    assert response.status_code == 401
    assert "Số điện thoại hoặc mã PIN chưa đúng" in response.get_data(as_text=True)


def test_malformed_number_is_explained_next_to_the_field_and_kept(client):
    response = client.post("/login", data={"phone": "09123", "secret": "482916"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Số điện thoại chưa đúng" in text
    assert 'value="09123"' in text
    assert 'aria-invalid="true"' in text


def test_empty_form_asks_for_both_fields(client):
    response = client.post("/login", data={})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Hãy nhập số điện thoại." in text
    assert "Hãy nhập mã PIN hoặc mật khẩu." in text


def test_repeated_failures_slow_the_address_down_instead_of_locking_the_account(client, auth, make_user, app):
    # No lock an outsider controls any more: after a few wrong PINs the next try must wait, and a
    # try made too soon gets the same 401 as a wrong PIN (tests/accounts/test_sign_in_throttle.py).
    learner = make_user()
    for _ in range(app.config["LOGIN_FREE_FAILURES"] + 1):
        assert auth.login(learner, pin="111112").status_code == 401
    too_soon = auth.login(learner)
    assert too_soon.status_code == 401
    assert "Số điện thoại hoặc mã PIN chưa đúng" in too_soon.get_data(as_text=True)


def test_success_clears_the_failure_count(client, auth, make_user, db):
    from lms.accounts.models import LoginThrottle

    learner = make_user()
    auth.login(learner, pin="111112")
    auth.login(learner, pin="111112")
    assert auth.login(learner).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.sum(LoginThrottle.failures))) in (None, 0)


def test_sign_in_is_rate_limited_per_address(other_app):
    limited = other_app(LOGIN_RATE_LIMIT="3 per minute")
    client = limited.test_client()
    codes = [client.post("/login", data={"phone": "0987654321", "secret": "482916"}).status_code
             for _ in range(4)]
    assert codes[:3] == [401, 401, 401]
    assert codes[3] == 429
    assert "Thử lại sau ít phút" in client.post("/login", data={"phone": "1", "secret": "1"}).get_data(as_text=True)


def test_sign_out_needs_a_post_and_ends_the_session(client, auth, make_user):
    auth.login(make_user())
    assert client.get("/logout").status_code == 405
    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/account/pin").status_code == 302


def test_next_only_follows_addresses_on_this_site(client, make_user):
    learner = make_user()
    response = client.post("/login", data={"phone": learner.phone, "secret": "482916", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    client.post("/logout")
    response = client.post("/login", data={"phone": learner.phone, "secret": "482916", "next": "/courses/"})
    assert response.headers["Location"] == "/courses/"


def test_expired_session_sends_people_back_to_sign_in_and_then_onward(client):
    response = client.get("/account/pin")
    assert response.status_code == 302
    assert "/login?next=/account/pin" in response.headers["Location"]


def test_expired_session_during_an_htmx_request_redirects_the_whole_page(client):
    response = client.get("/account/pin", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login?next=/account/pin"


def test_pins_are_stored_only_as_argon2_hashes(make_user, db):
    learner = make_user()
    stored = db.session.scalar(sa.select(User.secret_hash).where(User.id == learner.id))
    assert stored.startswith("$argon2id$")
    assert "482916" not in stored


def test_failed_sign_in_writes_nothing_but_the_failure_count(client, db):
    before = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    client.post("/login", data={"phone": "0987654321", "secret": "482916"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == before
