"""The roster: Vietnamese order, progress per course, attendance, group filter, XLSX and CSV."""
import csv
import datetime
import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from lms.cohorts.models import Attendance
from lms.cohorts.schedule import add_session
from lms.cohorts.services import enrol
from lms.courses.models import Course, Lesson, LessonProgress
from lms.extensions import db
from lms.quizzes.models import Quiz, QuizAttempt
from lms.timeutil import utcnow


@pytest.fixture()
def course(world):
    course = Course(slug="an-toan", title={"vi": "An toàn trên mạng"}, summary={"vi": ""}, audiences=["everyone"],
                    competences=[], level=1, minutes=30, version=1, content_hash="x")
    course.lessons = [Lesson(slug=f"bai-{i}", position=i, title={"vi": f"Bài {i}"}, minutes=5, competences=[],
                             html={}, slides={}, plain_text={}, content_hash="x") for i in (1, 2)]
    db.session.add(course)
    db.session.flush()
    db.session.add(Quiz(course_id=course.id, key="final", kind="final", pass_mark=80, content_hash="x"))
    world.cohort.courses = [course]
    db.session.commit()
    return course


@pytest.fixture()
def class_of_three(world, make_user, course):
    people = {
        "lan": world.learner,
        "anh": make_user(ward=world.ward, name="Phạm Thị Ánh", group=world.ward.groups[1], birth_year=1950),
        "an": make_user(ward=world.ward, name="=HYPERLINK(\"x\") An", group=world.ward.groups[1]),
    }
    for person in people.values():
        enrol(world.cohort, person, consent=True)
    final = db.session.scalar(sa.select(Quiz))
    for lesson in course.lessons:
        db.session.add(LessonProgress(user_id=people["anh"].id, lesson_id=lesson.id, completed_at=utcnow()))
    db.session.add(QuizAttempt(user_id=people["anh"].id, quiz_id=final.id, number=1, question_order=[],
                               choice_order={}, question_count=5, correct_count=5, passed=True))
    db.session.add(LessonProgress(user_id=people["lan"].id, lesson_id=course.lessons[0].id, completed_at=utcnow()))
    # Two sessions already held (a session still to come is not counted as missed).
    first = add_session(world.cohort, day=datetime.date(2026, 11, 1), starts_at=datetime.time(8), place="A")
    add_session(world.cohort, day=datetime.date(2026, 11, 8), starts_at=datetime.time(8), place="A")
    db.session.add(Attendance(class_session_id=first.id, user_id=people["lan"].id))
    db.session.commit()
    return people


def test_roster_in_vietnamese_order_with_progress_and_attendance(client, auth, world, class_of_three):
    auth.login(world.coordinator)
    page = client.get(f"/cohorts/{world.cohort.id}/roster").get_data(as_text=True)
    assert page.index("An</a>") < page.index("Phạm Thị Ánh") < page.index("Nguyễn Thị Lan")
    assert "Hoàn thành" in page and "1/2 bài" in page and "1/2 buổi" in page
    assert "=HYPERLINK(&#34;x&#34;) An" in page


def test_filter_by_residential_group(client, auth, world, class_of_three):
    auth.login(world.coordinator)
    page = client.get(f"/cohorts/{world.cohort.id}/roster",
                      query_string={"group": world.ward.groups[1].id}).get_data(as_text=True)
    assert "Phạm Thị Ánh" in page and "Nguyễn Thị Lan" not in page
    unknown = client.get(f"/cohorts/{world.cohort.id}/roster", query_string={"group": "999999"})
    assert unknown.status_code == 400
    assert "Tổ dân phố / thôn này không thuộc phường" in unknown.get_data(as_text=True)
    assert "Nguyễn Thị Lan" not in unknown.get_data(as_text=True)


def test_xlsx_export_has_numbers_as_numbers(client, auth, world, class_of_three):
    auth.login(world.coordinator)
    response = client.get(f"/cohorts/{world.cohort.id}/roster.xlsx")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("STT", "Họ và tên", "Số điện thoại", "Năm sinh")
    anh = next(r for r in rows if r[1] == "Phạm Thị Ánh")
    assert anh[3] == 1950 and isinstance(anh[0], int)
    assert "Có" in anh and anh[-2:] == (0, 2)
    assert next(r for r in rows if r[1] and r[1].endswith(" An"))[1].startswith("'=")  # never a formula


def test_csv_export_opens_in_excel_with_vietnamese(client, auth, world, class_of_three):
    auth.login(world.coordinator)
    response = client.get(f"/cohorts/{world.cohort.id}/roster.csv",
                          query_string={"group": world.ward.groups[0].id})
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][1] == "Họ và tên" and [r[1] for r in rows[1:]] == ["Nguyễn Thị Lan"]


def test_instructor_sees_and_exports_no_contact_data_beyond_name_and_phone(client, auth, world, class_of_three):
    auth.login(world.instructor)
    page = client.get(f"/cohorts/{world.cohort.id}/roster").get_data(as_text=True)
    assert "1950" not in page and "Năm sinh" not in page
    rows = list(csv.reader(io.StringIO(client.get(f"/cohorts/{world.cohort.id}/roster.csv").data.decode("utf-8-sig"))))
    assert "Năm sinh" not in rows[0] and "Tổ dân phố / thôn" not in rows[0]
    member = client.get(f"/cohorts/{world.cohort.id}/members/{class_of_three['anh'].id}").get_data(as_text=True)
    assert "1950" not in member and "Xoá dữ liệu" not in member and "Hoàn thành" in member
