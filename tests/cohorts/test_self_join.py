"""A signed-in learner joins a cohort with its code or its QR; wrong codes and twice are handled."""
import sqlalchemy as sa

from lms.cohorts.models import Enrollment
from lms.extensions import db


def enrolments(user, cohort):
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Enrollment).where(
        Enrollment.user_id == user.id, Enrollment.cohort_id == cohort.id))


def test_learner_joins_with_a_code_typed_loosely(client, auth, world, make_user):
    learner = make_user(ward=world.ward, name="Đinh Văn Tú")
    auth.login(learner)
    code = world.cohort.join_code
    loose = f" {code[:4].lower()}-{code[4:]} "
    response = client.post("/join", data={"code": loose, "consent": "y"})
    assert response.status_code == 302
    assert enrolments(learner, world.cohort) == 1
    assert db.session.scalar(sa.select(Enrollment.source).where(Enrollment.user_id == learner.id)) == "self"
    assert "Lớp người cao tuổi" in client.get("/my/cohorts").get_data(as_text=True)


def test_joining_twice_changes_nothing(client, auth, world):
    auth.login(world.learner)
    response = client.post("/join", data={"code": world.cohort.join_code}, follow_redirects=True)
    assert "đã ở trong lớp" in response.get_data(as_text=True)
    assert enrolments(world.learner, world.cohort) == 1


def test_a_wrong_code_says_so_next_to_the_field_and_keeps_it(client, auth, world):
    auth.login(world.learner)
    response = client.post("/join", data={"code": "ZZZZ9999"})
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Không có lớp nào có mã này" in text and 'value="ZZZZ9999"' in text
    assert client.post("/join", data={"code": ""}).status_code == 422


def test_someone_without_recorded_consent_is_asked_for_it(client, auth, world, make_user):
    learner = make_user(ward=world.ward, name="Đinh Văn Tú")
    auth.login(learner)
    page = client.get("/join").get_data(as_text=True)
    assert "Tôi đồng ý cho phường lưu" in page
    refused = client.post("/join", data={"code": world.cohort.join_code})
    assert refused.status_code == 422 and "Cần có sự đồng ý" in refused.get_data(as_text=True)
    assert enrolments(learner, world.cohort) == 0


def test_the_qr_link_fills_in_the_code(client, auth, world, make_user):
    learner = make_user(ward=world.ward, name="Đinh Văn Tú")
    auth.login(learner)
    page = client.get(f"/join/{world.cohort.join_code}").get_data(as_text=True)
    assert "Lớp: Lớp người cao tuổi" in page and f'value="{world.cohort.join_code}"' in page
    assert client.get("/join/NOPE1234").status_code == 404
    auth.logout()
    auth.login(world.learner)
    assert client.get(f"/join/{world.cohort.join_code}").status_code == 302  # already in


def test_joining_needs_a_signed_in_person(client, world):
    response = client.get(f"/join/{world.cohort.join_code}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/join", data={"code": world.cohort.join_code}).status_code == 302


def test_a_person_without_a_ward_takes_the_cohorts(client, auth, world, make_user):
    drifter = make_user(name="Người chưa có phường")
    auth.login(drifter)
    client.post("/join", data={"code": world.cohort.join_code, "consent": "y"})
    db.session.expire_all()
    from lms.accounts.models import User

    assert db.session.get(User, drifter.id).ward_id == world.ward.id
