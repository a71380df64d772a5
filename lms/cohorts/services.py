"""Cohorts: create and edit them, find people, enrol them, join by code, remove members."""
from __future__ import annotations

import functools
import secrets

import sqlalchemy as sa
from flask import current_app

from lms.accounts import policy
from lms.accounts.collation import sort_by_name, vietnamese_key
from lms.accounts.models import User, UserRole
from lms.accounts.people import adopt_into_ward, create_learner, record_consent
from lms.accounts.services import AccountError
from lms.accounts.text import clean
from lms.cohorts.models import Cohort, Enrollment, cohort_instructor
from lms.cohorts.signals import households_named
from lms.courses.models import Course
from lms.extensions import db
from lms.wards.models import ResidentialGroup

# Codes people read aloud and type: no 0/O, 1/I/L look-alikes.
JOIN_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
JOIN_CODE_LENGTH = 8


class CohortError(ValueError):
    """A rule about cohorts or enrolment was broken; `code` names which, for the message."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def new_join_code() -> str:
    """A fresh join code that no cohort uses yet."""
    while True:
        code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
        if not db.session.scalar(sa.select(Cohort.id).where(Cohort.join_code == code)):
            return code


def normalise_code(text: str | None) -> str:
    """What people type as a code, upper-cased and without spaces or dashes."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def ward_groups(ward_id: int) -> list[ResidentialGroup]:
    """A ward's residential groups and markets in Vietnamese alphabetical order (not the retired)."""
    groups = db.session.scalars(sa.select(ResidentialGroup).where(
        ResidentialGroup.ward_id == ward_id, ResidentialGroup.retired_at.is_(None))).all()
    return sorted(groups, key=lambda g: _group_key(g.name))


# A ward's few group names come back on every page with a group filter: each name's sort key is
# worked out once per process (a ward of 100,000 people has forty or so groups).
_group_key = functools.lru_cache(maxsize=4096)(vietnamese_key)


def ward_instructors(ward_id: int) -> list[User]:
    """People of a ward who may teach: instructors (and coordinators who also teach)."""
    people = db.session.scalars(
        sa.select(User).join(UserRole).where(
            User.ward_id == ward_id, User.is_active_account.is_(True), UserRole.role == "instructor"
        )
    ).unique().all()
    return sort_by_name(people)


def active_courses() -> list[Course]:
    """Courses a cohort can be given."""
    return db.session.scalars(sa.select(Course).where(Course.retired_at.is_(None)).order_by(Course.id)).all()


def _pick(model, ids, allowed_query):
    ids = set(ids or [])
    if not ids:
        return []
    found = db.session.scalars(allowed_query.where(model.id.in_(ids))).unique().all()
    if len(found) != len(ids):
        raise CohortError("choice_invalid")
    return list(found)


def _apply(cohort: Cohort, *, name, audience, group_id, instructor_ids, course_ids) -> None:
    name = clean(name)
    if not name:
        raise CohortError("name_required")
    cohort.name = name
    cohort.audience = audience
    if group_id:
        group = db.session.get(ResidentialGroup, group_id)
        if group is None or group.ward_id != cohort.ward_id:
            raise CohortError("choice_invalid")
        cohort.group_id = group.id
    else:
        cohort.group_id = None
    instructors = sa.select(User).join(UserRole).where(
        User.ward_id == cohort.ward_id, UserRole.role == "instructor"
    )
    cohort.instructors = _pick(User, instructor_ids, instructors)
    cohort.courses = _pick(Course, course_ids, sa.select(Course).where(Course.retired_at.is_(None)))


def create_cohort(*, ward_id: int, name: str, audience: str, group_id=None, instructor_ids=(),
                  course_ids=()) -> Cohort:
    """Stage a new cohort of a ward with a fresh join code."""
    cohort = Cohort(ward_id=ward_id, join_code=new_join_code())
    _apply(cohort, name=name, audience=audience, group_id=group_id,
           instructor_ids=instructor_ids, course_ids=course_ids)
    db.session.add(cohort)
    db.session.flush()
    return cohort


def update_cohort(cohort: Cohort, *, name: str, audience: str, group_id=None, instructor_ids=(),
                  course_ids=()) -> None:
    """Change a cohort's name, audience, group, instructors and courses."""
    _apply(cohort, name=name, audience=audience, group_id=group_id,
           instructor_ids=instructor_ids, course_ids=course_ids)
    db.session.flush()


def change_join_code(cohort: Cohort) -> str:
    """Give a cohort a new join code; the old code and its QR stop working."""
    cohort.join_code = new_join_code()
    db.session.flush()
    return cohort.join_code


def cohorts_for(user, ward_id: int | None = None) -> list[Cohort]:
    """The cohorts a person may open: a coordinator's ward, an admin's all, an instructor's own."""
    teaching = sa.select(cohort_instructor.c.cohort_id).where(cohort_instructor.c.user_id == user.id)
    query = sa.select(Cohort).where(sa.or_(policy.managed_wards(user, Cohort.ward_id), Cohort.id.in_(teaching)))
    if ward_id and policy.is_admin(user):
        query = query.where(Cohort.ward_id == ward_id)
    cohorts = db.session.scalars(query).unique().all()
    return sorted(cohorts, key=lambda c: (-c.created_at.timestamp(), vietnamese_key(c.name)))


