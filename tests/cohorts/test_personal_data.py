"""A learner downloads their own data; a coordinator erases a person and the counts stay."""
import datetime
import json

import pytest
import sqlalchemy as sa

from lms.accounts.models import User, UserRole
from lms.accounts.cards import issue_cards
from lms.accounts.models import PersonErasure, SignInToken
from lms.cohorts.models import Attendance, Enrollment
from lms.cohorts.schedule import add_session
from lms.extensions import db
from lms.households.models import HouseholdMember, Mentorship
from lms.households.services import add_mentorship, create_household, set_household
from lms.signals import person_erased
from lms.timeutil import utcnow


@pytest.fixture()
def rich_learner(world, make_user):
    learner = world.learner
    learner.needs_accessibility_support = True
    learner.accessibility_consent_at = utcnow()
    session = add_session(world.cohort, day=datetime.date(2026, 12, 1), starts_at=datetime.time(8), place="Nhà A")
    db.session.add(Attendance(class_session_id=session.id, user_id=learner.id))
    household = create_household(world.ward.id, "Hộ bà Lan", world.ward.groups[0].id)
    set_household(learner, household)
    mentee = make_user(ward=world.ward, name="Trương Văn Tín")
    add_mentorship(world.ward.id, learner, mentee)
    issue_cards(world.cohort, [learner], world.coordinator)
    db.session.commit()
    return learner


def test_learner_downloads_everything_kept_about_them(client, auth, rich_learner):
    auth.login(rich_learner)
    page = client.get("/my/data").get_data(as_text=True)
    assert "Dữ liệu của tôi" in page and "Nguyễn Thị Lan" in page
    response = client.get("/my/data.json")
    assert response.mimetype == "application/json" and "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["profile"]["full_name"] == "Nguyễn Thị Lan" and data["profile"]["birth_year"] == 1960
    assert data["consent"]["needs_accessibility_support"] is True
    assert data["cohorts"][0]["name"] == "Lớp người cao tuổi"
    assert data["attendance"] == [{"cohort": "Lớp người cao tuổi", "day": "2026-12-01", "starts_at": "08:00",
                                   "place": "Nhà A"}]
    assert data["household"]["name"] == "Hộ bà Lan" and data["mentoring"] == ["Trương Văn Tín"]
    assert len(data["sign_in_cards"]) == 1 and "token" not in json.dumps(data["sign_in_cards"])


def test_learner_withdraws_accessibility_consent(client, auth, rich_learner):
    auth.login(rich_learner)
    client.post("/my/data/support")
    db.session.expire_all()
    person = db.session.get(User, rich_learner.id)
    assert not person.needs_accessibility_support and person.accessibility_consent_at is None


def test_my_data_needs_sign_in(client):
    assert client.get("/my/data.json").status_code == 302


def test_erasure_asks_for_confirmation_first(client, auth, world, rich_learner):
    auth.login(world.coordinator)
    url = f"/people/{rich_learner.id}/erase"
    page = client.get(url).get_data(as_text=True)
    assert "không thể hoàn tác" in page
    refused = client.post(url, data={"reason": "asked"})
    assert refused.status_code == 422 and "Hãy đánh dấu để xác nhận." in refused.get_data(as_text=True)
    assert db.session.get(User, rich_learner.id).erased_at is None


