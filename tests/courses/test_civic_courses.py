"""Course content for the ward plans: "Văn minh trên mạng" is found by the catalogue filters and shows its
sources, and the safety course's version 3 (loan apps, Accessibility, prizes, hijacked accounts) leaves a
certificate earned on version 2 valid and still naming version 2."""
import shutil

import sqlalchemy as sa

from lms.accounts.models import User
from lms.certificates.codes import display_code
from lms.certificates.services import issue_certificate
from lms.courses.loader import sync_content
from lms.courses.models import Course
from lms.extensions import db
from lms.quizzes.models import Question, Quiz
from tests.conftest import CONTENT_DIR

CIVIC = "van-minh-tren-mang"
SAFETY = "an-toan-tren-mang"


def test_the_catalogue_finds_the_conduct_course_by_its_competences_and_audiences(client, catalogue):
    for query in ("competence=2.5", "competence=1.2", "audience=elderly", "audience=students", "audience=officials"):
        assert "Văn minh trên mạng" in client.get(f"/courses/?{query}").get_data(as_text=True), query
    assert "Văn minh trên mạng" not in client.get("/courses/?competence=0.1").get_data(as_text=True)


def test_the_law_lesson_names_its_sources_and_the_reporting_lesson_links_to_the_safety_course(client, catalogue):
    law = client.get(f"/courses/{CIVIC}/phap-luat-khi-dang-tin").get_data(as_text=True)
    assert "Nguồn" in law and "Chia sẻ thông tin giả mạo, sai sự thật có thể bị phạt 20 triệu đồng" in law
    assert "Điều 101 Nghị định 15/2020/NĐ-CP" in law
    report = client.get(f"/courses/{CIVIC}/bao-tin-sai-su-that").get_data(as_text=True)
    assert f'href="/courses/{SAFETY}/cuoc-goi-gia-danh"' in report


def test_the_safety_course_teaches_loan_apps_and_accessibility_and_its_final_quiz_asks_about_them(
        client, catalogue):
    page = client.get(f"/courses/{SAFETY}/app-vay-tien-va-quyen-tro-nang").get_data(as_text=True)
    assert "<h1>App vay tiền và quyền Trợ năng" in page and "Bài 6/6" in page
    final = db.session.scalar(sa.select(Quiz).join(Course).where(Course.slug == SAFETY, Quiz.kind == "final"))
    keys = set(db.session.scalars(sa.select(Question.key).where(Question.quiz_id == final.id)))
    assert {"zalo-nguoi-quen-vay-gap", "trung-xe-may-nop-thue", "app-vay-xem-danh-ba",
            "bao-hiem-bao-bat-tro-nang"} <= keys


def test_a_certificate_earned_on_version_2_stays_valid_and_names_version_2(app, client, tmp_path, make_user):
    root = tmp_path / "content"
    folder = root / "courses" / SAFETY
    shutil.copytree(CONTENT_DIR / "courses" / SAFETY, folder)
    course_yaml = folder / "course.yaml"
    current = course_yaml.read_text(encoding="utf-8")
    assert current.startswith("version: 3\n")
    course_yaml.write_text(current.replace("version: 3\n", "version: 2\n", 1), encoding="utf-8")
    with app.test_request_context():
        sync_content(root)
        db.session.commit()
    learner = make_user(name="Nguyễn Thị Lan")
    course = db.session.scalar(sa.select(Course).where(Course.slug == SAFETY))
    certificate = issue_certificate(db.session.get(User, learner.id), course).certificate
    db.session.commit()

    course_yaml.write_text(current, encoding="utf-8")
    with app.test_request_context():
        sync_content(root)
        db.session.commit()
    db.session.expire_all()
    course = db.session.scalar(sa.select(Course).where(Course.slug == SAFETY))
    assert course.version == 3 and [v.version for v in course.versions] == [2, 3]
    assert certificate.course_version == 2 and certificate.status == "valid"
    text = client.get(f"/verify/{display_code(certificate.code)}").get_data(as_text=True)
    assert "Chứng nhận hợp lệ" in text and "phiên bản 2" in text
