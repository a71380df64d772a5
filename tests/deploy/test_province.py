"""A province on one machine, over real HTTP through nginx: two gunicorn processes answer in turn,
and whatever a person does on one is there on the other (sign-in, waits after wrong PINs, rate
limits in Redis, a live class, a quiz attempt, a lesson's new content)."""
from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.config import normalise_database_url
from tests.deploy.conftest import COURSE, PIN
from tests.deploy.shape import DATABASE_URL, answer_every_question

pytestmark = pytest.mark.deploy

WRONG_ANSWER = "Số điện thoại hoặc mã PIN chưa đúng, hoặc bạn đã thử quá nhiều lần."


def _sql(query: str, **params):
    engine = sa.create_engine(normalise_database_url(DATABASE_URL))
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(query), params).all()
    finally:
        engine.dispose()


def test_nginx_takes_the_processes_in_turn_and_serves_static_files_itself(province):
    visitor = province.browser()
    landed = [visitor.get("/login").upstream for _ in range(4)]
    assert set(landed) == province.upstreams()
    assert all(a != b for a, b in zip(landed, landed[1:]))  # round-robin: never twice the same
    css = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]+)"', visitor.get("/login").text).group(1)
    static = visitor.get(css, headers={"Accept-Encoding": "gzip"})
    assert static.status == 200 and static.upstream is None  # no gunicorn worker woken
    assert static.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert static.headers["Content-Encoding"] == "gzip"


def test_a_body_over_the_upload_limit_is_refused_by_nginx_in_vietnamese(province):
    visitor = province.browser()
    page = visitor.request("POST", "/login", body=b"x" * (6 * 1024 * 1024 + 1),
                           headers={"Content-Type": "application/octet-stream"})
    assert page.status == 413 and page.upstream is None
    assert "Tệp quá lớn" in page.text and "Chưa có gì được lưu." in page.text


def test_a_prefix_or_host_a_client_made_up_is_not_believed(province):
    visitor = province.browser()
    page = visitor.get("/login", headers={"X-Forwarded-Prefix": "/gia-mao", "X-Forwarded-Host": "lua.example",
                                          "X-Forwarded-Ssl": "on", "X-Forwarded-Protocol": "ssl"})
    # Passed on, the two https claims would contradict nginx's X-Forwarded-Proto: gunicorn's 400.
    assert page.status == 200
    assert "/gia-mao" not in page.text and "lua.example" not in page.text


def test_signed_in_on_one_process_and_served_by_the_other(province):
    lan = province.ward.learners[0]
    phone = province.browser()
    signed = phone.sign_in(lan.phone, PIN)
    pages = [phone.get("/account/devices") for _ in range(2)]
    # Signed in on one process; each process in turn shows the person their own devices.
    assert signed.upstream in province.upstreams()
    assert {page.upstream for page in pages} == province.upstreams()
    assert all(page.status == 200 and "Điện thoại này" in page.text for page in pages)
    # Signing out on one process ends the sign-in on both.
    assert phone.post("/logout").status == 302
    after = [phone.get("/account/devices") for _ in range(2)]
    assert {page.upstream for page in after} == province.upstreams()
    assert all(page.status == 302 and "/login" in page.location for page in after)


def test_the_sign_in_limit_counts_attempts_on_both_processes(province):
    """LOGIN_RATE_LIMIT is 10 a minute here; Redis holds the count for both processes."""
    guesser = province.browser()
    guesser.get("/login")
    tries = [guesser.post("/login", {"phone": "12", "secret": "000000"}) for _ in range(10)]
    assert {page.upstream for page in tries} == province.upstreams()
    assert all(page.status in (401, 422) for page in tries), [page.status for page in tries]
    refused = guesser.post("/login", {"phone": "12", "secret": "000000"})
    assert refused.status == 429 and "Thử lại sau ít phút" in refused.text
    # A forwarded-for header the client wrote itself is not its address: nginx adds the real one.
    spoofed = guesser.post("/login", {"phone": "12", "secret": "000000"}, headers={"X-Forwarded-For": "203.0.113.9"})
    assert spoofed.status == 429
    # Someone else, from another address, is not held back.
    other = province.browser()
    other.sign_in(province.ward.learners[1].phone, PIN)


def test_wrong_pins_make_the_next_try_wait_on_either_process(province):
    """Three wrong PINs are free, then each wait doubles (1, 2, 4 s), counted in the database: the
    right PIN, tried on both processes at once within the wait, is refused by both."""
    chi = province.ward.learners[2]
    phone = province.browser()
    phone.get("/login")

    def attempt(pin, browser=phone):
        return browser.post("/login", {"phone": chi.phone, "secret": pin})

    wrong = [attempt("135790") for _ in range(4)]  # the 4th makes the next wait 1 s
    assert {page.upstream for page in wrong} == province.upstreams()
    assert all(page.status == 401 and WRONG_ANSWER in page.text for page in wrong)
    time.sleep(1.2)
    assert attempt("135790").status == 401  # the 5th: wait 2 s
    time.sleep(2.2)
    sixth = time.monotonic()
    assert attempt("135790").status == 401  # the 6th: wait 4 s from its start
    # The same phone (address and cookies) sends the right PIN twice at the same moment: nginx
    # hands one to each process; the wait is read at the start of each, well inside the 4 s.
    twins = [phone, replace(phone, cookies=dict(phone.cookies))]
    with ThreadPoolExecutor(2) as pool:
        too_soon = list(pool.map(lambda browser: attempt(PIN, browser), twins))
    assert {page.upstream for page in too_soon} == province.upstreams()
    assert all(page.status == 401 and WRONG_ANSWER in page.text for page in too_soon)
    time.sleep(max(0.0, sixth + 4.3 - time.monotonic()))
    assert attempt(PIN).status == 302


