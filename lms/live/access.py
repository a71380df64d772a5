"""Who may run a live class: the one rule every instructor view goes through.

The cohort's instructors, its ward's coordinators and admins (lms.cohorts.access.cohort_or_404
with teaching=True); anyone else — an instructor of another cohort, another ward — gets 404, as
if the class did not exist.
"""
from __future__ import annotations

from flask import abort

from lms.cohorts.access import cohort_or_404
from lms.cohorts.models import ClassSession, Cohort
from lms.extensions import db
from lms.live.models import LiveSession


def teaching_or_404(cohort_id: int) -> Cohort:
    return cohort_or_404(cohort_id, teaching=True)


def class_session_or_404(session_id: int) -> ClassSession:
    class_session = db.session.get(ClassSession, session_id)
    if class_session is None:
        abort(404)
    teaching_or_404(class_session.cohort_id)
    return class_session


def live_or_404(live_id: int) -> LiveSession:
    live = db.session.get(LiveSession, live_id)
    if live is None:
        abort(404)
    teaching_or_404(live.cohort_id)
    return live


def may_attest(live: LiveSession) -> bool:
    """Issuing certificates for a live final assessment is the cohort's instructors' own act (as
    every in-person attestation, lms.certificates.services.attest_in_person): a coordinator or an
    admin may run the class and see the results, but not sign for the instructor."""
    from flask_login import current_user

    from lms.cohorts.services import teaches

    return current_user.has_role("instructor") and teaches(current_user, live.cohort)
