"""A course's final quiz run live: questions one by one, scored on the server with the quiz's pass
mark, and certificates issued in one confirmation, never twice, only to members who passed."""
from __future__ import annotations

import re

import sqlalchemy as sa

from lms.certificates.models import Certificate
from lms.cohorts.schedule import vietnam_today
from lms.extensions import db
from lms.live.models import LiveQuestion, LiveResponse
from lms.quizzes.models import Question, Quiz, QuizAttempt
from tests.factories import AuthActions
from tests.live.helpers import current_code, start_live


def choice(key, vi):
    return {"key": key, "text": {"vi": vi, "en": vi}, "image": None, "alt": {}}


def add_final_quiz(course, pass_mark=75) -> Quiz:
    """Four questions of three types; 75 %: three right of four passes, two does not."""
    quiz = Quiz(course_id=course.id, lesson_id=None, key="final", kind="final", pass_mark=pass_mark,
                max_attempts=3, content_hash="x")
    db.session.add(quiz)
    db.session.flush()
    abc = [choice("a", "Lựa chọn A"), choice("b", "Lựa chọn B"), choice("c", "Lựa chọn C")]
    rows = [("cuoi-1", "single", "Câu cuối khoá một?", abc, ["b"]),
            ("cuoi-2", "multiple", "Câu cuối khoá hai: chọn các ý đúng", abc, ["a", "c"]),
            ("cuoi-3", "true_false", "Câu cuối khoá ba: đúng hay sai?", [], ["true"]),
            ("cuoi-4", "single", "Câu cuối khoá bốn?", abc, ["a"])]
    for position, (key, qtype, prompt, choices, answer) in enumerate(rows, start=1):
        db.session.add(Question(quiz_id=quiz.id, key=key, position=position, type=qtype,
                                prompt={"vi": prompt, "en": prompt}, choices=choices, answer=answer,
                                explanation={"vi": "Giải thích.", "en": "Why."}, content_hash="x"))
    db.session.commit()
    return quiz


def phone_for(app, person, live):
    phone = app.test_client()
    AuthActions(phone).sign_in_directly(person)
    assert phone.get(f"/j/{current_code(live.id)}").status_code == 302
    return phone


def latest_asked(live) -> LiveQuestion:
    return db.session.scalar(sa.select(LiveQuestion).where(LiveQuestion.live_session_id == live.id)
                             .order_by(LiveQuestion.id.desc()).limit(1))


def run_question(client, live, quiz, answers: dict):
    """Send the next final question, let each phone answer (a list of choices), close it."""
    assert client.post(f"/live/{live.id}/final/{quiz.id}/next").status_code == 302
    asked = latest_asked(live)
    for phone, values in answers.items():
        assert phone.post(f"/live/{live.id}/answer", data={"asked_id": asked.id, "choice": values}).status_code == 302
    assert client.post(f"/live/{live.id}/questions/{asked.id}", data={"to": "closed"}).status_code == 302
    return asked


def certificates():
    return db.session.scalars(sa.select(Certificate).order_by(Certificate.id)).all()


def run_whole_quiz(app, client, auth, hall):
    """Lan: 3 of 4 right (75 %, passes); Bình: 2 of 4 (50 %, does not)."""
    quiz = add_final_quiz(hall.course)
    auth.sign_in_directly(hall.instructor)
    live = start_live(client, hall)
    lan, binh = phone_for(app, hall.learner, live), phone_for(app, hall.learner2, live)
    run_question(client, live, quiz, {lan: ["b"], binh: ["b"]})  # both right
    run_question(client, live, quiz, {lan: ["a", "c"], binh: ["a"]})  # Lan right, Bình only half: wrong
    run_question(client, live, quiz, {lan: ["true"], binh: ["true"]})  # both right
    return quiz, live, lan, binh


def result_row(page: str, name: str) -> str:
    return re.search(r"<tr>(?:(?!</tr>).)*" + re.escape(name) + r"(?:(?!</tr>).)*</tr>", page, re.S).group(0)


