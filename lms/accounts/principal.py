"""Who is signed in: one light, read-only principal per request, read in one query.

Flask-Login's `current_user` is a `Principal`: the person's id, name, roles, ward, language and
reading preferences, the session version and the signed-in device (AccountSession) this request
came from. It is everything the layout, the page cache key and the permission checks need, and it
is read with ONE query on the driver (lms.fastread) that joins the device, the account and its
roles, so the lesson page never loads the whole account.

A request counts as signed in only if, at that moment, in the database every process shares:
- the session cookie names an AccountSession (by the SHA-256 of its random key) of that person,
  not ended and not expired;
- the person is active and not erased;
- the person's session_version is the one the sign-in was made at (the cookie's and the row's).
So sign-out, "sign out everywhere", a PIN change or reset, a revoked card, a role change, erasure
or a coordinator ending the person's sessions take effect on the next request, everywhere.

Views that write to the signed-in person's own row load it with `current_account()`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import g, session
from flask_login import current_user

from lms.accounts.models import AccountSession, User, UserRole
from lms.extensions import db
from lms.fastread import FastRead
from lms.timeutil import utcnow

# What the session cookie carries besides Flask-Login's "_user_id": the device's raw key and the
# person's session version at sign-in.
SESSION_KEY = "_sk"
SESSION_VERSION = "_sv"


@dataclass(frozen=True, slots=True)
class Principal:
    id: int
    full_name: str
    roles: frozenset[str]
    ward_id: int | None
    locale: str | None
    text_size: int
    high_contrast: bool
    session_version: int
    session_id: int | None  # the AccountSession (signed-in device) of this request

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return str(self.id)

    def has_role(self, *roles: str) -> bool:
        return not self.roles.isdisjoint(roles)


class Anonymous:
    """A visitor: the same questions answered, nobody's answers."""

    __slots__ = ()
    id = None
    full_name = ""
    roles: frozenset[str] = frozenset()
    ward_id = None
    locale = None
    text_size = 0
    high_contrast = False
    session_version = None
    session_id = None
    is_authenticated = False
    is_active = False
    is_anonymous = True

    def get_id(self) -> None:
        return None

    def has_role(self, *roles: str) -> bool:
        return False


ANONYMOUS = Anonymous()

# One row per role (an account has one or two). The validity rules that are plain comparisons are
# in the WHERE clause; the expiry is compared in Python, as SQLite hands times back as text.
_PRINCIPAL = FastRead(
    sa.select(User.id, User.full_name, User.ward_id, User.locale, User.text_size, User.high_contrast,
              User.session_version, AccountSession.id, AccountSession.expires_at, AccountSession.last_seen_at,
              UserRole.role)
    .select_from(AccountSession)
    .join(User, User.id == AccountSession.user_id)
    .outerjoin(UserRole, UserRole.user_id == User.id)
    .where(AccountSession.key_hash == sa.bindparam("key_hash"), AccountSession.user_id == sa.bindparam("id"),
           AccountSession.ended_at.is_(None), AccountSession.session_version == User.session_version,
           User.session_version == sa.bindparam("version"),
           User.is_active_account.is_(True), User.erased_at.is_(None))
)

# last_seen_at is written at most this often per device, not on every request.
TOUCH_AFTER_SECONDS = 5 * 60


def _as_datetime(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def load_principal(user_id: str) -> Principal | None:
    """Flask-Login's user loader: the principal of this request's session cookie, or None."""
    from lms.accounts.signins import key_hash

    key, version = session.get(SESSION_KEY), session.get(SESSION_VERSION)
    if not (isinstance(key, str) and type(version) is int and isinstance(user_id, str) and user_id.isdigit()):
        return _forget()
    rows = _PRINCIPAL.rows({"key_hash": key_hash(key), "id": int(user_id), "version": version})
    if not rows:
        return _forget()
    (account_id, full_name, ward_id, locale, text_size, high_contrast, session_version, session_id, expires_at,
     last_seen_at, _) = rows[0]
    now = utcnow()
    if _as_datetime(expires_at) <= now:
        return _forget()
    if (now - _as_datetime(last_seen_at)).total_seconds() >= TOUCH_AFTER_SECONDS:
        g._lms_touch_session = session_id  # written after the response is made (lms.accounts.signins)
    return Principal(id=account_id, full_name=full_name, roles=frozenset(row[10] for row in rows if row[10]),
                     ward_id=ward_id, locale=locale, text_size=text_size or 0, high_contrast=bool(high_contrast),
                     session_version=session_version, session_id=session_id)


def _forget() -> None:
    """The cookie names a sign-in that no longer holds: drop it from the session, sign nobody in."""
    for name in ("_user_id", "_fresh", "_id", SESSION_KEY, SESSION_VERSION):
        session.pop(name, None)
    return None


def principal_for(user: User, account_session: AccountSession) -> Principal:
    """The principal of a sign-in just made (no need to read it back)."""
    return Principal(id=user.id, full_name=user.full_name, roles=frozenset(user.roles), ward_id=user.ward_id,
                     locale=user.locale, text_size=user.text_size or 0, high_contrast=bool(user.high_contrast),
                     session_version=account_session.session_version, session_id=account_session.id)


def current_account() -> User | None:
    """The signed-in person's whole account, for views that write to it; loaded once a request."""
    if not current_user.is_authenticated:
        return None
    account = g.get("_lms_account")
    if account is None or account.id != current_user.id:
        account = g._lms_account = db.session.get(User, current_user.id)
    return account


def init_app(app) -> None:
    from lms.extensions import login_manager

    login_manager.user_loader(load_principal)
    login_manager.anonymous_user = lambda: ANONYMOUS
