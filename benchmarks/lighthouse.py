"""Lighthouse on the learner's pages, as a phone meets them (Lighthouse's mobile defaults).

    python -m benchmarks.lighthouse [--pages lesson,quiz]

1. Builds a throw-away SQLite instance (migrations, content, demo ward) and serves it with gunicorn
   as deployed, like benchmarks.page_weight.
2. Signs in the demo learner, starts a lesson check and a final quiz, and runs Lighthouse
   (performance, accessibility, best practices) on every learner page with that session, in
   Debian's Chromium: the catalogue, a course, a lesson, a check question, the final quiz's
   drawn phone screens and its review, My learning, search, and the sign-in and verify pages
   for a visitor. Budget (design): 100 / 100 / 100 on every one.

Lighthouse comes from the npm registry into .cache/lighthouse (LIGHTHOUSE_VERSION); it never
downloads a browser. Not a test: scores depend on the machine, so the numbers go into README.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from benchmarks.page_weight import LESSON, PHONE_UA, ROOT, free_port, prepare_instance, sign_in, start_gunicorn

LIGHTHOUSE_VERSION = os.environ.get("LIGHTHOUSE_VERSION", "13.5.0")
CACHE = ROOT / ".cache" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices")
COURSE = "/courses/an-toan-tren-mang/"


def lighthouse_bin() -> Path:
    binary = CACHE / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        if not shutil.which("npm"):
            raise SystemExit("npm is missing: Lighthouse comes from the npm registry (apt-get install npm)")
        print(f"Fetching Lighthouse {LIGHTHOUSE_VERSION} from the npm registry…", file=sys.stderr)
        subprocess.run(["npm", "install", "--prefix", str(CACHE), "--no-save", "--no-audit", "--no-fund",
                        "--loglevel=error", f"lighthouse@{LIGHTHOUSE_VERSION}"], check=True,
                       stdout=subprocess.DEVNULL)
    return binary


def _get(base: str, path: str, cookie: str) -> str:
    request = urllib.request.Request(base + path, headers={"Cookie": f"session={cookie}", "User-Agent": PHONE_UA})
    with urllib.request.urlopen(request) as response:
        return response.read().decode()


def start_attempt(base: str, cookie: str, quiz_path: str) -> str:
    """Press "Bắt đầu làm bài" on a quiz page; return the first question's path."""
    page = _get(base, quiz_path, cookie)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    action = quiz_path.rstrip("/") + "/start"
    assert f'action="{action}"' in page, f"{quiz_path} has no start button"
    request = urllib.request.Request(base + action, data=urllib.parse.urlencode({"csrf_token": token}).encode(),
                                     headers={"Cookie": f"session={cookie}", "User-Agent": PHONE_UA})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(request)
    except urllib.error.HTTPError as redirect:
        if redirect.code in (302, 303):
            return urllib.parse.urlsplit(redirect.headers["Location"]).path
        raise
    raise SystemExit(f"starting {quiz_path} did not lead to a question")


def _post(base: str, path: str, cookie: str, data: dict) -> None:
    request = urllib.request.Request(base + path, data=urllib.parse.urlencode(data).encode(),
                                     headers={"Cookie": f"session={cookie}", "User-Agent": PHONE_UA})
    urllib.request.urlopen(request).read()


def read_every_lesson(base: str, cookie: str, course_page: str) -> None:
    """Press "Tôi đã học xong bài này" on each lesson: the final quiz opens only after them."""
    lessons = dict.fromkeys(part.split('"')[0] for part in course_page.split('href="')[1:]
                            if part.startswith(COURSE) and part.split('"')[0] != COURSE
                            and "/images/" not in part.split('"')[0])
    for lesson in lessons:
        page = _get(base, lesson, cookie)
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        _post(base, lesson.rstrip("/") + "/done", cookie, {"csrf_token": token})


