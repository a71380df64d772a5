"""“Ai đang học?”: the people who have signed in with a phone and PIN on this browser.

A long-lived cookie, signed with the app's key, lists their account ids (never names, never the
number). The sign-in page offers those people's names, each leading to "enter your PIN": a
household sharing one phone picks who is learning. Nobody else is ever named: not to someone who
has only typed a number, not the housemates who have never signed in here, and not for ids in a
cookie that was not signed by this app.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import after_this_request, current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

from lms.accounts.models import User
from lms.extensions import db

COOKIE = "lms_here"
MAX_PEOPLE = 6
MAX_AGE_SECONDS = 400 * 24 * 3600  # browsers keep a cookie at most about this long


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="who-signed-in-here")


def ids_here() -> list[int]:
    """The accounts that signed in on this browser, most recent first; [] for a missing or forged cookie."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return []
    try:
        ids = _serializer().loads(raw)
    except BadSignature:
        return []
    if not isinstance(ids, list):
        return []
    return [i for i in ids if isinstance(i, int) and not isinstance(i, bool)][:MAX_PEOPLE]


def people_here() -> list[User]:
    """Those of ids_here() who can still sign in with their number and a PIN, in the cookie's order."""
    ids = ids_here()
    if not ids:
        return []
    found = {u.id: u for u in db.session.scalars(sa.select(User).where(
        User.id.in_(ids), User.phone.is_not(None), User.secret_hash.is_not(None), User.secret_kind == "pin",
        User.is_active_account.is_(True), User.erased_at.is_(None))).unique()}
    return [found[i] for i in ids if i in found]


def remember_here(user_id: int) -> None:
    """Add this account to the browser's list when the response goes out."""
    ids = [user_id] + [i for i in ids_here() if i != user_id]
    value = _serializer().dumps(ids[:MAX_PEOPLE])

    @after_this_request
    def _set(response):
        response.set_cookie(COOKIE, value, max_age=MAX_AGE_SECONDS, httponly=True, samesite="Lax",
                            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")), path="/")
        return response
