"""Helpers for certificate tests: a small course, finishing it, a cohort around a learner."""
from __future__ import annotations

import itertools

import pytest
import sqlalchemy as sa

from lms.extensions import db

_slugs = itertools.count(1)


@pytest.fixture()
def make_course(app):
    """A course with two lessons and a final quiz, made directly (faster than syncing content/)."""
    from lms.courses.models import Course, Lesson
    from lms.quizzes.models import Quiz

    def make(title: str = "An toàn trên mạng", competences=("4.2", "4.1"), level: int = 1, version: int = 1):
        n = next(_slugs)
        course = Course(slug=f"khoa-thu-{n}", title={"vi": title, "en": "Test course"},
                        summary={"vi": "Tóm tắt khoá học.", "en": "Summary."}, audiences=["everyone"],
                        competences=list(competences), level=level, minutes=30, version=version,
                        content_hash="x" * 64)
        db.session.add(course)
        db.session.flush()
        for i in (1, 2):
            db.session.add(Lesson(course_id=course.id, slug=f"bai-{i}", position=i, title={"vi": f"Bài {i}"},
                                  minutes=10, competences=list(competences), html={"vi": "<p>x</p>"},
                                  slides={"vi": []}, plain_text={"vi": "x"}, content_hash="y" * 64))
        db.session.add(Quiz(course_id=course.id, key="final", kind="final", pass_mark=70, max_attempts=3,
                            content_hash="z" * 64))
        db.session.commit()
        return course

    return make


def finish(user, course, *, quiz_passed: bool = True, lessons: int | None = None) -> None:
    """Record a learner's progress directly: lessons completed and the final quiz passed."""
    from lms.courses.models import LessonProgress
    from lms.quizzes.models import Quiz, QuizAttempt
    from lms.timeutil import utcnow

    active = [lesson for lesson in course.lessons if lesson.retired_at is None]
    for lesson in active[: len(active) if lessons is None else lessons]:
        db.session.add(LessonProgress(user_id=user.id, lesson_id=lesson.id, completed_at=utcnow()))
    if quiz_passed:
        quiz = db.session.scalar(sa.select(Quiz).where(Quiz.course_id == course.id, Quiz.kind == "final"))
        db.session.add(QuizAttempt(user_id=user.id, quiz_id=quiz.id, number=1, question_order=[], choice_order={},
                                   question_count=1, correct_count=1, passed=True, submitted_at=utcnow()))
    db.session.commit()


@pytest.fixture()
def finish_course(app):
    return finish


@pytest.fixture()
def make_cohort(app):
    from lms.cohorts.models import Cohort, Enrollment

    counter = itertools.count(1)

    def make(ward, *, courses=(), members=(), instructors=(), name: str | None = None):
        n = next(counter)
        cohort = Cohort(ward_id=ward.id, name=name or f"Lớp thử {n}", audience="everyone",
                        join_code=f"TEST{n:04d}XY")
        cohort.courses = list(courses)
        cohort.instructors = list(instructors)
        db.session.add(cohort)
        db.session.flush()
        for member in members:
            db.session.add(Enrollment(cohort_id=cohort.id, user_id=member.id))
        db.session.commit()
        return cohort

    return make


@pytest.fixture()
def ward_a(make_ward):
    return make_ward("Phường Mẫu")


@pytest.fixture()
def lan(make_user, ward_a):
    """The demo learner: a Vietnamese name with every kind of diacritic we need to print."""
    return make_user(ward=ward_a, name="Nguyễn Thị Lan", birth_year=1956, group=ward_a.groups[0])


@pytest.fixture()
def issued(app, lan, make_course, finish_course):
    """Lan's online certificate for a fresh course."""
    from lms.certificates.services import issue_if_completed

    course = make_course()
    finish_course(lan, course)
    with app.test_request_context():
        certificate = issue_if_completed(lan, course)
        db.session.commit()
    return certificate
