"""Gia đình số: households of a ward, who lives where, and which households have no learner yet."""
import pytest
import sqlalchemy as sa

from lms.cohorts.services import create_and_enrol, enrol
from lms.courses.models import Course, Lesson, LessonProgress
from lms.extensions import db
from lms.households.models import Household, HouseholdMember
from lms.households.services import (HouseholdError, create_household, households_overview, name_households,
                                     set_household)
from lms.timeutil import utcnow


def members_of(household):
    db.session.expire_all()
    return set(db.session.scalars(sa.select(HouseholdMember.user_id).where(
        HouseholdMember.household_id == household.id)))


def test_households_without_a_learner_come_first(client, auth, world, make_user):
    learnt = create_household(world.ward.id, "Hộ bà Lan", world.ward.groups[0].id)
    waiting = create_household(world.ward.id, "Hộ ông Tư", world.ward.groups[1].id)
    online = create_household(world.ward.id, "Hộ chị Mai", world.ward.groups[1].id)
    set_household(world.learner, learnt)
    set_household(make_user(ward=world.ward, name="Nguyễn Văn Tư"), waiting)
    reader = make_user(ward=world.ward, name="Lê Thị Mai")
    set_household(reader, online)
    course = Course(slug="c", title={"vi": "C"}, summary={}, audiences=[], competences=[], level=1, minutes=1,
                    version=1, content_hash="x")
    course.lessons = [Lesson(slug="l", position=1, title={}, minutes=1, competences=[], html={}, slides={},
                             plain_text={}, content_hash="x")]
    db.session.add(course)
    db.session.flush()
    db.session.add(LessonProgress(user_id=reader.id, lesson_id=course.lessons[0].id, completed_at=utcnow()))
    db.session.commit()
    rows = households_overview(world.ward.id)
    assert [(r.household.name, r.members, r.learners) for r in rows] == [
        ("Hộ ông Tư", 1, 0), ("Hộ bà Lan", 1, 1), ("Hộ chị Mai", 1, 1)]
    auth.login(world.coordinator)
    page = client.get("/households/").get_data(as_text=True)
    assert "2 trên 3 hộ đã có người học." in page
    assert page.index("Hộ ông Tư") < page.index("Hộ đã có người học")
    filtered = client.get("/households/", query_string={"group": world.ward.groups[0].id}).get_data(as_text=True)
    assert "Hộ bà Lan" in filtered and "Hộ ông Tư" not in filtered


def test_coordinator_creates_renames_and_deletes_a_household(client, auth, world):
    auth.login(world.coordinator)
    response = client.post("/households/new", data={"name": "Hộ ông Tư, số 12 ngõ 5",
                                                     "group_id": str(world.ward.groups[0].id)})
    assert response.status_code == 302
    household = db.session.scalar(sa.select(Household))
    duplicate = client.post("/households/new", data={"name": "hộ ông tư, số 12 ngõ 5",
                                                      "group_id": str(world.ward.groups[0].id)})
    assert duplicate.status_code == 422 and "đã có một hộ cùng tên" in duplicate.get_data(as_text=True)
    assert client.post("/households/new", data={"name": ""}).status_code == 422
    renamed = client.post(f"/households/{household.id}/edit", data={"name": "Hộ ông Tư", "group_id": "0"})
    assert renamed.status_code == 302
    db.session.expire_all()
    assert (db.session.get(Household, household.id).name, db.session.get(Household, household.id).group_id) == (
        "Hộ ông Tư", None)
    client.post(f"/households/{household.id}/delete")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Household)) == 0


