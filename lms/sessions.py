"""The signed session cookie, renewed once a day rather than on every page.

Flask renews a permanent session's cookie on every response so that it expires a fortnight after
the last visit, not after sign-in. That costs a fresh signature and a Set-Cookie header on every
page. Renewing it when it is older than SESSION_REFRESH_AFTER (a day) keeps the same promise, to
within a day, for a fraction of the work; any change to the session is still written at once.

Checking the cookie's signature and decoding it is the other cost of every request. A process
remembers the last few thousand cookies it has checked: the same bytes, signed with the same keys,
decode to the same session, so a cookie seen before is only looked up (its age is still checked).
Only sessions of plain values are remembered, so a copy of the dict is a true copy.
"""
from __future__ import annotations

import threading
import time

from cachetools import LRUCache
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature


class Session(SecureCookieSession):
    issued_at: float | None = None  # when the browser's cookie was signed; None for a new session


class SessionInterface(SecureCookieSessionInterface):
    session_class = Session

    def __init__(self, remembered: int = 4096) -> None:
        self._serializers: dict[tuple, object] = {}
        self._checked: LRUCache = LRUCache(maxsize=remembered)  # (serializer, cookie) -> (data, signed at)
        self._lock = threading.Lock()

    def get_signing_serializer(self, app):
        # Flask builds the serializer afresh for every request; it depends only on the keys.
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = self._serializers[keys] = super().get_signing_serializer(app)
        return serializer

    def open_session(self, app, request) -> Session | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        key = (id(serializer), value)  # one serializer per set of keys, kept for the process
        with self._lock:
            checked = self._checked.get(key)
        if checked is not None and time.time() - checked[1] <= max_age:
            data, issued_at = checked
        else:
            try:
                data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
            except BadSignature:
                return self.session_class()
            issued_at = signed_at.timestamp()
            if all(isinstance(item, (str, int, float, bool, type(None))) for item in data.values()):
                with self._lock:
                    self._checked[key] = (data, issued_at)
        session = self.session_class(data)  # a copy: the remembered dict is never handed out
        session.issued_at = issued_at
        return session

    def should_set_cookie(self, app, session: Session) -> bool:
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        issued = getattr(session, "issued_at", None)
        return issued is None or time.time() - issued >= app.config["SESSION_REFRESH_AFTER"]
