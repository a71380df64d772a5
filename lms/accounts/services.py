"""Accounts: checking PINs and passwords, slowing down repeated failures (people are created and
changed in lms.accounts.people)."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_request_context, request
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lms import timeutil
from lms.accounts.models import LoginThrottle, User
from lms.accounts.phone import InvalidPhone, normalise_phone
from lms.extensions import db


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


# People who may share one phone number (a household), each signing in with their own PIN.
SHARED_PHONE_LIMIT = 4


def sharing_phone(phone: str) -> list[User]:
    """The active accounts with a PIN or password on this (normalised) number, at most
    SHARED_PHONE_LIMIT, oldest first."""
    return list(db.session.scalars(
        sa.select(User).where(User.phone == phone, User.is_active_account.is_(True), User.erased_at.is_(None),
                              User.secret_hash.is_not(None))
        .order_by(User.id).limit(SHARED_PHONE_LIMIT)))


def pin_used_by_housemate(user: User, secret: str) -> bool:
    """Is `secret` the PIN of someone else on this person's number? PINs must differ there, or the
    number and PIN would not say who is signing in."""
    if not user.phone:
        return False
    others = db.session.scalars(sa.select(User).where(
        User.phone == user.phone, User.id != user.id, User.secret_hash.is_not(None), User.erased_at.is_(None))
        .limit(SHARED_PHONE_LIMIT)).all()
    return any(verify_secret(other.secret_hash, secret) for other in others)


def find_by_phone(phone_text: str) -> User | None:
    try:
        phone = normalise_phone(phone_text)
    except InvalidPhone:
        return None
    return db.session.scalar(sa.select(User).where(User.phone == phone).order_by(User.id).limit(1))


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    error: str | None = None  # invalid_phone | wrong (unknown number, no PIN, wrong PIN, or throttled)


# --- sign-in: growing delays, never a lock an outsider controls ---------------------------
#
# Failures are counted in LoginThrottle under two keys: the account ("acct:", whoever tries it)
# and the account from one address ("pair:"). After LOGIN_FREE_FAILURES failures a key makes the
# next try wait 1, 2, 4… seconds, up to LOGIN_MAX_DELAY_SECONDS for the pair but only
# LOGIN_ACCOUNT_MAX_DELAY_SECONDS for the account: someone guessing from one address soon waits a
# quarter of an hour between tries, while the owner, elsewhere, waits at most a minute (and not at
# all from an address they have signed in from before, "known:"). Unknown numbers are counted the
# same way under the same kind of key, so nothing tells them apart from real accounts. A throttled
# try, an unknown number, an account with no PIN and a wrong PIN get the same answer after the same
# Argon2 work (against a dummy hash when there is no real one to check). A success, or a PIN reset
# by a coordinator (clear_throttle), clears the account's counts.


def _digest(text: str) -> str:
    """Keyed, so the table does not list the phone numbers that were tried."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()


def _keys(phone: str, address: str) -> tuple[str, str, str]:
    account = _digest(phone)
    where = _digest("addr:" + address)[:32]
    return f"acct:{account}", f"pair:{account}:{where}", f"known:{account}:{where}"


@lru_cache(maxsize=4)
def _dummy_hash(time_cost: int, memory_cost: int) -> str:
    """A hash of a random secret at the configured cost, made once per process."""
    return _make_hasher(time_cost, memory_cost).hash(secrets.token_urlsafe(16))


def _spend_a_verification(secret: str) -> None:
    """The Argon2 work of checking a PIN, where there is no real hash to check (or no need)."""
    config = current_app.config
    verify_secret(_dummy_hash(config.get("ARGON2_TIME_COST", 3), config.get("ARGON2_MEMORY_COST", 65536)),
                  secret or "-")


def _client_address() -> str:
    return (request.remote_addr if has_request_context() else None) or "-"


