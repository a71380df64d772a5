"""Who acts during a province's mixed day (benchmarks.province_day), as locust users.

Imported only by benchmarks.province_day after the data is built: importing locust patches the
standard library for gevent. `configure(plan)` hands them the people built by
benchmarks.province_day_build; each request is named by its kind, and that name is what the
report's rows are.
"""
from __future__ import annotations

import io
import itertools
import random
import re
import time
from collections import deque
from urllib.parse import urlsplit

import gevent
from locust import HttpUser, between, constant, task
from requests.adapters import HTTPAdapter

PLAN: dict = {}
ROOMS: list[dict] = []
_readers: deque = deque()
_final_takers: deque = deque()
_coordinators: deque = deque()
_sheet_numbers = itertools.count()
SLIDE_SECONDS, ASK_SECONDS, SCREEN_POLL, PHONE_POLL = 20, 60, 1.5, 2.0
SHEET_ROWS = 100


def configure(plan: dict) -> dict[type, int]:
    """Share out the people; how many users of each kind to run."""
    PLAN.update(plan)
    ROOMS[:] = [dict(room, live_id=None, key="", code="", phones_left=deque(room["phones"])) for room in plan["rooms"]]
    _readers.extend(plan["readers"])
    _final_takers.extend(plan["final_takers"])
    _coordinators.extend(plan["coordinators"])
    return {Instructor: len(ROOMS), Phone: sum(len(r["phones"]) for r in ROOMS), Reader: plan["reader_users"],
            FinalQuizTaker: plan["final_users"], Coordinator: len(plan["coordinators"])}


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'name="csrf-token" content="([^"]+)"', html)
    return match.group(1) if match else ""


def path_of(location: str) -> str:
    return re.sub(r"^https?://[^/]+", "", location)


class SourceAddress(HTTPAdapter):
    """Connections from one loopback address: each phone is its own client to nginx and to the
    app's per-address rate limits, as phones on a hall's Wi-Fi are."""

    def __init__(self, address: str, **kwargs):
        self.address = address
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


class _Signed(HttpUser):
    abstract = True

    def sign_in(self, cookie: str) -> None:
        # The host's own name and path, so that the cookie the app sets back (with the CSRF
        # secret added) replaces this one rather than travelling beside it.
        self.client.cookies.clear()
        self.client.cookies.set(PLAN["cookie_name"], cookie, domain=urlsplit(self.host).hostname, path="/")

    def expect(self, method: str, path: str, name: str, ok=(200,), **kwargs):
        kwargs.setdefault("allow_redirects", False)
        with self.client.request(method, path, name=name, catch_response=True, **kwargs) as response:
            if response.status_code in ok:
                response.success()
            else:
                response.failure(f"{response.status_code}: {response.text[:160]!r}")
        return response


class Instructor(_Signed):
    """Starts the class, keeps the projector polling, turns slides, asks a question a minute."""

    wait_time = constant(SCREEN_POLL)
    _rooms = itertools.count()

    def on_start(self):
        self.room = ROOMS[next(self._rooms) % len(ROOMS)]
        self.sign_in(self.room["instructor"])
        start = f"/live/sessions/{self.room['session_id']}/start"
        page = self.expect("GET", start, "live: start page")
        reply = self.expect("POST", start, "live: start", ok=(302,),
                            data={"csrf_token": csrf_of(page.text), "lesson_id": self.room["lesson_id"]})
        live_id = int(re.search(r"/live/(\d+)", reply.headers["location"]).group(1))
        present = self.expect("GET", f"/live/{live_id}/present", "live: projector page")
        self.room["key"] = re.search(r'data-key="([^"]+)"', present.text).group(1)
        self.csrf = csrf_of(present.text)
        self.etag, self.slide = None, 0
        self.next_slide, self.next_ask = time.monotonic() + SLIDE_SECONDS, time.monotonic() + ASK_SECONDS / 2
        self.room["live_id"] = live_id
        self.poll()

    def poll(self):
        headers = {"If-None-Match": self.etag} if self.etag else {}
        reply = self.expect("GET", f"/live/{self.room['live_id']}/screen?key={self.room['key']}", "live: projector poll",
                            ok=(200, 304), headers=headers)
        if reply.status_code == 200:
            self.etag = reply.headers.get("etag")
            code = re.search(r'data-code="(\d{6})"', reply.text)
            self.room["code"] = code.group(1) if code else self.room["code"]

    @task
    def run_the_class(self):
        self.poll()
        now, live_id = time.monotonic(), self.room["live_id"]
        if now >= self.next_slide:
            self.slide += 1
            self.expect("POST", f"/live/{live_id}/slide", "live: next slide",
                        data={"slide": self.slide % 6, "key": self.room["key"], "csrf_token": self.csrf})
            self.next_slide = now + SLIDE_SECONDS
        if now >= self.next_ask:
            control = self.expect("GET", f"/live/{live_id}", "live: control page")
            askable = re.findall(r'name="question_id" value="(\d+)"', control.text)
            if askable:
                self.expect("POST", f"/live/{live_id}/questions", "live: ask", ok=(302,),
                            data={"question_id": random.choice(askable), "csrf_token": csrf_of(control.text)})
            self.next_ask = now + ASK_SECONDS


