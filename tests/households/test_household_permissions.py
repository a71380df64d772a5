"""Households and mentors of one ward are out of reach for anyone else."""
import pytest

from lms.extensions import db
from lms.households.services import add_mentorship, create_household, set_household

URLS = [
    ("GET", "/households/{household}"), ("GET", "/households/{household}/edit"),
    ("POST", "/households/{household}/edit"), ("POST", "/households/{household}/delete"),
    ("POST", "/households/{household}/members"), ("POST", "/households/{household}/members/{member}/remove"),
    ("GET", "/mentors/{member}"), ("POST", "/mentors/{member}/mentees"),
    ("POST", "/mentorships/{mentorship}/delete"),
]
LISTS = [("GET", "/households/"), ("GET", "/households/new"), ("POST", "/households/new"), ("GET", "/mentors/")]
# What the ward's coordinator gets on each with the form these tests send: exactly one status.
ALLOWED = {
    ("GET", "/households/{household}"): 200, ("GET", "/households/{household}/edit"): 200,
    ("POST", "/households/{household}/edit"): 302, ("POST", "/households/{household}/delete"): 302,
    ("POST", "/households/{household}/members"): 302,
    ("POST", "/households/{household}/members/{member}/remove"): 302,
    ("GET", "/mentors/{member}"): 200,
    ("POST", "/mentors/{member}/mentees"): 422,  # nobody mentors themselves
    ("POST", "/mentorships/{mentorship}/delete"): 302,
    ("GET", "/households/"): 200, ("GET", "/households/new"): 200,
    ("POST", "/households/new"): 422,  # no name
    ("GET", "/mentors/"): 200,
}


@pytest.fixture()
def ids(world, make_user):
    household = create_household(world.ward.id, "Hộ A")
    set_household(world.learner, household)
    mentorship = add_mentorship(world.ward.id, world.learner, make_user(ward=world.ward, name="Người B"))
    db.session.commit()
    return {"household": household.id, "member": world.learner.id, "mentorship": mentorship.id}


def call(client, method, url, ids):
    url = url.format(**ids)
    return client.get(url) if method == "GET" else client.post(url, data={"person_id": ids["member"],
                                                                          "mentee_id": ids["member"]})


@pytest.mark.parametrize("method, url", URLS)
def test_another_wards_coordinator_gets_404(client, auth, world, ids, method, url):
    auth.login(world.other_coordinator)
    assert call(client, method, url, ids).status_code == 404


@pytest.mark.parametrize("method, url", URLS + LISTS)
@pytest.mark.parametrize("who", ["instructor", "learner"])
def test_instructors_and_learners_get_403(client, auth, world, ids, method, url, who):
    auth.login(getattr(world, who))
    assert call(client, method, url, ids).status_code == 403


@pytest.mark.parametrize("method, url", URLS + LISTS)
def test_nobody_signed_in_is_sent_to_sign_in(client, world, ids, method, url):
    response = call(client, method, url, ids)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("method, url", URLS + LISTS)
def test_the_wards_coordinator_may_use_every_page(client, auth, world, ids, method, url):
    auth.login(world.coordinator)
    assert call(client, method, url, ids).status_code == ALLOWED[(method, url)]


def test_another_wards_list_shows_none_of_this_ward(client, auth, world, ids):
    auth.login(world.other_coordinator)
    assert "Hộ A" not in client.get("/households/").get_data(as_text=True)
    assert "Nguyễn Thị Lan" not in client.get("/mentors/").get_data(as_text=True)


def test_admin_chooses_a_ward(client, auth, world, ids):
    auth.login(world.admin)
    page = client.get("/households/", query_string={"ward": world.ward.id}).get_data(as_text=True)
    assert "Hộ A" in page
    assert client.get(f"/households/{ids['household']}").status_code == 200
