"""Live questions: sent to phones, first answer kept, counts without names, close, reveal, summary."""
from __future__ import annotations

import re

import sqlalchemy as sa

from lms.extensions import db
from lms.live.models import LiveQuestion, LiveResponse
from lms.courses.models import Course, Lesson
from lms.quizzes.models import Question, Quiz
from tests.factories import AuthActions
from tests.live.helpers import current_code, start_live


def phone_for(app, person, live):
    phone = app.test_client()
    AuthActions(phone).sign_in_directly(person)
    assert phone.get(f"/j/{current_code(live.id)}").status_code == 302
    return phone


def question(key: str, course: str = "an-toan-otp") -> Question:
    """The question of the hall's own course: another course made by a test may use the same key
    (PostgreSQL returns such rows in no set order)."""
    return db.session.scalar(sa.select(Question).join(Quiz, Quiz.id == Question.quiz_id)
                             .join(Lesson, Lesson.id == Quiz.lesson_id).join(Course, Course.id == Lesson.course_id)
                             .where(Question.key == key, Course.slug == course))


def asked_id(live) -> int:
    return db.session.scalar(sa.select(LiveQuestion.id).where(LiveQuestion.live_session_id == live.id)
                             .order_by(LiveQuestion.id.desc()))


def bar_widths(page: str) -> list[str]:
    return re.findall(r'<rect x="0" y="0" height="10" width="([0-9.]+)"', page)


def test_a_whole_question_round(app, client, auth, hall):
    auth.sign_in_directly(hall.instructor)
    live = start_live(client, hall)
    lan, binh = phone_for(app, hall.learner, live), phone_for(app, hall.learner2, live)
    q = question("ai-hoi-otp")
    assert client.post(f"/live/{live.id}/questions", data={"question_id": q.id}).status_code == 302
    aid = asked_id(live)
    page = lan.get(f"/live/{live.id}/state").get_data(as_text=True)
    assert "Ai được phép hỏi mã OTP của bạn?" in page and 'class="answer-button"' in page
    assert "Không ai được hỏi" not in page  # no explanation before the reveal
    assert lan.post(f"/live/{live.id}/answer", data={"asked_id": aid, "choice": "b"}).status_code == 302
    # A second answer keeps the first.
    lan.post(f"/live/{live.id}/answer", data={"asked_id": aid, "choice": "a"})
    binh.post(f"/live/{live.id}/answer", data={"asked_id": aid, "choice": "a"})
    rows = db.session.execute(sa.select(LiveResponse.user_id, LiveResponse.response, LiveResponse.correct)).all()
    assert sorted(rows) == sorted([(hall.learner.id, ["b"], True), (hall.learner2.id, ["a"], False)])
    screen = client.get(f"/live/{live.id}/screen").get_data(as_text=True)
    assert "2 người đã trả lời" in screen and bar_widths(screen) == ["100.0", "100.0", "0.0"]
    assert "Nguyễn Thị Lan" not in screen and "Bùi Văn Bình" not in screen  # no names on the projector
    assert "Đáp án đúng" not in screen
    # Close: answers refused with a message.
    client.post(f"/live/{live.id}/questions/{aid}", data={"to": "closed"})
    late = app.test_client()
    AuthActions(late).sign_in_directly(hall.learner2)
    response = binh.post(f"/live/{live.id}/answer", data={"asked_id": aid, "choice": "b"})
    assert response.status_code == 409 and "Câu hỏi này đã đóng" in response.get_data(as_text=True)
    # Reveal: the right answer and its explanation, on the projector and the phones.
    client.post(f"/live/{live.id}/questions/{aid}", data={"to": "revealed"})
    screen = client.get(f"/live/{live.id}/screen").get_data(as_text=True)
    assert "Đáp án đúng" in screen and "Không ai được hỏi mã OTP." in screen
    phone_page = lan.get(f"/live/{live.id}/state").get_data(as_text=True)
    assert "Bạn trả lời đúng." in phone_page and "Không ai được hỏi mã OTP." in phone_page
    assert "Câu trả lời của bạn chưa đúng." in binh.get(f"/live/{live.id}/state").get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LiveResponse)) == 2
    # Summary: attendance, the spread, who may need help.
    summary = client.get(f"/live/{live.id}/summary").get_data(as_text=True)
    assert "2 có mặt, 0 vắng" in summary and "1 trên 2 người trả lời đúng" in summary
    assert "Bùi Văn Bình — trả lời chưa đúng nhiều câu" in summary


