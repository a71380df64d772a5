"""Coordinators keep their ward's residential groups and markets: add, rename, merge, retire."""
import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.cohorts.services import create_cohort
from lms.extensions import db
from lms.households.models import Household, HouseholdMember
from lms.wards.models import ResidentialGroup


@pytest.fixture()
def ward(make_ward):
    return make_ward("Phường Đông")


@pytest.fixture()
def other_ward(make_ward):
    return make_ward("Phường Tây")


@pytest.fixture()
def coordinator(make_user, ward):
    return make_user(("coordinator",), ward=ward, name="Trần Thị Thu Hà")


def groups_of(ward):
    db.session.expire_all()
    return {g.name: g for g in db.session.scalars(sa.select(ResidentialGroup).where(ResidentialGroup.ward_id == ward.id))}


def test_a_coordinator_adds_and_renames_a_group(client, auth, coordinator, ward):
    auth.login(coordinator)
    page = client.get(f"/wards/{ward.id}/groups")
    assert page.status_code == 200 and "Tổ dân phố số 1" in page.get_data(as_text=True)
    added = client.post(f"/wards/{ward.id}/groups", data={"name": "Chợ Đông", "kind": "cho"}, follow_redirects=True)
    assert "Đã thêm “Chợ Đông”." in added.get_data(as_text=True)
    market = groups_of(ward)["Chợ Đông"]
    assert market.kind == "cho"
    again = client.post(f"/wards/{ward.id}/groups", data={"name": "chợ đông", "kind": "cho"})
    assert again.status_code == 422 and "Phường đã có" in again.get_data(as_text=True)
    empty = client.post(f"/wards/{ward.id}/groups", data={"name": "  "})
    assert empty.status_code == 422 and "Hãy nhập tên." in empty.get_data(as_text=True)
    renamed = client.post(f"/wards/{ward.id}/groups/{market.id}/rename", data={"name": "Chợ Đông Ba"})
    assert renamed.status_code == 302 and "Chợ Đông Ba" in groups_of(ward)


def test_merging_moves_people_cohorts_and_households_then_retires(client, auth, coordinator, ward, make_user):
    one, two = ward.groups
    a = make_user(ward=ward, name="Lê Thị Một", group=one)
    b = make_user(ward=ward, name="Lê Văn Hai", group=two)
    cohort = create_cohort(ward_id=ward.id, name="Lớp tổ 1", audience="everyone", group_id=one.id)
    home_one = Household(ward_id=ward.id, group_id=one.id, name="Hộ ông Lê", name_key="ho ong le")
    home_two = Household(ward_id=ward.id, group_id=two.id, name="Hộ ông Lê", name_key="ho ong le")
    db.session.add_all([home_one, home_two])
    db.session.flush()
    db.session.add_all([HouseholdMember(household_id=home_one.id, user_id=a.id),
                        HouseholdMember(household_id=home_two.id, user_id=b.id)])
    db.session.commit()
    auth.login(coordinator)
    refused = client.post(f"/wards/{ward.id}/groups/{one.id}/merge", data={"into": two.id})
    assert refused.status_code == 422 and "xác nhận" in refused.get_data(as_text=True)
    done = client.post(f"/wards/{ward.id}/groups/{one.id}/merge", data={"into": two.id, "confirm": "y"},
                       follow_redirects=True)
    assert "1 người được chuyển" in done.get_data(as_text=True)
    db.session.expire_all()
    assert {db.session.get(User, a.id).group_id, db.session.get(User, b.id).group_id} == {two.id}
    assert db.session.get(type(cohort), cohort.id).group_id == two.id
    members = db.session.scalars(sa.select(HouseholdMember.user_id).where(HouseholdMember.household_id == home_two.id)).all()
    assert sorted(members) == sorted([a.id, b.id])
    assert groups_of(ward)["Tổ dân phố số 1"].retired_at is not None
    # A retired group is offered nowhere new: not on the new-cohort form.
    form = client.get("/cohorts/new").get_data(as_text=True)
    assert "Tổ dân phố số 1" not in form and "Tổ dân phố số 2" in form


def test_retiring_keeps_the_people_where_they_are(client, auth, coordinator, ward, make_user):
    one = ward.groups[0]
    a = make_user(ward=ward, name="Lê Thị Một", group=one)
    auth.login(coordinator)
    assert client.post(f"/wards/{ward.id}/groups/{one.id}/retire").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, a.id).group_id == one.id
    assert groups_of(ward)["Tổ dân phố số 1"].retired_at is not None
    assert "đã ngừng dùng" in client.get(f"/wards/{ward.id}/groups").get_data(as_text=True)


def test_another_wards_coordinator_gets_404_everywhere(client, auth, ward, other_ward, make_user):
    stranger = make_user(("coordinator",), ward=other_ward, name="Cán bộ Tây")
    one, two = ward.groups
    theirs = other_ward.groups[0]
    auth.login(stranger)
    assert client.get(f"/wards/{ward.id}/groups").status_code == 404
    assert client.post(f"/wards/{ward.id}/groups", data={"name": "Tổ lạ"}).status_code == 404
    assert client.post(f"/wards/{ward.id}/groups/{one.id}/rename", data={"name": "X"}).status_code == 404
    assert client.post(f"/wards/{ward.id}/groups/{one.id}/retire").status_code == 404
    # Through their own ward's address, a group of another ward is still 404, and cannot be a target.
    assert client.post(f"/wards/{other_ward.id}/groups/{one.id}/retire").status_code == 404
    merged = client.post(f"/wards/{other_ward.id}/groups/{theirs.id}/merge", data={"into": two.id, "confirm": "y"})
    assert merged.status_code == 422
    assert set(groups_of(ward)) == {"Tổ dân phố số 1", "Tổ dân phố số 2"}
    assert all(g.retired_at is None for g in groups_of(ward).values())
    assert groups_of(other_ward)[theirs.name].retired_at is None
    assert client.get("/wards/99999999999999999999/groups").status_code == 404


@pytest.mark.parametrize("roles", [("learner",), ("instructor",)])
def test_learners_and_instructors_are_refused(client, auth, ward, make_user, roles):
    person = make_user(roles, ward=ward, name="Người Thử")
    auth.login(person)
    assert client.get(f"/wards/{ward.id}/groups").status_code == 403
    assert client.post(f"/wards/{ward.id}/groups", data={"name": "Tổ lạ"}).status_code == 403
    assert client.post(f"/wards/{ward.id}/groups/{ward.groups[0].id}/retire").status_code == 403
    assert "Tổ lạ" not in groups_of(ward)


def test_an_admin_manages_any_ward(client, auth, ward, make_user):
    admin = make_user(("admin",), name="Quản Trị")
    auth.login(admin)
    assert client.post(f"/wards/{ward.id}/groups", data={"name": "Thôn Bắc"}).status_code == 302
    assert groups_of(ward)["Thôn Bắc"].kind == "thon"