def learner_pages(base: str, cookie: str) -> list[tuple[str, str, bool]]:
    """(name, path, signed in) for every page a learner meets on the way through a course."""
    read_every_lesson(base, cookie, _get(base, COURSE, cookie))
    course = _get(base, COURSE, cookie)
    final_quiz = next(part.split('"')[0] for part in course.split('href="')[1:] if part.startswith("/quizzes/"))
    check = urllib.parse.urlsplit(urllib.request.urlopen(urllib.request.Request(
        base + "/quizzes/after-lesson/1", headers={"Cookie": f"session={cookie}"})).url).path
    check_question = start_attempt(base, cookie, check)
    final_question = start_attempt(base, cookie, final_quiz)
    attempt = final_question.rsplit("/", 1)[0]
    screens = [n for n in range(1, 11) if 'class="phone' in _get(base, f"{attempt}/{n}", cookie)][:2]
    pages = [("home", "/", True), ("catalogue", "/courses/", True), ("course", COURSE, True),
             ("lesson", LESSON, True), ("check question", check_question, True),
             ("final quiz", final_quiz, True)]
    pages += [(f"final quiz, phone screen {n}", f"{attempt}/{n}", True) for n in screens]
    pages += [("final quiz review", f"{attempt}/review", True), ("my learning", "/my-learning", True),
              ("search, typed without diacritics", "/courses/search?q=lua+dao", True),
              ("sign in", "/login", False), ("verify a certificate", "/verify", False)]
    return pages


def run_lighthouse(binary: Path, url: str, cookie: str | None, out: Path) -> dict[str, float]:
    from tests.e2e.harness import CHROMIUM, CHROMIUM_ARGS

    headers = json.dumps({"Cookie": f"session={cookie}"} if cookie else {})
    flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
    subprocess.run([str(binary), url, "--only-categories=" + ",".join(CATEGORIES), f"--chrome-flags={flags}",
                    f"--extra-headers={headers}", "--output=json", f"--output-path={out}", "--quiet"],
                   env=dict(os.environ, CHROME_PATH=CHROMIUM), check=True, timeout=300)
    report = json.loads(out.read_text())
    scores = {name: report["categories"][name]["score"] for name in CATEGORIES}
    failing = [f"{report['audits'][ref['id']]['title']} ({report['audits'][ref['id']]['score']})"
               for name in CATEGORIES for ref in report["categories"][name]["auditRefs"]
               if ref.get("weight") and (report["audits"][ref["id"]].get("score") is not None)
               and report["audits"][ref["id"]]["score"] < 1]
    return {"scores": scores, "failing": failing}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", default="", help="only pages whose name contains one of these words")
    args = parser.parse_args()
    binary = lighthouse_bin()
    tmp = Path(tempfile.mkdtemp(prefix="lms-lighthouse-"))
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp / 'bench.db'}", SECRET_KEY="benchmark-only",
               LOGIN_RATE_LIMIT="1000 per minute")
    env.pop("REDIS_URL", None)
    prepare_instance(env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_gunicorn(env, port, None, None)
    results = []
    try:
        cookie = sign_in(base)
        pages = learner_pages(base, cookie)
        wanted = [word for word in args.pages.split(",") if word]
        for name, path, signed_in in pages:
            if wanted and not any(word in name for word in wanted):
                continue
            result = run_lighthouse(binary, base + path, cookie if signed_in else None, tmp / "report.json")
            results.append((name, result))
            scores = " / ".join(f"{round(result['scores'][c] * 100)}" for c in CATEGORIES)
            ok = all(score == 1 for score in result["scores"].values())
            print(f"{'ok  ' if ok else 'LOW '} {name:<34} {scores}  {'; '.join(result['failing'])}", flush=True)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{len(results)} pages; performance / accessibility / best practices; budget 100 / 100 / 100")
    sys.exit(0 if all(all(s == 1 for s in r["scores"].values()) for _, r in results) else 1)


if __name__ == "__main__":
    main()
