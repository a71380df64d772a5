"""Personal data (Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15): a person's own copy, and erasure.

Erasure anonymises the person's row in place: enrolments, attendance and progress stay as
anonymous rows so a ward's counts do not change, but nothing in them points to who it was.

What the features above accounts keep about a person (classes, attendance, lessons, quizzes,
certificates, households) they report and forget themselves: `personal_data_requested` asks each
for its sections of the download, `person_erased` tells each to forget (lms.signals).
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from lms.accounts.cards import revoke_person_cards
from lms.accounts.models import PersonErasure, SignInToken, User, UserRole
from lms.accounts.phone import display_phone
from lms.accounts.services import AccountError
from lms.accounts.signins import end_all_sessions
from lms.audit.scrub import Former, forget_in_audit
from lms.extensions import db
from lms.signals import person_erased, personal_data_requested
from lms.timeutil import utcnow

ERASED_NAME = "Người đã xoá"


def _when(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


def personal_data(user: User) -> dict:
    """Everything kept about a person, as they may download it."""
    data = {
        "exported_at": _when(utcnow()),
        "profile": {
            "full_name": user.full_name, "phone": display_phone(user.phone) or None,
            "birth_year": user.birth_year, "email": user.email,
            "ward": user.ward.name if user.ward else None,
            "residential_group": user.group.name if user.group else None,
            "roles": sorted(user.roles), "language": user.locale,
            "text_size": user.text_size, "high_contrast": user.high_contrast,
            "created_at": _when(user.created_at), "last_sign_in_at": _when(user.last_login_at),
        },
        "consent": {
            "data_consent_at": _when(user.data_consent_at),
            "needs_accessibility_support": user.needs_accessibility_support,
            "accessibility_consent_at": _when(user.accessibility_consent_at),
        },
        "sign_in_cards": [
            {"printed_at": _when(t.created_at), "expires_at": _when(t.expires_at),
             "used_at": _when(t.used_at), "revoked_at": _when(t.revoked_at)}
            for t in db.session.scalars(sa.select(SignInToken).where(SignInToken.user_id == user.id)
                                        .order_by(SignInToken.created_at))
        ],
    }
    for _receiver, sections in personal_data_requested.send(current_app._get_current_object(), user=user):
        if sections:
            data.update(sections)
    return data


def can_erase(actor: User, person: User) -> str | None:
    """Why `actor` may not erase `person`, or None when they may."""
    if person.erased_at is not None:
        return "already_erased"
    if person.id == actor.id:
        return "erase_self"
    if person.has_role("admin") and not actor.has_role("admin"):
        return "erase_admin"
    return None


def erase_person(person: User, *, by: User, reason: str) -> PersonErasure:
    """Anonymise a person in place, record who did it and why, and tell other features."""
    problem = can_erase(by, person)
    if problem:
        raise AccountError(problem)
    now = utcnow()
    former = Former(person.full_name, person.phone)  # only for cleaning text others typed; not kept
    person.full_name = ERASED_NAME
    person.phone = None
    person.email = None
    person.birth_year = None
    person.secret_hash = None
    person.locale = None
    person.failed_logins = 0
    person.locked_until = None
    person.last_login_at = None
    person.data_consent_at = None
    person.needs_accessibility_support = False
    person.accessibility_consent_at = None
    person.show_full_name = False
    person.is_active_account = False
    person.erased_at = now
    # Staff roles go; the learner role stays so the anonymous rows still count as a learner.
    person.role_rows = [row for row in person.role_rows if row.role == "learner"] or [UserRole(role="learner")]
    revoke_person_cards(person)
    end_all_sessions(person)  # an erased person is signed out everywhere at once
    record = PersonErasure(user_id=person.id, ward_id=person.ward_id, erased_by_id=by.id, reason=reason,
                           erased_at=now)
    db.session.add(record)
    db.session.flush()
    # Every feature forgets what it keeps: classes taught and previews waiting (cohorts),
    # households, certificates.
    person_erased.send(current_app._get_current_object(), user=person, actor=by, former=former)
    # Audit entries anyone wrote: the person's name and number, in whatever form, go.
    forget_in_audit(former)
    db.session.flush()
    return record


def erasure_of(person: User) -> PersonErasure | None:
    return db.session.scalar(sa.select(PersonErasure).where(PersonErasure.user_id == person.id))
