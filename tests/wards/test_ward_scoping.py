"""A coordinator manages the people of their own ward and can never reach another ward's."""
import pytest

from lms.accounts.models import User


@pytest.fixture()
def two_wards(make_ward, make_user):
    ward_a, ward_b = make_ward("Phường A"), make_ward("Phường B")
    return {
        "coordinator_a": make_user(("coordinator",), ward=ward_a, name="Cán bộ A"),
        "learner_a": make_user(ward=ward_a, name="Học viên A"),
        "learner_b": make_user(ward=ward_b, name="Học viên B"),
        "coordinator_b": make_user(("coordinator",), ward=ward_b, name="Cán bộ B"),
        "ward_a": ward_a,
        "ward_b": ward_b,
    }


PERSON_URLS = ["/people/{id}", "/people/{id}/edit"]


@pytest.mark.parametrize("url", PERSON_URLS)
def test_coordinator_cannot_read_another_wards_person(client, auth, two_wards, url):
    auth.login(two_wards["coordinator_a"])
    assert client.get(url.format(id=two_wards["learner_b"].id)).status_code == 404
    assert client.get(url.format(id=two_wards["learner_a"].id)).status_code == 200


def test_coordinator_cannot_change_another_wards_person(client, auth, two_wards, db):
    auth.login(two_wards["coordinator_a"])
    target = two_wards["learner_b"]
    response = client.post(f"/people/{target.id}/edit", data={"full_name": "Đổi tên", "phone": "0912999999"})
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(User, target.id).full_name == "Học viên B"


def test_people_list_shows_only_the_coordinators_ward(client, auth, two_wards):
    auth.login(two_wards["coordinator_a"])
    page = client.get("/people/").get_data(as_text=True)
    assert "Học viên A" in page
    assert "Học viên B" not in page
    assert "Cán bộ B" not in page


@pytest.mark.parametrize("role", ["learner", "instructor"])
@pytest.mark.parametrize("url", ["/people/", "/people/{id}", "/people/{id}/edit"])
def test_learners_and_instructors_cannot_manage_people(client, auth, make_user, two_wards, role, url):
    auth.login(make_user((role,), ward=two_wards["ward_a"]))
    assert client.get(url.format(id=two_wards["learner_a"].id)).status_code == 403


def test_admin_sees_every_ward(client, auth, make_user, two_wards):
    auth.login(make_user(("admin",)))
    page = client.get("/people/").get_data(as_text=True)
    assert "Học viên A" in page and "Học viên B" in page
    assert client.get(f"/people/{two_wards['learner_b'].id}").status_code == 200


def test_coordinator_edits_own_wards_person_and_bad_input_keeps_what_was_typed(client, auth, two_wards, db):
    auth.login(two_wards["coordinator_a"])
    person = two_wards["learner_a"]
    group = two_wards["ward_a"].groups[0]
    bad = client.post(f"/people/{person.id}/edit", data={"full_name": "Trần Văn Bình", "phone": "12345", "birth_year": "1890"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "Số điện thoại chưa đúng" in text and "Năm sinh chưa đúng." in text
    assert 'value="Trần Văn Bình"' in text
    db.session.expire_all()
    assert db.session.get(User, person.id).full_name == "Học viên A"
    good = client.post(f"/people/{person.id}/edit", data={
        "full_name": "Trần  Văn Bình", "phone": "0912 888 777", "birth_year": "1958",
        "group_id": str(group.id), "roles": ["learner"]})
    assert good.status_code == 302
    db.session.expire_all()
    saved = db.session.get(User, person.id)
    assert (saved.full_name, saved.phone, saved.birth_year, saved.group_id) == ("Trần Văn Bình", "+84912888777", 1958, group.id)


def test_coordinator_cannot_make_anyone_an_admin(client, auth, two_wards, db):
    auth.login(two_wards["coordinator_a"])
    person = two_wards["learner_a"]
    client.post(f"/people/{person.id}/edit", data={
        "full_name": "Học viên A", "phone": person.phone, "roles": ["learner", "admin"]})
    db.session.expire_all()
    assert "admin" not in db.session.get(User, person.id).roles


def test_a_phone_number_already_in_use_is_refused(client, auth, two_wards, db):
    auth.login(two_wards["coordinator_a"])
    person = two_wards["learner_a"]
    response = client.post(f"/people/{person.id}/edit", data={
        "full_name": "Học viên A", "phone": two_wards["learner_b"].phone})
    assert response.status_code == 422
    assert "Số điện thoại này đã có người dùng." in response.get_data(as_text=True)
