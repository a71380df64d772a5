"""The lesson page: its sources at the end, and the quick check offered only when the lesson has one."""
import sqlalchemy as sa

from lms.courses.models import Lesson
from lms.extensions import db
from tests.courses.small_course import load_course

SOURCES_EN = ('sources: [{title: "Cẩm nang nhận diện lừa đảo", publisher: "Ministry of Public Security", '
              'url: "https://bocongan.example/cam-nang", checked: 2026-11-30}]\n')


def test_sources_are_listed_at_the_end_with_link_publisher_and_date(app, client, tmp_path):
    load_course(app, tmp_path / "content")
    page = client.get("/courses/an-toan/cuoc-goi").get_data(as_text=True)

    assert '<h2 id="sources-title">Nguồn</h2>' in page
    assert ('<a href="https://bocongan.example/cam-nang" rel="noopener">Cẩm nang nhận diện lừa đảo</a>'
            " — Bộ Công an") in page
    assert "(xem ngày 30/11/2026)" in page
    # At the end of the lesson text, after the "remember" box.
    assert page.index("Công an không yêu cầu chuyển tiền") < page.index("sources-title") < page.index("</article>")


def test_english_readers_see_the_english_files_sources(app, client, tmp_path):
    load_course(app, tmp_path / "content")
    client.post("/language", data={"locale": "en"})
    page = client.get("/courses/an-toan/cuoc-goi").get_data(as_text=True)

    assert '<h2 id="sources-title">Sources</h2>' in page
    assert "Bộ Công an (Ministry of Public Security)" in page and "(checked 30/11/2026)" in page


def test_sources_are_stored_with_the_lesson_per_language(app, tmp_path):
    load_course(app, tmp_path / "content")
    lesson = db.session.scalar(sa.select(Lesson).where(Lesson.slug == "cuoc-goi"))

    assert lesson.sources["vi"] == [{"title": "Cẩm nang nhận diện lừa đảo", "publisher": "Bộ Công an",
                                     "url": "https://bocongan.example/cam-nang", "checked": "2026-11-30"}]
    assert lesson.sources["en"][0]["publisher"] == "Bộ Công an (Ministry of Public Security)"


def test_a_lesson_with_a_check_offers_it(app, client, auth, make_user, tmp_path):
    load_course(app, tmp_path / "content")
    auth.login(make_user())
    page = client.get("/courses/an-toan/cuoc-goi").get_data(as_text=True)

    assert "Tôi đã học xong, làm bài kiểm tra nhanh" in page


def test_a_lesson_without_a_quiz_never_offers_a_quick_check(app, client, auth, make_user, tmp_path):
    load_course(app, tmp_path / "content", {"02-mat-khau.quiz.yaml": None})
    auth.login(make_user())
    page = client.get("/courses/an-toan/mat-khau")
    text = page.get_data(as_text=True)

    assert page.status_code == 200
    assert "kiểm tra nhanh" not in text
    assert "Tôi đã học xong bài này" in text
    done = client.post("/courses/an-toan/mat-khau/done")
    assert done.status_code == 302 and done.headers["Location"].endswith("/quizzes/after-lesson/%d" % _id("mat-khau"))
    course_page = client.get(done.headers["Location"])
    assert course_page.status_code == 302 and course_page.headers["Location"].endswith("/courses/an-toan/")
    again = client.get("/courses/an-toan/mat-khau").get_data(as_text=True)
    assert "Bạn đã học xong bài này." in again and "kiểm tra nhanh" not in again
    assert "Tôi đã học xong bài này" not in again  # nothing left to do: no button at all


def _id(slug):
    return db.session.scalar(sa.select(Lesson.id).where(Lesson.slug == slug))