def test_known_answers_score_with_the_pass_mark_and_certify_once(app, client, auth, hall):
    quiz, live, lan, binh = run_whole_quiz(app, client, auth, hall)
    # Not finished (one question not sent yet): confirming is refused, nothing issued.
    response = client.post(f"/live/{live.id}/final/{quiz.id}", data={"user_id": hall.learner.id})
    assert response.status_code == 409 and "Bài kiểm tra chưa xong" in response.get_data(as_text=True)
    assert certificates() == []
    # Last question: both wrong; an answer after the close is refused and the first stands.
    asked = run_question(client, live, quiz, {lan: ["c"], binh: ["b"]})
    assert lan.post(f"/live/{live.id}/answer", data={"asked_id": asked.id, "choice": "a"}).status_code == 409
    assert client.post(f"/live/{live.id}/final/{quiz.id}/next").status_code == 409  # nothing left to send
    assert db.session.scalar(sa.select(LiveResponse.response).where(
        LiveResponse.live_question_id == asked.id, LiveResponse.user_id == hall.learner.id)) == ["c"]

    page = client.get(f"/live/{live.id}/final/{quiz.id}").get_data(as_text=True)
    assert "Đã gửi 4 trên 4 câu · điểm đạt 75%" in page
    lan_row, binh_row = result_row(page, "Nguyễn Thị Lan"), result_row(page, "Bùi Văn Bình")
    assert "3/4 (75%)" in lan_row and "Đạt" in lan_row and "checked" in lan_row
    assert "2/4 (50%)" in binh_row and "Chưa đạt" in binh_row and "checkbox" not in binh_row
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt)) == 0  # online tries untouched

    # One step: Lan is issued an in-person certificate assessed live today (Vietnam).
    response = client.post(f"/live/{live.id}/final/{quiz.id}", data={"user_id": [hall.learner.id]},
                           follow_redirects=True)
    assert response.status_code == 200 and "Đã cấp 1 chứng nhận: Nguyễn Thị Lan." in response.get_data(as_text=True)
    [cert] = certificates()
    assert (cert.user_id, cert.course_id, cert.method, cert.assessment_kind, cert.assessed_on,
            cert.attested_by_id, cert.instructor_id) == (
        hall.learner.id, hall.course.id, "in_person", "live", vietnam_today(), hall.instructor.id, hall.instructor.id)
    # A second confirmation issues nothing more.
    response = client.post(f"/live/{live.id}/final/{quiz.id}", data={"user_id": [hall.learner.id]},
                           follow_redirects=True)
    assert "Đã có chứng nhận từ trước, không cấp thêm: Nguyễn Thị Lan." in response.get_data(as_text=True)
    assert len(certificates()) == 1
    page = client.get(f"/live/{live.id}/final/{quiz.id}").get_data(as_text=True)
    assert "Đã có chứng nhận" in result_row(page, "Nguyễn Thị Lan") and 'name="user_id"' not in page


def test_a_learner_who_failed_or_is_not_in_the_cohort_is_refused_and_nothing_is_issued(app, client, auth, hall):
    quiz, live, lan, binh = run_whole_quiz(app, client, auth, hall)
    run_question(client, live, quiz, {lan: ["c"], binh: ["c"]})
    for ids, text in (([hall.learner.id, hall.learner2.id], "Chưa đạt: Bùi Văn Bình"),
                      ([hall.learner.id, hall.outsider.id], "không có tên trong lớp này"),
                      ([hall.learner.id, hall.stranger.id], "không có tên trong lớp này"),
                      (["abc"], "không có tên trong lớp này")):
        response = client.post(f"/live/{live.id}/final/{quiz.id}", data={"user_id": ids})
        assert response.status_code == 422 and text in response.get_data(as_text=True)
        assert certificates() == []


def test_someone_unticked_as_not_in_the_hall_does_not_pass(app, client, auth, hall):
    quiz, live, lan, binh = run_whole_quiz(app, client, auth, hall)
    run_question(client, live, quiz, {lan: ["a"], binh: ["a"]})  # Lan 4/4
    client.post(f"/live/{live.id}/people", data={"user_id": hall.learner.id, "action": "untick"})
    page = client.get(f"/live/{live.id}/final/{quiz.id}").get_data(as_text=True)
    assert "4/4 (100%)" in result_row(page, "Nguyễn Thị Lan") and "Vắng" in result_row(page, "Nguyễn Thị Lan")
    response = client.post(f"/live/{live.id}/final/{quiz.id}", data={"user_id": hall.learner.id})
    assert response.status_code == 422 and certificates() == []


