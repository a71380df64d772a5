"""Page weight and lesson-page latency, measured the way a learner's phone meets them.

    python -m benchmarks.page_weight [--clients 50] [--seconds 20] [--workers N] [--sweep 1,5,10,25]

1. Builds a throw-away SQLite instance (migrations, content, demo ward) and serves it with gunicorn,
   configured as deployed (gunicorn.conf.py).
2. Page weight, in Debian's Chromium through Playwright, as a signed-in demo learner:
   the lesson HTML gzipped; everything transferred on a first visit with an empty cache; and
   everything transferred for the next lesson. Budgets: 14 KB, 60 KB, 15 KB.
3. Latency: wrk, 50 concurrent connections on the lesson page for a signed-in learner. Budget:
   p95 < 50 ms. Not a test: machines here are shared, so the numbers go into README by hand.
"""
from __future__ import annotations

import argparse
import gzip
import http.cookiejar
import os
import runpy
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LESSON = "/courses/an-toan-tren-mang/cuoc-goi-gia-danh"
NEXT_LESSON = "/courses/an-toan-tren-mang/ma-otp-va-link-la"
LEARNER = ("0900000101", "202510")
# One phone's browser throughout: sign-in and load send the same User-Agent, as a real phone does
# (the session is bound to it; another agent would mark the session not fresh on every request).
PHONE_UA = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Mobile Safari/537.36"
BUDGETS = {"html_gzip": 14 * 1024, "first_visit": 60 * 1024, "later_lesson": 15 * 1024, "p95_ms": 50}
WRK_LUA = """
done = function(summary, latency, requests)
  io.write(string.format("P95_US %d\\nP50_US %d\\nP99_US %d\\nREQS %d\\nERRORS %d\\n",
    latency:percentile(95), latency:percentile(50), latency:percentile(99), summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_instance(env: dict) -> None:
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    for args in (["db", "upgrade"], ["content", "sync"], ["demo", "load"]):
        subprocess.run(flask + args, cwd=ROOT, env=env, check=True, capture_output=True)


def start_gunicorn(env: dict, port: int, workers: int | None, threads: int | None) -> subprocess.Popen:
    """gunicorn as deployed (gunicorn.conf.py), unless --workers/--threads say otherwise."""
    command = [str(BIN / "gunicorn"), "-b", f"127.0.0.1:{port}", "--log-level", "warning"]
    if workers:
        command += ["-w", str(workers)]
    if threads:
        command += ["--threads", str(threads)]
    proc = subprocess.Popen(command + ["wsgi:app"], cwd=ROOT, env=env, start_new_session=True)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def sign_in(base: str) -> str:
    """Sign the demo learner in over plain HTTP; return the session cookie value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", PHONE_UA)]
    page = opener.open(base + "/login").read().decode()
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    data = urllib.parse.urlencode({"csrf_token": token, "phone": LEARNER[0], "secret": LEARNER[1]}).encode()
    opener.open(base + "/login", data=data).read()
    opener.open(base + LESSON).read()  # the first visit writes progress; measure steady state
    return next(c.value for c in jar if c.name == "session")


def html_gzip_size(base: str, cookie: str) -> tuple[int, int]:
    """The lesson HTML as the server sends it to a browser taking gzip: (raw size, size sent)."""
    request = urllib.request.Request(base + LESSON, headers={"Cookie": f"session={cookie}", "Accept-Encoding": "gzip",
                                                             "User-Agent": PHONE_UA})
    with urllib.request.urlopen(request) as response:
        sent = response.read()
        assert response.headers["Content-Encoding"] == "gzip", response.headers
    return len(gzip.decompress(sent)), len(sent)


def browser_weights(base: str, cookie: str) -> tuple[int, int, list[str]]:
    from playwright.sync_api import sync_playwright

    from tests.e2e.harness import CHROMIUM, CHROMIUM_ARGS

    script = """() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const res = performance.getEntriesByType('resource');
      return [nav.transferSize + res.reduce((s, r) => s + r.transferSize, 0),
              res.map(r => r.name.split('?')[0].split('/').pop() + ' ' + r.transferSize)];
    }"""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True, user_agent=PHONE_UA)
        context.add_cookies([{"name": "session", "value": cookie, "url": base}])
        page = context.new_page()
        page.goto(base + LESSON, wait_until="load")
        first, files = page.evaluate(script)
        page.goto(base + NEXT_LESSON, wait_until="load")
        later, _ = page.evaluate(script)
        browser.close()
    return first, later, files


