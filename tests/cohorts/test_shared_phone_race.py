"""Two people added at once to a number three people share: one gets the fourth place, the other
is told the number is full. Never five on one number, whichever feature adds them.

The service is called in two threads, each with its own database session, as two requests would:
the first adds its person and keeps its transaction open; the second tries meanwhile. Without a
lock on the number the second counts three holders (the first has not committed) and both
commit: five. With it, the second waits for the first and counts four.
"""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.accounts.people import create_person
from lms.accounts.services import SHARED_PHONE_LIMIT, AccountError
from lms.extensions import db
from lms.wards.models import Ward

SHARED = "+84912300400"


def holders() -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.phone == SHARED))


@pytest.fixture()
def three_on_one_number(make_ward, make_user):
    ward = make_ward("Phường Đông")
    make_user(ward=ward, phone=SHARED, name="Phạm Văn Một")
    for name in ("Phạm Thị Hai", "Phạm Văn Ba"):
        create_person(full_name=name, phone=SHARED, ward=ward, share_phone=True)
    db.session.commit()
    assert holders() == SHARED_PHONE_LIMIT - 1
    return ward.id


def test_two_people_added_at_once_to_a_number_never_make_five(app, three_on_one_number):
    barrier = threading.Barrier(2)
    first_added = threading.Event()
    second_done = threading.Event()
    outcome: dict[str, str] = {}

    def add(name: str, first: bool) -> None:
        with app.app_context():
            try:
                ward = db.session.get(Ward, three_on_one_number)
                barrier.wait(timeout=10)
                if not first:
                    first_added.wait(timeout=10)
                create_person(full_name=name, phone=SHARED, ward=ward, share_phone=True)
                if first:
                    first_added.set()
                    # Hold the transaction open while the second one tries (it is blocked by the
                    # lock, or it races through without it).
                    second_done.wait(timeout=2)
                db.session.commit()
                outcome[name] = "added"
            except AccountError as exc:
                db.session.rollback()
                outcome[name] = exc.code
            finally:
                if first:
                    first_added.set()
                else:
                    second_done.set()
                db.session.remove()

    threads = [threading.Thread(target=add, args=("Phạm Thị Bốn", True)),
               threading.Thread(target=add, args=("Phạm Văn Năm", False))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcome == {"Phạm Thị Bốn": "added", "Phạm Văn Năm": "phone_full"}
    assert holders() == SHARED_PHONE_LIMIT


def test_two_enrolments_at_once_on_a_shared_number_enrol_one(app, world):
    """Through the enrolment page: two coordinators' browsers press "Ghi danh" together for the
    last place on a number; one is enrolled, the other is told the number is full."""
    from tests.cohorts.test_enrol_without_own_phone import new_person

    url = f"/cohorts/{world.cohort.id}/enrol"
    clients = [app.test_client() for _ in range(2)]
    for other in clients:
        assert other.post("/login", data={"phone": world.coordinator.phone, "secret": "482916"}).status_code == 302
    for name in ("Lê Văn Một", "Lê Văn Hai"):
        data = new_person(world, **{"new-full_name": name, "new-phone": world.learner.phone, "new-share_phone": "y"})
        assert clients[0].post(url, data=data).status_code == 302
    barrier = threading.Barrier(2)
    answers = []

    def enrol(other, name):
        barrier.wait(timeout=10)
        response = other.post(url, data=new_person(world, **{
            "new-full_name": name, "new-phone": world.learner.phone, "new-share_phone": "y"}))
        answers.append((response.status_code, response.get_data(as_text=True)))

    threads = [threading.Thread(target=enrol, args=(c, n)) for c, n in zip(clients, ("Lê Văn Ba", "Lê Văn Bốn"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(status for status, _ in answers) == [302, 422]
    refused = next(text for status, text in answers if status == 422)
    assert "Đã có 4 người dùng chung số điện thoại này" in refused
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)
                             .where(User.phone == world.learner.phone)) == SHARED_PHONE_LIMIT