def test_adding_and_moving_members(client, auth, world, make_user):
    first = create_household(world.ward.id, "Hộ A")
    second = create_household(world.ward.id, "Hộ B")
    db.session.commit()
    auth.login(world.coordinator)
    page = client.get(f"/households/{first.id}", query_string={"q": "nguyen thi lan"}).get_data(as_text=True)
    assert "Thêm Nguyễn Thị Lan vào hộ" in page
    client.post(f"/households/{first.id}/members", data={"person_id": world.learner.id})
    again = client.post(f"/households/{first.id}/members", data={"person_id": world.learner.id},
                        follow_redirects=True)
    assert "đã ở trong hộ này rồi" in again.get_data(as_text=True)
    assert members_of(first) == {world.learner.id}
    client.post(f"/households/{second.id}/members", data={"person_id": world.learner.id})
    assert members_of(first) == set() and members_of(second) == {world.learner.id}
    client.post(f"/households/{second.id}/members/{world.learner.id}/remove")
    assert members_of(second) == set()
    stranger = make_user(ward=world.other_ward, name="Người phường Tây")
    assert client.post(f"/households/{first.id}/members", data={"person_id": stranger.id}).status_code == 404


def test_a_households_name_from_an_upload_joins_people_of_one_group(world, make_user):
    group = world.ward.groups[0]
    a = make_user(ward=world.ward, name="Ông Tư", group=group)
    b = make_user(ward=world.ward, name="Bà Tư", group=group)
    c = make_user(ward=world.ward, name="Ông Tư khác", group=world.ward.groups[1])
    name_households(world.ward.id, [(a, "Hộ ông Tư"), (b, "hộ  ông tư"), (c, "Hộ ông Tư")])
    name_households(world.ward.id, [(a, "Hộ ông Tư")])  # the same file again changes nothing
    db.session.commit()
    households = db.session.scalars(sa.select(Household).order_by(Household.group_id)).all()
    assert [(h.group_id, len(h.members)) for h in households] == [(group.id, 2), (world.ward.groups[1].id, 1)]


def test_enrolling_one_person_with_a_household_records_it(world):
    person = create_and_enrol(world.cohort, full_name="Hà Văn Hải", phone="0912345778", consent=True,
                              household="Hộ ông Hải", group_id=world.ward.groups[0].id)
    db.session.commit()
    household = db.session.scalar(sa.select(Household).where(Household.name == "Hộ ông Hải"))
    assert members_of(household) == {person.id}


def test_people_of_another_ward_cannot_join_a_household(world, make_user):
    household = create_household(world.ward.id, "Hộ A")
    with pytest.raises(HouseholdError):
        set_household(make_user(ward=world.other_ward), household)
    with pytest.raises(HouseholdError):
        create_household(world.ward.id, "Hộ B", world.other_ward.groups[0].id)


def test_learners_are_counted_by_enrolment(world, make_user):
    household = create_household(world.ward.id, "Hộ A")
    newcomer = make_user(ward=world.ward, name="Người mới")
    set_household(newcomer, household)
    db.session.commit()
    assert households_overview(world.ward.id)[0].learners == 0
    enrol(world.cohort, newcomer, consent=True)
    db.session.commit()
    assert households_overview(world.ward.id)[0].learners == 1


def test_a_search_from_a_household_says_where_each_person_lives(client, auth, world, make_user):
    here = create_household(world.ward.id, "Hộ bà Lan", world.ward.groups[0].id)
    there = create_household(world.ward.id, "Hộ ông Tư", world.ward.groups[1].id)
    set_household(world.learner, here)
    set_household(make_user(ward=world.ward, name="Nguyễn Thị Lanh"), there)
    make_user(ward=world.ward, name="Nguyễn Thị Lam")
    db.session.commit()
    auth.login(world.coordinator)
    page = client.get(f"/households/{here.id}", query_string={"q": "nguyen thi la"}).get_data(as_text=True)
    results = page.split("Thêm thành viên", 1)[1]
    assert "Đã ở trong hộ này" in results
    assert "Nguyễn Thị Lanh" in results and "đang ở hộ Hộ ông Tư" in results
    assert "Thêm Nguyễn Thị Lam vào hộ" in results and "Thêm Nguyễn Thị Lanh vào hộ" in results
    nobody = client.get(f"/households/{here.id}", query_string={"q": "zzz"}).get_data(as_text=True)
    assert "Không tìm thấy ai khớp với “zzz” trong phường." in nobody
