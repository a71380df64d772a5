"""The Nu HTML Checker (vnu.jar) finds no errors in the pages people see.

`make test` fetches vnu.jar from the npm registry into .cache/ when Java and npm are there. Without
them the test is skipped on a developer's machine; in CI it must run.
"""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
VNU = Path(os.environ.get("LMS_VNU_JAR") or ROOT / ".cache" / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar")


@pytest.fixture(scope="module")
def vnu():
    java = shutil.which("java")
    if java and VNU.exists():
        return [java, "-jar", str(VNU)]
    message = f"the Nu HTML Checker needs Java and {VNU} (`make test` installs it)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _check(vnu, pages: dict[str, str], tmp_path) -> list[str]:
    for name, html in pages.items():
        (tmp_path / f"{name}.html").write_text(html, encoding="utf-8")
    result = subprocess.run(vnu + ["--errors-only", "--format", "json", str(tmp_path)],
                            capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    return [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m.get('message')}" for m in messages]


def test_learner_and_coordinator_pages_are_valid_html(vnu, client, auth, catalogue, make_ward, make_user, tmp_path):
    from lms.quizzes.models import Quiz

    ward = make_ward()
    learner = make_user(ward=ward)
    coordinator = make_user(("coordinator",), ward=ward, name="Cán Bộ")
    pages = {}
    for name, url in {"welcome": "/", "login": "/login", "courses": "/courses/", "course": "/courses/an-toan-tren-mang/",
                      "lesson": "/courses/an-toan-tren-mang/cuoc-goi-gia-danh", "search": "/courses/search?q=lua+dao",
                      "not-found": "/khong-co"}.items():
        pages[name] = client.get(url).get_data(as_text=True)
    pages["login-error"] = client.post("/login", data={"phone": "12", "secret": ""}).get_data(as_text=True)
    auth.login(learner)
    for name, url in {"home": "/", "mine": "/my-learning", "lesson-signed-in": "/courses/thanh-toan-so/thanh-toan-qr",
                      "pin": "/account/pin"}.items():
        pages[name] = client.get(url).get_data(as_text=True)
    for quiz in Quiz.query.filter(Quiz.course.has(slug="cho-so-4t")).all()[:3]:
        attempt_url = client.post(f"/quizzes/{quiz.id}/start").headers["Location"]
        pages[f"quiz-{quiz.id}"] = client.get(attempt_url).get_data(as_text=True)
    auth.logout()
    auth.login(coordinator)
    for name, url in {"people": "/people/", "person": f"/people/{learner.id}",
                      "person-edit": f"/people/{learner.id}/edit"}.items():
        pages[name] = client.get(url).get_data(as_text=True)
    assert _check(vnu, pages, tmp_path) == []
