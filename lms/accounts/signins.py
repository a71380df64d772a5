"""Signed-in browsers and phones (AccountSession): starting, restoring, listing and ending them.

Every sign-in (PIN, password or card) starts an AccountSession: a random key goes into the signed
session cookie and only its SHA-256 into the database, with a short label of the device taken
from its User-Agent (no address is kept) and an expiry. "Remember me" adds another random token,
per sign-in, in its own cookie, also stored only as a hash and with its own expiry; it restores a
session only while its row holds (lms.accounts.principal says when a sign-in holds).

Every way a person's sign-ins must end goes through `end_all_sessions`: it bumps the person's
session_version, so any cookie signed before is refused on its next request on every process,
and marks every open AccountSession (remember-me tokens included) as ended.
"""
from __future__ import annotations

import hashlib
import logging
import re
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, g, request, session
from flask_login import current_user, login_user, logout_user

from lms.accounts.models import AccountSession, User
from lms.accounts.principal import SESSION_KEY, SESSION_VERSION, Principal, principal_for
from lms.extensions import db
from lms.timeutil import utcnow

logger = logging.getLogger(__name__)

REMEMBER_COOKIE = "lms_remember"
# Flask-Login's own remember cookie held the account id, signed: the same value on every sign-in,
# for ever. It is no longer set or read; a browser that still has one is told to drop it.
_OLD_REMEMBER_COOKIE = "remember_token"
_CLEAR = ""


def key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def remember_duration() -> timedelta:
    value = current_app.config.get("REMEMBER_COOKIE_DURATION", 30 * 24 * 3600)
    return value if isinstance(value, timedelta) else timedelta(seconds=int(value))


# --- the device's label: "Android · Chrome", shown translated (see device_name) ----------------

_SYSTEMS = (("iPhone", "iphone"), ("iPad", "ipad"), ("Android", "android"), ("CrOS", "chromebook"),
            ("Windows", "windows"), ("Macintosh", "mac"), ("Linux", "linux"))
_BROWSERS = (("Zalo", "Zalo"), ("FBAN", "Facebook"), ("FBAV", "Facebook"), ("coc_coc_browser", "Cốc Cốc"),
             ("SamsungBrowser", "Samsung Internet"), ("Edg", "Edge"), ("OPR", "Opera"), ("Firefox", "Firefox"),
             ("FxiOS", "Firefox"), ("CriOS", "Chrome"), ("Chrome", "Chrome"), ("Safari", "Safari"))
_WORD = re.compile(r"[A-Za-z_]+")


def device_label(user_agent: str | None) -> str:
    """A short, language-neutral label of a device: "android|Chrome", "windows|Firefox", "|"."""
    words = set(_WORD.findall((user_agent or "")[:512]))
    system = next((code for word, code in _SYSTEMS if word in words), "")
    if system == "android" and "Mobile" not in words:
        system = "android_tablet"
    browser = next((name for word, name in _BROWSERS if word in words), "")
    return f"{system}|{browser}"


def device_name(label: str | None) -> str:
    """A stored label as people read it: "Điện thoại Android · Chrome"."""
    from flask_babel import gettext as _

    system, _bar, browser = (label or "").partition("|")
    names = {
        "android": _("Điện thoại Android"), "android_tablet": _("Máy tính bảng Android"),
        "iphone": _("iPhone"), "ipad": _("iPad"), "windows": _("Máy tính Windows"), "mac": _("Máy Mac"),
        "linux": _("Máy tính Linux"), "chromebook": _("Chromebook"),
    }
    parts = [names.get(system) or _("Thiết bị không rõ tên")]
    if browser:
        parts.append(browser)
    return " · ".join(parts)


# --- starting and restoring -------------------------------------------------------------------


def sign_in(user: User, *, method: str, remember: bool = False) -> Principal:
    """Sign this browser in as `user`: a new AccountSession, its key in the session cookie.

    Whatever this browser was signed in as before is ended first. Call in the request's
    transaction; the caller commits.
    """
    _end_this_browser()
    now = utcnow()
    key = secrets.token_urlsafe(32)
    row = AccountSession(user_id=user.id, key_hash=key_hash(key), session_version=user.session_version,
                         label=device_label(request.user_agent.string), method=method, created_at=now,
                         last_seen_at=now, expires_at=now + current_app.permanent_session_lifetime)
    token = None
    if remember:
        token = secrets.token_urlsafe(32)
        row.remember_hash = key_hash(token)
        row.remember_expires_at = now + remember_duration()
    db.session.add(row)
    db.session.flush()
    _start_cookie_session(row, key)
    principal = principal_for(user, row)
    login_user(principal)
    g._lms_remember = token if token else _CLEAR
    return principal


def _start_cookie_session(row: AccountSession, key: str) -> None:
    locale = session.get("locale")
    session.clear()  # nothing of an earlier visitor's session carries over (its CSRF secret neither)
    if locale:
        session["locale"] = locale
    session.permanent = True
    session[SESSION_KEY] = key
    session[SESSION_VERSION] = row.session_version


