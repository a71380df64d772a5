"""Every URL that carries an id, requested as the wrong person: another ward's coordinator (404),
an instructor who does not teach the cohort (403 for coordinators' pages, 404 for teaching pages),
a learner (403), and nobody signed in (sent to sign in)."""
import datetime
import io

import pytest

from lms.cohorts.importing import stage_import
from lms.cohorts.schedule import add_session
from lms.cohorts.sheets import read_sheet
from lms.extensions import db

# Pages only a coordinator of the cohort's ward (or an admin) may use.
MANAGE = [
    ("GET", "/cohorts/{cohort}/edit"), ("POST", "/cohorts/{cohort}/edit"),
    ("POST", "/cohorts/{cohort}/code"),
    ("GET", "/cohorts/{cohort}/enrol"), ("POST", "/cohorts/{cohort}/enrol"),
    ("POST", "/cohorts/{cohort}/enrol/{person}"),
    ("POST", "/cohorts/{cohort}/members/{member}/remove"),
    ("GET", "/cohorts/{cohort}/import"), ("POST", "/cohorts/{cohort}/import"),
    ("GET", "/cohorts/{cohort}/import/{key}"), ("POST", "/cohorts/{cohort}/import/{key}"),
    ("POST", "/cohorts/{cohort}/cards"), ("POST", "/cohorts/{cohort}/cards/revoke"),
    ("POST", "/cohorts/{cohort}/members/{member}/cards/revoke"),
    ("GET", "/cohorts/{cohort}/sessions/{session}/edit"), ("POST", "/cohorts/{cohort}/sessions/{session}/edit"),
    ("POST", "/cohorts/{cohort}/sessions/{session}/delete"),
    ("GET", "/people/{member}/erase"), ("POST", "/people/{member}/erase"),
]
# Pages the cohort's own instructors may use too.
TEACH = [
    ("GET", "/cohorts/{cohort}"), ("GET", "/cohorts/{cohort}/roster"),
    ("GET", "/cohorts/{cohort}/roster.xlsx"), ("GET", "/cohorts/{cohort}/roster.csv"),
    ("GET", "/cohorts/{cohort}/members/{member}"), ("GET", "/cohorts/{cohort}/sessions"),
    ("GET", "/cohorts/{cohort}/sessions/{session}/attendance"),
    ("POST", "/cohorts/{cohort}/sessions/{session}/attendance"),
]
ALL = MANAGE + TEACH
# What the ward's coordinator gets on each, with the empty form these tests send: a page (200), a
# change made (302), or the form sent back with what is missing (422), never "one of those".
ALLOWED = {
    ("GET", "/cohorts/{cohort}/edit"): 200,
    ("POST", "/cohorts/{cohort}/edit"): 302,  # an empty form keeps the cohort as it is
    ("POST", "/cohorts/{cohort}/code"): 302,
    ("GET", "/cohorts/{cohort}/enrol"): 200,
    ("POST", "/cohorts/{cohort}/enrol"): 422,  # no name, no phone
    ("POST", "/cohorts/{cohort}/enrol/{person}"): 422,  # consent not asked yet
    ("POST", "/cohorts/{cohort}/members/{member}/remove"): 302,
    ("GET", "/cohorts/{cohort}/import"): 200,
    ("POST", "/cohorts/{cohort}/import"): 422,  # "x" is no spreadsheet
    ("GET", "/cohorts/{cohort}/import/{key}"): 200,
    ("POST", "/cohorts/{cohort}/import/{key}"): 422,  # consent not ticked
    ("POST", "/cohorts/{cohort}/cards"): 200,
    ("POST", "/cohorts/{cohort}/cards/revoke"): 302,
    ("POST", "/cohorts/{cohort}/members/{member}/cards/revoke"): 302,
    ("GET", "/cohorts/{cohort}/sessions/{session}/edit"): 200,
    ("POST", "/cohorts/{cohort}/sessions/{session}/edit"): 422,  # no day, no time
    ("POST", "/cohorts/{cohort}/sessions/{session}/delete"): 302,
    ("GET", "/people/{member}/erase"): 200,
    ("POST", "/people/{member}/erase"): 422,  # no reason given
    ("GET", "/cohorts/{cohort}"): 200,
    ("GET", "/cohorts/{cohort}/roster"): 200,
    ("GET", "/cohorts/{cohort}/roster.xlsx"): 200,
    ("GET", "/cohorts/{cohort}/roster.csv"): 200,
    ("GET", "/cohorts/{cohort}/members/{member}"): 200,
    ("GET", "/cohorts/{cohort}/sessions"): 200,
    ("GET", "/cohorts/{cohort}/sessions/{session}/attendance"): 200,
    ("POST", "/cohorts/{cohort}/sessions/{session}/attendance"): 302,
}


