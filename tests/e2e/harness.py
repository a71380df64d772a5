"""Browser harness: a live server in a thread, Debian's Chromium through Playwright, axe-core.

Chromium is never downloaded by a tool: the test set-up installs Debian's `chromium` and we point
Playwright at it. Without it the browser tests are skipped on a developer's machine, but fail in
CI (CI=true), where nothing may be skipped silently.
"""
from __future__ import annotations

import os
import shutil
import threading
from dataclasses import dataclass

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("LMS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 360, "height": 640}
PROJECTOR = {"width": 1280, "height": 720}


def _require_browser():
    if os.path.exists(CHROMIUM):
        return
    message = f"Chromium not found at {CHROMIUM}; run `make test`, which installs Debian's chromium"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@dataclass
class LiveServer:
    url: str
    app: object

    def __call__(self, path: str = "/") -> str:
        return self.url + path


@pytest.fixture(scope="session")
def _live_app(database_url, _app):
    """A second app on the same database, with CSRF on as in production."""
    from lms import create_app
    from tests.conftest import dispose_engines, make_test_config

    app = create_app(make_test_config(database_url, WTF_CSRF_ENABLED=True))
    yield app
    dispose_engines(app)


@pytest.fixture(scope="session")
def _live_server_session(_live_app):
    server = make_server("127.0.0.1", 0, _live_app, threaded=True)
    # Printed and signed links name the address the browser uses (lms.web.public_base).
    _live_app.config["LMS_PUBLIC_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(f"http://127.0.0.1:{server.server_port}", _live_app)
    server.shutdown()


@pytest.fixture()
def live(app, _live_server_session):
    """The running site; the database is emptied after each test by the `app` fixture."""
    return _live_server_session


@pytest.fixture(scope="session")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _page(browser, viewport, **options):
    context = browser.new_context(viewport=viewport, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    # A page answered with 404 or 422 on purpose is not an error; a stylesheet or script that
    # fails to load is. Chromium logs both as "Failed to load resource", so sort them here.
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource") else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda response: errors.append(f"{response.status} {response.url}")
            if response.status >= 400 and response.request.resource_type != "document" else None)
    page.console_errors = errors
    return context, page


@pytest.fixture()
def phone_page(browser):
    """A cheap Android phone: 360×640, touch."""
    context, page = _page(browser, PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    yield page
    context.close()


@pytest.fixture()
def projector_page(browser):
    """A community-hall projector: 1280×720."""
    context, page = _page(browser, PROJECTOR)
    yield page
    context.close()


@pytest.fixture()
def new_browser_context(browser):
    """A fresh context (no cookies) for opening a page as a stranger would."""
    contexts = []

    def make(viewport=PHONE):
        context, page = _page(browser, viewport)
        contexts.append(context)
        return page

    yield make
    for context in contexts:
        context.close()


def assert_accessible(page, impacts=("serious", "critical")) -> None:
    """Run axe-core on the page and fail on any serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in impacts]
    if bad:
        lines = []
        for v in bad:
            targets = ", ".join(str(n.get("target")) for n in v.get("nodes", [])[:5])
            lines.append(f"{v['impact']}: {v['id']} — {v['help']} [{targets}]")
        pytest.fail(f"axe found {len(bad)} serious/critical violation(s) on {page.url}:\n" + "\n".join(lines))


def assert_no_console_errors(page) -> None:
    """No script errors and no CSP violations reported by the browser."""
    errors = getattr(page, "console_errors", [])
    assert not errors, f"browser console errors on {page.url}: {errors}"
