"""Enrolling one person who has no phone, or shares a housemate's; duplicates are chosen, not guessed."""
import threading

import sqlalchemy as sa

from lms.accounts.models import User
from lms.cohorts.models import Enrollment
from lms.extensions import db


def count(model, *where):
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def new_person(world, **fields):
    data = {"new-full_name": "Lê Thị Chín", "new-phone": "", "new-birth_year": "1948",
            "new-group_id": str(world.ward.groups[0].id), "new-consent": "y"}
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def test_a_person_with_no_phone_is_enrolled(client, auth, world):
    auth.login(world.coordinator)
    response = client.post(f"/cohorts/{world.cohort.id}/enrol", data=new_person(world))
    assert response.status_code == 302
    chin = db.session.scalar(sa.select(User).where(User.full_name == "Lê Thị Chín"))
    assert chin.phone is None and chin.secret_hash is None
    assert count(Enrollment, Enrollment.user_id == chin.id) == 1


def test_a_housemates_number_needs_the_coordinators_confirmation(client, auth, world):
    auth.login(world.coordinator)
    url = f"/cohorts/{world.cohort.id}/enrol"
    asked = client.post(url, data=new_person(world, **{"new-phone": world.learner.phone}))
    text = asked.get_data(as_text=True)
    assert asked.status_code == 422
    assert "Số điện thoại này đã có người dùng." in text and 'name="new-share_phone"' in text
    assert count(User, User.full_name == "Lê Thị Chín") == 0
    shared = client.post(url, data=new_person(world, **{"new-phone": world.learner.phone, "new-share_phone": "y"}))
    assert shared.status_code == 302
    assert count(User, User.phone == world.learner.phone) == 2


def test_a_staff_members_number_is_never_shared_with_a_learner(client, auth, world):
    auth.login(world.coordinator)
    response = client.post(f"/cohorts/{world.cohort.id}/enrol", data=new_person(
        world, **{"new-phone": world.instructor.phone, "new-share_phone": "y"}))
    assert response.status_code == 422
    assert "không dùng chung được" in response.get_data(as_text=True)
    assert count(User, User.phone == world.instructor.phone) == 1


def test_at_most_four_people_share_a_number(client, auth, world):
    auth.login(world.coordinator)
    url = f"/cohorts/{world.cohort.id}/enrol"
    for name in ("Lê Văn Một", "Lê Văn Hai", "Lê Văn Ba"):
        assert client.post(url, data=new_person(world, **{
            "new-full_name": name, "new-phone": world.learner.phone, "new-share_phone": "y"})).status_code == 302
    fifth = client.post(url, data=new_person(world, **{
        "new-full_name": "Lê Văn Năm", "new-phone": world.learner.phone, "new-share_phone": "y"}))
    assert fifth.status_code == 422
    assert "Đã có 4 người dùng chung số điện thoại này" in fifth.get_data(as_text=True)
    assert count(User, User.phone == world.learner.phone) == 4


def test_same_name_year_and_group_asks_same_person_or_another(client, auth, world):
    auth.login(world.coordinator)
    url = f"/cohorts/{world.cohort.id}/enrol"
    lan = world.learner  # Nguyễn Thị Lan, born 1960, group 0
    data = new_person(world, **{"new-full_name": "nguyen thi lan", "new-birth_year": "1960"})
    asked = client.post(url, data=data)
    text = asked.get_data(as_text=True)
    assert asked.status_code == 409
    assert "Có phải người đã có trong phường?" in text
    assert f'/cohorts/{world.cohort.id}/enrol/{lan.id}' in text and "Cùng một người" in text
    assert "Người khác: tạo tài khoản mới" in text
    assert count(User, User.name_key == "nguyen thi lan") == 1
    # "Người khác": a second Nguyễn Thị Lan, with no phone.
    other = client.post(url, data={**data, "new-different_person": "y"})
    assert other.status_code == 302
    assert count(User, User.name_key == "nguyen thi lan") == 2
    # The very same name, year, group and (no) phone again is refused even as "another".
    again = client.post(url, data={**data, "new-different_person": "y"})
    assert again.status_code == 409
    assert "đã có trong phường" in again.get_data(as_text=True)
    assert count(User, User.name_key == "nguyen thi lan") == 2


def test_two_enrolments_racing_create_the_person_once(app, world):
    coordinator_phone = world.coordinator.phone
    url = f"/cohorts/{world.cohort.id}/enrol"
    data = new_person(world, **{"new-different_person": "y"})
    statuses = []
    barrier = threading.Barrier(2)

    clients = [app.test_client() for _ in range(2)]
    for other in clients:  # signed in one after the other; only the enrolments race
        assert other.post("/login", data={"phone": coordinator_phone, "secret": "482916"}).status_code == 302

    def enrol_her(other):
        barrier.wait()
        statuses.append(other.post(url, data=data).status_code)

    threads = [threading.Thread(target=enrol_her, args=(other,)) for other in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [302, 409]
    assert count(User, User.full_name == "Lê Thị Chín") == 1
