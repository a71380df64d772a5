"""Faults on the province shape: PostgreSQL or Redis gone for a while, a worker killed mid-request.

PostgreSQL and Redis are reached through relays (tests/deploy/shape.py) that are cut and mended
here; the real servers keep running for everyone else.
"""
from __future__ import annotations

import os
import re
import signal
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
import sqlalchemy as sa

from lms.config import normalise_database_url
from tests.deploy.conftest import PIN
from tests.deploy.shape import DATABASE_URL, REDIS_URL, Browser, answer_every_question, wait_for

pytestmark = pytest.mark.deploy

UNAVAILABLE = "Hệ thống tạm thời gián đoạn"


def _engine():
    return sa.create_engine(normalise_database_url(DATABASE_URL))


def test_postgresql_unreachable_answers_a_503_page_and_recovers_by_itself(province):
    phone = province.browser()
    phone.sign_in(province.ward.learners[3].phone, PIN)
    assert all(phone.get("/account/devices").status == 200 for _ in range(2))
    province.database.cut()
    try:
        pages = [phone.get("/account/devices") for _ in range(2)]
        assert {page.upstream for page in pages} == province.upstreams()
        for page in pages:
            assert page.status == 503 and page.headers["Retry-After"] == "30"
            assert UNAVAILABLE in page.text
            assert "Máy chủ chưa kết nối được với cơ sở dữ liệu nên chưa lưu gì của lần này." in page.text
        # A sign-in, which must write, is refused the same way.
        other = province.browser()
        other.get("/login")
        refused = other.post("/login", {"phone": province.ward.learners[4].phone, "secret": PIN})
        assert refused.status == 503 and UNAVAILABLE in refused.text
        time.sleep(3)  # a few seconds without the database
    finally:
        province.database.mend()
    # Each process checks a pooled connection before using it: the next requests just work.
    back = [phone.get("/account/devices") for _ in range(2)]
    assert {page.upstream for page in back} == province.upstreams()
    assert [page.status for page in back] == [200, 200]
    assert "Điện thoại này" in back[0].text  # still signed in: the sign-in lives in the database


def _limiter_keys_for(address: str) -> bool:
    return any(f"/{address}/" in key.decode() for key in redis.Redis.from_url(REDIS_URL).keys("*"))


def test_redis_unreachable_sign_in_still_works_with_limits_kept_per_process(province):
    province.redis.cut()
    try:
        phone = province.browser()
        signed = phone.sign_in(province.ward.learners[4].phone, PIN)
        assert signed.status == 302
        assert all(phone.get("/account/devices").status == 200 for _ in range(2))
        # The limit (10 a minute) still holds, counted by each process in its own memory: the
        # 21st try is the first refused (10 on each process), where Redis would refuse the 11th.
        guesser = province.browser()
        guesser.get("/login")
        statuses = [guesser.post("/login", {"phone": "12", "secret": "000000"}).status for _ in range(21)]
        assert 429 not in statuses[:20] and statuses[20] == 429, statuses
        assert not _limiter_keys_for(guesser.address)
    finally:
        province.redis.mend()
    # Redis is back: each process asks it again after a short wait (1, 2, 4… s) and counts there.
    recovered: set[str] = set()

    def probe():
        visitor = Browser(province.url)
        visitor.get("/login")
        province.next_goes_to(sorted(province.upstreams() - recovered)[0])
        page = visitor.post("/login", {"phone": "12", "secret": "000000"})
        if _limiter_keys_for(visitor.address):
            recovered.add(page.upstream)
        return recovered == province.upstreams()

    assert wait_for(probe, seconds=40, every=0.5), recovered
    shared = province.browser()
    shared.get("/login")
    statuses = [shared.post("/login", {"phone": "12", "secret": "000000"}).status for _ in range(11)]
    assert 429 not in statuses[:10] and statuses[10] == 429, statuses