def restore_from_remember(req) -> Principal | None:
    """Flask-Login's request loader: a browser with no session but a remember cookie.

    The cookie's row must hold (not ended, not expired, the person active and at the same
    session version); then the browser gets a fresh session key for the same device.
    """
    raw = req.cookies.get(REMEMBER_COOKIE)
    if not raw:
        return None
    now = utcnow()
    row = db.session.scalar(sa.select(AccountSession).where(AccountSession.remember_hash == key_hash(raw)))
    user = db.session.get(User, row.user_id) if row is not None else None
    if (row is None or user is None or row.ended_at is not None or row.remember_expires_at is None
            or row.remember_expires_at <= now or not user.is_active_account or user.erased_at is not None
            or user.session_version != row.session_version):
        g._lms_remember = _CLEAR
        return None
    key = secrets.token_urlsafe(32)
    expires = now + current_app.permanent_session_lifetime
    # Written on a connection of its own: this runs when the request first asks who is signed in,
    # and the request's own transaction is the view's to commit or roll back.
    with db.engine.begin() as connection:
        changed = connection.execute(
            sa.update(AccountSession.__table__)
            .where(AccountSession.id == row.id, AccountSession.ended_at.is_(None),
                   AccountSession.remember_hash == row.remember_hash)
            .values(key_hash=key_hash(key), expires_at=expires, last_seen_at=now)
        ).rowcount
    db.session.expire(row)
    if changed != 1:
        return None
    _start_cookie_session(row, key)
    session["_user_id"] = str(user.id)
    session["_fresh"] = False
    session["_id"] = current_app.login_manager._session_identifier_generator()
    return principal_for(user, row)


# --- listing and ending -----------------------------------------------------------------------


def _open(query, now):
    return query.where(AccountSession.ended_at.is_(None), sa.or_(
        AccountSession.expires_at > now,
        sa.and_(AccountSession.remember_hash.is_not(None), AccountSession.remember_expires_at > now)))


def open_sessions(user_id: int) -> list[AccountSession]:
    """A person's devices still signed in, the most recently seen first."""
    query = sa.select(AccountSession).where(AccountSession.user_id == user_id)
    return list(db.session.scalars(_open(query, utcnow()).order_by(AccountSession.last_seen_at.desc(),
                                                                  AccountSession.id.desc())))


def end_session(user_id: int, session_id: int) -> bool:
    """End one device of a person; False when it is not theirs or already ended."""
    return db.session.execute(
        sa.update(AccountSession)
        .where(AccountSession.id == session_id, AccountSession.user_id == user_id, AccountSession.ended_at.is_(None))
        .values(ended_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount == 1


def end_other_sessions(user_id: int, keep_id: int | None) -> int:
    """End every device of a person but this one; returns how many."""
    condition = [AccountSession.user_id == user_id, AccountSession.ended_at.is_(None)]
    if keep_id is not None:
        condition.append(AccountSession.id != keep_id)
    return db.session.execute(
        sa.update(AccountSession).where(*condition).values(ended_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount


def end_all_sessions(user: User | int) -> None:
    """End every sign-in of this person, everywhere, in the caller's transaction."""
    user_id = user if isinstance(user, int) else user.id
    table = User.__table__
    db.session.execute(
        table.update().where(table.c.id == user_id).values(session_version=table.c.session_version + 1)
    )
    db.session.execute(
        sa.update(AccountSession)
        .where(AccountSession.user_id == user_id, AccountSession.ended_at.is_(None))
        .values(ended_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if not isinstance(user, int):
        db.session.expire(user, ["session_version"])


def sign_out() -> None:
    """End this browser's sign-in (its remember-me token too) and forget it in the cookies."""
    _end_this_browser()
    logout_user()
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    g._lms_remember = _CLEAR


def _end_this_browser() -> None:
    """End the AccountSession behind this browser's cookies, if there is one."""
    conditions = []
    if current_user.is_authenticated and current_user.session_id is not None:
        conditions.append(AccountSession.id == current_user.session_id)
    raw = request.cookies.get(REMEMBER_COOKIE)
    if raw:
        conditions.append(AccountSession.remember_hash == key_hash(raw))
    if conditions:
        db.session.execute(
            sa.update(AccountSession).where(sa.or_(*conditions), AccountSession.ended_at.is_(None))
            .values(ended_at=utcnow()).execution_options(synchronize_session=False)
        )


# --- wiring: the remember cookie and last-seen times, written on the way out -------------------


def init_app(app) -> None:
    from lms.extensions import login_manager

    login_manager.request_loader(restore_from_remember)
    app.jinja_env.globals["device_name"] = device_name

    @app.template_filter("datetime_short")
    def _datetime_short(value):
        from flask_babel import format_datetime

        return format_datetime(value, "dd/MM/yyyy HH:mm") if value else ""

    @app.after_request
    def sign_in_cookies(response):
        token = g.pop("_lms_remember", None)
        if token is not None:
            config = app.config
            if token:
                response.set_cookie(REMEMBER_COOKIE, token, max_age=int(remember_duration().total_seconds()),
                                    secure=config["SESSION_COOKIE_SECURE"], httponly=True, samesite="Lax")
            elif REMEMBER_COOKIE in request.cookies:
                response.delete_cookie(REMEMBER_COOKIE, secure=config["SESSION_COOKIE_SECURE"], httponly=True,
                                       samesite="Lax")
        if _OLD_REMEMBER_COOKIE in request.cookies:
            response.delete_cookie(_OLD_REMEMBER_COOKIE)
        touch = g.pop("_lms_touch_session", None)
        if touch is not None:
            _touch(touch)
        return response


def _touch(session_id: int) -> None:
    """Note when a device was last seen: at most every few minutes, on a connection of its own."""
    try:
        with db.engine.begin() as connection:
            connection.execute(sa.update(AccountSession.__table__).where(AccountSession.id == session_id)
                               .values(last_seen_at=utcnow()))
    except Exception:  # a busy database must not cost the person the page
        logger.warning("could not note when device %s was last seen", session_id, exc_info=True)
