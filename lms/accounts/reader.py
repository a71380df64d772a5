"""Who is reading: what every page's layout needs to know about the person, read lightly.

The layout shows the reader's language, text size, contrast and role-dependent menu. Those come
from one small query per request, by the id in the signed session, without loading the whole
account: Flask-Login's `current_user` loads that (an ORM object with its roles) only when a view
needs it. The lesson page, read far more than any other, then never needs it.

The same rule decides who is signed in either way: the session names an account that exists and
is active. A browser with only a "remember me" cookie goes through Flask-Login, which restores
the session from it.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, g, request, session
from flask_login import current_user

from lms.accounts.models import User, UserRole
from lms.fastread import FastRead


@dataclass(frozen=True)
class Reader:
    id: int | None
    roles: frozenset[str] = frozenset()
    locale: str | None = None
    text_size: int = 0
    high_contrast: bool = False

    @property
    def is_authenticated(self) -> bool:
        return self.id is not None

    def has_role(self, *roles: str) -> bool:
        return not self.roles.isdisjoint(roles)


ANONYMOUS = Reader(id=None)

# One row per role (an account has one or two); compiled once and run on the driver (lms.fastread).
_READER = FastRead(
    sa.select(User.id, User.locale, User.text_size, User.high_contrast, UserRole.role)
    .outerjoin(UserRole, UserRole.user_id == User.id)
    .where(User.id == sa.bindparam("id"), User.is_active_account.is_(True))
)


def current_reader() -> Reader:
    """The reader of this request (kept for the request)."""
    reader = g.get("_lms_reader")
    if reader is None:
        reader = g._lms_reader = _find_reader()
    return reader


def _find_reader() -> Reader:
    if "_login_user" in g:  # Flask-Login has loaded the account already: read it from there
        return _from_account(current_user)
    user_id = session.get("_user_id")
    if user_id is None:
        if request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")):
            return _from_account(current_user)  # Flask-Login restores the session from the cookie
        return ANONYMOUS
    if not str(user_id).isdigit():
        return ANONYMOUS
    rows = _READER.rows({"id": int(user_id)})
    if not rows:
        return ANONYMOUS  # the account is gone or no longer active
    account_id, locale, text_size, high_contrast, _ = rows[0]
    return Reader(id=account_id, roles=frozenset(row[4] for row in rows if row[4]), locale=locale,
                  text_size=text_size or 0, high_contrast=bool(high_contrast))


def _from_account(user) -> Reader:
    if not user.is_authenticated:
        return ANONYMOUS
    return Reader(id=user.id, roles=frozenset(user.roles), locale=user.locale, text_size=user.text_size or 0,
                  high_contrast=bool(user.high_contrast))
