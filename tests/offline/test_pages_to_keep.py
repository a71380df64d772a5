"""What a phone keeps for its learner: only their own pages, named by a key per person."""
import re

import sqlalchemy as sa

from lms.courses.models import Lesson, LessonProgress
from lms.extensions import db
from tests.offline.conftest import COURSE, PICTURES, check_of, final_of

LESSON = f"/courses/{COURSE}/cuoc-goi-gia-danh"


def test_the_list_holds_the_enrolled_courses_lessons_checks_and_images_and_nothing_else(client, auth, lan):
    auth.login(lan)
    data = client.get("/offline/pages").get_json()
    assert [c["slug"] for c in data["courses"]] == [COURSE, PICTURES]
    pages = [url for c in data["courses"] for url in c["pages"]]
    assert f"/courses/{COURSE}/" in pages and LESSON in pages
    assert f"/offline/checks/{check_of(COURSE, 'cuoc-goi-gia-danh').id}" in pages
    assert not [url for url in pages if url.startswith("/quizzes/")]  # the final quiz stays online
    assert not [url for url in pages if url.startswith(("/cohorts", "/people", "/reports", "/account"))]
    assert all(url.startswith(("/courses/", "/offline/checks/")) for url in pages)
    images = [url for c in data["courses"] for url in c["images"]]
    assert f"/courses/{PICTURES}/images/bang-qr-co-ten.svg" in images
    for url in images:
        response = client.get(url)
        assert response.status_code == 200
        response.close()
    assert all(url.startswith("/static/") and "?v=" in url for url in data["shell"])
    assert data["fallback"] == "/offline/"


def test_a_learner_in_no_class_keeps_only_what_she_opens(client, auth, catalogue, make_user):
    auth.login(make_user())
    data = client.get("/offline/pages").get_json()
    assert data["courses"] == []
    page = client.get(LESSON)
    assert page.headers["X-Offline-Keep"] == "1"  # any lesson opened may be kept
    assert "Bạn chưa vào lớp nào" in client.get("/offline/").get_data(as_text=True)


def test_the_list_and_the_offline_pages_need_a_sign_in(client, catalogue):
    assert client.get("/offline/pages").status_code in (302, 401)
    assert client.get("/offline/").status_code in (302, 401)
    assert client.get("/offline/state").get_json() == {"account": None, "csrf": None}


def test_pages_say_whose_they_are_and_only_the_learners_own_may_be_kept(client, auth, lan, make_user):
    visitor = client.get(LESSON)
    assert visitor.headers["X-Offline-Account"] == "none" and "X-Offline-Keep" not in visitor.headers
    auth.login(lan)
    key = client.get("/offline/state").get_json()["account"]
    assert key == client.get("/offline/pages").get_json()["account"]
    assert str(lan.id) != key and len(key) == 24
    for path in (LESSON, f"/courses/{COURSE}/", f"/offline/checks/{check_of(COURSE, 'cuoc-goi-gia-danh').id}", "/offline/"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["X-Offline-Account"] == key and response.headers["X-Offline-Keep"] == "1", path
    for path in ("/", "/my-learning", "/certificates/", "/account/devices", f"/quizzes/{final_of(COURSE).id}/"):
        response = client.get(path)
        assert response.headers["X-Offline-Account"] == key and "X-Offline-Keep" not in response.headers, path
    assert "X-Offline-Keep" not in client.get("/courses/no-such-course/").headers

    auth.logout()
    other = make_user(name="Trần Văn Bình")
    auth.login(other)
    assert client.get(LESSON).headers["X-Offline-Account"] not in (key, "none")


def test_staff_pages_are_never_kept(client, auth, lan, make_user):
    coordinator = make_user(("coordinator",), ward=lan.ward)
    auth.login(coordinator)
    for path in ("/people/", "/cohorts/", "/reports"):
        response = client.get(path, follow_redirects=True)
        assert response.status_code == 200, path
        assert "X-Offline-Keep" not in response.headers, path


def test_fetching_a_lesson_ahead_does_not_count_as_opening_it(client, auth, lan):
    auth.login(lan)
    client.get(LESSON, headers={"X-Offline-Precache": "1"})
    progress = sa.select(sa.func.count()).select_from(LessonProgress).join(Lesson).where(
        LessonProgress.user_id == lan.id, Lesson.slug == "cuoc-goi-gia-danh")
    assert db.session.scalar(progress) == 0
    client.get(LESSON)
    assert db.session.scalar(progress) == 1


def test_the_offline_page_offers_the_kept_courses_and_says_final_quizzes_need_signal(client, auth, lan):
    auth.login(lan)
    page = client.get("/offline/").get_data(as_text=True)
    assert "Chưa có mạng" in page and "Bài kiểm tra cuối khoá chỉ làm được khi có mạng." in page
    assert f'href="/courses/{COURSE}/"' in page and f'href="/courses/{PICTURES}/"' in page


def test_the_final_quiz_page_says_it_needs_a_connection(client, auth, lan):
    auth.login(lan)
    page = client.get(f"/quizzes/{final_of(COURSE).id}/").get_data(as_text=True)
    assert "Bài kiểm tra cuối khoá chỉ làm được khi có mạng." in page
    assert client.get(f"/offline/checks/{final_of(COURSE).id}").status_code == 404


def test_the_lesson_page_tells_the_script_where_its_check_waits_offline(client, auth, lan):
    auth.login(lan)
    page = client.get(LESSON).get_data(as_text=True)
    check = check_of(COURSE, "cuoc-goi-gia-danh")
    form = re.search(r'<form method="post" action="/courses/[^"]+/done"([^>]*)>', page).group(1)
    assert re.fullmatch(r' class="lesson-done" data-offline-check="/offline/checks/%d"\s+'
                        r'data-offline-done="Đã ghi: bạn học xong bài này. Sẽ gửi khi có mạng."' % check.id, form)