def test_erasure_anonymises_in_place_and_keeps_the_counts(client, auth, world, rich_learner):
    heard = []

    def listener(sender, user, **extra):
        heard.append(user.id)

    person_erased.connect(listener)
    try:
        auth.login(world.coordinator)
        response = client.post(f"/people/{rich_learner.id}/erase", data={"reason": "asked", "confirm": "y"})
    finally:
        person_erased.disconnect(listener)
    assert response.status_code == 302
    assert heard == [rich_learner.id]  # the certificates feature listens to this
    db.session.expire_all()
    person = db.session.get(User, rich_learner.id)
    assert (person.full_name, person.phone, person.email, person.birth_year, person.secret_hash) == (
        "Người đã xoá", None, None, None, None)
    assert person.erased_at and not person.is_active_account and not person.needs_accessibility_support
    assert person.roles == {"learner"}
    count = lambda model, *w: db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*w))  # noqa: E731
    assert count(Enrollment, Enrollment.user_id == person.id) == 1
    assert count(Attendance, Attendance.user_id == person.id) == 1
    assert count(HouseholdMember, HouseholdMember.user_id == person.id) == 0
    assert count(Mentorship, Mentorship.mentor_id == person.id) == 0
    assert count(SignInToken, SignInToken.user_id == person.id, SignInToken.revoked_at.is_(None)) == 0
    record = db.session.scalar(sa.select(PersonErasure).where(PersonErasure.user_id == person.id))
    assert (record.erased_by_id, record.reason, record.ward_id) == (world.coordinator.id, "asked", world.ward.id)
    roster = client.get(f"/cohorts/{world.cohort.id}/roster").get_data(as_text=True)
    assert "Người đã xoá" in roster and "Nguyễn Thị Lan" not in roster
    again = client.get(f"/people/{rich_learner.id}/erase")
    assert "đã được xoá" in again.get_data(as_text=True)
    assert client.post(f"/people/{rich_learner.id}/erase", data={"reason": "asked", "confirm": "y"}).status_code == 200
    assert count(PersonErasure) == 1


def test_an_erased_person_can_no_longer_sign_in(client, auth, world, rich_learner):
    from lms.accounts.privacy import erase_person

    (_, raw, _t), = issue_cards(world.cohort, [rich_learner], world.coordinator)
    phone = rich_learner.phone
    erase_person(rich_learner, by=world.coordinator, reason="consent_withdrawn")
    db.session.commit()
    assert client.get(f"/s/{raw}").status_code == 410
    assert client.post("/login", data={"phone": phone, "secret": "482916"}).status_code == 401


def test_nobody_erases_themselves_or_an_admin_here(client, auth, world):
    auth.login(world.coordinator)
    own = client.post(f"/people/{world.coordinator.id}/erase", data={"reason": "asked", "confirm": "y"})
    assert own.status_code == 403
    world.learner.role_rows.append(UserRole(role="admin"))
    db.session.commit()
    assert client.post(f"/people/{world.learner.id}/erase", data={"reason": "asked", "confirm": "y"}).status_code == 403
    assert db.session.get(User, world.learner.id).erased_at is None


def test_another_wards_coordinator_cannot_erase(client, auth, world):
    auth.login(world.other_coordinator)
    assert client.get(f"/people/{world.learner.id}/erase").status_code == 404
    assert client.post(f"/people/{world.learner.id}/erase", data={"reason": "asked", "confirm": "y"}).status_code == 404


def test_erasure_takes_the_persons_row_out_of_a_pending_preview(world):
    from lms.cohorts.importing import stage_import
    from lms.cohorts.models import StagedImport
    from lms.accounts.privacy import erase_person
    from lms.cohorts.sheets import read_sheet

    text = f"Họ và tên,Số điện thoại\nNguyễn Thị Lan,{world.learner.phone}\nAi Khác,0912345670\n"
    holding = stage_import(world.cohort, world.coordinator, "a.csv", read_sheet("a.csv", text.encode()))
    unrelated = stage_import(world.cohort, world.coordinator, "b.csv",
                             read_sheet("b.csv", "Họ và tên,SĐT\nAi Khác,0912345670\n".encode()))
    erase_person(world.learner, by=world.coordinator, reason="asked")
    db.session.commit()
    db.session.expire_all()
    # Her row leaves the preview; the other rows wait for confirmation as before.
    assert [row["name"] for row in db.session.get(StagedImport, holding.id).rows] == ["Ai Khác"]
    assert [row["name"] for row in db.session.get(StagedImport, unrelated.id).rows] == ["Ai Khác"]
