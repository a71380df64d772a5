"""Accounts: creating people, checking PINs and passwords, locking after repeated failures."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from lms.accounts.models import ROLES, User, UserRole
from lms.accounts.phone import InvalidPhone, normalise_phone
from lms.extensions import db
from lms.timeutil import utcnow


@lru_cache(maxsize=4)
def _make_hasher(time_cost: int, memory_cost: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost)


def _hasher() -> PasswordHasher:
    """Argon2id; the default cost is the library's RFC 9106 low-memory profile (about 0.13 s here)."""
    config = current_app.config
    return _make_hasher(config.get("ARGON2_TIME_COST", 3), config.get("ARGON2_MEMORY_COST", 65536))

# PINs anyone would try first; refused when a person chooses a PIN.
_WEAK_PINS = {"000000", "111111", "123456", "654321", "123123", "112233", "121212", "999999",
              "222222", "333333", "444444", "555555", "666666", "777777", "888888", "012345"}


class AccountError(ValueError):
    """A rule about accounts was broken; `code` names which, for the view's message."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def hash_secret(secret: str) -> str:
    return _hasher().hash(secret)


def verify_secret(hashed: str | None, secret: str) -> bool:
    if not hashed:
        return False
    try:
        return _hasher().verify(hashed, secret)
    except (VerificationError, InvalidHashError):
        return False


def check_new_secret(kind: str, secret: str) -> None:
    """Raise AccountError unless the secret fits its kind: a 6-digit PIN or an 8+ character password."""
    if kind == "pin":
        if len(secret) != 6 or not secret.isdigit():
            raise AccountError("pin_format")
        if secret in _WEAK_PINS:
            raise AccountError("pin_weak")
    elif kind == "password":
        if len(secret) < 8:
            raise AccountError("password_short")
    else:
        raise AccountError("secret_kind")


def find_by_phone(phone_text: str) -> User | None:
    try:
        phone = normalise_phone(phone_text)
    except InvalidPhone:
        return None
    return db.session.scalar(sa.select(User).where(User.phone == phone))


def create_user(
    *,
    full_name: str,
    phone: str | None,
    roles: tuple[str, ...] = ("learner",),
    secret: str | None = None,
    secret_kind: str = "pin",
    ward=None,
    group=None,
    birth_year: int | None = None,
    email: str | None = None,
) -> User:
    """Stage a new person; raises AccountError or InvalidPhone before anything is written."""
    full_name = " ".join(full_name.split())
    if not full_name:
        raise AccountError("name_required")
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise AccountError("role_unknown")
    normalised = normalise_phone(phone) if phone else None
    if normalised and db.session.scalar(sa.select(User.id).where(User.phone == normalised)):
        raise AccountError("phone_taken")
    if secret is not None:
        check_new_secret(secret_kind, secret)
    user = User(
        full_name=full_name,
        phone=normalised,
        secret_kind=secret_kind,
        secret_hash=hash_secret(secret) if secret else None,
        ward=ward,
        group=group,
        birth_year=birth_year,
        email=(email or None),
    )
    user.role_rows = [UserRole(role=r) for r in dict.fromkeys(roles)]
    db.session.add(user)
    db.session.flush()
    return user


def grant_role(user: User, role: str) -> None:
    if role not in ROLES:
        raise AccountError("role_unknown")
    if role not in user.roles:
        user.role_rows.append(UserRole(role=role))
        db.session.flush()


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    error: str | None = None  # invalid_phone | wrong | locked
    locked_until: datetime | None = None


def authenticate(phone_text: str, secret: str) -> SignInResult:
    """Check a sign-in; count failures and lock the account for a while after too many."""
    try:
        phone = normalise_phone(phone_text)
    except InvalidPhone:
        return SignInResult(None, "invalid_phone")
    user = db.session.scalar(sa.select(User).where(User.phone == phone))
    now = utcnow()
    if user is None or not user.is_active:
        # Same answer as a wrong PIN, so the form does not reveal who has an account.
        _hasher().hash(secret or "-")  # spend the same time as a real check
        return SignInResult(None, "wrong")
    if user.locked_until and user.locked_until > now:
        return SignInResult(None, "locked", user.locked_until)
    if not verify_secret(user.secret_hash, secret):
        _record_failure(user, now)
        db.session.refresh(user)
        if user.locked_until and user.locked_until > now:
            return SignInResult(None, "locked", user.locked_until)
        return SignInResult(None, "wrong")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if _hasher().check_needs_rehash(user.secret_hash):
        user.secret_hash = hash_secret(secret)
    db.session.flush()
    return SignInResult(user)


def _record_failure(user: User, now: datetime) -> None:
    """Count a failure in one UPDATE so two racing attempts both count."""
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    lock_for = timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    table = User.__table__
    db.session.execute(
        table.update().where(table.c.id == user.id).values(failed_logins=table.c.failed_logins + 1)
    )
    db.session.execute(
        table.update()
        .where(table.c.id == user.id, table.c.failed_logins >= limit)
        .values(locked_until=now + lock_for, failed_logins=0)
    )
    # Failures must stick even though the request answers with an error page.
    db.session.commit()


def secret_kind_of(user: User) -> str:
    """What this person changes on "Đổi mã PIN": their password if they sign in with one, else a PIN."""
    return "password" if user.secret_hash is not None and user.secret_kind == "password" else "pin"


def change_secret(user: User, current: str | None, new: str, kind: str = "pin") -> None:
    """Replace a PIN or password after checking the current one.

    Someone who has none yet (signed in with a card's one-time QR link) just chooses one. A
    password is replaced only by a password (staff keep theirs: lms.accounts.policy).
    """
    if user.secret_hash is not None and not verify_secret(user.secret_hash, current or ""):
        raise AccountError("current_wrong")
    if kind != secret_kind_of(user) and secret_kind_of(user) == "password":
        raise AccountError("password_kept")
    check_new_secret(kind, new)
    user.secret_hash = hash_secret(new)
    user.secret_kind = kind
    db.session.flush()


def set_locale(user: User, locale: str) -> None:
    from lms.accounts.models import LOCALES

    if locale not in LOCALES:
        raise AccountError("locale_unknown")
    user.locale = locale
    db.session.flush()


def new_pin() -> str:
    """A random 6-digit PIN that is not one of the easy ones."""
    while True:
        pin = f"{secrets.randbelow(10 ** 6):06d}"
        if pin not in _WEAK_PINS:
            return pin


def reset_pin(user: User) -> str:
    """Give a person a fresh PIN (and lift a lock) for a coordinator to hand over; returns it once."""
    pin = new_pin()
    user.secret_hash = hash_secret(pin)
    user.secret_kind = "pin"
    user.failed_logins = 0
    user.locked_until = None
    db.session.flush()
    return pin
