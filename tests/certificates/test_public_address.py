"""Signed credentials, printed QR codes and card links carry the configured address, never the one
a request's Host header chose (`Host: evil.example` once gave a genuinely signed credential that
sent checkers to evil.example)."""
from __future__ import annotations

import base64
import json
import re

import pytest
import sqlalchemy as sa

from lms.accounts.models import SignInToken
from lms.extensions import db
from tests.factories import DEFAULT_PIN

EVIL = "http://evil.example"
PUBLIC = "https://lopso.phuong.example"
CARD = re.compile(r'data-sign-in-url="([^"]+)"')


def _payload(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def _sign_in(client, user, base_url):
    response = client.post("/login", data={"phone": user.phone, "secret": DEFAULT_PIN}, base_url=base_url)
    assert response.status_code == 302, response.status_code


@pytest.fixture()
def coordinator(make_user, ward_a):
    return make_user(("coordinator",), ward=ward_a, name="Trần Thị Thu Hà")


@pytest.fixture()
def cohort(make_cohort, ward_a, lan, issued):
    from lms.courses.models import Course

    return make_cohort(ward_a, members=[lan], courses=[db.session.get(Course, issued.course_id)],
                       name="Lớp người cao tuổi")


def _everything_signed_or_printed(client, issued, cohort, lan, coordinator, base_url) -> dict[str, str]:
    """What a learner downloads and a coordinator prints, asked for with `base_url`'s Host."""
    pages = {}
    _sign_in(client, lan, base_url)
    for name, url in [("jwt", f"/certificates/{issued.id}/credential.jwt"),
                      ("json", f"/certificates/{issued.id}/credential.json"),
                      ("print", f"/certificates/{issued.id}/print"),
                      ("detail", f"/certificates/{issued.id}")]:
        response = client.get(url, base_url=base_url)
        assert response.status_code == 200, (name, response.status_code)
        pages[name] = response.get_data(as_text=True)
    client.post("/logout", base_url=base_url)
    _sign_in(client, coordinator, base_url)
    for name, url in [("cohort_print", f"/certificates/cohorts/{cohort.id}/print"),
                      ("cohort", f"/cohorts/{cohort.id}")]:
        response = client.get(url, base_url=base_url)
        assert response.status_code == 200, (name, response.status_code)
        pages[name] = response.get_data(as_text=True)
    cards = client.post(f"/cohorts/{cohort.id}/cards", base_url=base_url)
    assert cards.status_code == 200
    pages["cards"] = cards.get_data(as_text=True)
    for name, url in [("status", f"/credentials/issuers/{issued.ward_id}/status"),
                      ("issuer", f"/credentials/issuers/{issued.ward_id}"), ("jwks", "/.well-known/jwks.json")]:
        response = client.get(url, base_url=base_url)
        assert response.status_code == 200, (name, response.status_code)
        pages[name] = response.get_data(as_text=True)
    return pages


def test_a_forged_host_never_reaches_a_signed_credential_or_a_printed_page(
        other_app, issued, cohort, lan, coordinator):
    app = other_app(LMS_PUBLIC_URL=PUBLIC)
    client = app.test_client()
    pages = _everything_signed_or_printed(client, issued, cohort, lan, coordinator, EVIL)
    for name, text in pages.items():
        assert "evil.example" not in text, name
    payload = _payload(pages["jwt"])
    assert payload["issuer"]["id"].startswith(PUBLIC + "/")
    assert payload["credentialStatus"]["statusListCredential"].startswith(PUBLIC + "/")
    assert json.loads(pages["json"])["id"].startswith(PUBLIC + "/") or PUBLIC in pages["json"]
    assert f"{PUBLIC}/verify/" in pages["print"] and f"{PUBLIC}/verify/" in pages["cohort_print"]
    cards = CARD.findall(pages["cards"])
    assert cards and all(url.startswith(f"{PUBLIC}/s/") for url in cards)
    assert f"{PUBLIC}/join/" in pages["cohort"]
    assert PUBLIC in _payload(pages["status"])["iss"] or PUBLIC in json.dumps(_payload(pages["status"]))


def test_with_trusted_hosts_a_foreign_host_gets_400(other_app, issued, lan):
    app = other_app(LMS_PUBLIC_URL=None, TRUSTED_HOSTS=["lopso.phuong.example"])
    client = app.test_client()
    for url in ["/", "/login", f"/certificates/{issued.id}/credential.jwt", "/.well-known/jwks.json",
                f"/credentials/issuers/{issued.ward_id}/status"]:
        assert client.get(url, base_url=EVIL).status_code == 400, url
    response = client.post("/login", data={"phone": lan.phone, "secret": DEFAULT_PIN}, base_url=EVIL)
    assert response.status_code == 400


def test_with_trusted_hosts_links_use_the_trusted_host_asked_for(other_app, issued, cohort, lan, coordinator):
    app = other_app(LMS_PUBLIC_URL=None, TRUSTED_HOSTS=["lopso.phuong.example"])
    client = app.test_client()
    pages = _everything_signed_or_printed(client, issued, cohort, lan, coordinator, "http://lopso.phuong.example")
    payload = _payload(pages["jwt"])
    assert payload["issuer"]["id"].startswith("http://lopso.phuong.example/")
    assert all(url.startswith("http://lopso.phuong.example/s/") for url in CARD.findall(pages["cards"]))


def test_with_no_address_configured_nothing_is_signed_or_printed(other_app, issued, cohort, lan, coordinator):
    """No LMS_PUBLIC_URL and no trusted hosts: the Host header is the client's; refuse with a page
    that says what to set, and issue no card."""
    app = other_app(LMS_PUBLIC_URL=None, TRUSTED_HOSTS=None)
    client = app.test_client()
    _sign_in(client, lan, EVIL)
    for url in [f"/certificates/{issued.id}/credential.jwt", f"/certificates/{issued.id}/credential.json",
                f"/certificates/{issued.id}/print", f"/certificates/{issued.id}/chung-nhan.pdf"]:
        response = client.get(url, base_url=EVIL)
        text = response.get_data(as_text=True)
        assert response.status_code == 503, url
        assert "LMS_PUBLIC_URL" in text and "evil.example" not in text
    # The learner's own page still opens; the link to share is a path, with no host at all.
    detail = client.get(f"/certificates/{issued.id}", base_url=EVIL)
    assert detail.status_code == 200
    assert "evil.example" not in detail.get_data(as_text=True)
    client.post("/logout", base_url=EVIL)

    _sign_in(client, coordinator, EVIL)
    cards = client.post(f"/cohorts/{cohort.id}/cards", base_url=EVIL)
    assert cards.status_code == 503 and "LMS_PUBLIC_URL" in cards.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SignInToken)) == 0
    assert client.get(f"/certificates/cohorts/{cohort.id}/print", base_url=EVIL).status_code == 503
    page = client.get(f"/cohorts/{cohort.id}", base_url=EVIL)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "evil.example" not in text and "LMS_PUBLIC_URL" in text and cohort.join_code in text
    for url in [f"/credentials/issuers/{issued.ward_id}/status", "/.well-known/jwks.json"]:
        assert client.get(url, base_url=EVIL).status_code == 503, url