def authenticate(phone_text: str, secret: str, address: str | None = None) -> SignInResult:
    """Check a sign-in from `address` (the request's); count failures, delay repeated ones."""
    try:
        phone = normalise_phone(phone_text)
    except InvalidPhone:
        return SignInResult(None, "invalid_phone")
    account_key, pair_key, known_key = _keys(phone, address or _client_address())
    now = timeutil.utcnow()
    rows = {row.key: row for row in db.session.scalars(
        sa.select(LoginThrottle).where(LoginThrottle.key.in_((account_key, pair_key, known_key))))}
    known = known_key in rows
    throttled = any(row is not None and row.next_allowed_at is not None and row.next_allowed_at > now
                    for row in (rows.get(pair_key), None if known else rows.get(account_key)))
    candidates = [] if throttled else sharing_phone(phone)
    # A number may be shared by a household: the PIN says who is signing in (PINs differ among
    # them). A failure always costs exactly SHARED_PHONE_LIMIT verifications (each candidate's
    # hash, then the dummy's), so its time tells nobody whether the number is known or how many
    # share it. A success stops at its match: only someone who knows the PIN sees that time, and
    # the usual sign-in (one person on the number) costs one verification, not four.
    user = None
    checked = 0
    for candidate in candidates:
        checked += 1
        if verify_secret(candidate.secret_hash, secret):
            user = candidate
            break
    if user is None:
        for _ in range(SHARED_PHONE_LIMIT - checked):
            _spend_a_verification(secret)
    if user is None:
        # Unknown, switched off, no PIN yet, wrong PIN or asked too soon: the same answer.
        if not throttled:
            _record_failure(pair_key, account_key, known, now)
        return SignInResult(None, "wrong")
    db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key.in_((account_key, pair_key))))
    if not known:
        db.session.add(LoginThrottle(key=known_key, failures=0, last_failure_at=now))
    user.last_login_at = now
    if _hasher().check_needs_rehash(user.secret_hash):
        user.secret_hash = hash_secret(secret)
    db.session.flush()
    return SignInResult(user)


def _delay(failures: int, cap_seconds: int) -> timedelta | None:
    free = current_app.config["LOGIN_FREE_FAILURES"]
    if failures <= free:
        return None
    return timedelta(seconds=min(2 ** min(failures - free - 1, 30), cap_seconds))


def _record_failure(pair_key: str, account_key: str, known: bool, now: datetime) -> None:
    """Count a failure under both keys, atomically (one upsert each: two racing failures both count),
    and commit, so it sticks although the request answers with an error page.

    A known address's failures count for the pair only: they never slow the account down for others."""
    config = current_app.config
    caps = [(pair_key, config["LOGIN_MAX_DELAY_SECONDS"])]
    if not known:
        caps.append((account_key, config["LOGIN_ACCOUNT_MAX_DELAY_SECONDS"]))
    table = LoginThrottle.__table__
    insert = (postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert)
    for key, cap in caps:
        statement = insert(table).values(key=key, failures=1, last_failure_at=now)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={"failures": table.c.failures + 1, "last_failure_at": now},
        ).returning(table.c.failures)
        failures = db.session.execute(statement).scalar_one()
        delay = _delay(failures, cap)
        if delay is not None:
            # Only the latest count sets the wait: a slower request that counted fewer does not shorten it.
            db.session.execute(table.update().where(table.c.key == key, table.c.failures == failures)
                               .values(next_allowed_at=now + delay))
    db.session.commit()


def clear_throttle(phone: str) -> None:
    """Forget the failed sign-ins counted for this number (a coordinator reset the PIN)."""
    account = _digest(normalise_phone(phone))
    db.session.execute(sa.delete(LoginThrottle).where(sa.or_(
        LoginThrottle.key == f"acct:{account}", LoginThrottle.key.like(f"pair:{account}:%"))))


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
    if pin_used_by_housemate(user, new):
        raise AccountError("pin_unavailable")
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
    """Give a person a fresh PIN (and lift a lock) for a coordinator to hand over; returns it once.
    Never one a housemate on the same number already uses."""
    pin = new_pin()
    while pin_used_by_housemate(user, pin):
        pin = new_pin()
    user.secret_hash = hash_secret(pin)
    user.secret_kind = "pin"
    user.failed_logins = 0
    user.locked_until = None
    if user.phone:
        clear_throttle(user.phone)
    db.session.flush()
    return pin
