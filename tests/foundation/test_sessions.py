"""The session cookie: renewed once a day, not on every page; still expires and still refuses forgeries."""
import time

from lms import sessions

LESSON_FREE_PAGE = "/courses/"


def _session_cookie(response) -> str | None:
    cookies = [value for value in response.headers.getlist("Set-Cookie") if value.startswith("session=")]
    return cookies[0] if cookies else None


def test_a_fresh_cookie_is_not_sent_again_on_every_page(client, auth, make_user):
    assert _session_cookie(auth.login(make_user())) is not None
    client.get(LESSON_FREE_PAGE)  # the first page's forms put a CSRF secret in the session
    for _ in range(3):
        assert _session_cookie(client.get(LESSON_FREE_PAGE)) is None


def test_a_cookie_older_than_a_day_is_renewed_so_an_active_learner_stays_signed_in(client, auth, make_user,
                                                                                  monkeypatch):
    auth.login(make_user())
    assert _session_cookie(client.get(LESSON_FREE_PAGE)) is not None  # the CSRF secret is added
    assert _session_cookie(client.get(LESSON_FREE_PAGE)) is None
    later = time.time() + 25 * 3600
    monkeypatch.setattr(sessions.time, "time", lambda: later)
    renewed = _session_cookie(client.get(LESSON_FREE_PAGE))
    assert renewed is not None and "Expires=" in renewed
    assert client.get("/my-learning").status_code == 200


def test_a_change_to_the_session_is_written_at_once(client):
    assert _session_cookie(client.post("/language", data={"locale": "en"})) is not None
    assert 'lang="en"' in client.get(LESSON_FREE_PAGE).get_data(as_text=True)


def test_a_cookie_past_its_fourteen_days_signs_the_learner_out(client, auth, make_user, monkeypatch):
    auth.login(make_user())
    import itsdangerous.timed

    later = time.time() + 15 * 24 * 3600
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: later)
    response = client.get("/my-learning")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_forged_cookie_is_ignored(client, auth, make_user):
    auth.login(make_user())
    value = client.get_cookie("session").value
    client.set_cookie("session", value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    response = client.get("/my-learning")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_cookie_seen_before_still_expires_after_fourteen_days(client, auth, make_user, monkeypatch):
    auth.login(make_user())
    assert client.get("/my-learning").status_code == 200  # this process has checked the cookie now
    later = time.time() + 15 * 24 * 3600
    monkeypatch.setattr(sessions.time, "time", lambda: later)
    response = client.get("/my-learning")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_change_to_one_session_never_shows_in_another_request_with_the_old_cookie(client):
    client.get(LESSON_FREE_PAGE)
    old = client.get_cookie("session").value
    assert 'lang="vi"' in client.get(LESSON_FREE_PAGE).get_data(as_text=True)  # checked and remembered
    client.post("/language", data={"locale": "en"})
    assert 'lang="en"' in client.get(LESSON_FREE_PAGE).get_data(as_text=True)
    client.set_cookie("session", old)  # say, a second tab that never got the new cookie
    assert 'lang="vi"' in client.get(LESSON_FREE_PAGE).get_data(as_text=True)


def test_a_forged_copy_of_a_remembered_cookie_is_still_ignored(client, auth, make_user):
    auth.login(make_user())
    value = client.get_cookie("session").value
    assert client.get("/my-learning").status_code == 200
    payload, stamp, signature = value.rsplit(".", 2)
    client.set_cookie("session", f"{payload}.{stamp}.{signature[::-1]}")
    response = client.get("/my-learning")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_cookie_read_twice_is_refused_once_its_sign_in_has_ended(app, client, auth, make_user):
    """The same cookie twice in a row (any per-process shortcut has seen it), then its sign-in ends
    on another device: the next request with it is refused all the same."""
    auth.login(make_user())
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    assert copy.get("/my-learning").status_code == 200
    assert copy.get("/my-learning").status_code == 200
    assert client.post("/account/devices/end-all").status_code == 302
    response = copy.get("/my-learning")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_sign_in_past_its_expiry_is_refused_even_with_a_fresh_cookie(client, auth, make_user, db):
    import sqlalchemy as sa
    from datetime import timedelta

    from lms.accounts.models import AccountSession
    from lms.timeutil import utcnow

    auth.login(make_user())
    assert client.get("/my-learning").status_code == 200
    db.session.execute(sa.update(AccountSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    response = client.get("/my-learning")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
