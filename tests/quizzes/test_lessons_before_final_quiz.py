"""A course can open its final quiz only once its lessons are read (course.yaml, on by default)."""
import pytest
import sqlalchemy as sa

from lms.content.check import check_content
from lms.courses.models import Course, LessonProgress
from lms.extensions import db
from lms.quizzes.models import Quiz, QuizAttempt
from lms.timeutil import utcnow
from tests.content.conftest import COURSE_YAML, ContentBuilder
from tests.courses.small_course import load_course


def _final():
    return db.session.scalar(sa.select(Quiz).where(Quiz.kind == "final"))


@pytest.fixture()
def course_learner(app, client, auth, make_user, tmp_path):
    load_course(app, tmp_path / "content")
    learner = make_user()
    auth.login(learner)
    return learner


def test_the_final_quiz_page_lists_the_lessons_left_with_links(client, course_learner):
    quiz = _final()
    course = quiz.course
    assert course.final_quiz_after_lessons  # not said in course.yaml: on
    page = client.get(f"/quizzes/{quiz.id}/")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Còn 2 bài nữa" in text
    for lesson in course.active_lessons:
        assert f'href="/courses/{course.slug}/{lesson.slug}"' in text
    assert "Bắt đầu làm bài" not in text

    first = course.active_lessons[0]
    db.session.add(LessonProgress(user_id=course_learner.id, lesson_id=first.id, completed_at=utcnow()))
    db.session.commit()
    text = client.get(f"/quizzes/{quiz.id}/").get_data(as_text=True)
    assert "Còn 1 bài nữa" in text and f'/courses/{course.slug}/{first.slug}"' not in text


def test_starting_before_the_lessons_are_read_makes_no_attempt(client, course_learner):
    quiz = _final()
    refused = client.post(f"/quizzes/{quiz.id}/start")
    assert refused.status_code == 302 and refused.headers["Location"].endswith(f"/quizzes/{quiz.id}/")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt)) == 0
    for lesson in quiz.course.active_lessons:
        db.session.add(LessonProgress(user_id=course_learner.id, lesson_id=lesson.id, completed_at=utcnow()))
    db.session.commit()
    opened = client.post(f"/quizzes/{quiz.id}/start")
    assert opened.status_code == 302 and "/attempts/" in opened.headers["Location"]


def test_a_lesson_only_started_is_not_read(client, course_learner):
    quiz = _final()
    for lesson in quiz.course.active_lessons:
        db.session.add(LessonProgress(user_id=course_learner.id, lesson_id=lesson.id, completed_at=None))
    db.session.commit()
    client.post(f"/quizzes/{quiz.id}/start")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt)) == 0


def test_a_course_can_open_its_final_quiz_at_once(app, client, auth, make_user, tmp_path):
    load_course(app, tmp_path / "content", {"course.yaml": COURSE_YAML + "final_quiz_after_lessons: false\n"})
    auth.login(make_user())
    quiz = _final()
    assert not db.session.scalar(sa.select(Course)).final_quiz_after_lessons
    assert "Bắt đầu làm bài" in client.get(f"/quizzes/{quiz.id}/").get_data(as_text=True)
    assert "/attempts/" in client.post(f"/quizzes/{quiz.id}/start").headers["Location"]


def test_checks_after_lessons_are_never_held_back(client, course_learner):
    check = db.session.scalar(sa.select(Quiz).where(Quiz.kind == "check"))
    assert "/attempts/" in client.post(f"/quizzes/{check.id}/start").headers["Location"]


def test_a_setting_that_is_not_true_or_false_is_reported_on_its_line(tmp_path):
    content = ContentBuilder(tmp_path)
    content.course(files={"course.yaml": COURSE_YAML + "final_quiz_after_lessons: có\n"})
    tree, problems = check_content(content.root)
    assert tree.courses == ()
    [problem] = problems
    assert problem.path.endswith("course.yaml") and problem.line == 12
    assert "final_quiz_after_lessons" in problem.message and "true" in problem.message
