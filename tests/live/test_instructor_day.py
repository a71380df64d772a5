"""The instructor's day: today's sessions, starting a class, scheduling (one or a weekly series)."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from lms.cohorts.models import ClassSession
from lms.cohorts.schedule import vietnam_today
from lms.extensions import db
from lms.live.models import LiveSession


def test_today_lists_the_instructors_sessions_with_start(client, auth, hall):
    auth.sign_in_directly(hall.instructor)
    response = client.get("/hom-nay")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Lớp an toàn trên mạng" in page and "Nhà văn hoá tổ 3" in page
    assert f"/live/sessions/{hall.session.id}/start" in page
    assert "Lớp khác" not in page  # not theirs


def test_learner_has_no_today_page(client, auth, hall):
    auth.sign_in_directly(hall.learner)
    assert client.get("/hom-nay").status_code == 403


def test_start_opens_one_live_class_with_the_chosen_lesson(client, auth, hall):
    auth.sign_in_directly(hall.instructor)
    lesson = hall.course.active_lessons[0]
    page = client.get(f"/live/sessions/{hall.session.id}/start").get_data(as_text=True)
    assert "Bắt đầu lớp" in page
    for _ in range(2):
        response = client.post(f"/live/sessions/{hall.session.id}/start", data={"lesson_id": lesson.id})
        assert response.status_code == 302
    lives = db.session.scalars(sa.select(LiveSession)).all()
    assert len(lives) == 1 and lives[0].lesson_id == lesson.id
    assert response.headers["Location"].endswith(f"/live/{lives[0].id}")


def test_instructor_of_another_cohort_cannot_start_or_schedule(client, auth, hall):
    auth.sign_in_directly(hall.other_instructor)
    assert client.get(f"/live/sessions/{hall.session.id}/start").status_code == 404
    assert client.post(f"/live/sessions/{hall.session.id}/start", data={}).status_code == 404
    assert client.post(f"/live/cohorts/{hall.cohort.id}/schedule",
                       data={"day": "2030-01-01", "starts_at": "08:00", "place": "X"}).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LiveSession)) == 0


def test_lesson_of_another_course_is_refused(client, auth, hall):
    from tests.live.conftest import make_course

    other = make_course("khoa-khac").active_lessons[0]
    db.session.commit()
    auth.sign_in_directly(hall.instructor)
    response = client.post(f"/live/sessions/{hall.session.id}/start", data={"lesson_id": other.id})
    assert response.status_code == 422
    assert "không thuộc khoá học của lớp" in response.get_data(as_text=True)


def test_instructor_schedules_a_weekly_series(client, auth, hall):
    auth.sign_in_directly(hall.instructor)
    first = vietnam_today() + timedelta(days=1)
    response = client.post(f"/live/cohorts/{hall.cohort.id}/schedule", data={
        "day": first.isoformat(), "starts_at": "18:30", "place": "Hội trường phường",
        "weekdays": ["1", "3"], "count": "8"})
    assert response.status_code == 302
    days = db.session.scalars(sa.select(ClassSession.day).where(
        ClassSession.cohort_id == hall.cohort.id, ClassSession.place == "Hội trường phường")).all()
    assert len(days) == 8 and {d.weekday() for d in days} == {1, 3}
    # Sending the same series again adds nothing.
    client.post(f"/live/cohorts/{hall.cohort.id}/schedule", data={
        "day": first.isoformat(), "starts_at": "18:30", "place": "Hội trường phường",
        "weekdays": ["1", "3"], "count": "8"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ClassSession).where(
        ClassSession.place == "Hội trường phường")) == 8


def test_schedule_form_errors_are_clear(client, auth, hall):
    auth.sign_in_directly(hall.instructor)
    response = client.post(f"/live/cohorts/{hall.cohort.id}/schedule",
                           data={"day": "", "starts_at": "08:00", "place": "", "count": "99"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Hãy chọn ngày học." in page and "Hãy nhập địa điểm." in page and "Số buổi phải từ 1 đến 52." in page


def test_one_session_when_no_weekday_is_ticked(client, auth, hall):
    auth.sign_in_directly(hall.instructor)
    response = client.post(f"/live/cohorts/{hall.cohort.id}/schedule",
                           data={"day": "2031-03-04", "starts_at": "08:00", "place": "Chợ", "count": "5"})
    assert response.status_code == 302
    assert db.session.scalars(sa.select(ClassSession.day).where(ClassSession.place == "Chợ")).all() == [
        date(2031, 3, 4)]


def test_future_sessions_are_not_counted_as_missed(client, auth, hall):
    """The roster's "present at x/y sessions" counts only sessions held so far."""
    auth.sign_in_directly(hall.instructor)
    client.post(f"/live/cohorts/{hall.cohort.id}/schedule", data={
        "day": (vietnam_today() + timedelta(days=1)).isoformat(), "starts_at": "08:00", "place": "Sau này",
        "weekdays": ["0", "2", "4"], "count": "6"})
    client.post(f"/live/{_live_id(client, hall)}/people", data={"user_id": hall.learner.id, "action": "tick"})
    auth.sign_in_directly(hall.coordinator)
    page = client.get(f"/cohorts/{hall.cohort.id}/members/{hall.learner.id}").get_data(as_text=True)
    assert "1/1 buổi" in page


def _live_id(client, hall) -> int:
    response = client.post(f"/live/sessions/{hall.session.id}/start", data={})
    return int(response.headers["Location"].rsplit("/", 1)[1])