@pytest.fixture()
def ids(world, make_user):
    session = add_session(world.cohort, day=datetime.date(2026, 12, 1), starts_at=datetime.time(8), place="A")
    sheet = read_sheet("a.csv", "Họ và tên,Số điện thoại\nAn,0912345678\n".encode())
    staged = stage_import(world.cohort, world.coordinator, "a.csv", sheet)
    person = make_user(ward=world.ward, name="Chưa ghi danh")
    db.session.commit()
    return {"cohort": world.cohort.id, "member": world.learner.id, "session": session.id, "key": staged.key,
            "person": person.id}


def call(client, method, url, ids):
    url = url.format(**ids)
    if method == "GET":
        return client.get(url)
    data = {"sheet": (io.BytesIO(b"x"), "a.csv")} if url.endswith("/import") else {}
    return client.post(url, data=data, content_type="multipart/form-data")


@pytest.mark.parametrize("method, url", ALL)
def test_another_wards_coordinator_gets_404(client, auth, world, ids, method, url):
    auth.login(world.other_coordinator)
    assert call(client, method, url, ids).status_code == 404


@pytest.mark.parametrize("method, url", MANAGE)
def test_an_instructor_cannot_use_coordinators_pages(client, auth, world, ids, method, url):
    auth.login(world.instructor)  # teaches this very cohort
    assert call(client, method, url, ids).status_code == 403


@pytest.mark.parametrize("method, url", TEACH)
def test_an_instructor_who_does_not_teach_the_cohort_gets_404(client, auth, world, ids, method, url):
    auth.login(world.other_instructor)
    assert call(client, method, url, ids).status_code == 404


@pytest.mark.parametrize("method, url", TEACH)
def test_the_cohorts_own_instructor_may_use_teaching_pages(client, auth, world, ids, method, url):
    auth.login(world.instructor)
    assert call(client, method, url, ids).status_code == ALLOWED[(method, url)]


@pytest.mark.parametrize("method, url", ALL)
def test_a_learner_gets_403(client, auth, world, ids, method, url):
    auth.login(world.learner)
    assert call(client, method, url, ids).status_code == 403


@pytest.mark.parametrize("method, url", ALL)
def test_nobody_signed_in_is_sent_to_sign_in(client, world, ids, method, url):
    response = call(client, method, url, ids)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("method, url", ALL)
def test_the_wards_coordinator_may_use_every_page(client, auth, world, ids, method, url):
    auth.login(world.coordinator)
    assert call(client, method, url, ids).status_code == ALLOWED[(method, url)]


@pytest.mark.parametrize("method, url", ALL)
def test_an_admin_may_use_every_page(client, auth, world, ids, method, url):
    auth.login(world.admin)
    status = call(client, method, url, ids).status_code
    # The staged import belongs to the coordinator who uploaded it, not to anyone else.
    assert status == (404 if "{key}" in url else ALLOWED[(method, url)])


def test_ids_of_one_cohort_do_not_open_anothers(client, auth, world, ids, make_user):
    other_session = add_session(world.other_cohort, day=datetime.date(2026, 12, 1),
                                starts_at=datetime.time(8), place="B")
    db.session.commit()
    auth.login(world.coordinator)
    c = world.cohort.id
    assert client.get(f"/cohorts/{c}/sessions/{other_session.id}/attendance").status_code == 404
    assert client.get(f"/cohorts/{c}/members/{ids['person']}").status_code == 404
    assert client.get(f"/cohorts/{c}/members/{world.other_coordinator.id}").status_code == 404
    assert client.get(f"/cohorts/{world.other_cohort.id}/import/{ids['key']}").status_code == 404
    assert client.get("/cohorts/999999").status_code == 404


@pytest.mark.parametrize("url", ["/cohorts/", "/cohorts/new"])
def test_learners_cannot_list_or_create_cohorts(client, auth, world, url):
    auth.login(world.learner)
    assert client.get(url).status_code == 403
