"""Reactions to lower features' signals: issue when a course is finished, withdraw on erasure,
and list certificates in a person's own data download."""
from __future__ import annotations

import logging

import sqlalchemy as sa

from lms.certificates.codes import display_code
from lms.certificates.services import certificates_of, forget_notes, issue_if_completed, withdraw_all
from lms.extensions import db
from lms.signals import course_progress_changed, person_erased, personal_data_requested

log = logging.getLogger("lms.certificates")


@course_progress_changed.connect
def issue_when_completed(sender, user=None, course=None, **extra):
    """The moment the online rule is met, inside the same request and transaction."""
    if user is None or course is None:
        return
    try:
        with db.session.begin_nested():
            issue_if_completed(user, course)
    except Exception:
        # The lesson or quiz the learner just finished must still be saved; the certificate page
        # (certificates.for_course) issues it later from the same rule.
        log.exception("could not issue the certificate of user %s for course %s", user.id, course.id)


@person_erased.connect
def withdraw_when_erased(sender, user=None, actor=None, **extra):
    """An erased person's certificates are withdrawn and stop showing their name."""
    if user is None:
        return
    if actor is None:
        from lms.accounts.models import User
        from lms.accounts.models import PersonErasure

        actor = db.session.scalar(
            sa.select(User).join(PersonErasure, PersonErasure.erased_by_id == User.id)
            .where(PersonErasure.user_id == user.id)
        )
    withdraw_all(user, actor=actor)
    forget_notes(user, extra.get("former"))


@personal_data_requested.connect
def certificates_section(sender, user=None, **extra):
    """What we keep about a person's certificates, for their own data download."""
    if user is None:
        return None
    return {"certificates": [
        {"code": display_code(c.code), "course": c.course_title.get("vi"), "course_version": c.course_version,
         "competences": c.competences, "level": c.level, "issued_at": c.issued_at.isoformat() + "Z",
         "method": c.method, "status": c.status, "show_full_name_on_verify_page": user.show_full_name}
        for c in certificates_of(user)
    ]}
