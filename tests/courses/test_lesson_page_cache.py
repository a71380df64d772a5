"""The lesson page is rendered once per variant and kept (lms.pagecache): every reader must still
see exactly their own page, with their own CSRF token, the moment anything they see changes."""
import gzip
import re

import pytest
import sqlalchemy as sa

from lms.accounts.models import UserRole
from lms.courses.models import Course, Lesson
from lms.extensions import db

COURSE = "an-toan-tren-mang"
LESSON = f"/courses/{COURSE}/cuoc-goi-gia-danh"
TOKEN = re.compile(r'(name="csrf_token" type="hidden" value="|name="csrf_token" value="|<meta name="csrf-token" content=")([^"]+)"')


def _tokens(page: str) -> set[str]:
    return {match[1] for match in TOKEN.findall(page)}


def _without_tokens(page: str) -> str:
    return TOKEN.sub(r'\1TOKEN"', page)


def _fresh(app, client, url=LESSON) -> str:
    """The page rendered now, with the cache out of the way."""
    kept = app.extensions["page_cache"]
    app.extensions["page_cache"] = None
    try:
        return client.get(url).get_data(as_text=True)
    finally:
        app.extensions["page_cache"] = kept


READERS = {
    "visitor": lambda auth, make_user: None,
    "learner": lambda auth, make_user: auth.login(make_user()),
    "coordinator": lambda auth, make_user: auth.login(make_user(("coordinator", "learner"))),
}


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_kept_lesson_page_is_the_page_a_fresh_render_gives(app, client, auth, make_user, catalogue,
                                                            reader, language):
    READERS[reader](auth, make_user)
    client.post("/language", data={"locale": language})
    client.post("/preferences", data={"action": "bigger"})
    first = client.get(LESSON).get_data(as_text=True)  # renders and keeps it
    kept = client.get(LESSON).get_data(as_text=True)  # served from what was kept
    assert app.extensions["page_cache"].pages, "the page was not kept"
    assert _without_tokens(kept) == _without_tokens(first) == _without_tokens(_fresh(app, client))
    assert 'class="text-1"' in kept and f'<html lang="{language}"' in kept


def test_each_reader_gets_their_own_token_never_another_readers(other_app, make_user, catalogue):
    protected = other_app(WTF_CSRF_ENABLED=True)
    pages, clients = [], []
    for _ in range(2):
        learner = make_user()
        client = protected.test_client()
        login = client.get("/login").get_data(as_text=True)
        client.post("/login", data={"phone": learner.phone, "secret": "482916",
                                    "csrf_token": _tokens(login).pop()})
        client.get(LESSON)  # the first visit records progress; both now see the same variant
        pages.append(client.get(LESSON).get_data(as_text=True))
        clients.append(client)
    first, second = (_tokens(page) for page in pages)
    assert len(first) == 1 and len(second) == 1 and first != second
    # The kept page's forms work for the reader they were served to, and only for them.
    assert clients[1].post(LESSON + "/done", data={"csrf_token": first.pop()}).status_code == 400
    done = clients[1].post(LESSON + "/done", data={"csrf_token": second.pop()})
    assert done.status_code == 302 and "/quizzes/" in done.headers["Location"]


def test_marking_a_lesson_done_shows_on_its_page_at_once(client, auth, make_user, catalogue):
    auth.login(make_user())
    assert "Bạn đã học xong bài này" not in client.get(LESSON).get_data(as_text=True)
    client.post(LESSON + "/done")
    page = client.get(LESSON).get_data(as_text=True)
    assert "Bạn đã học xong bài này" in page and "Làm lại bài kiểm tra nhanh" in page


def test_text_size_contrast_and_language_change_the_page_at_once(client, auth, make_user, catalogue):
    auth.login(make_user())
    assert '<html lang="vi">' in client.get(LESSON).get_data(as_text=True)
    client.post("/preferences", data={"action": "bigger"})
    assert '<html lang="vi" class="text-1">' in client.get(LESSON).get_data(as_text=True)
    client.post("/preferences", data={"action": "contrast"})
    assert '<html lang="vi" class="text-1 contrast">' in client.get(LESSON).get_data(as_text=True)
    client.post("/language", data={"locale": "en"})
    assert '<html lang="en" class="text-1 contrast">' in client.get(LESSON).get_data(as_text=True)


def test_a_new_role_shows_in_the_menu_at_once(client, auth, make_user, catalogue):
    learner = make_user()
    auth.login(learner)
    assert 'href="/people/"' not in client.get(LESSON).get_data(as_text=True)
    db.session.add(UserRole(user_id=learner.id, role="coordinator"))
    db.session.commit()
    assert 'href="/people/"' in client.get(LESSON).get_data(as_text=True)


def test_an_edited_lesson_shows_its_new_text_at_once(client, catalogue):
    assert "Đoạn mới thêm" not in client.get(LESSON).get_data(as_text=True)
    lesson = db.session.scalar(sa.select(Lesson).where(Lesson.slug == "cuoc-goi-gia-danh"))
    lesson.html = {**lesson.html, "vi": lesson.html["vi"] + "<p>Đoạn mới thêm</p>"}
    course = db.session.scalar(sa.select(Course).where(Course.slug == COURSE))
    course.content_hash = "edited"  # content sync changes the course's hash with any edit
    db.session.commit()
    assert "Đoạn mới thêm" in client.get(LESSON).get_data(as_text=True)


def test_a_flashed_message_shows_once_and_is_never_kept(app, client, catalogue):
    client.get(LESSON)  # the page is kept
    client.get("/my-learning")  # not signed in: "Hãy đăng nhập để tiếp tục…" is flashed
    assert "Hãy đăng nhập để tiếp tục" in client.get(LESSON).get_data(as_text=True)
    assert "Hãy đăng nhập để tiếp tục" not in client.get(LESSON).get_data(as_text=True)
    kept = app.extensions["page_cache"].pages.values()
    assert kept and not any("Hãy đăng nhập".encode() in page.body("") for page in kept)


def test_a_kept_page_goes_out_gzipped_only_to_browsers_that_take_gzip(client, catalogue):
    client.get(LESSON)
    zipped = client.get(LESSON, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    html = gzip.decompress(zipped.data).decode()
    plain = client.get(LESSON, headers={"Accept-Encoding": "identity"})
    no_gzip = client.get(LESSON, headers={"Accept-Encoding": "br, gzip;q=0"})
    assert "Content-Encoding" not in plain.headers and no_gzip.headers["Content-Encoding"] == "br"
    assert _without_tokens(html) == _without_tokens(plain.get_data(as_text=True))
    assert "<h1>Nhận ra cuộc gọi giả danh" in html


def test_missing_lesson_is_still_404_with_pages_kept(client, catalogue):
    client.get(LESSON)
    assert client.get(f"/courses/{COURSE}/khong-co").status_code == 404
    assert client.get(f"/courses/khong-co/cuoc-goi-gia-danh").status_code == 404
