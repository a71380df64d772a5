"""Who may open which cohort: load-or-404 helpers the views share."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from lms.accounts.policy import manages_ward
from lms.accounts.models import User
from lms.cohorts.models import ClassSession, Cohort
from lms.cohorts.services import is_member, teaches
from lms.extensions import db


def manages(cohort: Cohort) -> bool:
    """May the signed-in person manage this cohort (its ward's coordinator, or an admin)?"""
    return manages_ward(current_user, cohort.ward_id)


def cohort_or_404(cohort_id: int, *, teaching: bool = False) -> Cohort:
    """A cohort the signed-in person may open; another ward's, or one they do not teach, is 404."""
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        abort(404)
    if manages(cohort):
        return cohort
    if teaching and current_user.has_role("instructor") and teaches(current_user, cohort):
        return cohort
    abort(404)


def member_or_404(cohort: Cohort, user_id: int) -> User:
    """A member of this cohort; anyone else is 404."""
    user = db.session.get(User, user_id)
    if user is None or not is_member(cohort, user.id):
        abort(404)
    return user


def session_or_404(cohort: Cohort, session_id: int) -> ClassSession:
    session = db.session.get(ClassSession, session_id)
    if session is None or session.cohort_id != cohort.id:
        abort(404)
    return session