def _kill_the_worker_waiting_on(province, engine, table: str, send) -> tuple[dict, str]:
    """Lock `table`, send the request (in a thread), find the process whose transaction waits for
    the table, SIGKILL its worker, then unlock; wait until PostgreSQL has ended that transaction.
    The response and the process."""
    lock = engine.connect()
    lock.execute(sa.text(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))
    answer: dict = {}
    request = threading.Thread(target=lambda: answer.update(page=send()))
    request.start()
    try:
        with engine.connect() as look:
            waiting = wait_for(lambda: look.execute(sa.text(
                "SELECT pid, application_name FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND application_name LIKE 'lms-%'")).first(), seconds=30)
        assert waiting, f"the request never reached the locked table {table}"
        backend, application = waiting
        upstream = "127.0.0.1:" + application.removeprefix("lms-")
        os.kill(province.worker_pid(upstream), signal.SIGKILL)
        request.join(60)
    finally:
        lock.rollback()
        lock.close()

    def backend_gone():
        with engine.connect() as look:
            return not look.scalar(sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = :p"), {"p": backend})

    assert wait_for(backend_gone, seconds=30)  # its transaction is over, rolled back
    return answer, upstream


def test_a_worker_killed_mid_submit_leaves_no_half_written_attempt(province):
    """The submit has marked the attempt submitted in its transaction and waits for the answers
    table (locked here); its worker is killed. PostgreSQL rolls the transaction back."""
    phone = province.browser()
    phone.sign_in(province.ward.learners[5].phone, PIN)
    quiz_id = province.ward.check_quiz_ids[1]
    started = phone.post(f"/quizzes/{quiz_id}/start")
    attempt_id = int(re.search(r"/attempts/(\d+)/", started.location).group(1))
    attempt_url = f"/quizzes/attempts/{attempt_id}"
    questions = answer_every_question(phone, attempt_url)

    engine = _engine()
    answer, upstream = _kill_the_worker_waiting_on(province, engine, "answer",
                                                   lambda: phone.post(f"{attempt_url}/submit"))
    page = answer["page"]
    assert page.status == 502 and UNAVAILABLE in page.text  # nginx's page: the worker is gone
    with engine.connect() as look:
        row = look.execute(sa.text("SELECT submitted_at, correct_count, passed FROM quiz_attempt WHERE id = :a"),
                           {"a": attempt_id}).one()
        assert tuple(row) == (None, None, None)  # nothing of the killed submit was kept
        assert look.scalar(sa.text("SELECT count(*) FROM answer WHERE attempt_id = :a"), {"a": attempt_id}) == questions
    # The learner taps again (the other process, or the restarted worker): scored once, now.
    again = phone.post(f"{attempt_url}/submit")
    assert again.status == 302 and again.location.endswith(f"{attempt_url}/result")
    with engine.connect() as look:
        assert look.scalar(sa.text("SELECT submitted_at FROM quiz_attempt WHERE id = :a"),
                           {"a": attempt_id}) is not None
    engine.dispose()
    # gunicorn started a new worker in the killed one's place.
    assert wait_for(lambda: Browser(province.url).get("/login").upstream == upstream, seconds=30)


def test_a_worker_killed_mid_import_leaves_nobody_written(province):
    """The confirmation has claimed the preview and is writing people when its worker is killed."""
    coordinator = province.browser()
    coordinator.sign_in(province.ward.coordinator.phone, PIN)
    cohort = province.ward.cohort_id
    coordinator.get(f"/cohorts/{cohort}/import")
    sheet = "\n".join(["Họ và tên,Số điện thoại,Năm sinh,Tổ dân phố"] + [
        f"Người Nhập Số {n},0915{n:06d},{1950 + n},Tổ dân phố số 1" for n in range(1, 41)]).encode()
    uploaded = coordinator.upload(f"/cohorts/{cohort}/import", "sheet", "lop-moi.csv", sheet)
    assert uploaded.status == 302, uploaded.text[:500]
    preview = urlsplit(uploaded.location).path
    coordinator.get(preview)
    engine = _engine()
    count = "SELECT count(*) FROM user_account WHERE full_name LIKE 'Người Nhập Số %'"
    answer, _ = _kill_the_worker_waiting_on(province, engine, "enrollment",
                                               lambda: coordinator.post(preview, {"consent": "y"}))
    assert answer["page"].status == 502 and UNAVAILABLE in answer["page"].text
    with engine.connect() as look:
        assert look.scalar(sa.text(count)) == 0
        assert look.scalar(sa.text("SELECT count(*) FROM staged_import WHERE confirmed_at IS NOT NULL")) == 0
    # Confirmed again, on a process that is running: all 40, once.
    assert wait_for(lambda: coordinator.post(preview, {"consent": "y"}).status == 302, seconds=30)
    with engine.connect() as look:
        assert look.scalar(sa.text(count)) == 40
    engine.dispose()


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_one_process_down_the_other_serves_everyone(province):
    """Last in this module: it stops one of the two processes for good."""
    first, second = sorted(province.upstreams())
    master = province.pids[province.ports.index(int(first.rsplit(":", 1)[1]))]
    os.kill(master, signal.SIGTERM)
    assert wait_for(lambda: not _running(master), seconds=30)
    phone = province.browser()
    phone.sign_in(province.ward.learners[6].phone, PIN)
    pages = [phone.get("/account/devices") for _ in range(4)]
    assert [page.status for page in pages] == [200] * 4
    assert {page.upstream for page in pages} == {second}
