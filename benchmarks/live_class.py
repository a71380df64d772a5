"""A live class of 300 phones against the app as deployed (gunicorn, gunicorn.conf.py).

    python -m benchmarks.live_class [--phones 300] [--join-seconds 60] [--follow-seconds 120]
                                    [--answer-seconds 10] [--database-url postgresql://…]

1. Builds a throw-away instance (migrations, content) with one ward, an instructor, a cohort of
   `--phones` learners and today's session; the instructor's laptop starts the class and opens
   the projector page, which polls its panel every 1.5 s as live.js does and is where the phones
   read the rotating code.
2. Joining, all within `--join-seconds`: most phones are already signed in (a learner's own phone
   stays signed in) and scan the code; a fifth come by their printed card (scan, open the card,
   "Vào học"); one in ten type phone and PIN (scan, sign-in page, PIN). A PIN check costs about
   140 ms of CPU with the production argon2 cost, so 300 PIN sign-ins would take the two cores
   some 20 s; with 30, spread over the minute as people arrive, they take 4 s of it. Card and
   remembered sign-ins are a SHA-256 lookup.
3. Following for `--follow-seconds`: every phone polls its state every 2 s with If-None-Match, as
   live.js does (304 when nothing changed); the instructor moves to the next slide every 20 s.
4. Answering: the instructor sends a question; each phone sees it on its next poll, "reads" it for
   0.5–6 s and answers as live.js sends it (`X-Requested-With: fetch`: the reply is the phone's
   new fragment, no page reload). All within `--answer-seconds`.
5. The projector's panel is read at the end: joined, connected and answered counts, and each bar's
   count, must equal what the phones did.

Each phone talks from its own address (127.0.0.2, 127.0.0.3, …), as phones on a hall's Wi-Fi do,
so per-address rate limits apply as they would there. Requests go only to the local server. Not a
test: numbers go into README by hand.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

from benchmarks.page_weight import BIN, ROOT, free_port, start_gunicorn

UA = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Mobile Safari/537.36"
PIN = "482916"
POLL_SECONDS = 2.0
SCREEN_POLL_SECONDS = 1.5
TARGET_P95_MS = 150


# ---- the instance ----------------------------------------------------------------------------

def build_class(phones: int, by_card: int, by_pin: int) -> dict:
    """Run inside a fresh process whose environment names the database (see main)."""
    from datetime import time as clock, timedelta

    import sqlalchemy as sa

    from lms import create_app
    from lms.accounts.models import AccountSession
    from lms.accounts.principal import SESSION_KEY, SESSION_VERSION
    from lms.accounts.people import create_person
    from lms.accounts.services import hash_secret
    from lms.accounts.signins import key_hash
    from lms.accounts.cards import issue_cards
    from lms.cohorts.schedule import add_session, vietnam_today
    from lms.cohorts.services import create_cohort, enrol
    from lms.courses.models import Course
    from lms.extensions import db
    from lms.quizzes.services import check_quiz_for
    from lms.timeutil import utcnow
    from lms.wards.models import ResidentialGroup, Ward

    app = create_app()
    serializer = app.session_interface.get_signing_serializer(app)

    def signed_in(user) -> str:
        key, now = os.urandom(24).hex(), utcnow()
        db.session.add(AccountSession(user_id=user.id, key_hash=key_hash(key), session_version=user.session_version,
                                      label="android|Chrome", method="card", created_at=now, last_seen_at=now,
                                      expires_at=now + timedelta(days=14)))
        return serializer.dumps({"_permanent": True, "_user_id": str(user.id), "_fresh": True,
                                 SESSION_KEY: key, SESSION_VERSION: user.session_version})

    with app.app_context():
        ward = Ward(name="Phường Đo Tải", kind="phuong", province="Tỉnh Thử")
        ward.groups = [ResidentialGroup(name="Tổ dân phố số 1", kind="to_dan_pho")]
        db.session.add(ward)
        db.session.flush()
        course = next(c for c in db.session.scalars(sa.select(Course).order_by(Course.id))
                      if any(lesson.slides and check_quiz_for(lesson.id) for lesson in c.active_lessons))
        lesson = next(lesson for lesson in course.active_lessons if lesson.slides and check_quiz_for(lesson.id))
        instructor = create_person(full_name="Lê Văn Giảng", phone="0900000901", roles=("instructor",), ward=ward)
        coordinator = create_person(full_name="Trần Thị Điều", phone="0900000902", roles=("coordinator",), ward=ward)
        cohort = create_cohort(ward_id=ward.id, name="Lớp đo tải", audience="everyone",
                               instructor_ids=[instructor.id], course_ids=[course.id])
        pin_hash = hash_secret(PIN)  # one argon2 hash for all: the cost is in checking, not here
        learners = []
        for n in range(phones):
            person = create_person(full_name=f"Học Viên {n:03d}", phone=f"0912{n:06d}", ward=ward, birth_year=1960)
            person.secret_hash = pin_hash
            learners.append(person)
        db.session.flush()
        for person in learners:
            enrol(cohort, person, by=coordinator, consent=True)
        session = add_session(cohort, day=vietnam_today(), starts_at=clock(8, 0), place="Nhà văn hoá tổ 1")
        card_people = learners[:by_card]
        cards = {person.id: raw for person, raw, _token in issue_cards(cohort, card_people, coordinator)}
        db.session.flush()
        plan = []
        for n, person in enumerate(learners):
            if n < by_card:
                plan.append({"how": "card", "card": cards[person.id]})
            elif n < by_card + by_pin:
                plan.append({"how": "pin", "phone": person.phone})
            else:
                plan.append({"how": "remembered", "cookie": signed_in(person)})
        result = {"instructor": signed_in(instructor), "session_id": session.id, "lesson_id": lesson.id,
                  "slides": len((lesson.slides or {}).get("vi") or []), "phones": plan,
                  "cookie_name": app.config["SESSION_COOKIE_NAME"]}
        db.session.commit()
    return result


# ---- a small HTTP/1.1 client (gunicorn's sync workers close every connection) -----------------

@dataclass
class Reply:
    status: int
    headers: dict
    body: str
    ms: float


class Client:
    def __init__(self, port: int, address: str, cookies: dict | None = None):
        self.port, self.address, self.cookies = port, address, dict(cookies or {})

    async def send(self, method: str, path: str, data: dict | None = None, headers: dict | None = None) -> Reply:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}", "Connection: close",
                 f"User-Agent: {UA}", "Accept: text/html"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        for key, value in (headers or {}).items():
            lines.append(f"{key}: {value}")
        if method == "POST":
            lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
        start = time.perf_counter()
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port, local_addr=(self.address, 0))
        try:
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
            raw = await reader.read()
        finally:
            writer.close()
        ms = (time.perf_counter() - start) * 1000
        head, _, payload = raw.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        reply_headers: dict = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                cookie = SimpleCookie()
                cookie.load(value)
                for morsel in cookie.values():
                    if morsel["expires"] and "1970" in morsel["expires"] or morsel["max-age"] == "0":
                        self.cookies.pop(morsel.key, None)
                    else:
                        self.cookies[morsel.key] = morsel.value
            reply_headers[name] = value
        return Reply(int(status_line.split()[1]), reply_headers, payload.decode("utf-8", "replace"), ms)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'name="csrf-token" content="([^"]+)"', html)
    return match.group(1) if match else ""


def local_path(location: str) -> str:
    parts = urllib.parse.urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# ---- the class -------------------------------------------------------------------------------

@dataclass
class Record:
    times: dict = field(default_factory=lambda: {k: [] for k in ("join", "join request", "follow", "answer",
                                                                  "projector")})
    errors: dict = field(default_factory=dict)
    statuses: dict = field(default_factory=dict)

    def add(self, kind: str, reply: Reply, ok: tuple[int, ...]) -> Reply:
        self.times[kind].append(reply.ms)
        self.statuses[(kind, reply.status)] = self.statuses.get((kind, reply.status), 0) + 1
        if reply.status not in ok:
            self.error(kind, f"{reply.status} {reply.body[:120]!r}")
        return reply

    def error(self, kind: str, what: str) -> None:
        self.errors.setdefault(kind, []).append(what)


class Hall:
    def __init__(self, args, port: int, setup: dict):
        self.args, self.port, self.setup = args, port, setup
        self.record = Record()
        self.code = ""
        self.live_id = 0
        self.screen_key = ""
        self.csrf = ""
        self.stop_at = 0.0
        self.chosen: dict[str, int] = {}
        self.order: list[str] = []
        self.answers: list[asyncio.Task] = []
        self.answered = 0
        self.joined = 0
        self.panel = ""
        self.cookie_name = setup["cookie_name"]
        self.laptop = Client(port, "127.0.0.1", {self.cookie_name: setup["instructor"]})

    # -- the instructor's laptop and the projector --
    async def start_class(self) -> None:
        path = f"/live/sessions/{self.setup['session_id']}/start"
        page = await self.laptop.send("GET", path)
        reply = await self.laptop.send("POST", path, {"csrf_token": csrf_of(page.body),
                                                       "lesson_id": self.setup["lesson_id"]})
        assert reply.status == 302, reply
        self.live_id = int(re.search(r"/live/(\d+)", reply.headers["location"]).group(1))
        present = await self.laptop.send("GET", f"/live/{self.live_id}/present")
        self.screen_key = re.search(r'data-key="([^"]+)"', present.body).group(1)
        self.csrf = csrf_of(present.body)
        self.read_panel(present.body)

    def read_panel(self, html: str) -> None:
        self.panel = html
        match = re.search(r'data-code="(\d{6})"', html)
        if match:
            self.code = match.group(1)

    async def projector(self) -> None:
        etag = None
        while time.monotonic() < self.stop_at:
            headers = {"If-None-Match": etag} if etag else {}
            reply = self.record.add("projector", await self.laptop.send(
                "GET", f"/live/{self.live_id}/screen?key={self.screen_key}", headers=headers), (200, 304))
            if reply.status == 200:
                etag = reply.headers.get("etag")
                self.read_panel(reply.body)
            await asyncio.sleep(SCREEN_POLL_SECONDS)

    async def instructor(self, follow_from: float, ask_at: float) -> None:
        await asyncio.sleep(max(0.0, follow_from - time.monotonic()))
        slide = 0
        while time.monotonic() + 20 < ask_at and slide < self.setup["slides"] - 1:
            await asyncio.sleep(20)
            slide += 1
            reply = await self.laptop.send("POST", f"/live/{self.live_id}/slide",
                                           {"slide": slide, "key": self.screen_key, "csrf_token": self.csrf})
            if reply.status != 200:
                self.record.error("projector", f"slide {reply.status}")
        await asyncio.sleep(max(0.0, ask_at - time.monotonic()))
        control = await self.laptop.send("GET", f"/live/{self.live_id}")
        question_id = re.search(r'name="question_id" value="(\d+)"', control.body).group(1)
        reply = await self.laptop.send("POST", f"/live/{self.live_id}/questions",
                                       {"question_id": question_id, "csrf_token": csrf_of(control.body)})
        if reply.status != 302:
            self.record.error("projector", f"send question {reply.status}")

    # -- a phone --
    async def phone(self, n: int, plan: dict, join_at: float) -> None:
        address = f"127.0.{(n + 2) // 256}.{(n + 2) % 256}"
        cookies = {self.cookie_name: plan["cookie"]} if plan["how"] == "remembered" else {}
        phone = Client(self.port, address, cookies)
        await asyncio.sleep(max(0.0, join_at - time.monotonic()))
        try:
            await self.join(phone, plan)
        except Exception as exc:  # noqa: BLE001  (reported, not raised: one phone's failure is a number)
            self.record.error("join", f"{plan['how']}: {exc!r}")
            return
        self.joined += 1
        await self.follow(phone, n)

    async def join(self, phone: Client, plan: dict) -> None:
        record, start = self.record, time.perf_counter()

        async def step(method, path, data=None, ok=(200, 302)):
            return record.add("join request", await phone.send(method, path, data), ok)

        reply = await step("GET", f"/j/{self.code}", ok=(302,))
        target = local_path(reply.headers["location"])
        if plan["how"] == "card":
            page = await step("GET", f"/s/{plan['card']}", ok=(200,))
            reply = await step("POST", f"/s/{plan['card']}", {"csrf_token": csrf_of(page.body)}, ok=(302,))
            target = local_path(reply.headers["location"])
        elif plan["how"] == "pin":
            page = await step("GET", target, ok=(200,))
            next_url = urllib.parse.parse_qs(urllib.parse.urlsplit(target).query)["next"][0]
            reply = await step("POST", "/login", {"csrf_token": csrf_of(page.body), "phone": plan["phone"],
                                                  "secret": PIN, "next": next_url}, ok=(302,))
            target = local_path(reply.headers["location"])
        while "/follow" not in target:
            reply = await step("GET", target, ok=(302,))
            target = local_path(reply.headers["location"])
        page = await step("GET", target, ok=(200,))
        if "Bạn đã vào lớp và được điểm danh có mặt." not in page.body:
            record.error("join", f"{plan['how']}: not told they are present")
        record.times["join"].append((time.perf_counter() - start) * 1000)
        phone.follow_path = target

    async def follow(self, phone: Client, n: int) -> None:
        etag, answered_id = None, None
        await asyncio.sleep(random.uniform(0, POLL_SECONDS))
        while time.monotonic() < self.stop_at:
            headers = {"If-None-Match": etag, "X-Requested-With": "fetch"} if etag else {"X-Requested-With": "fetch"}
            try:
                reply = self.record.add("follow", await phone.send("GET", f"/live/{self.live_id}/state",
                                                                    headers=headers), (200, 304))
            except OSError as exc:
                self.record.error("follow", repr(exc))
                reply = None
            if reply is not None and reply.status == 200:
                etag = reply.headers.get("etag")
                asked = re.search(r'name="asked_id" value="(\d+)"', reply.body)
                if asked and asked.group(1) != answered_id:
                    answered_id = asked.group(1)
                    self.answers.append(asyncio.create_task(self.answer(phone, reply.body, answered_id, n)))
            await asyncio.sleep(POLL_SECONDS)

    async def answer(self, phone: Client, fragment: str, asked_id: str, n: int) -> None:
        await asyncio.sleep(random.uniform(0.5, 6.0))
        choices = re.findall(r'name="choice" value="([^"]+)"', fragment)
        self.order = choices
        choice = choices[n % len(choices)]
        # As live.js sends it: the reply is the phone's new fragment, no page reload after it.
        reply = self.record.add("answer", await phone.send(
            "POST", f"/live/{self.live_id}/answer", {"csrf_token": csrf_of(fragment), "asked_id": asked_id,
                                                      "choice": choice}, headers={"X-Requested-With": "fetch"}),
            (200,))
        if reply.status == 200:
            self.chosen[choice] = self.chosen.get(choice, 0) + 1
            self.answered += 1
            if "Bạn đã trả lời." not in reply.body:
                self.record.error("answer", "the phone was not told its answer was sent")

    async def run(self) -> dict:
        args = self.args
        await self.start_class()
        t0 = time.monotonic()
        follow_from = t0 + args.join_seconds
        ask_at = follow_from + args.follow_seconds
        self.stop_at = ask_at + args.answer_seconds + 4
        plans = self.setup["phones"]
        rng = random.Random(15)
        # Arrivals spread over the minute (the last ones 5 s before its end); PIN sign-ins evenly.
        span = max(1.0, args.join_seconds - 5)
        pins = [i for i, p in enumerate(plans) if p["how"] == "pin"]
        starts = {i: t0 + span * (k + 0.5) / max(len(pins), 1) for k, i in enumerate(pins)}
        tasks = [asyncio.create_task(self.projector()), asyncio.create_task(self.instructor(follow_from, ask_at))]
        for i, plan in enumerate(plans):
            tasks.append(asyncio.create_task(self.phone(i, plan, starts.get(i, t0 + rng.uniform(0, span)))))
        await asyncio.gather(*tasks)
        await asyncio.gather(*self.answers)
        # The projector at the end: one fresh read of its panel.
        reply = await self.laptop.send("GET", f"/live/{self.live_id}/screen?key={self.screen_key}")
        return self.check_panel(reply.body)

    def check_panel(self, html: str) -> dict:
        def number(pattern):
            match = re.search(pattern, html)
            return int(match.group(1)) if match else -1

        bars = [int(n) for n in re.findall(r'class="bar-count">(\d+) ', html)]
        # The phones' buttons and the projector's bars are in the same order (the quiz file's).
        expected = [self.chosen.get(key, 0) for key in self.order]
        return {"joined": number(r"(\d+) người đã vào lớp"), "connected": number(r"(\d+) điện thoại đang theo dõi"),
                "answered": number(r"(\d+) người đã trả lời"), "bars": bars, "expected bars": expected}


def server_cpu_seconds(master: int) -> float:
    """CPU time the gunicorn workers used (a measure the machine's other load barely moves)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for child in Path(f"/proc/{master}/task/{master}/children").read_text().split():
        fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--phones", type=int, default=300)
    parser.add_argument("--card-share", type=float, default=0.2, help="of the phones, this share come by card")
    parser.add_argument("--pin-share", type=float, default=0.1, help="this share sign in with phone and PIN")
    parser.add_argument("--join-seconds", type=int, default=60)
    parser.add_argument("--follow-seconds", type=int, default=120)
    parser.add_argument("--answer-seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, help="default: as gunicorn.conf.py (one sync worker per core)")
    parser.add_argument("--database-url", help="an empty database to use instead of a throw-away SQLite file "
                                                "(e.g. postgresql://postgres@127.0.0.1:5432/lms_bench_live)")
    parser.add_argument("--redis-url", help="REDIS_URL for the app (rate limits), if any")
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:  # the child process that fills the database
        by_card, by_pin = int(args.phones * args.card_share), int(args.phones * args.pin_share)
        print(json.dumps(build_class(args.phones, by_card, by_pin)))
        return

    tmp = Path(tempfile.mkdtemp(prefix="lms-bench-live-"))
    database = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    env = dict(os.environ, DATABASE_URL=database, SECRET_KEY="benchmark-only")
    env.pop("REDIS_URL", None)
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    for step in (["db", "upgrade"], ["content", "sync"]):
        subprocess.run(flask + step, cwd=ROOT, env=env, check=True, capture_output=True)
    built = subprocess.run([sys.executable, "-m", "benchmarks.live_class", "--build", "--phones", str(args.phones),
                            "--card-share", str(args.card_share), "--pin-share", str(args.pin_share)],
                           cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    setup = json.loads(built.stdout.strip().splitlines()[-1])
    port = free_port()
    proc = start_gunicorn(env, port, args.workers, None)
    try:
        hall = Hall(args, port, setup)
        started = time.monotonic()
        panel = asyncio.run(hall.run())
        elapsed = time.monotonic() - started
        hall.server_cpu = server_cpu_seconds(proc.pid)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)
    report(args, hall, panel, database, elapsed)


def report(args, hall: Hall, panel: dict, database: str, elapsed: float) -> None:
    import runpy

    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    engine = "PostgreSQL" if database.startswith("postgres") else "SQLite"
    hows = {}
    for plan in hall.setup["phones"]:
        hows[plan["how"]] = hows.get(plan["how"], 0) + 1
    record = hall.record
    print(f"gunicorn: {args.workers or conf['workers']} workers ({conf['worker_class']}), {engine}"
          f"{' + Redis' if args.redis_url else ''}, {os.cpu_count()} cores; {args.phones} phones "
          f"({', '.join(f'{n} {how}' for how, n in hows.items())}); {elapsed:.0f} s")
    for kind in ("join", "join request", "follow", "answer", "projector"):
        values = record.times[kind]
        statuses = ", ".join(f"{status}: {n}" for (k, status), n in sorted(record.statuses.items()) if k == kind)
        print(f"  {kind:<13} n={len(values):>6}  p50 {percentile(values, 50):7.1f} ms  p95 "
              f"{percentile(values, 95):7.1f} ms  max {max(values, default=float('nan')):7.1f} ms  "
              f"errors {len(record.errors.get(kind, []))}  ({statuses})")
    requests = sum(len(v) for k, v in record.times.items() if k != "join")
    print(f"  server CPU: {hall.server_cpu:.1f} s for {requests} requests "
          f"({1000 * hall.server_cpu / max(requests, 1):.2f} ms a request on average, PIN checks included)")
    for kind, errors in record.errors.items():
        print(f"  first errors of {kind}: {errors[:3]}")
    ok_counts = (panel["joined"] == args.phones == hall.joined and panel["connected"] == args.phones
                 and panel["answered"] == hall.answered == args.phones)
    bars_ok = panel["bars"] == panel["expected bars"]
    print(f"  projector at the end: {panel['joined']} joined, {panel['connected']} connected, "
          f"{panel['answered']} answered; bars {panel['bars']} (the phones chose {panel['expected bars']}) — "
          f"{'right' if ok_counts and bars_ok else 'WRONG'}")
    p95_follow = percentile(record.times["follow"], 95)
    p95_answer = percentile(record.times["answer"], 95)
    met = (not record.errors and ok_counts and bars_ok and p95_follow < TARGET_P95_MS and p95_answer < TARGET_P95_MS)
    print(f"  target (no error, p95 < {TARGET_P95_MS} ms for follows and answers, counts right): "
          f"{'met' if met else 'MISSED'}")
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
