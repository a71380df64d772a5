"""Configuration read from the environment; tests subclass Config."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from lms.content.model import LANGS


def _database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'lms.db'}"
    return normalise_database_url(url)


def normalise_database_url(url: str) -> str:
    """Send plain postgres URLs to psycopg 3, the driver we ship."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load_secret_key(instance_path: str) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Written with owner-only permissions: anyone who reads it can forge sessions.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def private_sqlite_file(uri: str) -> None:
    """Create a ward's SQLite file owner-only (0600) before SQLite would create it world-readable;
    lms.security keeps it (and its -wal and -shm files) so on every connection."""
    if not uri.startswith("sqlite"):
        return
    from sqlalchemy.engine import make_url

    database = make_url(uri).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def _storage_options(uri: str) -> dict:
    """Redis: give up on a connection or an answer after a second (redis-py waits for ever)."""
    if uri.startswith(("redis://", "rediss://", "redis+unix://")):
        return {"socket_connect_timeout": 1, "socket_timeout": 1}
    return {}


class Config:
    """Defaults for a ward install: SQLite in instance/, in-memory rate limits."""

    TESTING = False
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = LANGS  # the content's languages (lms.content.model), defined there only
    WTF_CSRF_TIME_LIMIT = None  # a form left open during a long class must still submit
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "").lower() in ("1", "true", "yes")
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 14 * 24 * 3600
    # "Remember me" on a sign-in: a token per sign-in, kept (hashed) this long (lms.accounts.signins).
    REMEMBER_COOKIE_DURATION = int(os.environ.get("REMEMBER_COOKIE_DAYS", "30")) * 24 * 3600
    PAGE_CACHE_SIZE = int(os.environ.get("PAGE_CACHE_SIZE", "1000"))  # pages kept per process (lms.pagecache)
    SESSION_REFRESH_AFTER = 24 * 3600  # renew the session cookie at most once a day (lms.sessions)
    MAX_CONTENT_LENGTH = 6 * 1024 * 1024
    SEND_FILE_MAX_AGE_DEFAULT = 365 * 24 * 3600  # static names carry a version hash
    REDIS_URL = os.environ.get("REDIS_URL")
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or REDIS_URL or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Redis unreachable: each process counts in its own memory (the same limits) and asks Redis
    # again now and then, going back to it once it answers; a sign-in never fails for it (README).
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # A Redis that stopped answering must not hold a request for long (options go to redis-py).
    RATELIMIT_STORAGE_OPTIONS = _storage_options(RATELIMIT_STORAGE_URI)
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "20 per minute")
    # Wrong PINs allowed without waiting; then 1, 2, 4… s between tries, up to the first cap for one
    # account from one address and the second for the account from anywhere (lms.accounts.services).
    LOGIN_FREE_FAILURES = int(os.environ.get("LOGIN_FREE_FAILURES", "3"))
    LOGIN_MAX_DELAY_SECONDS = int(os.environ.get("LOGIN_MAX_DELAY_SECONDS", "900"))
    LOGIN_ACCOUNT_MAX_DELAY_SECONDS = int(os.environ.get("LOGIN_ACCOUNT_MAX_DELAY_SECONDS", "60"))
    CONTENT_DIR = os.environ.get("LMS_CONTENT_DIR") or str(Path(__file__).resolve().parent.parent / "content")
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_MIN_SIZE = 500
    COMPRESS_STREAMS = False  # static files are compressed once, in lms.templating
    COMPRESS_MIMETYPES = ["text/html", "text/css", "application/javascript", "text/javascript",
                          "application/json", "image/svg+xml", "text/csv", "text/plain"]
    # Scheme and host printed in QR codes, card links and signed credentials (e.g. https://lopso.example.vn).
    LMS_PUBLIC_URL = os.environ.get("LMS_PUBLIC_URL")
    # Host names this site answers to (comma-separated, ".example.vn" takes its subdomains); any
    # other Host header gets 400, and printed links may then use the request's host.
    TRUSTED_HOSTS = [h.strip() for h in os.environ.get("LMS_TRUSTED_HOSTS", "").split(",") if h.strip()] or None
    # RSA private key (PEM) that signs certificates; generated once into instance/ when unset.
    LMS_SIGNING_KEY = os.environ.get("LMS_SIGNING_KEY")
    VERIFY_RATE_LIMIT = os.environ.get("VERIFY_RATE_LIMIT", "30 per minute")
    SIGN_IN_CARD_DAYS = int(os.environ.get("SIGN_IN_CARD_DAYS", "30"))
    # How many reverse proxies (nginx) stand in front of the app; 0 for a ward's single machine.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")

    @classmethod
    def finalise(cls, app) -> None:
        """Fill settings that depend on the instance folder."""
        app.config.setdefault("SQLALCHEMY_DATABASE_URI", _database_url(app.instance_path))
        private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
        if not app.config.get("SECRET_KEY"):
            app.config["SECRET_KEY"] = load_secret_key(app.instance_path)