def test_instructor_of_another_cohort_gets_404_learner_403_coordinator_cannot_issue(app, client, auth, hall):
    quiz, live, lan, binh = run_whole_quiz(app, client, auth, hall)
    run_question(client, live, quiz, {lan: ["c"], binh: ["c"]})
    other = app.test_client()
    AuthActions(other).sign_in_directly(hall.other_instructor)  # teaches the same course, another cohort
    assert other.get(f"/live/{live.id}/final/{quiz.id}").status_code == 404
    assert other.post(f"/live/{live.id}/final/{quiz.id}", data={"user_id": hall.learner.id}).status_code == 404
    assert other.post(f"/live/{live.id}/final/{quiz.id}/next").status_code == 404
    assert lan.get(f"/live/{live.id}/final/{quiz.id}").status_code == 403
    assert lan.post(f"/live/{live.id}/final/{quiz.id}", data={"user_id": hall.learner.id}).status_code == 403
    coordinator = app.test_client()
    AuthActions(coordinator).sign_in_directly(hall.coordinator)
    page = coordinator.get(f"/live/{live.id}/final/{quiz.id}")
    assert page.status_code == 200 and "3/4 (75%)" in page.get_data(as_text=True)
    response = coordinator.post(f"/live/{live.id}/final/{quiz.id}", data={"user_id": hall.learner.id})
    assert response.status_code == 403 and "Chỉ giảng viên của lớp" in response.get_data(as_text=True)
    assert certificates() == []
    # A quiz that is not this cohort's course's final quiz (a lesson's check): 404.
    check = db.session.scalar(sa.select(Quiz.id).where(Quiz.kind == "check"))
    assert client.get(f"/live/{live.id}/final/{check}").status_code == 404


def test_the_projector_shows_no_bars_while_a_final_question_is_open(app, client, auth, hall):
    quiz = add_final_quiz(hall.course)
    auth.sign_in_directly(hall.instructor)
    live = start_live(client, hall)
    lan = phone_for(app, hall.learner, live)
    assert "Bài kiểm tra cuối khoá" in client.get(f"/live/{live.id}").get_data(as_text=True)
    client.post(f"/live/{live.id}/final/{quiz.id}/next")
    asked = latest_asked(live)
    assert "Câu cuối khoá một?" in lan.get(f"/live/{live.id}/state").get_data(as_text=True)
    lan.post(f"/live/{live.id}/answer", data={"asked_id": asked.id, "choice": "b"})
    screen = client.get(f"/live/{live.id}/screen").get_data(as_text=True)
    assert "1 người đã trả lời" in screen and 'class="bars"' not in screen
    client.post(f"/live/{live.id}/questions/{asked.id}", data={"to": "closed"})
    assert 'class="bars"' in client.get(f"/live/{live.id}/screen").get_data(as_text=True)


def test_in_the_evening_utc_the_certificate_is_dated_today_in_vietnam(app, client, auth, hall, monkeypatch):
    """At 20:00 UTC it is already tomorrow in Vietnam: that day is today, not a future date."""
    from datetime import date, datetime

    import lms.certificates.services as certificate_services
    import lms.cohorts.schedule as schedule

    quiz, live, lan, binh = run_whole_quiz(app, client, auth, hall)
    run_question(client, live, quiz, {lan: ["a"], binh: ["a"]})
    evening = datetime(2026, 12, 1, 20, 0)
    monkeypatch.setattr(certificate_services, "utcnow", lambda: evening)
    monkeypatch.setattr(schedule, "utcnow", lambda: evening)
    response = client.post(f"/live/{live.id}/final/{quiz.id}", data={"user_id": [hall.learner.id]})
    assert response.status_code == 302
    [cert] = certificates()
    assert cert.assessed_on == date(2026, 12, 2)
