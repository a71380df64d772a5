"""`flask content sync`: idempotent, keeps progress through edits, retires instead of deleting."""
import re
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.courses.loader import ContentInvalid, sync_content
from lms.courses.models import Course, CourseVersion, Lesson, LessonProgress
from lms.extensions import db
from lms.quizzes.models import Question, Quiz
from tests.conftest import CONTENT_DIR

SLUG = "an-toan-tren-mang"


@pytest.fixture()
def tree(tmp_path) -> Path:
    """A copy of one real course that a test may edit."""
    root = tmp_path / "content"
    shutil.copytree(CONTENT_DIR / "courses" / SLUG, root / "courses" / SLUG)
    return root


def _sync(app, root):
    with app.test_request_context():
        report = sync_content(root)
        db.session.commit()
    return report


def _count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_the_whole_catalogue_loads_with_lessons_quizzes_and_versions(app):
    report = _sync(app, CONTENT_DIR)
    # Every course folder loads; the catalogue grows as courses are written (issue 17 adds five).
    folders = {p.parent.name for p in (CONTENT_DIR / "courses").glob("*/course.yaml")}
    assert len(report.created) == len(folders)
    courses = db.session.scalars(sa.select(Course)).all()
    assert {c.slug for c in courses} == folders
    assert {"an-toan-tren-mang", "thanh-toan-so", "dich-vu-cong-truc-tuyen", "ai-co-ban", "cho-so-4t",
            "lam-quen-dien-thoai"} <= folders
    for course in courses:
        assert 3 <= len(course.active_lessons) <= 6
        assert course.title["vi"] and course.title["en"]
        assert [v.version for v in course.versions] == [course.version]
        for lesson in course.active_lessons:
            assert lesson.html["vi"].strip() and lesson.html["en"].strip()
            assert len(lesson.slides["vi"]) == len(lesson.slides["en"]) >= 2
    finals = db.session.scalars(sa.select(Quiz).where(Quiz.kind == "final")).all()
    assert len(finals) == len(folders) and all(q.pass_mark and q.max_attempts for q in finals)


def test_syncing_twice_changes_nothing(app, tree):
    _sync(app, tree)
    stamps = db.session.execute(sa.select(Lesson.id, Lesson.updated_at, Lesson.content_hash)).all()
    counts = [_count(m) for m in (Course, CourseVersion, Lesson, Quiz, Question)]
    report = _sync(app, tree)
    assert not report.changed and report.unchanged == 1
    db.session.expire_all()
    assert db.session.execute(sa.select(Lesson.id, Lesson.updated_at, Lesson.content_hash)).all() == stamps
    assert [_count(m) for m in (Course, CourseVersion, Lesson, Quiz, Question)] == counts


def test_editing_a_lessons_text_keeps_every_learners_progress(app, tree, make_user):
    _sync(app, tree)
    learner = make_user()
    lesson = db.session.scalar(sa.select(Lesson).where(Lesson.slug == "mat-khau-va-xac-thuc-hai-buoc"))
    db.session.add(LessonProgress(user_id=learner.id, lesson_id=lesson.id, completed_at=lesson.created_at))
    db.session.commit()
    path = tree / "courses" / SLUG / "04-mat-khau-va-xac-thuc-hai-buoc.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nMột câu mới để nhắc lại bài học.\n", encoding="utf-8")
    report = _sync(app, tree)
    assert report.updated == [SLUG]
    db.session.expire_all()
    edited = db.session.get(Lesson, lesson.id)
    assert "Một câu mới để nhắc lại bài học." in edited.html["vi"]
    progress = db.session.scalar(sa.select(LessonProgress).where(LessonProgress.user_id == learner.id))
    assert progress.lesson_id == lesson.id and progress.completed_at is not None