class Phone(_Signed):
    """A learner's phone in a class: scans the projector's code, follows, answers each question."""

    wait_time = constant(PHONE_POLL)
    _numbers = itertools.count(2)

    def on_start(self):
        n = next(self._numbers)
        self.client.mount("http://", SourceAddress(f"127.0.{n // 250}.{2 + n % 250}"))
        self.room = next((r for r in ROOMS if r["phones_left"]), None)
        cookie = self.room["phones_left"].popleft()
        self.sign_in(cookie)
        while not self.room["code"]:
            gevent.sleep(0.5)
        gevent.sleep(random.uniform(0, 30))  # people arrive over half a minute
        joined = self.expect("GET", f"/j/{self.room['code']}", "live: scan to join", ok=(302,))
        if joined.status_code == 302:
            self.expect("GET", path_of(joined.headers["location"]), "live: follow page")
        self.etag, self.answered = None, None

    @task
    def follow(self):
        headers = {"X-Requested-With": "fetch"}
        if self.etag:
            headers["If-None-Match"] = self.etag
        live_id = self.room["live_id"]
        reply = self.expect("GET", f"/live/{live_id}/state", "live: follow poll", ok=(200, 304), headers=headers)
        if reply.status_code != 200:
            return
        self.etag = reply.headers.get("etag")
        asked = re.search(r'name="asked_id" value="(\d+)"', reply.text)
        choices = re.findall(r'name="choice" value="([^"]+)"', reply.text)
        if asked and choices and asked.group(1) != self.answered:
            self.answered = asked.group(1)
            gevent.sleep(random.uniform(0.5, 6.0))  # reading the question
            # As live.js sends it: the reply is the phone's new fragment (no page reload), with the
            # ETag its next poll sends.
            answer = self.expect("POST", f"/live/{live_id}/answer", "live: answer", ok=(200,),
                                 data={"csrf_token": csrf_of(reply.text), "asked_id": asked.group(1),
                                       "choice": random.choice(choices)},
                                 headers={"X-Requested-With": "fetch"})
            if answer.status_code == 200:
                self.etag = answer.headers.get("etag") or self.etag


