"""One scan joins and marks present; phones follow with conditional requests; bad codes refused."""
from __future__ import annotations

import sqlalchemy as sa

from lms.cohorts.models import Attendance
from lms.extensions import db
from lms.live import services
from lms.live.models import LiveParticipant
from tests.live.helpers import current_code, screen_key, start_live


def present_ids(hall) -> list[int]:
    db.session.expire_all()
    return sorted(db.session.scalars(sa.select(Attendance.user_id).where(
        Attendance.class_session_id == hall.session.id)))


def test_scan_joins_and_marks_present_once(client, auth, hall):
    auth.sign_in_directly(hall.instructor)
    live = start_live(client, hall)
    screen = client.get(f"/live/{live.id}/screen").get_data(as_text=True)
    code = current_code(live.id)
    assert f"/j/{code}" in screen and "<svg" in screen
    auth.sign_in_directly(hall.learner)
    for _ in range(2):
        response = client.get(f"/j/{code}")
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/live/{live.id}/follow")
    assert present_ids(hall) == [hall.learner.id]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LiveParticipant)) == 1
    page = client.get(f"/live/{live.id}/follow").get_data(as_text=True)
    assert "Bạn đã vào lớp và được điểm danh có mặt." in page and "Mở đầu" in page


def test_scan_when_signed_out_goes_through_sign_in_and_back(client, auth, hall):
    auth.sign_in_directly(hall.instructor)
    live = start_live(client, hall)
    auth.logout()
    code = current_code(live.id)
    response = client.get(f"/j/{code}")
    assert response.status_code == 302 and "/login?next=/live/resume" in response.headers["Location"]
    from urllib.parse import parse_qs, urlsplit

    target = parse_qs(urlsplit(response.headers["Location"]).query)["next"][0]
    response = client.post("/login", data={"phone": hall.learner.phone, "secret": "482916", "next": target})
    assert response.status_code == 302 and response.headers["Location"].endswith(target)
    assert client.get(target).status_code == 302
    assert present_ids(hall) == [hall.learner.id]
    # A made-up or tampered link joins nothing.
    assert client.get("/live/resume?p=WzFd.forged").status_code == 404


def test_typed_code_joins_too(client, auth, hall):
    auth.sign_in_directly(hall.instructor)
    live = start_live(client, hall)
    auth.sign_in_directly(hall.learner)
    code = current_code(live.id)
    response = client.post("/vao", data={"code": f"{code[:3]} {code[3:]}"})
    assert response.status_code == 302
    assert present_ids(hall) == [hall.learner.id]
    # Later, from the same account, the join page leads back to the class.
    assert f"/live/{live.id}/follow" in client.get("/vao").get_data(as_text=True)


def test_old_and_wrong_codes_are_refused(client, auth, hall, monkeypatch):
    auth.sign_in_directly(hall.instructor)
    live = start_live(client, hall)
    now = 1_900_000_000.0
    monkeypatch.setattr(services.time, "time", lambda: now)
    old = services.join_code(live.id, services._window(now) - 2)  # 90–135 s old
    previous = services.join_code(live.id, services._window(now) - 1)
    auth.sign_in_directly(hall.learner)
    for bad in (old, "000000" if old != "000000" else "111111", "12ab", ""):
        response = client.get(f"/j/{bad}") if bad else client.post("/vao", data={"code": ""})
        assert response.status_code == 404
        assert "Mã không đúng hoặc đã hết hạn" in response.get_data(as_text=True)
    assert present_ids(hall) == []
    assert client.get(f"/j/{previous}").status_code == 302  # the previous window still works
    assert present_ids(hall) == [hall.learner.id]


def test_not_a_member_another_ward_or_ended_is_refused(client, auth, hall):
    auth.sign_in_directly(hall.instructor)
    live = start_live(client, hall)
    code = current_code(live.id)
    for person in (hall.outsider, hall.stranger, hall.other_instructor):
        auth.sign_in_directly(person)
        response = client.get(f"/j/{code}")
        assert response.status_code == 403
        assert "Bạn không có tên trong lớp này" in response.get_data(as_text=True)
        assert client.get(f"/live/{live.id}/follow").status_code == 403
        assert client.get(f"/live/{live.id}/state").status_code == 403
    assert present_ids(hall) == []
    auth.sign_in_directly(hall.instructor)
    client.post(f"/live/{live.id}/end")
    auth.sign_in_directly(hall.learner)
    assert client.get(f"/j/{code}").status_code == 404  # an ended class has no code


def test_instructor_ticks_and_unticks(client, auth, hall):
    auth.sign_in_directly(hall.instructor)
    live = start_live(client, hall)
    client.post(f"/live/{live.id}/people", data={"user_id": hall.learner2.id, "action": "tick"})
    assert present_ids(hall) == [hall.learner2.id]
    client.post(f"/live/{live.id}/people", data={"user_id": hall.learner2.id, "action": "untick"})
    assert present_ids(hall) == []
    response = client.post(f"/live/{live.id}/people", data={"user_id": hall.outsider.id, "action": "tick"})
    assert response.status_code == 403 and present_ids(hall) == []
    assert client.post(f"/live/{live.id}/people", data={"user_id": "abc"}).status_code == 404


