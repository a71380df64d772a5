"""The province shape as the tests drive it: deploy/province-local, a browser speaking plain HTTP
from its own loopback address, and a TCP relay that can be cut to make PostgreSQL or Redis vanish.

Needs nginx (Debian's), a PostgreSQL server and a Redis server. Without them the tests are skipped
with the reason on a developer's machine and fail with CI set, like the browser tests.
"""
from __future__ import annotations

import http.client
import itertools
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
SCRIPT = ROOT / "deploy" / "province-local"
NGINX = os.environ.get("LMS_NGINX") or shutil.which("nginx") or "/usr/sbin/nginx"
# Wiped by these tests: a database and a Redis db number of their own.
DATABASE_URL = os.environ.get("LMS_DEPLOY_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test_deploy")
REDIS_URL = os.environ.get("LMS_DEPLOY_REDIS_URL", "redis://127.0.0.1:6379/5")
UPSTREAM = "X-Lms-Upstream"
_addresses = itertools.count()


def _next_address() -> str:
    """127.0.1.1, 127.0.1.2, …: all loopback, each a different client to nginx and the app."""
    n = next(_addresses)
    return f"127.0.{1 + n // 250}.{1 + n % 250}"


def _answers(url: str, default_port: int) -> str | None:
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=2).close()
    except OSError as exc:
        return f"{parts.hostname}:{parts.port or default_port} ({exc})"
    return None


def require_services() -> None:
    """Skip (fail under CI) unless nginx is installed and PostgreSQL and Redis answer."""
    missing = []
    if not Path(NGINX).exists():
        missing.append(f"nginx at {NGINX} (apt-get install nginx)")
    if problem := _answers(DATABASE_URL, 5432):
        missing.append(f"PostgreSQL at {problem}; set LMS_DEPLOY_DATABASE_URL")
    if problem := _answers(REDIS_URL, 6379):
        missing.append(f"Redis at {problem}; set LMS_DEPLOY_REDIS_URL")
    if missing:
        message = "the province shape needs " + "; ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


# ---- a browser -------------------------------------------------------------------------------

@dataclass
class Page:
    status: int
    headers: http.client.HTTPMessage
    text: str

    @property
    def upstream(self) -> str | None:
        """The gunicorn process (127.0.0.1:PORT) nginx handed the request to; None if nginx answered."""
        return self.headers.get(UPSTREAM)

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


@dataclass
class Browser:
    """One phone: its own cookies and its own source address (127.0.x.y), so nginx, and the app
    behind it, see a different client for each; no redirects followed, no compression asked."""

    url: str
    address: str = field(default_factory=_next_address)
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str | None = None

    def request(self, method: str, path: str, data: dict | list | None = None, headers: dict | None = None,
                body: bytes | None = None, timeout: float = 60) -> Page:
        parts = urlsplit(self.url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout,
                                                source_address=(self.address, 0))
        sent = {"Accept-Language": "vi", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if data is not None:
            pairs = list(data.items()) if isinstance(data, dict) else list(data)
            if self.csrf and not any(key == "csrf_token" for key, _ in pairs):
                pairs.append(("csrf_token", self.csrf))
            body = urlencode(pairs).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            raw = response.read()
        finally:
            connection.close()
        self._keep_cookies(response.msg.get_all("Set-Cookie") or [])
        text = raw.decode("utf-8", "replace")
        if found := re.search(r'<meta name="csrf-token" content="([^"]+)"', text):
            self.csrf = found.group(1)
        return Page(response.status, response.msg, text)

    def _keep_cookies(self, lines: list[str]) -> None:
        for line in lines:
            cookie = SimpleCookie()
            cookie.load(line)
            for name, morsel in cookie.items():
                gone = morsel["max-age"] == "0" or "1970" in morsel["expires"]
                if gone:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def get(self, path: str, **kwargs) -> Page:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: dict | list | None = None, **kwargs) -> Page:
        if self.csrf is None:
            self.get("/login")  # any page gives a session its CSRF token
        return self.request("POST", path, data=data if data is not None else {}, **kwargs)

    def upload(self, path: str, field_name: str, filename: str, content: bytes) -> Page:
        """A form with one file, sent as multipart/form-data (with the session's CSRF token)."""
        boundary = "lopso-" + os.urandom(8).hex()
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{self.csrf}\r\n'.encode(),
                 f'--{boundary}\r\nContent-Disposition: form-data; name="{field_name}"; filename="{filename}"\r\n'
                 f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n",
                 f"--{boundary}--\r\n".encode()]
        return self.request("POST", path, body=b"".join(parts),
                            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def sign_in(self, phone: str, pin: str) -> Page:
        self.get("/login")
        page = self.post("/login", {"phone": phone, "secret": pin})
        assert page.status == 302, (page.status, page.text[:300])
        self.get(urlsplit(page.location).path)  # signing in starts a new session: take its CSRF token
        return page


# ---- a relay that can be cut ----------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Relay:
    """127.0.0.1:port → target. `cut()` closes the port and every connection through it, as a
    server that went away; `mend()` opens the same port again."""

    def __init__(self, target: str, default_port: int) -> None:
        parts = urlsplit(target)
        self.target = (parts.hostname or "127.0.0.1", parts.port or default_port)
        self.port = free_port()
        self.listener: socket.socket | None = None
        self.connections: set[socket.socket] = set()
        self.lock = threading.Lock()

    def url(self, url: str) -> str:
        """The same URL, pointed at this relay."""
        parts = urlsplit(url)
        netloc = parts.netloc.rsplit("@", 1)
        host = f"127.0.0.1:{self.port}"
        return parts._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) == 2 else host).geturl()

    def mend(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        listener, self.listener = self.listener, None
        if listener is not None:
            try:
                listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
            except OSError:
                pass
            listener.close()
        with self.lock:
            connections, self.connections = self.connections, set()
        for sock in connections:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.target, timeout=5)
                server.settimeout(None)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.connections |= {client, server}
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            source.close()  # the other pump closes `sink`, its own source
            with self.lock:
                self.connections -= {source, sink}


