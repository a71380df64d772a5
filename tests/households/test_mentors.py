"""Đại sứ số: who mentors whom, and the mentors still below five mentees."""
import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.households.models import Mentorship
from lms.households.services import HouseholdError, add_mentorship, mentors_overview


@pytest.fixture()
def people(world, make_user):
    return [make_user(ward=world.ward, name=f"Người {chr(65 + i)}") for i in range(6)]


def test_mentors_below_five_are_listed_with_how_many_are_missing(client, auth, world, people):
    for mentee in people[:5]:
        add_mentorship(world.ward.id, world.instructor, mentee)
    add_mentorship(world.ward.id, world.learner, people[5])
    db.session.commit()
    rows = mentors_overview(world.ward.id)
    assert [(r.mentor.full_name, r.mentees, r.missing) for r in rows] == [
        ("Nguyễn Thị Lan", 1, 4), ("Lê Văn Minh", 5, 0)]
    auth.login(world.coordinator)
    page = client.get("/mentors/").get_data(as_text=True)
    assert "1 trên 2 người hướng dẫn đã đủ 5 người." in page
    assert "còn thiếu 4 người" in page
    assert page.index("Nguyễn Thị Lan") < page.index("Đã đủ")


def test_coordinator_adds_and_removes_a_mentee(client, auth, world, people):
    auth.login(world.coordinator)
    url = f"/mentors/{world.learner.id}"
    page = client.get(url, query_string={"q": "nguoi a"}).get_data(as_text=True)
    assert "Thêm Người A" in page
    assert client.post(url + "/mentees", data={"mentee_id": people[0].id}).status_code == 302
    twice = client.post(url + "/mentees", data={"mentee_id": people[0].id, "q": "nguoi a"})
    assert twice.status_code == 422
    self_ = client.post(url + "/mentees", data={"mentee_id": world.learner.id, "q": "lan"})
    assert self_.status_code == 422
    mentorship = db.session.scalar(sa.select(Mentorship))
    assert (mentorship.mentor_id, mentorship.mentee_id) == (world.learner.id, people[0].id)
    assert "Còn thiếu 4 người" in client.get(url).get_data(as_text=True)
    client.post(f"/mentorships/{mentorship.id}/delete")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Mentorship)) == 0


def test_mentorship_rules(world, people, make_user):
    with pytest.raises(HouseholdError) as broken:
        add_mentorship(world.ward.id, people[0], people[0])
    assert broken.value.code == "self"
    with pytest.raises(HouseholdError) as broken:
        add_mentorship(world.ward.id, people[0], make_user(ward=world.other_ward))
    assert broken.value.code == "person_invalid"
    add_mentorship(world.ward.id, people[0], people[1])
    with pytest.raises(HouseholdError) as broken:
        add_mentorship(world.ward.id, people[0], people[1])
    assert broken.value.code == "duplicate_mentorship"


def test_the_database_refuses_self_mentoring_and_duplicates(world, people):
    from sqlalchemy.exc import IntegrityError

    db.session.add(Mentorship(ward_id=world.ward.id, mentor_id=people[0].id, mentee_id=people[0].id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    for _ in range(2):
        db.session.add(Mentorship(ward_id=world.ward.id, mentor_id=people[0].id, mentee_id=people[1].id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