def run_wrk(base: str, cookie: str, clients: int, seconds: int) -> dict[str, int]:
    wrk = shutil.which("wrk")
    if not wrk:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(WRK_LUA)
    out = subprocess.run(
        [wrk, f"-t{min(2, clients)}", f"-c{clients}", f"-d{seconds}s", "-s", fh.name, "-H", f"Cookie: session={cookie}",
         "-H", "Accept-Encoding: gzip", "-H", f"User-Agent: {PHONE_UA}", base + LESSON], capture_output=True, text=True, check=True).stdout
    os.unlink(fh.name)
    values = dict(line.split() for line in out.splitlines() if line.split() and line.split()[0].isupper()
                  and len(line.split()) == 2 and line.split()[1].isdigit())
    return {k: int(v) for k, v in values.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--workers", type=int, help="default: as gunicorn.conf.py (one sync worker per core)")
    parser.add_argument("--threads", type=int, help="threads per worker (gthread); default: none (sync)")
    parser.add_argument("--sweep", default="", help="also measure these connection counts, e.g. 1,5,10,25")
    parser.add_argument("--database-url", help="an empty database to use instead of a throw-away SQLite file "
                                                "(e.g. postgresql://postgres@127.0.0.1:5432/lms_bench)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="lms-bench-"))
    database = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    env = dict(os.environ, DATABASE_URL=database, SECRET_KEY="benchmark-only",
               LOGIN_RATE_LIMIT="1000 per minute")
    env.pop("REDIS_URL", None)
    prepare_instance(env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_gunicorn(env, port, args.workers, args.threads)
    try:
        cookie = sign_in(base)
        raw, gz = html_gzip_size(base, cookie)
        first, later, files = browser_weights(base, cookie)
        load = run_wrk(base, cookie, args.clients, args.seconds)
        sweep = {int(c): run_wrk(base, cookie, int(c), args.seconds) for c in args.sweep.split(",") if c}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)
    p95 = load["P95_US"] / 1000
    rows = [
        ("lesson HTML, gzipped as sent", f"{gz / 1024:.1f} KB ({raw / 1024:.1f} KB raw)", gz <= BUDGETS["html_gzip"], "≤ 14 KB"),
        ("first visit, empty cache, all transferred", f"{first / 1024:.1f} KB", first <= BUDGETS["first_visit"], "≤ 60 KB"),
        ("next lesson, warm cache, all transferred", f"{later / 1024:.1f} KB", later <= BUDGETS["later_lesson"], "≤ 15 KB"),
        (f"lesson page, {args.clients} clients, p95", f"{p95:.1f} ms (p50 {load['P50_US'] / 1000:.1f}, "
         f"p99 {load['P99_US'] / 1000:.1f}; {load['REQS'] / args.seconds:.0f} req/s, {load['ERRORS']} errors)",
         p95 < BUDGETS["p95_ms"] and load["ERRORS"] == 0, "< 50 ms"),
    ]
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    workers = args.workers or conf["workers"]
    kind = f"{args.threads} threads each" if args.threads else conf["worker_class"]
    engine = "PostgreSQL" if database.startswith("postgres") else "SQLite"
    print(f"gunicorn: {workers} workers ({kind}), {engine}, {os.cpu_count()} cores")
    for name, value, ok, budget in rows:
        print(f"{'ok  ' if ok else 'OVER'} {name:<45} {value:<60} budget {budget}")
    print("first-visit files:", ", ".join(files))
    for clients, result in sweep.items():
        print(f"     {clients:>3} clients: p95 {result['P95_US'] / 1000:.1f} ms, p50 {result['P50_US'] / 1000:.1f} ms, "
              f"{result['REQS'] / args.seconds:.0f} req/s, {result['ERRORS']} errors")
    sys.exit(0 if all(ok for _, _, ok, _ in rows) else 1)


if __name__ == "__main__":
    main()