def test_a_live_class_is_joined_and_followed_through_both_processes(province):
    ward = province.ward
    teacher = province.browser()
    teacher.sign_in(ward.instructor.phone, PIN)
    started = teacher.post(f"/live/sessions/{ward.class_session_id}/start", {"lesson_id": ward.lesson_ids[0]})
    assert started.status == 302
    live_id = int(re.search(r"/live/(\d+)$", started.location).group(1))
    key = re.search(r'data-key="([^"]+)"', teacher.get(f"/live/{live_id}/present").text).group(1)
    code = re.search(r"/j/(\d+)", teacher.get(f"/live/{live_id}/screen?key={key}").text).group(1)

    phone = province.browser()
    phone.sign_in(ward.learners[1].phone, PIN)
    joined = phone.get(f"/j/{code}")
    assert joined.status == 302 and joined.location.endswith(f"/live/{live_id}/follow")
    follow = phone.get(f"/live/{live_id}/follow")
    assert follow.status == 200 and "Bạn đã vào lớp và được điểm danh có mặt." in follow.text

    state = f"/live/{live_id}/state"
    first = phone.get(state)
    etag = first.headers["ETag"]
    unchanged = [phone.get(state, headers={"If-None-Match": etag}) for _ in range(2)]
    assert {page.upstream for page in unchanged} == province.upstreams()
    assert [page.status for page in unchanged] == [304, 304]

    # The projector moves on, through one process; the phone sees it on both.
    moved = teacher.post(f"/live/{live_id}/slide", {"slide": "1", "key": key})
    assert moved.status == 200, moved.text
    news = [phone.get(state, headers={"If-None-Match": etag}) for _ in range(2)]
    assert {page.upstream for page in news} == province.upstreams()
    assert [page.status for page in news] == [200, 200]
    assert news[0].text == news[1].text != first.text
    assert news[0].headers["ETag"] == news[1].headers["ETag"] != etag

    # Both processes count the one phone that joined (the projector's ETag carries the count).
    screens = [teacher.get(f"/live/{live_id}/screen?key={key}") for _ in range(2)]
    assert {page.upstream for page in screens} == province.upstreams()
    assert all(page.headers["ETag"].strip('"').split("-")[3] == "1" for page in screens)
    present = _sql("SELECT user_id FROM attendance WHERE class_session_id = :s", s=ward.class_session_id)
    assert [row[0] for row in present] == [ward.learners[1].id]


def test_a_quiz_started_on_one_process_is_submitted_on_the_other(province):
    ward = province.ward
    phone = province.browser()
    phone.sign_in(ward.learners[0].phone, PIN)
    quiz_id = ward.check_quiz_ids[0]
    started = phone.post(f"/quizzes/{quiz_id}/start")
    assert started.status == 302
    attempt_id = int(re.search(r"/attempts/(\d+)/", started.location).group(1))
    attempt_url = f"/quizzes/attempts/{attempt_id}"
    questions = answer_every_question(phone, attempt_url)

    province.next_goes_to(province.other(started.upstream))
    submitted = phone.post(f"{attempt_url}/submit")
    assert submitted.status == 302 and submitted.location.endswith(f"{attempt_url}/result")
    assert submitted.upstream == province.other(started.upstream)
    result = phone.get(f"{attempt_url}/result")
    assert result.status == 200
    [(submitted_at, correct)] = _sql("SELECT submitted_at, correct_count FROM quiz_attempt WHERE id = :a",
                                     a=attempt_id)
    assert submitted_at is not None and correct is not None
    assert _sql("SELECT count(*) FROM answer WHERE attempt_id = :a", a=attempt_id)[0][0] == questions
    # A second tap, on the first process now, is the same result, scored once.
    province.next_goes_to(started.upstream)
    again = phone.post(f"{attempt_url}/submit")
    assert again.status == 302 and again.upstream == started.upstream
    assert _sql("SELECT submitted_at, correct_count FROM quiz_attempt WHERE id = :a", a=attempt_id) == [
        (submitted_at, correct)]


def test_a_lesson_edited_and_synced_changes_on_both_processes_at_once(province):
    ward = province.ward
    reader = province.browser()
    reader.sign_in(ward.learners[3].phone, PIN)
    url = f"/courses/{ward.course_slug}/{ward.lesson_slugs[0]}"
    added = "Đoạn mới để thử: gọi lại số tổng đài in trên mặt sau thẻ ngân hàng."
    before = [reader.get(url) for _ in range(2)]  # now kept rendered in each process
    assert {page.upstream for page in before} == province.upstreams()
    assert all(page.status == 200 and added not in page.text for page in before)

    folder = Path(province.env["LMS_CONTENT_DIR"]) / "courses" / COURSE
    [lesson_file] = [p for p in folder.glob(f"*{ward.lesson_slugs[0]}.md") if not p.name.endswith(".en.md")]
    lesson_file.write_text(lesson_file.read_text(encoding="utf-8") + f"\n\n{added}\n", encoding="utf-8")
    synced = province.flask("content", "sync")
    assert "cập nhật: 1" in synced.stdout, synced.stdout

    after = [reader.get(url) for _ in range(2)]
    assert {page.upstream for page in after} == province.upstreams()
    assert all(page.status == 200 and added in page.text for page in after)