def teaches(user, cohort: Cohort) -> bool:
    """Is this person one of the cohort's instructors?"""
    return bool(db.session.scalar(
        sa.select(sa.func.count()).select_from(cohort_instructor).where(
            cohort_instructor.c.cohort_id == cohort.id, cohort_instructor.c.user_id == user.id
        )
    ))


def member_count(cohort: Cohort) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Enrollment).where(Enrollment.cohort_id == cohort.id)
    ) or 0


def is_member(cohort: Cohort, user_id: int) -> bool:
    return bool(db.session.scalar(
        sa.select(Enrollment.id).where(Enrollment.cohort_id == cohort.id, Enrollment.user_id == user_id)
    ))


def members_among(cohort: Cohort, user_ids: list[int]) -> set[int]:
    """Which of these people are members of the cohort (one query, for a list of search results)."""
    if not user_ids:
        return set()
    return set(db.session.scalars(sa.select(Enrollment.user_id).where(
        Enrollment.cohort_id == cohort.id, Enrollment.user_id.in_(user_ids))))


def card_members(cohort: Cohort, user_ids=None) -> list[User]:
    """Members of the cohort, not erased and active (optionally only `user_ids`): the people whose
    sign-in cards may be printed; whether each may have one is `policy.may_issue_sign_in`'s to say."""
    query = (sa.select(User).join(Enrollment, Enrollment.user_id == User.id)
             .where(Enrollment.cohort_id == cohort.id, User.erased_at.is_(None),
                    User.is_active_account.is_(True)))
    if user_ids is not None:
        query = query.where(User.id.in_(list(user_ids) or [0]))
    return db.session.scalars(query).unique().all()


def enrol(cohort: Cohort, user: User, *, by=None, source: str = "manual", consent: bool = False) -> bool:
    """Enrol a person; False (and nothing written) when they are already in the cohort.

    Only active learner-only accounts of the cohort's ward become members; someone without a ward
    may join by code themselves and takes the cohort's ward (lms.accounts.policy). Raises
    CohortError (person_inactive, member_staff, member_other_ward) otherwise.
    """
    refusal = policy.member_refusal(user, cohort.ward_id, self_join=source == "self")
    if refusal:
        raise CohortError(refusal)
    if is_member(cohort, user.id):
        return False
    try:
        record_consent(user, consent)
    except AccountError as exc:
        raise CohortError(exc.code) from None
    db.session.add(Enrollment(cohort_id=cohort.id, user_id=user.id, source=source,
                              enrolled_by_id=by.id if by is not None else None))
    adopt_into_ward(user, cohort.ward_id)
    db.session.flush()
    return True


def create_and_enrol(cohort: Cohort, *, full_name: str, phone: str | None, birth_year=None, group_id=None,
                     household: str | None = None, needs_support: bool = False,
                     support_consent: bool = False, consent: bool = False, by=None,
                     share_phone: bool = False, different_person: bool = False) -> User:
    """Create a learner of the cohort's ward (lms.accounts.people.create_learner: consent, no
    phone or a housemate's, duplicates) and enrol them, with the household the coordinator wrote."""
    group = None
    if group_id:
        group = db.session.get(ResidentialGroup, group_id)
        if group is None or group.ward_id != cohort.ward_id:
            raise CohortError("choice_invalid")
    user = create_learner(cohort.ward, full_name=full_name, phone=phone, birth_year=birth_year, group=group,
                          needs_support=needs_support, support_consent=support_consent, consent=consent,
                          share_phone=share_phone, different_person=different_person)
    enrol(cohort, user, by=by, source="manual", consent=True)
    if clean(household):
        households_named.send(current_app._get_current_object(), cohort=cohort,
                              households=[(user, clean(household))])
    db.session.flush()
    return user


def cohort_by_code(code: str | None) -> Cohort | None:
    """The cohort a join code belongs to, if any."""
    code = normalise_code(code)
    if not code:
        return None
    return db.session.scalar(sa.select(Cohort).where(Cohort.join_code == code))


def join_with_code(user: User, code: str, consent: bool = False) -> tuple[Cohort, bool]:
    """A learner joins a cohort with its code; (cohort, False) when they were already in it.

    Staff, and learners of another ward, are refused (policy.may_join): a join code must not move
    anyone into a ward where its coordinator could then print them a card.
    """
    cohort = cohort_by_code(code)
    if cohort is None:
        raise CohortError("code_unknown")
    if not policy.may_join(user, cohort):
        raise CohortError(policy.member_refusal(user, cohort.ward_id, self_join=True))
    return cohort, enrol(cohort, user, by=user, source="self", consent=consent)


def unenrol(cohort: Cohort, user: User) -> bool:
    """Take a person out of a cohort; their progress and attendance stay with them."""
    enrollment = db.session.scalar(
        sa.select(Enrollment).where(Enrollment.cohort_id == cohort.id, Enrollment.user_id == user.id)
    )
    if enrollment is None:
        return False
    db.session.delete(enrollment)
    db.session.flush()
    return True


def my_cohorts(user: User) -> list[Cohort]:
    """The cohorts a person is enrolled in."""
    cohorts = db.session.scalars(
        sa.select(Cohort).join(Enrollment).where(Enrollment.user_id == user.id)
    ).all()
    return sorted(cohorts, key=lambda c: vietnamese_key(c.name))
