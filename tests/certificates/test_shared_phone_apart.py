"""Two people share one phone number: each signs in with their own PIN, and their progress, quiz
attempts and certificates stay their own."""
import sqlalchemy as sa

from lms.accounts.people import create_person as create_user
from lms.certificates.models import Certificate
from lms.courses.models import LessonProgress
from lms.extensions import db
from lms.quizzes.models import QuizAttempt
from tests.certificates.conftest import finish

SHARED = "0987650071"


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_progress_attempts_and_certificates_stay_per_person_on_a_shared_number(app, client, ward_a, make_course,
                                                                                make_cohort):
    tu = create_user(full_name="Phạm Văn Tư", phone=SHARED, secret="271828", ward=ward_a)
    nam = create_user(full_name="Nguyễn Thị Năm", phone=SHARED, secret="314159", ward=ward_a, share_phone=True)
    db.session.commit()
    course = make_course(title="An toàn trên mạng")
    make_cohort(ward_a, courses=[course], members=[tu, nam])
    first, second = course.lessons[0], course.lessons[1]

    assert client.post("/login", data={"phone": SHARED, "secret": "271828"}).status_code == 302
    for lesson in (first, second):
        assert client.post(f"/courses/{course.slug}/{lesson.slug}/done").status_code == 302
    client.post("/logout")
    finish(tu, course, lessons=0)  # a passed final quiz
    with app.test_request_context():
        from lms.certificates.services import issue_if_completed

        certificate = issue_if_completed(db.session.get(type(tu), tu.id), course)
        db.session.commit()
    assert certificate is not None and certificate.user_id == tu.id

    assert client.post("/login", data={"phone": SHARED, "secret": "314159"}).status_code == 302
    assert "An toàn trên mạng" not in client.get("/certificates/").get_data(as_text=True)
    assert client.get(f"/certificates/{certificate.id}").status_code == 404
    assert client.post(f"/courses/{course.slug}/{second.slug}/done").status_code == 302

    assert count(LessonProgress, LessonProgress.user_id == nam.id) == 1
    assert count(LessonProgress, LessonProgress.user_id == tu.id) == 2
    assert count(QuizAttempt, QuizAttempt.user_id == nam.id) == 0
    assert count(QuizAttempt, QuizAttempt.user_id == tu.id) == 1
    assert count(Certificate, Certificate.user_id == nam.id) == 0
    client.post("/logout")
    assert client.post("/login", data={"phone": SHARED, "secret": "271828"}).status_code == 302
    assert "An toàn trên mạng" in client.get("/certificates/").get_data(as_text=True)
