"""The signed session cookie, renewed once a day rather than on every page.

Flask renews a permanent session's cookie on every response so that it expires a fortnight after
the last visit, not after sign-in. That costs a fresh signature and a Set-Cookie header on every
page. Renewing it when it is older than SESSION_REFRESH_AFTER (a day) keeps the same promise, to
within a day, for a fraction of the work; any change to the session is still written at once.

The cookie is checked and decoded on every request. Whether the sign-in it names still holds is
asked of the database on every request too (lms.accounts.principal), so nothing here is kept
between requests.
"""
from __future__ import annotations

import time

from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature


class Session(SecureCookieSession):
    issued_at: float | None = None  # when the browser's cookie was signed; None for a new session


class SessionInterface(SecureCookieSessionInterface):
    session_class = Session

    def __init__(self) -> None:
        self._serializers: dict[tuple, object] = {}

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
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.issued_at = signed_at.timestamp()
        return session

    def should_set_cookie(self, app, session: Session) -> bool:
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        issued = getattr(session, "issued_at", None)
        return issued is None or time.time() - issued >= app.config["SESSION_REFRESH_AFTER"]
