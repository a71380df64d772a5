"""Issuing, finding, revoking and withdrawing certificates; who may see and print which."""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.accounts.policy import managed_wards, manages_ward
from lms.audit.services import record
from lms.certificates.codes import new_code, normalise_code
from lms.certificates.models import ASSESSMENT_KINDS, REVOKE_REASON_CODES, Certificate
from lms.certificates.status_list import capacity_for
from lms.cohorts.models import Cohort, Enrollment, cohort_course, cohort_instructor
from lms.cohorts.schedule import vietnam_today
from lms.courses.models import Course
from lms.extensions import db
from lms.quizzes.completion import completed_online
from lms.timeutil import utcnow

log = logging.getLogger("lms.certificates")
# Draws of a fresh code and status index before giving up; a clash is already rare (≤ 1 in 2).
_MAX_DRAWS = 24


class CertificateError(ValueError):
    """A rule about certificates was broken; `code` names which, for the view's message."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Issued:
    certificate: Certificate
    created: bool


# --- queries -----------------------------------------------------------------------------


def certificate_for(user_id: int, course_id: int) -> Certificate | None:
    """The one certificate a learner has for a course, if any."""
    return db.session.scalar(
        sa.select(Certificate).where(Certificate.user_id == user_id, Certificate.course_id == course_id)
    )


def certificate_by_code(text: str | None) -> Certificate | None:
    """Look a certificate up by what someone typed (dashes, spaces, case and O/0, I/1 forgiven)."""
    code = normalise_code(text)
    if code is None:
        return None
    return db.session.scalar(sa.select(Certificate).where(Certificate.code == code))


def certificates_of(user: User) -> list[Certificate]:
    """A learner's own certificates, newest first."""
    return list(db.session.scalars(
        sa.select(Certificate).where(Certificate.user_id == user.id)
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    ))


def ward_certificates(ward_id: int | None, *, search: str = "", status: str = "", limit: int = 200):
    """Certificates of one ward (None: every ward, for admins), newest first, optionally filtered."""
    query = (
        sa.select(Certificate).join(User, User.id == Certificate.user_id)
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc()).limit(limit)
    )
    if ward_id is not None:
        query = query.where(Certificate.ward_id == ward_id)
    if status:
        query = query.where(Certificate.status == status)
    search = " ".join(search.split())
    if search:
        code = normalise_code(search)
        condition = User.full_name.ilike(f"%{search}%")
        if code:
            condition = sa.or_(condition, Certificate.code == code)
        query = query.where(condition)
    return list(db.session.scalars(query))


def cohort_certificates(cohort: Cohort, *, valid_only: bool = True) -> list[Certificate]:
    """Certificates its members hold for the cohort's courses, by name then course."""
    course_ids = [c.id for c in cohort.courses]
    member_ids = [e.user_id for e in cohort.enrollments]
    if not course_ids or not member_ids:
        return []
    query = (
        sa.select(Certificate).join(User, User.id == Certificate.user_id)
        .where(Certificate.user_id.in_(member_ids), Certificate.course_id.in_(course_ids))
        .order_by(User.full_name, Certificate.course_id)
    )
    if valid_only:
        query = query.where(Certificate.status == "valid")
    return list(db.session.scalars(query))


def issuing_instructor(user: User, course: Course) -> User | None:
    """An instructor of one of the learner's cohorts that teaches this course, if there is one."""
    return db.session.scalar(
        sa.select(User)
        .join(cohort_instructor, cohort_instructor.c.user_id == User.id)
        .join(Enrollment, Enrollment.cohort_id == cohort_instructor.c.cohort_id)
        .join(cohort_course, cohort_course.c.cohort_id == cohort_instructor.c.cohort_id)
        .where(Enrollment.user_id == user.id, cohort_course.c.course_id == course.id)
        .order_by(cohort_instructor.c.cohort_id, User.id)
        .limit(1)
    )


def staff_cohorts(user: User) -> list[Cohort]:
    """Cohorts whose certificates this person may print: an instructor's own, a coordinator's ward's."""
    conditions = [managed_wards(user, Cohort.ward_id)]
    if user.has_role("instructor"):
        conditions.append(Cohort.id.in_(
            sa.select(cohort_instructor.c.cohort_id).where(cohort_instructor.c.user_id == user.id)
        ))
    return list(db.session.scalars(sa.select(Cohort).where(sa.or_(*conditions)).order_by(Cohort.name, Cohort.id)))


