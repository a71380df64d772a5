"""Personal data (Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15): a person's own copy, and erasure.

Erasure anonymises the person's row in place: enrolments, attendance and progress stay as
anonymous rows so a ward's counts do not change, but nothing in them points to who it was.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from lms.accounts.models import User, UserRole
from lms.accounts.phone import display_phone
from lms.audit.scrub import Former, forget_in_audit, mentions
from lms.accounts.signins import end_all_sessions
from lms.cohorts.cards import revoke_person_cards
from lms.cohorts.models import (Attendance, ClassSession, Cohort, Enrollment, PersonErasure, SignInToken,
                                StagedImport, cohort_instructor)
from lms.cohorts.importing import purge_expired_imports
from lms.cohorts.services import CohortError
from lms.cohorts.signals import personal_data_requested
from lms.courses.models import Lesson, LessonProgress
from lms.extensions import db
from lms.quizzes.models import Quiz, QuizAttempt
from lms.signals import person_erased
from lms.templating import pick
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
        "cohorts": [
            {"name": cohort.name, "ward": cohort.ward.name if cohort.ward else None,
             "enrolled_at": _when(enrollment.enrolled_at), "how": enrollment.source}
            for enrollment, cohort in db.session.execute(
                sa.select(Enrollment, Cohort).join(Cohort).where(Enrollment.user_id == user.id)
                .order_by(Enrollment.enrolled_at))
        ],
        "attendance": [
            {"cohort": cohort_name, "day": day.isoformat(), "starts_at": starts.strftime("%H:%M"), "place": place}
            for cohort_name, day, starts, place in db.session.execute(
                sa.select(Cohort.name, ClassSession.day, ClassSession.starts_at, ClassSession.place)
                .join(ClassSession, ClassSession.cohort_id == Cohort.id)
                .join(Attendance, Attendance.class_session_id == ClassSession.id)
                .where(Attendance.user_id == user.id).order_by(ClassSession.day))
        ],
        "lessons": [
            {"lesson": pick(lesson.title), "course_id": lesson.course_id,
             "started_at": _when(progress.started_at), "completed_at": _when(progress.completed_at)}
            for progress, lesson in db.session.execute(
                sa.select(LessonProgress, Lesson).join(Lesson).where(LessonProgress.user_id == user.id)
                .order_by(LessonProgress.started_at))
        ],
        "quiz_attempts": [
            {"quiz": f"{quiz.course_id}/{quiz.key}", "number": attempt.number,
             "started_at": _when(attempt.started_at), "submitted_at": _when(attempt.submitted_at),
             "correct": attempt.correct_count, "questions": attempt.question_count, "passed": attempt.passed}
            for attempt, quiz in db.session.execute(
                sa.select(QuizAttempt, Quiz).join(Quiz).where(QuizAttempt.user_id == user.id)
                .order_by(QuizAttempt.started_at))
        ],
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


def withdraw_support(user: User) -> None:
    """The person withdraws consent to record that they need accessibility support."""
    user.needs_accessibility_support = False
    user.accessibility_consent_at = None
    db.session.flush()


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
        raise CohortError(problem)
    now = utcnow()
    former = Former(person.full_name, person.phone)  # only for cleaning text others typed; not kept
    purge_expired_imports()
    _forget_pending_imports(former)
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
    db.session.execute(sa.delete(cohort_instructor).where(cohort_instructor.c.user_id == person.id))
    db.session.execute(sa.delete(StagedImport).where(StagedImport.owner_id == person.id))
    revoke_person_cards(person)
    end_all_sessions(person)  # an erased person is signed out everywhere at once
    record = PersonErasure(user_id=person.id, ward_id=person.ward_id, erased_by_id=by.id, reason=reason,
                           erased_at=now)
    db.session.add(record)
    db.session.flush()
    person_erased.send(current_app._get_current_object(), user=person, actor=by, former=former)
    # Audit entries anyone wrote: the person's name and number, in whatever form, go.
    forget_in_audit(former)
    db.session.flush()
    return record


def _forget_pending_imports(former: Former) -> None:
    """Previews waiting for confirmation, in every ward, may hold the person's row: take it out
    (the rest of the preview stays). A row is theirs when its number is theirs, however typed."""
    if not former.phone:
        return
    for staged in db.session.scalars(sa.select(StagedImport).where(StagedImport.confirmed_at.is_(None))):
        rows = staged.rows or []
        kept = [row for row in rows if not _row_is(row, former)]
        if len(kept) != len(rows):
            staged.rows = kept
    db.session.flush()


def _row_is(row: dict, former: Former) -> bool:
    if row.get("phone") == former.phone:
        return True
    return any(isinstance(value, str) and mentions(value, former)
               for key, value in row.items() if key in ("phone", "phone_text"))


def erasure_of(person: User) -> PersonErasure | None:
    return db.session.scalar(sa.select(PersonErasure).where(PersonErasure.user_id == person.id))