# ---- the shape ------------------------------------------------------------------------------

@dataclass
class Province:
    url: str
    directory: Path
    env: dict[str, str]
    ports: list[int]
    pids: list[int]
    database: Relay
    redis: Relay
    ward: object = None  # what the test module wrote into the database (tests/deploy/conftest.py)

    def browser(self) -> Browser:
        return Browser(self.url)

    def upstreams(self) -> set[str]:
        return {f"127.0.0.1:{port}" for port in self.ports}

    def next_goes_to(self, upstream: str) -> None:
        """Make the next request through nginx land on `upstream`: nginx takes the processes in
        turn, so look where a visitor's page lands and send one more if it was not the other."""
        for _ in range(3):
            landed = Browser(self.url).get("/login").upstream
            assert landed in self.upstreams(), landed
            if landed != upstream:
                return
        raise AssertionError("nginx did not alternate between the processes")

    def other(self, upstream: str) -> str:
        return next(u for u in self.upstreams() if u != upstream)

    def worker_pid(self, upstream: str) -> int:
        """The one sync worker of the gunicorn master that listens on `upstream`."""
        master = self.pids[self.ports.index(int(upstream.rsplit(":", 1)[1]))]
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        assert len(children) == 1, children
        return int(children[0])

    def flask(self, *args: str) -> subprocess.CompletedProcess:
        return flask(self.env, *args)


def flask(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """`flask --app wsgi …` as a release runs it, on the database itself (not through the relay)."""
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT,
                            env={**os.environ, **env, "DATABASE_URL": DATABASE_URL},
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def start_province(directory: Path, env: dict[str, str], database: Relay, redis: Relay) -> Province:
    env_file = directory / "lms.env"
    env_file.write_text("".join(f"{key}={value}\n" for key, value in env.items()))
    shape = directory / "shape"
    result = subprocess.run([sys.executable, str(SCRIPT), "start", str(shape), "--env-file", str(env_file),
                             "--show-upstream"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    state = json.loads((shape / "state.json").read_text())
    assert result.stdout.strip() == state["url"]
    return Province(state["url"], shape, env, [p["port"] for p in state["processes"]],
                    [p["pid"] for p in state["processes"]], database, redis)


def stop_province(province: Province) -> None:
    subprocess.run([sys.executable, str(SCRIPT), "stop", str(province.directory)], cwd=ROOT, timeout=120,
                   check=True)


def answer_every_question(phone, attempt_url: str) -> int:
    """Answer each question of an attempt with its first choice; how many there were."""
    number = 1
    while (page := phone.get(f"{attempt_url}/{number}")).status == 200:
        question_id = re.search(r'name="question_id" value="(\d+)"', page.text).group(1)
        choice = re.search(r'name="choice" value="([^"]+)"', page.text).group(1)
        answered = phone.post(f"{attempt_url}/{number}", [("question_id", question_id), ("choice", choice)])
        assert answered.status in (200, 302), answered.text[:300]
        number += 1
    assert page.status == 404
    return number - 1


def wait_for(check, seconds: float = 20, every: float = 0.25):
    """Ask `check()` until it gives something true; that value, or the last after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)
