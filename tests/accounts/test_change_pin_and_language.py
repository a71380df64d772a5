"""Changing one's PIN, and choosing the language, remembered per person."""
import pytest

from lms.accounts.services import verify_secret


def test_learner_changes_pin_and_signs_in_with_the_new_one(client, auth, make_user, db):
    learner = make_user()
    auth.login(learner)
    response = client.post("/account/pin", data={"current": "482916", "new": "730519", "confirm": "730519"})
    assert response.status_code == 302
    db.session.refresh(learner)
    assert verify_secret(learner.secret_hash, "730519")
    auth.logout()
    assert auth.login(learner, pin="482916").status_code == 401
    assert auth.login(learner, pin="730519").status_code == 302


@pytest.mark.parametrize(
    "data, message",
    [
        ({"current": "000000", "new": "730519", "confirm": "730519"}, "Mã PIN hoặc mật khẩu hiện tại chưa đúng."),
        ({"current": "482916", "new": "7305", "confirm": "7305"}, "Mã PIN phải gồm đúng 6 chữ số."),
        ({"current": "482916", "new": "73051a", "confirm": "73051a"}, "Mã PIN phải gồm đúng 6 chữ số."),
        ({"current": "482916", "new": "123456", "confirm": "123456"}, "Mã PIN này quá dễ đoán."),
        ({"current": "482916", "new": "730519", "confirm": "730518"}, "Hai lần nhập mã PIN mới không giống nhau."),
    ],
)
def test_bad_new_pins_are_refused_and_the_old_pin_still_works(client, auth, make_user, db, data, message):
    learner = make_user()
    auth.login(learner)
    response = client.post("/account/pin", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.refresh(learner)
    assert verify_secret(learner.secret_hash, "482916")


def test_interface_is_vietnamese_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="vi">' in page
    assert "Đăng nhập" in page


def test_choosing_english_switches_the_interface_for_a_visitor(client):
    client.post("/language", data={"locale": "en", "next": "/login"})
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Sign in" in page
    assert "Phone number" in page


def test_a_signed_in_persons_language_is_remembered_on_another_device(app, client, auth, make_user, db):
    learner = make_user()
    auth.login(learner)
    client.post("/language", data={"locale": "en"})
    db.session.refresh(learner)
    assert learner.locale == "en"
    other_device = app.test_client()
    other_device.post("/login", data={"phone": learner.phone, "secret": "482916"})
    assert '<html lang="en">' in other_device.get("/").get_data(as_text=True)


def test_an_unknown_language_is_refused(client):
    assert client.post("/language", data={"locale": "fr"}).status_code == 400


def test_dates_are_written_day_month_year(app):
    from datetime import date, datetime

    with app.test_request_context():
        render = app.jinja_env.from_string("{{ d|date }} {{ t|date }}").render
        assert render(d=date(2025, 10, 10), t=datetime(2025, 3, 1, 20, 0)) == "10/10/2025 02/03/2025"