def test_phone_follows_with_etag_and_reload_returns_to_the_slide(client, auth, hall):
    auth.sign_in_directly(hall.instructor)
    live = start_live(client, hall)
    key = screen_key(client.get(f"/live/{live.id}/present").get_data(as_text=True))
    client.post(f"/live/{live.id}/slide", data={"slide": "1", "key": key})
    phone = client.application.test_client()
    from tests.factories import AuthActions

    AuthActions(phone).sign_in_directly(hall.learner)
    phone.get(f"/j/{current_code(live.id)}")
    first = phone.get(f"/live/{live.id}/state")
    assert first.status_code == 200 and "Mã OTP là gì" in first.get_data(as_text=True)
    etag = first.headers["ETag"]
    again = phone.get(f"/live/{live.id}/state", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    client.post(f"/live/{live.id}/slide", data={"slide": "2", "key": key})
    moved = phone.get(f"/live/{live.id}/state", headers={"If-None-Match": etag})
    assert moved.status_code == 200 and "Không đọc mã cho ai" in moved.get_data(as_text=True)
    # A reload (or a lost signal) comes back to the same slide: it belongs to the account.
    assert "Không đọc mã cho ai" in phone.get(f"/live/{live.id}/follow").get_data(as_text=True)
    screen = client.get(f"/live/{live.id}/screen").get_data(as_text=True)
    assert "1 điện thoại đang theo dõi" in screen and "1 người đã vào lớp" in screen


def test_scan_then_card_sign_in_joins_even_after_the_code_changed(client, auth, hall, monkeypatch):
    from lms.accounts.cards import issue_cards

    auth.sign_in_directly(hall.instructor)
    live = start_live(client, hall)
    [(_, token, _)] = issue_cards(hall.cohort, [hall.learner], hall.coordinator)
    db.session.commit()
    auth.logout()
    code = current_code(live.id)
    response = client.get(f"/j/{code}")
    assert response.status_code == 302 and "/login?next=/live/resume" in response.headers["Location"]
    assert present_ids(hall) == []
    # The projector's code moves on while the learner finds their card.
    later = services.time.time() + 200
    monkeypatch.setattr(services.time, "time", lambda: later)
    response = client.post(f"/s/{token}", data={})
    assert response.status_code == 302 and "/live/resume?p=" in response.headers["Location"]
    response = client.get(response.headers["Location"])
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/live/{live.id}/follow")
    assert present_ids(hall) == [hall.learner.id]


def test_signed_out_wrong_code_is_refused_before_sign_in(client, hall):
    response = client.get("/j/123")
    assert response.status_code == 404 and "Mã không đúng hoặc đã hết hạn" in response.get_data(as_text=True)


def test_the_quick_not_modified_answer_keeps_every_rule(client, auth, hall):
    """The 304 of a poll is answered from one read: answering changes only one's own ETag, an
    unticked phone is refused even with a valid ETag, and "last seen" is still written when due."""
    from datetime import timedelta

    from lms.live.models import LiveQuestion
    from lms.quizzes.models import Question
    from lms.timeutil import utcnow
    from tests.factories import AuthActions

    auth.sign_in_directly(hall.instructor)
    live = start_live(client, hall)
    phones = {}
    for person in (hall.learner, hall.learner2):
        phones[person.id] = phone = client.application.test_client()
        AuthActions(phone).sign_in_directly(person)
        phone.get(f"/j/{current_code(live.id)}")
    lan, binh = phones[hall.learner.id], phones[hall.learner2.id]
    qid = db.session.scalar(sa.select(Question.id).where(Question.key == "ai-hoi-otp"))
    client.post(f"/live/{live.id}/questions", data={"question_id": qid})
    etags = {pid: phone.get(f"/live/{live.id}/state").headers["ETag"] for pid, phone in phones.items()}
    aid = db.session.scalar(sa.select(LiveQuestion.id))
    lan.post(f"/live/{live.id}/answer", data={"asked_id": aid, "choice": "b"})
    mine = lan.get(f"/live/{live.id}/state", headers={"If-None-Match": etags[hall.learner.id]})
    assert mine.status_code == 200 and "Bạn đã trả lời" in mine.get_data(as_text=True)
    assert binh.get(f"/live/{live.id}/state", headers={"If-None-Match": etags[hall.learner2.id]}).status_code == 304
    # Last seen long ago: the poll is still 304, and writes that the phone is here.
    old = utcnow() - timedelta(minutes=5)
    db.session.execute(sa.update(LiveParticipant).where(LiveParticipant.user_id == hall.learner2.id)
                       .values(last_seen_at=old))
    db.session.commit()
    assert binh.get(f"/live/{live.id}/state", headers={"If-None-Match": etags[hall.learner2.id]}).status_code == 304
    db.session.expire_all()
    seen = db.session.scalar(sa.select(LiveParticipant.last_seen_at).where(LiveParticipant.user_id == hall.learner2.id))
    assert seen > old + timedelta(minutes=4)
    # Unticked by the instructor: no longer following, whatever ETag the phone holds.
    client.post(f"/live/{live.id}/people", data={"user_id": hall.learner2.id, "action": "untick"})
    response = binh.get(f"/live/{live.id}/state", headers={"If-None-Match": etags[hall.learner2.id]})
    assert response.status_code == 403 and "Bạn chưa vào lớp này" in response.get_data(as_text=True)
