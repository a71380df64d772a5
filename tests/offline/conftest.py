import pytest
import sqlalchemy as sa

from lms.cohorts.models import Cohort, Enrollment
from lms.courses.models import Course, Lesson
from lms.extensions import db
from lms.quizzes.models import Quiz

COURSE = "an-toan-tren-mang"
PICTURES = "cho-so-4t"


@pytest.fixture()
def lan(catalogue, make_ward, make_user):
    """A learner enrolled (through her cohort) in two courses of the catalogue."""
    ward = make_ward("Phường Mẫu")
    learner = make_user(ward=ward, name="Nguyễn Thị Lan")
    cohort = Cohort(ward_id=ward.id, name="Lớp người cao tuổi", audience="elderly", join_code="OFFLN001")
    cohort.courses = list(db.session.scalars(sa.select(Course).where(Course.slug.in_([COURSE, PICTURES]))))
    db.session.add(cohort)
    db.session.flush()
    db.session.add(Enrollment(cohort_id=cohort.id, user_id=learner.id))
    db.session.commit()
    return learner


def check_of(slug: str, lesson_slug: str) -> Quiz:
    return db.session.scalar(sa.select(Quiz).join(Lesson, Quiz.lesson_id == Lesson.id).join(Course).where(
        Course.slug == slug, Lesson.slug == lesson_slug, Quiz.kind == "check"))


def final_of(slug: str) -> Quiz:
    return db.session.scalar(sa.select(Quiz).join(Course).where(Course.slug == slug, Quiz.kind == "final"))