def test_renumbering_a_lesson_keeps_its_identity(app, tree):
    _sync(app, tree)
    course_dir = tree / "courses" / SLUG
    original = db.session.scalar(sa.select(Lesson).where(Lesson.slug == "khi-nghi-bi-lua"))
    # Moved past the course's last lesson (06), and every link to it follows.
    for suffix in (".md", ".en.md", ".quiz.yaml"):
        (course_dir / f"05-khi-nghi-bi-lua{suffix}").rename(course_dir / f"07-khi-nghi-bi-lua{suffix}")
    for path in course_dir.glob("0[1-6]-*.md"):
        text = path.read_text(encoding="utf-8").replace("05-khi-nghi-bi-lua.md", "07-khi-nghi-bi-lua.md")
        path.write_text(text, encoding="utf-8")
    _sync(app, tree)
    db.session.expire_all()
    moved = db.session.get(Lesson, original.id)
    assert moved.position == 7 and moved.retired_at is None


def test_a_lesson_removed_from_disk_is_retired_not_deleted(app, tree, make_user):
    _sync(app, tree)
    learner = make_user()
    lesson = db.session.scalar(sa.select(Lesson).where(Lesson.slug == "khi-nghi-bi-lua"))
    db.session.add(LessonProgress(user_id=learner.id, lesson_id=lesson.id))
    db.session.commit()
    course_dir = tree / "courses" / SLUG
    for suffix in (".md", ".en.md", ".quiz.yaml"):
        (course_dir / f"05-khi-nghi-bi-lua{suffix}").unlink()
    for path in course_dir.glob("*.md"):
        text = path.read_text(encoding="utf-8")
        # Links to the removed lesson would be broken; the authors would take them out too.
        text = text.replace("](05-khi-nghi-bi-lua.md)", "]")
        path.write_text(text.replace("[", "").replace("]", "") if "05-khi-nghi-bi-lua" in text else text, encoding="utf-8")
    report = _sync(app, tree)
    assert f"{SLUG}/khi-nghi-bi-lua" in report.retired
    db.session.expire_all()
    retired = db.session.get(Lesson, lesson.id)
    assert retired is not None and retired.retired_at is not None
    assert _count(LessonProgress) == 1
    check = db.session.scalar(sa.select(Quiz).where(Quiz.key == "khi-nghi-bi-lua"))
    assert check.retired_at is not None


def test_a_course_removed_from_disk_is_retired(app, tree):
    _sync(app, tree)
    shutil.rmtree(tree / "courses" / SLUG)
    report = _sync(app, tree)
    assert report.retired == [SLUG]
    assert db.session.scalar(sa.select(Course.retired_at).where(Course.slug == SLUG)) is not None


def test_a_new_version_is_recorded_and_the_old_one_kept(app, tree):
    _sync(app, tree)
    path = tree / "courses" / SLUG / "course.yaml"
    text = path.read_text(encoding="utf-8")
    current = int(re.search(r"^version: (\d+)$", text, re.M).group(1))
    path.write_text(text.replace(f"version: {current}", f"version: {current + 1}", 1), encoding="utf-8")
    _sync(app, tree)
    versions = db.session.scalars(sa.select(CourseVersion.version).order_by(CourseVersion.version)).all()
    assert versions == [current, current + 1]
    assert db.session.scalar(sa.select(Course.version).where(Course.slug == SLUG)) == current + 1


def test_invalid_content_loads_nothing(app, tree):
    (tree / "courses" / SLUG / "course.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    with pytest.raises(ContentInvalid) as raised:
        _sync(app, tree)
    assert any("course.yaml" in str(p) for p in raised.value.problems)
    db.session.rollback()
    assert _count(Course) == 0


def test_cli_sync_reports_and_is_idempotent(app, tree):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["content", "sync", str(tree)])
    assert first.exit_code == 0 and "created 1" in first.output
    second = runner.invoke(args=["content", "sync", str(tree)])
    assert "unchanged 1" in second.output


def test_cli_check_prints_file_line_message_and_fails(app, tree):
    path = tree / "courses" / SLUG / "course.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('"4.2"', '"9.9"'), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["content", "check", str(tree)])
    assert result.exit_code == 1
    assert f"courses/{SLUG}/course.yaml:" in result.output and "9.9" in result.output


def test_the_shipped_catalogue_passes_the_check(app):
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