# --- who may do what ---------------------------------------------------------------------


def teaches(user: User, cohort: Cohort) -> bool:
    return user.has_role("instructor") and any(i.id == user.id for i in cohort.instructors)


def may_print_cohort(user: User, cohort: Cohort) -> bool:
    """The cohort's instructors, and the coordinators of its ward (admins everywhere)."""
    return manages_ward(user, cohort.ward_id) or teaches(user, cohort)


def may_manage(user: User, certificate: Certificate) -> bool:
    """Revoking and the ward's view: coordinators of the certificate's ward, and admins."""
    return manages_ward(user, certificate.ward_id)


def may_view(user: User, certificate: Certificate) -> bool:
    """The learner, their ward's coordinators, and instructors of a cohort of theirs with the course."""
    if certificate.user_id == user.id or may_manage(user, certificate):
        return True
    if not user.has_role("instructor"):
        return False
    return bool(db.session.scalar(
        sa.select(sa.func.count()).select_from(cohort_instructor)
        .join(Enrollment, Enrollment.cohort_id == cohort_instructor.c.cohort_id)
        .join(cohort_course, cohort_course.c.cohort_id == cohort_instructor.c.cohort_id)
        .where(cohort_instructor.c.user_id == user.id, Enrollment.user_id == certificate.user_id,
               cohort_course.c.course_id == certificate.course_id)
    ))


# --- issuing -----------------------------------------------------------------------------


def _draw_status_index() -> int:
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) or 0
    return secrets.randbelow(capacity_for(count))


def issue_certificate(user: User, course: Course, *, method: str = "online", instructor: User | None = None,
                      attested_by: User | None = None, assessed_on: date | None = None,
                      assessment_kind: str | None = None) -> Issued:
    """Issue the learner's certificate for a course exactly once; a second call returns the first."""
    existing = certificate_for(user.id, course.id)
    if existing is not None:
        return Issued(existing, False)
    for _ in range(_MAX_DRAWS):
        certificate = Certificate(
            code=new_code(), user_id=user.id, course_id=course.id, course_version=course.version,
            course_title=dict(course.title), competences=list(course.competences), level=course.level,
            issued_at=utcnow().replace(microsecond=0), ward_id=user.ward_id,
            instructor_id=instructor.id if instructor else None, method=method,
            attested_by_id=attested_by.id if attested_by else None, assessed_on=assessed_on,
            assessment_kind=assessment_kind, status="valid", status_index=_draw_status_index(),
        )
        try:
            # The savepoint keeps the caller's transaction (a lesson just completed) when we lose a race.
            with db.session.begin_nested():
                db.session.add(certificate)
        except IntegrityError:
            existing = certificate_for(user.id, course.id)
            if existing is not None:
                return Issued(existing, False)
            continue  # the code or the status index clashed with another certificate: draw again
        record(attested_by, "certificate.issued", certificate, method=method, course=course.slug,
               course_version=course.version)
        return Issued(certificate, True)
    raise RuntimeError("could not draw a free certificate code and status index")


def issue_if_completed(user: User, course: Course) -> Certificate | None:
    """Issue the online certificate when the learner has met the rule; None when they have not."""
    existing = certificate_for(user.id, course.id)
    if existing is not None:
        return existing
    if user.erased_at is not None or not completed_online(user.id, course.id):
        return None
    return issue_certificate(user, course, method="online", instructor=issuing_instructor(user, course)).certificate


def attest_in_person(instructor: User, cohort: Cohort, learner: User, course: Course,
                     assessed_on: date, assessment_kind: str) -> Issued:
    """An instructor attests attendance and a passed live or paper assessment: issue once."""
    if not teaches(instructor, cohort):
        raise CertificateError("not_instructor")
    if not any(e.user_id == learner.id for e in cohort.enrollments) or learner.erased_at is not None:
        raise CertificateError("not_member")
    if not any(c.id == course.id for c in cohort.courses):
        raise CertificateError("not_cohort_course")
    if assessment_kind not in ASSESSMENT_KINDS:
        raise CertificateError("assessment_kind")
    # Today as the hall sees it: in the evening (UTC) Vietnam is already on the next day.
    if assessed_on > vietnam_today():
        raise CertificateError("future_date")
    return issue_certificate(learner, course, method="in_person", instructor=instructor, attested_by=instructor,
                             assessed_on=assessed_on, assessment_kind=assessment_kind)


