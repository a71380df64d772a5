"""An id in a URL or a form that no database row can have is "not found", never a server error."""
from __future__ import annotations

import re

import pytest

from lms.web import MAX_ID, database_id

HUGE = "9" * 25


def _id_routes(app):
    """Every route with a number in its path, with a URL built around `value`."""
    for rule in app.url_map.iter_rules():
        numbers = [name for name, conv in rule._converters.items() if type(conv).__name__ == "DatabaseIdConverter"]
        if not numbers:
            continue
        yield rule, numbers


def _url(rule, numbers, value: str) -> str:
    path = rule.rule
    for name in numbers:
        path = path.replace(f"<int:{name}>", value)
    return re.sub(r"<(?:[a-z]+:)?[a-z_]+>", "x", path)


def test_every_number_in_a_route_is_a_bounded_database_id(app):
    routes = list(_id_routes(app))
    assert len(routes) > 40  # people, cohorts, certificates, status lists, households, quizzes…
    assert not [rule.rule for rule in app.url_map.iter_rules()
                if any(type(c).__name__ == "IntegerConverter" for c in rule._converters.values())]


@pytest.mark.parametrize("value", [HUGE, str(MAX_ID + 1), str(2**63), "0" * 30 + "1"])
def test_a_huge_id_anywhere_is_not_found(client, auth, make_user, value):
    admin = make_user(("admin",), ward=None)
    auth.login(admin)
    assert client.get("/people/").status_code == 200
    seen = []
    for rule, numbers in _id_routes(client.application):
        url = _url(rule, numbers, value)
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method)
        seen.append((url, response.status_code))
        assert response.status_code == 404, (url, response.status_code)
    assert len(seen) > 40


def test_the_largest_id_reaches_the_database_and_is_simply_absent(client, auth, make_user):
    admin = make_user(("admin",), ward=None)
    auth.login(admin)
    assert client.get("/people/").status_code == 200
    for rule, numbers in _id_routes(client.application):
        url = _url(rule, numbers, str(MAX_ID))
        method = "GET" if "GET" in rule.methods else "POST"
        status = client.open(url, method=method).status_code
        # Not found, or refused before the look-up (an instructor's page, which an admin is not).
        assert status == 404 or (status == 403 and "attest" in url), (url, status)


def test_a_25_digit_person_id_is_not_found(client, auth, make_user, make_ward):
    ward = make_ward()
    coordinator = make_user(("coordinator",), ward=ward)
    auth.login(coordinator)
    response = client.get(f"/people/{HUGE}")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.get_data(as_text=True)


def test_a_25_digit_status_list_is_not_found(client):
    assert client.get(f"/credentials/issuers/{HUGE}/status").status_code == 404
    assert client.get(f"/credentials/issuers/{HUGE}").status_code == 404
    assert client.get(f"/credentials/issuers/{MAX_ID}/status").status_code == 404


@pytest.mark.parametrize("text", [HUGE, str(MAX_ID + 1), "-1", "1.5", "", "²", " 12x"])
def test_database_id_refuses_what_no_row_can_have(text):
    with pytest.raises(ValueError):
        database_id(text)


def test_database_id_keeps_real_ids():
    assert database_id("42") == 42
    assert database_id(str(MAX_ID)) == MAX_ID


def test_a_huge_id_in_a_form_field_is_refused_not_a_crash(client, auth, make_user, make_ward):
    ward = make_ward()
    learner = make_user(ward=ward)
    auth.login(learner)
    response = client.post("/certificates/name-display", data={"display": "full", "certificate_id": HUGE})
    assert response.status_code == 302
    assert response.headers["Location"] == "/certificates/"


def test_a_huge_person_id_on_the_card_form_is_refused_not_a_crash(client, auth, make_user, make_ward):
    from lms.cohorts.services import create_cohort
    from lms.extensions import db

    ward = make_ward()
    coordinator = make_user(("coordinator",), ward=ward)
    cohort = create_cohort(ward_id=ward.id, name="Lớp thử", audience="everyone")
    db.session.commit()
    auth.login(coordinator)
    response = client.post(f"/cohorts/{cohort.id}/cards", data={"user_id": [HUGE]})
    assert response.status_code == 302  # the number is dropped: nobody to print for
