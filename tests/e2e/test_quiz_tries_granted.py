"""A learner who used every try of a final quiz is told to ask the instructor; the instructor
opens the class's "Hết lượt làm bài" page, gives one more try, and the learner takes the quiz
again and passes. The grant is in the audit log."""
import pytest
import sqlalchemy as sa

from lms.audit.models import AuditLog
from lms.cohorts.services import create_cohort, enrol
from lms.courses.models import Course
from lms.extensions import db
from lms.quizzes.models import Question, Quiz, QuizAttempt
from tests.e2e.harness import PROJECTOR, assert_accessible, assert_no_console_errors
from tests.factories import DEFAULT_PIN
from tests.quizzes.reading import read_every_lesson
from tests.quizzes.test_taking_quizzes import _right, _wrong

pytestmark = pytest.mark.e2e

COURSE = "an-toan-tren-mang"
TOLD = "Bạn đã dùng hết số lần làm bài kiểm tra này. Hãy hỏi giảng viên để được hướng dẫn thêm."


def _sign_in(page, live, phone):
    page.goto(live("/login"))
    page.get_by_label("Số điện thoại").fill(phone)
    page.get_by_label("Mã PIN hoặc mật khẩu").fill(DEFAULT_PIN)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


def _take_the_quiz(page, pick):
    """Answer every question of the attempt just started with `pick` (the key, read from the
    database as a test can; a page never shows it), then hand it in."""
    while "/review" not in page.url:
        question = db.session.get(Question, int(page.locator('input[name="question_id"]').input_value()))
        for value in pick(question):
            page.locator(f'input[name="choice"][value="{value}"]').check()
        page.locator("form button.primary").click()
        page.wait_for_load_state()
    page.get_by_role("button", name="Nộp bài").click()
    page.wait_for_load_state()


def test_a_learner_out_of_tries_gets_one_more_from_the_instructor(live, phone_page, new_browser_context,
                                                                   catalogue, make_ward, make_user):
    ward = make_ward("Phường Đông")
    instructor = make_user(("instructor",), ward=ward, name="Lê Văn Minh", phone="0900000002")
    learner = make_user(ward=ward, name="Nguyễn Thị Lan", phone="0912345601")
    course = db.session.scalar(sa.select(Course).where(Course.slug == COURSE))
    cohort = create_cohort(ward_id=ward.id, name="Lớp người cao tuổi", audience="elderly",
                           instructor_ids=[instructor.id], course_ids=[course.id])
    enrol(cohort, learner, consent=True)
    db.session.commit()
    read_every_lesson(learner, COURSE)
    quiz = db.session.scalar(sa.select(Quiz).where(Quiz.course_id == course.id, Quiz.kind == "final"))
    tries = quiz.max_attempts
    assert tries

    # The learner fails every try, on their phone.
    page = phone_page
    _sign_in(page, live, "0912345601")
    for number in range(1, tries + 1):
        page.goto(live(f"/quizzes/{quiz.id}/"))
        page.get_by_role("button", name="Bắt đầu làm bài" if number == 1 else "Làm lại").click()
        _take_the_quiz(page, _wrong)
    result = page.locator("main").inner_text()
    assert TOLD in result
    assert_accessible(page)
    page.goto(live(f"/quizzes/{quiz.id}/"))
    assert page.get_by_role("alert").inner_text().strip() == TOLD
    assert page.get_by_role("button", name="Làm lại").count() == 0
    assert "Còn 0 lần làm bài" in page.content()

    # The instructor, on the hall's laptop, finds who has run out and gives one more try.
    laptop = new_browser_context(PROJECTOR)
    _sign_in(laptop, live, "0900000002")
    laptop.goto(live(f"/cohorts/{cohort.id}"))
    laptop.get_by_role("link", name="Hết lượt làm bài").click()
    assert laptop.get_by_role("heading", level=1).inner_text().startswith("Hết lượt làm bài")
    listed = laptop.locator("li.card").filter(has_text="Nguyễn Thị Lan")
    assert f"Đã làm {tries} lần, chưa đạt." in listed.inner_text()
    assert_accessible(laptop)
    listed.get_by_role("button", name="Cấp thêm 1 lượt").click()
    laptop.wait_for_load_state()
    assert "Đã cấp thêm 1 lượt làm bài cho Nguyễn Thị Lan." in laptop.locator("main").inner_text()
    assert laptop.locator("li.card").filter(has_text="Nguyễn Thị Lan").count() == 0
    assert_no_console_errors(laptop)

    # The grant is in the audit log: who gave it, to whom, for which quiz, in which class.
    db.session.expire_all()
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "quiz.try_granted"))
    assert entry is not None
    assert (entry.actor_id, entry.target_id, entry.ward_id) == (instructor.id, learner.id, ward.id)
    assert entry.details["quiz_id"] == quiz.id and entry.details["cohort_id"] == cohort.id
    assert entry.details["after_attempts"] == tries

    # The learner can take the quiz again, and passes.
    page.goto(live(f"/quizzes/{quiz.id}/"))
    assert "Còn 1 lần làm bài" in page.content() and TOLD not in page.content()
    page.get_by_role("button", name="Làm lại").click()
    _take_the_quiz(page, _right)
    assert "Chúc mừng! Bạn đã đạt bài kiểm tra cuối khoá." in page.locator(".result").inner_text()
    assert_no_console_errors(page)
    attempts = db.session.scalars(sa.select(QuizAttempt).where(QuizAttempt.user_id == learner.id)
                                  .order_by(QuizAttempt.number)).all()
    assert [a.passed for a in attempts] == [False] * tries + [True]
