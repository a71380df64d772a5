"""Sign-in cards: one-time links printed as QR codes, so a learner signs in without typing.

A link is a random token; only its SHA-256 is stored. Opening the link only shows a question
("Bạn là …?"); the token is spent by the POST of that page, so a QR scanner or a chat app that
fetches the link to preview it does not use it up.

Cards are for learners only (lms.accounts.policy): a card is printed only for a learner-only
account of the cohort's ward, and a card whose person has since become staff, or left the
cohort's ward, no longer signs anyone in. A card is printed for a class (`cohort`: a
lms.cohorts Cohort, read here only for its id and ward), but it signs in a person: it lives with
people, below the cohorts that print it.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import segno
import sqlalchemy as sa
from flask import current_app
from markupsafe import Markup

from lms.accounts import policy
from lms.accounts.models import SignInToken, User
from lms.extensions import db
from lms.timeutil import utcnow

DEFAULT_CARD_DAYS = 30


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def card_days() -> int:
    return int(current_app.config.get("SIGN_IN_CARD_DAYS", DEFAULT_CARD_DAYS))


def card_refusals(cohort, people: list[User], by) -> list[User]:
    """Those of `people` that `by` may not print a card for in this cohort."""
    return [person for person in people if not policy.may_issue_sign_in(by, person, cohort)]


def issue_cards(cohort, people: list[User], by) -> list[tuple[User, str, SignInToken]]:
    """Fresh one-time tokens for these people; their older unused cards stop working.

    Raises PermissionError, with nothing written, if any of them may not have a card from `by`.
    """
    if card_refusals(cohort, people, by):
        raise PermissionError("card_refused")
    now = utcnow()
    ids = [p.id for p in people]
    if ids:
        db.session.execute(
            sa.update(SignInToken)
            .where(SignInToken.user_id.in_(ids), SignInToken.used_at.is_(None), SignInToken.revoked_at.is_(None))
            .values(revoked_at=now)
            .execution_options(synchronize_session=False)
        )
    expires = now + timedelta(days=card_days())
    issued = []
    for person in people:
        raw = secrets.token_urlsafe(16)
        token = SignInToken(user_id=person.id, cohort_id=cohort.id, token_hash=token_hash(raw),
                            created_by_id=by.id, created_at=now, expires_at=expires)
        db.session.add(token)
        issued.append((person, raw, token))
    db.session.flush()
    return issued


def _revoke(condition) -> int:
    return db.session.execute(
        sa.update(SignInToken)
        .where(condition, SignInToken.used_at.is_(None), SignInToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount


def revoke_cohort_cards(cohort) -> int:
    """Stop every unused card printed for a cohort; returns how many."""
    return _revoke(SignInToken.cohort_id == cohort.id)


def revoke_person_cards(user: User) -> int:
    """Stop every unused card of one person; returns how many."""
    return _revoke(SignInToken.user_id == user.id)


def unused_card_count(cohort) -> int:
    """Cards of a cohort that still work."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(SignInToken).where(
            SignInToken.cohort_id == cohort.id, SignInToken.used_at.is_(None),
            SignInToken.revoked_at.is_(None), SignInToken.expires_at > utcnow(),
        )
    ) or 0


def card_state(raw: str) -> tuple[SignInToken | None, str]:
    """The token behind a link and its state: ok, used, revoked, expired or unknown."""
    token = db.session.scalar(sa.select(SignInToken).where(SignInToken.token_hash == token_hash(raw or "")))
    if token is None or token.user is None:
        return None, "unknown"
    if token.used_at is not None:
        return token, "used"
    if token.revoked_at is not None or not policy.may_sign_in_by_card(token.user, token.cohort):
        return token, "revoked"
    if token.expires_at <= utcnow():
        return token, "expired"
    return token, "ok"


def redeem(raw: str) -> User | None:
    """Spend a token and return its person; None if it was used, revoked or expired meanwhile.

    One conditional UPDATE: two phones pressing at once cannot both sign in with one card.
    """
    token, state = card_state(raw)
    if state != "ok":
        return None
    now = utcnow()
    spent = db.session.execute(
        sa.update(SignInToken)
        .where(SignInToken.id == token.id, SignInToken.used_at.is_(None), SignInToken.revoked_at.is_(None),
               SignInToken.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if spent != 1:
        return None
    user = token.user
    user.last_login_at = now
    db.session.flush()
    return user


def qr_svg(data: str, title: str) -> Markup:
    """An inline SVG QR code (medium error correction survives a crumpled card)."""
    qr = segno.make(data, error="m", micro=False)
    svg = qr.svg_inline(scale=4, border=2, title=title, svgclass="qr", lineclass=None, omitsize=True)
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))
