"""Security headers, cookies, secret key handling and plain-language error pages."""
import os

import pytest

from lms.config import load_secret_key


def test_every_page_sends_a_strict_content_security_policy_and_friends(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script_or_style(client):
    page = client.get("/login").get_data(as_text=True)
    assert "<script>" not in page and "style=" not in page
    assert "cdn" not in page.lower() and "fonts.googleapis" not in page


def test_session_cookie_is_httponly_and_lax(client, auth, make_user):
    response = auth.login(make_user())
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_session_cookie_is_secure_behind_https(other_app):
    secure = other_app(SESSION_COOKIE_SECURE=True)
    client = secure.test_client()
    response = client.post("/language", data={"locale": "vi"})
    assert "Secure" in response.headers["Set-Cookie"]
    assert "Strict-Transport-Security" in response.headers


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_secret_key(str(tmp_path))
    assert len(first) >= 40
    assert load_secret_key(str(tmp_path)) == first
    assert oct(os.stat(tmp_path / "secret_key").st_mode & 0o777) == "0o600"


def test_secret_key_from_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-env")
    assert load_secret_key(str(tmp_path)) == "from-env"
    assert not (tmp_path / "secret_key").exists()


def test_static_files_have_versioned_urls_and_long_cache(client):
    page = client.get("/login").get_data(as_text=True)
    assert "/static/css/app.css?v=" in page
    url = page.split('href="/static/css/app.css?v=')[1].split('"')[0]
    with client.get(f"/static/css/app.css?v={url}") as response:
        assert "max-age=31536000" in response.headers["Cache-Control"]


def test_htmx_is_served_from_our_own_static_files(client):
    page = client.get("/login").get_data(as_text=True)
    assert "/static/js/htmx.min.js" in page
    with client.get("/static/js/htmx.min.js") as response:
        assert response.status_code == 200


def test_unknown_page_gets_a_plain_404_in_vietnamese(client):
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.get_data(as_text=True)


def test_unknown_page_in_english_for_an_english_reader(client):
    client.post("/language", data={"locale": "en"})
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_a_crash_gets_a_plain_500_page_and_writes_nothing(app, db, other_app):
    from lms.wards.models import Ward

    crashing = other_app(PROPAGATE_EXCEPTIONS=False)

    @crashing.route("/crash")
    def crash():
        db.session.add(Ward(name="Nửa chừng", province="Tỉnh Thử", kind="phuong"))
        db.session.flush()
        raise RuntimeError("boom")

    response = crashing.test_client().get("/crash")
    assert response.status_code == 500
    assert "chưa lưu thay đổi nào" in response.get_data(as_text=True)
    import sqlalchemy as sa

    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ward).where(Ward.name == "Nửa chừng")) == 0


def test_a_form_without_its_csrf_token_is_refused_in_plain_words(other_app, make_user):
    protected = other_app(WTF_CSRF_ENABLED=True)
    learner = make_user()
    response = protected.test_client().post("/login", data={"phone": learner.phone, "secret": "482916"})
    assert response.status_code == 400
    assert "Trang đã mở quá lâu" in response.get_data(as_text=True)


def test_health_check_answers(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


@pytest.mark.parametrize("url", ["/people/", "/account/pin"])
def test_protected_pages_need_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_behind_a_trusted_proxy_the_client_address_and_https_come_from_its_headers(other_app):
    from flask import request

    proxied = other_app(TRUSTED_PROXIES=1)

    @proxied.route("/whoami")
    def whoami():
        return {"addr": request.remote_addr, "scheme": request.scheme}

    seen = proxied.test_client().get("/whoami", headers={"X-Forwarded-For": "203.0.113.9",
                                                         "X-Forwarded-Proto": "https"}).get_json()
    assert seen == {"addr": "203.0.113.9", "scheme": "https"}


def test_without_a_proxy_forwarded_headers_are_ignored(other_app):
    from flask import request

    direct = other_app()

    @direct.route("/whoami")
    def whoami():
        return {"addr": request.remote_addr}

    seen = direct.test_client().get("/whoami", headers={"X-Forwarded-For": "203.0.113.9"}).get_json()
    assert seen["addr"] != "203.0.113.9"