def test_bad_answers_and_questions_are_refused(app, client, auth, hall):
    auth.sign_in_directly(hall.instructor)
    live = start_live(client, hall)
    lan = phone_for(app, hall.learner, live)
    from tests.live.conftest import make_course

    foreign = make_course("khac").active_lessons[0]
    db.session.commit()
    other_q = db.session.scalar(sa.select(Question.id).join(Question.quiz).where(
        Question.quiz.has(lesson_id=foreign.id)))
    response = client.post(f"/live/{live.id}/questions", data={"question_id": other_q})
    assert response.status_code == 422 and "không thuộc bài đang học" in response.get_data(as_text=True)
    client.post(f"/live/{live.id}/questions", data={"question_id": question("otp-dung-mot-lan").id})
    aid = asked_id(live)
    page = lan.get(f"/live/{live.id}/state").get_data(as_text=True)
    assert "Đúng" in page and "Sai" in page
    response = lan.post(f"/live/{live.id}/answer", data={"asked_id": aid, "choice": "zzz"}, follow_redirects=True)
    assert "Hãy chọn một câu trả lời." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LiveResponse)) == 0
    # Someone not joined (not in the cohort) cannot answer.
    outsider = app.test_client()
    AuthActions(outsider).sign_in_directly(hall.outsider)
    response = outsider.post(f"/live/{live.id}/answer", data={"asked_id": aid, "choice": "true"})
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LiveResponse)) == 0


def test_instructor_answers_for_a_learner_without_a_phone(client, auth, hall):
    auth.sign_in_directly(hall.instructor)
    live = start_live(client, hall)
    client.post(f"/live/{live.id}/questions", data={"question_id": question("lam-gi").id})
    aid = asked_id(live)
    response = client.post(f"/live/{live.id}/questions/{aid}/for", data={"user_id": hall.learner2.id, "choice": "b"})
    assert response.status_code == 302
    row = db.session.scalar(sa.select(LiveResponse))
    assert (row.user_id, row.recorded_by_id, row.correct) == (hall.learner2.id, hall.instructor.id, True)
    response = client.post(f"/live/{live.id}/questions/{aid}/for", data={"user_id": hall.outsider.id, "choice": "b"})
    assert response.status_code == 403


def test_one_live_class_through_two_app_processes(app, other_app, auth, client, hall):
    """Nothing is kept in one process: the projector on one app, phones on another."""
    auth.sign_in_directly(hall.instructor)
    live = start_live(client, hall)
    second = other_app()
    phone = second.test_client()
    # The cookie signs in on the other app too (same secret, same database).
    AuthActions(phone).sign_in_directly(hall.learner)
    assert phone.get(f"/j/{current_code(live.id)}").status_code == 302
    key = re.search(r'data-key="([^"]+)"', client.get(f"/live/{live.id}/present").get_data(as_text=True)).group(1)
    client.post(f"/live/{live.id}/slide", data={"slide": "3", "key": key})
    assert "Khi nghi bị lừa" in phone.get(f"/live/{live.id}/state").get_data(as_text=True)
    client.post(f"/live/{live.id}/questions", data={"question_id": question("ai-hoi-otp").id})
    aid = asked_id(live)
    assert phone.post(f"/live/{live.id}/answer", data={"asked_id": aid, "choice": "b"}).status_code == 302
    assert "1 người đã trả lời" in client.get(f"/live/{live.id}/screen").get_data(as_text=True)


def test_the_control_page_shows_the_room_before_and_during_a_question(app, client, auth, hall):
    auth.sign_in_directly(hall.instructor)
    live = start_live(client, hall)
    phone_for(app, hall.learner, live)
    response = client.get(f"/live/{live.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 người đã vào lớp" in page and "Gửi câu hỏi" in page and "Nguyễn Thị Lan — <strong>có mặt" in page
    client.post(f"/live/{live.id}/questions", data={"question_id": question("ai-hoi-otp").id})
    response = client.get(f"/live/{live.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "0 người đã trả lời" in page and "Đóng câu hỏi" in page and "Trả lời giúp một người" in page