class _QuizTaker(_Signed):
    abstract = True

    def take(self, quiz_id: int, prefix: str, final: bool) -> None:
        """Start, answer each question on its page, hand in, read the result."""
        started = self.expect("POST", f"/quizzes/{quiz_id}/start", f"{prefix}: start", ok=(302,),
                              data={"csrf_token": self.csrf})
        if started.status_code != 302:
            return
        match = re.search(r"/attempts/(\d+)/", started.headers["location"])
        if not match:
            return
        attempt = match.group(1)
        number = 1
        while number <= 20:
            page = self.expect("GET", f"/quizzes/attempts/{attempt}/{number}", f"{prefix}: question page",
                               ok=(200, 302, 404))
            if page.status_code != 200:
                break
            question = re.search(r'name="question_id" value="(\d+)"', page.text)
            choices = re.findall(r'name="choice" value="([^"]+)"', page.text)
            if not question or not choices:
                break
            reply = self.expect("POST", f"/quizzes/attempts/{attempt}/{number}", f"{prefix}: answer",
                                ok=(302,) if final else (200,),
                                data={"csrf_token": csrf_of(page.text), "question_id": question.group(1),
                                      "choice": random.choice(choices)})
            if final and "/review" in reply.headers.get("location", ""):
                break
            number += 1
            gevent.sleep(random.uniform(1, 4))  # reading the next question
        done = self.expect("POST", f"/quizzes/attempts/{attempt}/submit", f"{prefix}: hand in", ok=(302,),
                           data={"csrf_token": self.csrf, "confirm": "1"})
        if done.status_code == 302:
            self.expect("GET", path_of(done.headers["location"]), f"{prefix}: result page")


class Reader(_QuizTaker):
    """A learner at home: reads a lesson, marks it read, answers its check."""

    wait_time = between(5, 20)

    def on_start(self):
        self.sign_in(_readers[0])
        _readers.rotate(-1)
        self.csrf = ""

    @task
    def read_a_lesson(self):
        lesson = random.choice(PLAN["lessons"])
        page = self.expect("GET", lesson["path"], "lesson page")
        self.csrf = csrf_of(page.text) or self.csrf
        gevent.sleep(random.uniform(5, 20))  # reading
        self.expect("POST", lesson["path"] + "/done", "lesson: mark read", ok=(302,), data={"csrf_token": self.csrf})
        if lesson["check"]:
            self.take(lesson["check"], "lesson check", final=False)


class FinalQuizTaker(_QuizTaker):
    """Learners who have read a course, one after another, taking its final quiz once each."""

    wait_time = between(2, 6)

    @task
    def take_the_final_quiz(self):
        if not _final_takers:
            return
        self.sign_in(_final_takers.popleft())
        page = self.expect("GET", f"/quizzes/{PLAN['final_quiz']}/", "final quiz: page")
        self.csrf = csrf_of(page.text)
        self.take(PLAN["final_quiz"], "final quiz", final=True)


def make_sheet(rows: int) -> bytes:
    """A ward's list as an office keeps it: a title row, headings, new people with new numbers."""
    from openpyxl import Workbook

    family, given = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ"], ["An", "Bình", "Hà", "Lan", "Mai", "Sơn"]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["DANH SÁCH HỌC VIÊN LỚP KỸ NĂNG SỐ"])
    sheet.append(["STT", "Họ và tên", "Số điện thoại", "Năm sinh"])
    for i in range(rows):
        n = next(_sheet_numbers)
        sheet.append([i + 1, f"{family[n % 6]} Thị {given[(n // 6) % 6]} {n}", f"097{n:07d}", 1945 + n % 50])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class Coordinator(_Signed):
    """A ward officer: the dashboard often, an export now and then, a sheet of new people."""

    wait_time = between(10, 30)

    def on_start(self):
        self.me = _coordinators.popleft()
        self.sign_in(self.me["cookie"])

    @task(4)
    def dashboard(self):
        self.expect("GET", f"/reports/wards/{self.me['ward_id']}", "ward dashboard")

    @task(2)
    def export_roster(self):
        kind = random.choice(("xlsx", "csv"))
        self.expect("GET", f"/cohorts/{self.me['export_cohort']}/roster.{kind}", f"roster export {kind}")

    @task(1)
    def import_sheet(self):
        url = f"/cohorts/{self.me['import_cohort']}/import"
        page = self.expect("GET", url, "import: page")
        upload = self.expect("POST", url, "import: upload", ok=(302,), data={"csrf_token": csrf_of(page.text)},
                             files={"sheet": ("danh-sach.xlsx", make_sheet(SHEET_ROWS),
                                              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")})
        if upload.status_code != 302:
            return
        preview_url = path_of(upload.headers["location"])
        preview = self.expect("GET", preview_url, "import: preview")
        self.expect("POST", preview_url, "import: confirm", ok=(302,),
                    data={"csrf_token": csrf_of(preview.text), "consent": "y"})
