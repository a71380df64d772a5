"""A ward with a cohort taught by an instructor, learners, today's session, and the real catalogue."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import time

import pytest
import sqlalchemy as sa

from lms.cohorts.schedule import add_session, vietnam_today
from lms.cohorts.services import create_cohort, enrol
from lms.courses.models import Course, Lesson
from lms.extensions import db
from lms.quizzes.models import Question, Quiz


@dataclass
class Hall:
    ward: object
    other_ward: object
    instructor: object
    other_instructor: object
    coordinator: object
    learner: object
    learner2: object
    outsider: object
    stranger: object
    cohort: object
    other_cohort: object
    session: object
    course: object


@pytest.fixture()
def hall(app, make_ward, make_user):
    ward = make_ward("Phường Đông")
    other_ward = make_ward("Phường Tây")
    instructor = make_user(("instructor",), ward=ward, name="Lê Văn Minh")
    other_instructor = make_user(("instructor",), ward=ward, name="Phạm Văn Dạy")
    coordinator = make_user(("coordinator",), ward=ward, name="Trần Thị Hà")
    learner = make_user(ward=ward, name="Nguyễn Thị Lan")
    learner2 = make_user(ward=ward, name="Bùi Văn Bình")
    outsider = make_user(ward=ward, name="Đỗ Văn Ngoài")  # same ward, not in the cohort
    stranger = make_user(ward=other_ward, name="Hồ Thị Tây")  # another ward
    course = make_course()
    cohort = create_cohort(ward_id=ward.id, name="Lớp an toàn trên mạng", audience="everyone",
                           instructor_ids=[instructor.id], course_ids=[course.id])
    other_cohort = create_cohort(ward_id=ward.id, name="Lớp khác", audience="everyone",
                                 instructor_ids=[other_instructor.id], course_ids=[course.id])
    enrol(cohort, learner, consent=True)
    enrol(cohort, learner2, consent=True)
    session = add_session(cohort, day=vietnam_today(), starts_at=time(8, 0), place="Nhà văn hoá tổ 3")
    db.session.commit()
    return Hall(ward, other_ward, instructor, other_instructor, coordinator, learner, learner2, outsider, stranger,
                cohort, other_cohort, session, course)


SLIDES = [
    "<p>Mở đầu: hôm nay học về mã OTP.</p>",
    "<h2>Mã OTP là gì</h2><p>Mã OTP là mật khẩu dùng một lần.</p>",
    "<h2>Không đọc mã cho ai</h2><p>Ngân hàng không bao giờ hỏi mã OTP.</p>",
    "<h2>Khi nghi bị lừa</h2><p>Gọi tổng đài ngân hàng.</p>",
]


def make_course(slug: str = "an-toan-otp"):
    """A small course of its own (the real catalogue changes as authors write): two lessons, a check."""
    course = Course(slug=slug, title={"vi": "An toàn với mã OTP", "en": "Safe with OTP codes"},
                    summary={"vi": "Tóm tắt", "en": "Summary"}, audiences=["everyone"], competences=[],
                    level=1, minutes=30, version=1, content_hash="x")
    db.session.add(course)
    db.session.flush()
    lessons = []
    for position, lesson_slug in enumerate(("ma-otp", "lien-ket-la"), start=1):
        html = "".join(SLIDES)
        lesson = Lesson(course_id=course.id, slug=lesson_slug, position=position,
                        title={"vi": f"Bài {position}: mã OTP", "en": f"Lesson {position}: OTP"}, minutes=10,
                        competences=[], html={"vi": html, "en": html}, slides={"vi": SLIDES, "en": SLIDES},
                        plain_text={"vi": "otp", "en": "otp"}, content_hash="x")
        db.session.add(lesson)
        lessons.append(lesson)
    db.session.flush()
    quiz = Quiz(course_id=course.id, lesson_id=lessons[0].id, key=lessons[0].slug, kind="check", content_hash="x")
    db.session.add(quiz)
    db.session.flush()
    db.session.add_all([
        Question(quiz_id=quiz.id, key="ai-hoi-otp", position=1, type="single",
                 prompt={"vi": "Ai được phép hỏi mã OTP của bạn?", "en": "Who may ask for your OTP?"},
                 choices=[{"key": "a", "text": {"vi": "Nhân viên ngân hàng", "en": "A bank clerk"}, "image": None, "alt": {}},
                          {"key": "b", "text": {"vi": "Không ai cả", "en": "Nobody"}, "image": None, "alt": {}},
                          {"key": "c", "text": {"vi": "Công an", "en": "The police"}, "image": None, "alt": {}}],
                 answer=["b"], explanation={"vi": "Không ai được hỏi mã OTP.", "en": "Nobody may ask."},
                 content_hash="x"),
        Question(quiz_id=quiz.id, key="otp-dung-mot-lan", position=2, type="true_false",
                 prompt={"vi": "Mã OTP chỉ dùng được một lần.", "en": "An OTP works once."}, choices=[],
                 answer=["true"], explanation={"vi": "Đúng vậy.", "en": "Right."}, content_hash="x"),
        Question(quiz_id=quiz.id, key="lam-gi", position=3, type="single",
                 prompt={"vi": "Có người gọi xin mã OTP, bạn làm gì?", "en": "Someone calls for your OTP: what do you do?"},
                 choices=[{"key": "a", "text": {"vi": "Đọc mã", "en": "Read it out"}, "image": None, "alt": {}},
                          {"key": "b", "text": {"vi": "Cúp máy", "en": "Hang up"}, "image": None, "alt": {}},
                          {"key": "c", "text": {"vi": "Gửi tin nhắn mã", "en": "Text it"}, "image": None, "alt": {}}],
                 answer=["b"], explanation={"vi": "Cúp máy và gọi tổng đài.", "en": "Hang up."}, content_hash="x"),
    ])
    db.session.flush()
    return course
