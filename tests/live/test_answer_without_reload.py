"""A phone with JavaScript answers without reloading the page: the reply is its new fragment."""
from __future__ import annotations

import sqlalchemy as sa

from lms.extensions import db
from lms.live.models import LiveResponse
from tests.live.helpers import start_live
from tests.live.test_live_questions import asked_id, phone_for, question

FETCH = {"X-Requested-With": "fetch"}


def test_an_answer_sent_by_script_returns_the_phones_fragment_and_its_etag(app, client, auth, hall):
    auth.sign_in_directly(hall.instructor)
    live = start_live(client, hall)
    lan = phone_for(app, hall.learner, live)
    client.post(f"/live/{live.id}/questions", data={"question_id": question("ai-hoi-otp").id})
    aid = asked_id(live)
    response = lan.post(f"/live/{live.id}/answer", data={"asked_id": aid, "choice": "b"}, headers=FETCH)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Bạn đã trả lời. Hãy chờ giảng viên công bố đáp án." in page
    assert 'class="answer-button"' not in page and "<html" not in page  # a fragment, no buttons left
    # The next poll with that ETag finds nothing new.
    poll = lan.get(f"/live/{live.id}/state", headers={**FETCH, "If-None-Match": response.headers["ETag"]})
    assert poll.status_code == 304
    # Sent again (a double tap): the first answer is kept, still one row.
    again = lan.post(f"/live/{live.id}/answer", data={"asked_id": aid, "choice": "a"}, headers=FETCH)
    assert again.status_code == 200
    rows = db.session.execute(sa.select(LiveResponse.user_id, LiveResponse.response)).all()
    assert rows == [(hall.learner.id, ["b"])]


def test_a_refused_answer_sent_by_script_gets_its_message_as_json(app, client, auth, hall):
    auth.sign_in_directly(hall.instructor)
    live = start_live(client, hall)
    binh = phone_for(app, hall.learner2, live)
    client.post(f"/live/{live.id}/questions", data={"question_id": question("ai-hoi-otp").id})
    aid = asked_id(live)
    empty = binh.post(f"/live/{live.id}/answer", data={"asked_id": aid}, headers=FETCH)
    assert empty.status_code == 422 and empty.get_json()["message"] == "Hãy chọn một câu trả lời."
    client.post(f"/live/{live.id}/questions/{aid}", data={"to": "closed"})
    late = binh.post(f"/live/{live.id}/answer", data={"asked_id": aid, "choice": "b"}, headers=FETCH)
    assert late.status_code == 409 and "Câu hỏi này đã đóng" in late.get_json()["message"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LiveResponse)) == 0


def test_a_person_who_did_not_join_cannot_answer_by_script_whoever_they_are(app, client, auth, hall):
    """Another ward's learner, a learner of the ward outside the class, and the coordinator: none
    joined, so none may answer, and nothing is recorded."""
    from tests.factories import AuthActions

    auth.sign_in_directly(hall.instructor)
    live = start_live(client, hall)
    client.post(f"/live/{live.id}/questions", data={"question_id": question("ai-hoi-otp").id})
    aid = asked_id(live)
    for person in (hall.stranger, hall.outsider, hall.coordinator):
        other = app.test_client()
        AuthActions(other).sign_in_directly(person)
        refused = other.post(f"/live/{live.id}/answer", data={"asked_id": aid, "choice": "b"}, headers=FETCH)
        assert refused.status_code == 403, (person.full_name, refused.status_code)
        assert refused.get_json()["message"] == "Bạn chưa vào lớp này. Hãy quét mã QR trên màn chiếu."
    signed_out = app.test_client().post(f"/live/{live.id}/answer", data={"asked_id": aid, "choice": "b"},
                                        headers=FETCH)
    assert signed_out.status_code in (302, 401)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LiveResponse)) == 0
