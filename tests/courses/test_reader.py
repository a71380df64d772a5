"""The catalogue, course page and lesson reader a learner uses on a phone."""
import sqlalchemy as sa

from lms.courses.models import Lesson, LessonProgress
from lms.extensions import db

COURSE = "an-toan-tren-mang"


def _lesson(slug):
    return db.session.scalar(sa.select(Lesson).where(Lesson.slug == slug))


def test_catalogue_lists_every_course_and_filters_by_audience(client, catalogue):
    page = client.get("/courses/").get_data(as_text=True)
    for title in ("An toàn trên mạng", "Thanh toán số", "Dịch vụ công trực tuyến", "AI cơ bản"):
        assert title in page
    traders = client.get("/courses/?audience=traders").get_data(as_text=True)
    assert "Chợ số" in traders and "Dịch vụ công trực tuyến" not in traders


def test_catalogue_filters_by_competence(client, catalogue):
    page = client.get("/courses/?competence=6.1").get_data(as_text=True)
    assert "AI cơ bản" in page and "Thanh toán số" not in page


def test_course_page_lists_lessons_with_minutes_and_competences(client, catalogue):
    page = client.get(f"/courses/{COURSE}/").get_data(as_text=True)
    assert "Nhận ra cuộc gọi giả danh" in page
    assert "phút" in page and "4.2" in page


def test_lesson_page_shows_the_rendered_lesson_with_previous_and_next(client, catalogue):
    page = client.get(f"/courses/{COURSE}/ma-otp-va-link-la").get_data(as_text=True)
    assert "<h1>Giữ kín mã OTP" in page
    assert 'rel="prev"' in page and 'rel="next"' in page
    assert "Bài 2/6" in page


def test_lesson_in_english_and_fallback_to_vietnamese(client, catalogue, db):
    client.post("/language", data={"locale": "en"})
    page = client.get(f"/courses/{COURSE}/ma-otp-va-link-la").get_data(as_text=True)
    assert '<html lang="en"' in page
    lesson = _lesson("ma-otp-va-link-la")
    assert lesson.title["en"] in page and "has no English version yet" not in page
    lesson.html = {"vi": lesson.html["vi"]}
    lesson.course.content_hash = "edited"  # as content sync does for any edit to a course
    db.session.commit()
    fallback = client.get(f"/courses/{COURSE}/ma-otp-va-link-la").get_data(as_text=True)
    assert '<article class="lesson" id="lesson-text" lang="vi">' in fallback
    assert "has no English version yet" in fallback and lesson.title["en"] in fallback


def test_missing_and_retired_lessons_and_courses_are_404(client, catalogue, db):
    assert client.get("/courses/khong-co/").status_code == 404
    assert client.get(f"/courses/{COURSE}/khong-co").status_code == 404
    lesson = _lesson("ma-otp-va-link-la")
    lesson.retired_at = lesson.created_at
    db.session.commit()
    response = client.get(f"/courses/{COURSE}/ma-otp-va-link-la")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.get_data(as_text=True)


def test_finishing_a_lesson_marks_it_done_once_and_leads_to_its_check(client, auth, make_user, catalogue):
    learner = make_user()
    auth.login(learner)
    url = f"/courses/{COURSE}/cuoc-goi-gia-danh/done"
    first = client.post(url)
    second = client.post(url)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"].startswith("/quizzes/after-lesson/")
    rows = db.session.scalars(sa.select(LessonProgress).where(LessonProgress.user_id == learner.id)).all()
    assert len(rows) == 1 and rows[0].completed_at is not None
    check = client.get(first.headers["Location"])
    assert check.status_code == 302 and check.headers["Location"].startswith("/quizzes/")


def test_marking_done_needs_sign_in(client, catalogue):
    response = client.post(f"/courses/{COURSE}/cuoc-goi-gia-danh/done")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_home_offers_to_continue_where_the_learner_left_off(client, auth, make_user, catalogue):
    auth.login(make_user())
    client.get(f"/courses/{COURSE}/cuoc-goi-gia-danh")
    client.post(f"/courses/{COURSE}/cuoc-goi-gia-danh/done")
    home = client.get("/").get_data(as_text=True)
    assert "Học tiếp chỗ đang dở" in home
    assert f"/courses/{COURSE}/ma-otp-va-link-la" in home
    mine = client.get("/my-learning").get_data(as_text=True)
    assert "Đã học 1/6 bài" in mine


def test_lesson_html_never_carries_script_or_inline_handlers(client, catalogue):
    for lesson in db.session.scalars(sa.select(Lesson)):
        for html in lesson.html.values():
            assert "<script" not in html and "onerror" not in html and "javascript:" not in html


def test_text_size_and_contrast_are_remembered_for_the_person(client, auth, make_user, db):
    learner = make_user()
    auth.login(learner)
    client.post("/preferences", data={"action": "bigger", "next": "/courses/"})
    client.post("/preferences", data={"action": "contrast"})
    db.session.refresh(learner)
    assert (learner.text_size, learner.high_contrast) == (1, True)
    page = client.get("/courses/").get_data(as_text=True)
    assert 'class="text-1 contrast"' in page
    assert client.post("/preferences", data={"action": "other"}).status_code == 400


def test_visitors_preferences_live_in_their_session(client):
    for _ in range(6):  # one more than there are steps: the largest (32 px) stays
        client.post("/preferences", data={"action": "bigger"})
    assert 'class="text-4"' in client.get("/login").get_data(as_text=True)


def test_every_lesson_of_every_course_opens_in_vietnamese_and_english(client, catalogue):
    from markupsafe import escape

    from tests.conftest import CONTENT_DIR

    lessons = db.session.scalars(sa.select(Lesson).where(Lesson.retired_at.is_(None))).all()
    # One lesson per Vietnamese lesson file of the catalogue (it grows as courses are written).
    lesson_files = [p for p in (CONTENT_DIR / "courses").glob("*/[0-9][0-9]-*.md") if not p.name.endswith(".en.md")]
    assert len(lessons) == len(lesson_files) >= 31
    assert {"mo-khoa-va-sac-pin", "may-doc-man-hinh", "tai-nghe-va-ma-otp"} <= {lesson.slug for lesson in lessons}
    for lang in ("vi", "en"):
        client.post("/language", data={"locale": lang})
        for lesson in lessons:
            response = client.get(f"/courses/{lesson.course.slug}/{lesson.slug}")
            assert response.status_code == 200
            assert str(escape(lesson.title[lang])) in response.get_data(as_text=True)


def test_course_images_are_served_as_sandboxed_images_only(client, catalogue):
    with client.get("/courses/cho-so-4t/images/bang-qr-co-ten.svg") as response:
        assert response.status_code == 200
        assert response.mimetype == "image/svg+xml"
        assert "sandbox" in response.headers["Content-Security-Policy"]
    assert client.get("/courses/cho-so-4t/images/../course.yaml").status_code == 404
    assert client.get("/courses/cho-so-4t/images/nope.svg").status_code == 404
