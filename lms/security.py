"""Security headers on every response, and no keeping of signed-in pages by browsers or proxies."""
from __future__ import annotations

import os
import sqlite3

from flask import request
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine

# No inline script or style anywhere: htmx and our own script are files under /static.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


# A page a signed-in person sees may hold personal data (people, rosters, their own data, exports,
# import previews, households, certificates): nothing may keep it, not the browser's cache on a
# shared phone nor a proxy. Left out: static files and course images (versioned, the same for
# everyone) and the lesson page (lms.pagecache: the same for every reader of a variant, no
# personal data). A view that sets its own Cache-Control keeps it.
NO_STORE = "no-store, private"
MAY_BE_KEPT = frozenset({"static", "certificates.static", "courses.lesson", "courses.image"})


@event.listens_for(Engine, "connect", insert=True)  # before the WAL is switched on (lms.__init__)
def _private_sqlite_files(dbapi_connection, connection_record) -> None:
    """The SQLite file holds everyone's personal data: owner-only (0600), like the keys.

    SQLite gives the -wal and -shm files it creates later the main file's permissions, so making
    the main file 0600 on the first connection covers them; any left from before are fixed too."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    for _seq, name, path in dbapi_connection.execute("PRAGMA database_list").fetchall():
        if name != "main" or not path:
            continue  # an in-memory database has no file
        for file in (path, f"{path}-wal", f"{path}-shm", f"{path}-journal"):
            try:
                if os.stat(file).st_mode & 0o077:
                    os.chmod(file, 0o600)
            except FileNotFoundError:
                pass


def init_app(app) -> None:
    defaults = [
        ("Content-Security-Policy", CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
        ("Permissions-Policy", "camera=(self), microphone=(), geolocation=()"),
    ]
    if app.config.get("SESSION_COOKIE_SECURE"):
        defaults.append(("Strict-Transport-Security", "max-age=31536000"))

    @app.after_request
    def add_headers(response):
        # A view may set its own (an author's SVG gets a stricter policy); the rest are added in
        # one pass over the response's headers, not one search per header.
        headers = response.headers
        present = {key.lower() for key in headers.keys()}
        extra = [(key, value) for key, value in defaults if key.lower() not in present]
        if ("cache-control" not in present and request.endpoint not in MAY_BE_KEPT
                and current_user.is_authenticated):
            extra.append(("Cache-Control", NO_STORE))
        headers.extend(extra)
        return response
