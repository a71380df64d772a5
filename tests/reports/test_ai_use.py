"""Recording AI-tool use: a learner in two taps, an instructor for a class."""
from __future__ import annotations

import sqlalchemy as sa

from lms.extensions import db
from lms.reports.models import AiToolUse


def _records(user_id):
    return db.session.execute(sa.select(AiToolUse.kind, AiToolUse.by_instructor)
                              .where(AiToolUse.user_id == user_id)).all()


def test_a_learner_records_from_my_learning_in_two_taps(client, auth, known_ward):
    learner = known_ward.people.p2
    auth.sign_in_directly(learner)
    page = client.get("/my-learning").get_data(as_text=True)
    assert 'href="/ai-use"' in page  # first tap
    form = client.get("/ai-use")
    assert form.status_code == 200 and "Dịch thuật" in form.get_data(as_text=True)
    response = client.post("/ai-use", data={"kind": "translation"})  # second tap
    assert response.status_code == 302 and response.headers["Location"].endswith("/my-learning")
    assert "Đã ghi nhận" in client.get("/my-learning").get_data(as_text=True)
    client.post("/ai-use", data={"kind": "translation"})  # a double tap records once
    assert _records(learner.id) == [("translation", False)]


def test_a_learner_cannot_record_a_made_up_kind(client, auth, known_ward):
    auth.sign_in_directly(known_ward.people.p2)
    response = client.post("/ai-use", data={"kind": "mind_reading"})
    assert response.status_code == 422
    assert "Hãy chọn loại công cụ AI" in response.get_data(as_text=True)
    assert _records(known_ward.people.p2.id) == []


def test_the_instructor_records_for_the_class_and_only_its_members(client, auth, known_ward):
    auth.sign_in_directly(known_ward.instructor)
    E = known_ward.cohorts.E
    page = client.get(f"/cohorts/{E.id}/ai-use")
    assert page.status_code == 200 and "Người Học P1" in page.get_data(as_text=True)
    p = known_ward.people
    response = client.post(f"/cohorts/{E.id}/ai-use", data={"kind": "public_service", "person": [p.p1.id, p.p2.id]})
    assert response.status_code == 302
    assert _records(p.p1.id) == [("public_service", True)]
    # Someone outside the class is refused, and nothing is written.
    assert client.post(f"/cohorts/{E.id}/ai-use",
                       data={"kind": "search", "person": [p.p1.id, p.p3.id]}).status_code == 404
    assert _records(p.p3.id) == []
    assert client.post(f"/cohorts/{E.id}/ai-use", data={"kind": "search"}).status_code == 422


def test_an_instructor_of_another_class_and_a_learner_cannot_record_for_it(client, auth, known_ward, make_user):
    other = make_user(("instructor",), ward=known_ward.ward)
    auth.sign_in_directly(other)
    assert client.get(f"/cohorts/{known_ward.cohorts.E.id}/ai-use").status_code == 404
    auth.sign_in_directly(known_ward.people.p1)
    assert client.get(f"/cohorts/{known_ward.cohorts.E.id}/ai-use").status_code == 403