# --- changing status ---------------------------------------------------------------------


def revoke(certificate: Certificate, by: User, code: str, note: str | None = None) -> Certificate:
    """A coordinator withdraws the ward's recognition. The verify page shows only the reason's
    fixed label (`code`, one of REVOKE_REASON_CODES): free text typed there once carried names and
    phone numbers to the public. `note` is private to the ward's staff and scrubbed on erasure."""
    if code not in REVOKE_REASON_CODES:
        raise CertificateError("reason_required")
    note = " ".join((note or "").split()) or None
    if note and len(note) > 500:
        raise CertificateError("reason_long")
    if certificate.status == "revoked":
        raise CertificateError("already_revoked")
    if certificate.status == "withdrawn":
        raise CertificateError("withdrawn")
    table = Certificate.__table__
    now = utcnow().replace(microsecond=0)
    # Conditional UPDATE: of two coordinators revoking at once, only one is recorded.
    changed = db.session.execute(
        table.update().where(table.c.id == certificate.id, table.c.status == "valid")
        .values(status="revoked", revoked_at=now, revoked_by_id=by.id, revoke_reason_code=code, revoke_reason=note)
    ).rowcount
    db.session.refresh(certificate)
    if not changed:
        raise CertificateError("already_revoked")
    record(by, "certificate.revoked", certificate, reason_code=code, note=note, code=certificate.code)
    return certificate


def forget_notes(user: User, former=None) -> None:
    """Erasure: the private notes typed about this person's certificates go, from the
    certificates and from their audit entries (the fixed reason and the dates stay); a note on
    anyone else's certificate that names them or gives their number loses those words."""
    from lms.audit.models import AuditLog
    from lms.audit.scrub import drop_notes, scrub

    ids = sa.select(Certificate.id).where(Certificate.user_id == user.id)
    db.session.execute(sa.update(Certificate).where(Certificate.id.in_(ids)).values(revoke_reason=None)
                       .execution_options(synchronize_session="fetch"))
    drop_notes(sa.select(AuditLog.id).where(AuditLog.target_type == Certificate.__tablename__,
                                            AuditLog.target_id.in_(ids)))
    if former is None:
        return
    for certificate_id, note in db.session.execute(
            sa.select(Certificate.id, Certificate.revoke_reason).where(Certificate.revoke_reason.is_not(None))).all():
        cleaned = scrub(note, former)
        if cleaned != note:
            db.session.execute(sa.update(Certificate).where(Certificate.id == certificate_id)
                               .values(revoke_reason=cleaned).execution_options(synchronize_session="fetch"))


def withdraw_all(user: User, actor: User | None = None) -> int:
    """The person was erased: their certificates stop naming them and no longer stand."""
    certificates = list(db.session.scalars(
        sa.select(Certificate).where(Certificate.user_id == user.id, Certificate.status != "withdrawn")
    ))
    now = utcnow().replace(microsecond=0)
    for certificate in certificates:
        previous = certificate.status
        certificate.status = "withdrawn"
        certificate.withdrawn_at = now
        record(actor, "certificate.withdrawn", certificate, previous_status=previous)
    db.session.flush()
    return len(certificates)


def set_name_display(user: User, full: bool) -> None:
    """The learner's choice: their full name, or family name and initials, on the public page."""
    user.show_full_name = bool(full)
    db.session.flush()


def status_indexes_set(ward_id: int | None) -> list[int]:
    """Status-list positions of one issuer's certificates that no longer stand."""
    query = sa.select(Certificate.status_index).where(Certificate.status != "valid")
    query = query.where(Certificate.ward_id == ward_id if ward_id is not None else Certificate.ward_id.is_(None))
    return list(db.session.scalars(query))


def highest_status_index() -> int | None:
    return db.session.scalar(sa.select(sa.func.max(Certificate.status_index)))
