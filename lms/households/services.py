"""Households ("Gia đình số") and digital ambassadors ("Đại sứ số"): records and the ward's gaps."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from lms.accounts.models import User
from lms.accounts.collation import name_key, vietnamese_key
from lms.cohorts.models import Enrollment
from lms.accounts.text import clean, fold
from lms.courses.models import LessonProgress
from lms.extensions import db
from lms.households.models import Household, HouseholdMember, Mentorship
from lms.timeutil import utcnow
from lms.wards.models import ResidentialGroup

# The ward plans: each digital ambassador guides at least five people.
MENTOR_TARGET = 5


class HouseholdError(ValueError):
    """A rule about households or mentorships was broken; `code` names which."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def learner_ids():
    """People who have learnt: enrolled in a cohort, or finished at least one lesson online."""
    return sa.union(
        sa.select(Enrollment.user_id),
        sa.select(LessonProgress.user_id).where(LessonProgress.completed_at.is_not(None)),
    )


def _check_group(ward_id: int, group_id: int | None) -> int | None:
    if not group_id:
        return None
    group = db.session.get(ResidentialGroup, group_id)
    if group is None or group.ward_id != ward_id:
        raise HouseholdError("group_invalid")
    return group.id


def _existing(ward_id: int, group_id: int | None, key: str, exclude: int | None = None) -> Household | None:
    query = sa.select(Household).where(Household.ward_id == ward_id, Household.name_key == key,
                                       Household.group_id.is_(None) if group_id is None
                                       else Household.group_id == group_id)
    if exclude:
        query = query.where(Household.id != exclude)
    return db.session.scalar(query)


def create_household(ward_id: int, name: str, group_id: int | None = None) -> Household:
    """A new household of a ward; the same name in the same group is refused."""
    name = clean(name)[:160]
    if not name:
        raise HouseholdError("name_required")
    group_id = _check_group(ward_id, group_id)
    if _existing(ward_id, group_id, fold(name)):
        raise HouseholdError("duplicate")
    household = Household(ward_id=ward_id, group_id=group_id, name=name, name_key=fold(name))
    db.session.add(household)
    db.session.flush()
    return household


def update_household(household: Household, name: str, group_id: int | None) -> None:
    """Rename a household or move it to another residential group."""
    name = clean(name)[:160]
    if not name:
        raise HouseholdError("name_required")
    group_id = _check_group(household.ward_id, group_id)
    if _existing(household.ward_id, group_id, fold(name), exclude=household.id):
        raise HouseholdError("duplicate")
    household.name, household.name_key, household.group_id = name, fold(name), group_id
    db.session.flush()


def delete_household(household: Household) -> None:
    """Remove a household; its members stay, without a household."""
    db.session.delete(household)
    db.session.flush()


def household_of(user: User) -> Household | None:
    return db.session.scalar(sa.select(Household).join(HouseholdMember).where(HouseholdMember.user_id == user.id))


def set_household(user: User, household: Household) -> bool:
    """Put a person in a household (moving them from another); False when already there."""
    if user.ward_id != household.ward_id or user.erased_at is not None:
        raise HouseholdError("person_invalid")
    member = db.session.scalar(sa.select(HouseholdMember).where(HouseholdMember.user_id == user.id))
    if member is not None and member.household_id == household.id:
        return False
    if member is None:
        db.session.add(HouseholdMember(household_id=household.id, user_id=user.id))
    else:
        member.household_id = household.id
    db.session.flush()
    return True


def remove_from_household(household: Household, user: User) -> bool:
    """Take a person out of a household."""
    deleted = db.session.execute(sa.delete(HouseholdMember).where(
        HouseholdMember.household_id == household.id, HouseholdMember.user_id == user.id)).rowcount
    db.session.flush()
    return bool(deleted)


def name_households(ward_id: int, named: list[tuple[User, str]]) -> int:
    """Put people into the households written beside their names (created when new); returns moves.

    Done in a few queries, not a few per person: a spreadsheet can name thousands of households.
    """
    wanted = [(user, clean(label)[:160]) for user, label in named
              if clean(label) and user.ward_id == ward_id and user.erased_at is None]
    if not wanted:
        return 0
    homes = {(h.group_id, h.name_key): h for h in
             db.session.scalars(sa.select(Household).where(Household.ward_id == ward_id))}
    for user, label in wanted:
        slot = (user.group_id, fold(label))
        if slot not in homes:
            homes[slot] = Household(ward_id=ward_id, group_id=user.group_id, name=label, name_key=slot[1])
            db.session.add(homes[slot])
    db.session.flush()
    user_ids = [user.id for user, _label in wanted]
    members = {}
    for start in range(0, len(user_ids), 500):
        members.update({m.user_id: m for m in db.session.scalars(
            sa.select(HouseholdMember).where(HouseholdMember.user_id.in_(user_ids[start:start + 500])))})
    moved, joining = 0, {}
    for user, label in wanted:
        household = homes[(user.group_id, fold(label))]
        member = members.get(user.id)
        if member is None:
            joining[user.id] = household.id
        elif member.household_id != household.id:
            member.household_id = household.id
            moved += 1
    if joining:
        db.session.execute(sa.insert(HouseholdMember), [{"household_id": h, "user_id": u, "added_at": utcnow()}
                                                        for u, h in joining.items()])
    db.session.flush()
    return moved + len(joining)


@dataclass
class HouseholdRow:
    household: Household
    members: int
    learners: int


def households_overview(ward_id: int, group_id: int | None = None) -> list[HouseholdRow]:
    """Every household of a ward with its members and how many have learnt; those with none first."""
    learners = learner_ids().subquery()
    query = (
        sa.select(Household, sa.func.count(HouseholdMember.id),
                  sa.func.count(learners.c.user_id))
        .outerjoin(HouseholdMember, HouseholdMember.household_id == Household.id)
        .outerjoin(learners, learners.c.user_id == HouseholdMember.user_id)
        .where(Household.ward_id == ward_id)
        .group_by(Household.id)
    )
    if group_id:
        query = query.where(Household.group_id == group_id)
    rows = [HouseholdRow(h, members, learnt) for h, members, learnt in db.session.execute(query).all()]
    rows.sort(key=lambda r: (r.learners > 0, vietnamese_key(r.household.name)))
    return rows


def household_members(household: Household) -> list[tuple[User, bool]]:
    """A household's people in Vietnamese order, each with whether they have learnt."""
    people = db.session.scalars(sa.select(User).join(HouseholdMember).where(
        HouseholdMember.household_id == household.id)).unique().all()
    learnt = learner_ids().subquery()
    learners = set(db.session.scalars(
        sa.select(learnt.c.user_id).where(learnt.c.user_id.in_([p.id for p in people] or [0]))))
    return [(p, p.id in learners) for p in sorted(people, key=lambda p: name_key(p.full_name))]


def add_mentorship(ward_id: int, mentor: User, mentee: User, by: User | None = None) -> Mentorship:
    """Record that `mentor` guides `mentee`; both must be living people of the ward."""
    if mentor.id == mentee.id:
        raise HouseholdError("self")
    for person in (mentor, mentee):
        if person.ward_id != ward_id or person.erased_at is not None:
            raise HouseholdError("person_invalid")
    if db.session.scalar(sa.select(Mentorship.id).where(Mentorship.mentor_id == mentor.id,
                                                        Mentorship.mentee_id == mentee.id)):
        raise HouseholdError("duplicate_mentorship")
    mentorship = Mentorship(ward_id=ward_id, mentor_id=mentor.id, mentee_id=mentee.id,
                            created_by_id=by.id if by is not None else None)
    db.session.add(mentorship)
    db.session.flush()
    return mentorship


def remove_mentorship(mentorship: Mentorship) -> None:
    db.session.delete(mentorship)
    db.session.flush()


def mentees_of(mentor: User) -> list[Mentorship]:
    rows = db.session.scalars(sa.select(Mentorship).where(Mentorship.mentor_id == mentor.id)).all()
    return sorted(rows, key=lambda m: name_key(m.mentee.full_name))


@dataclass
class MentorRow:
    mentor: User
    mentees: int

    @property
    def missing(self) -> int:
        return max(0, MENTOR_TARGET - self.mentees)


def mentors_overview(ward_id: int) -> list[MentorRow]:
    """Every mentor of a ward with their number of mentees; the furthest from five first."""
    rows = db.session.execute(
        sa.select(User, sa.func.count(Mentorship.id)).join(Mentorship, Mentorship.mentor_id == User.id)
        .where(Mentorship.ward_id == ward_id).group_by(User.id)
    ).unique().all()
    result = [MentorRow(user, count) for user, count in rows]
    result.sort(key=lambda r: (r.mentees >= MENTOR_TARGET, r.mentees, name_key(r.mentor.full_name)))
    return result


NEUTRAL_HOUSEHOLD = "Hộ gia đình #{id}"


def forget_person(user: User, former=None) -> None:
    """An erased person leaves their household and every mentorship. A household named after them
    ("Hộ bà Nguyễn Thị Lan", or "Nhà bà Lan" when they lived there) is renamed "Hộ gia đình #<id>":
    its other members keep their household, and the name stops pointing at the person."""
    if former is not None and former.name:
        _rename_households_named_after(user, former)
    db.session.execute(sa.delete(HouseholdMember).where(HouseholdMember.user_id == user.id))
    db.session.execute(sa.delete(Mentorship).where(
        sa.or_(Mentorship.mentor_id == user.id, Mentorship.mentee_id == user.id)))
    db.session.flush()


def _rename_households_named_after(user: User, former) -> None:
    import re

    from lms.audit.scrub import mentions

    home_id = db.session.scalar(sa.select(HouseholdMember.household_id).where(HouseholdMember.user_id == user.id))
    given = fold(former.name).split()[-1] if fold(former.name).split() else ""
    own_word = re.compile(rf"(?<!\w){re.escape(given)}(?!\w)") if given else None
    query = sa.select(Household)
    if user.ward_id is not None:
        query = query.where(sa.or_(Household.ward_id == user.ward_id, Household.id == home_id))
    for household in db.session.scalars(query):
        by_full_name = mentions(household.name, former)
        by_given_name = household.id == home_id and own_word is not None and own_word.search(household.name_key)
        if by_full_name or by_given_name:
            household.name = NEUTRAL_HOUSEHOLD.format(id=household.id)
            household.name_key = fold(household.name)
    db.session.flush()


def personal_sections(user: User) -> dict:
    """What this feature keeps about a person, for their own data download."""
    household = household_of(user)
    mentors = db.session.scalars(sa.select(User.full_name).join(Mentorship, Mentorship.mentor_id == User.id)
                                 .where(Mentorship.mentee_id == user.id)).all()
    mentees = db.session.scalars(sa.select(User.full_name).join(Mentorship, Mentorship.mentee_id == User.id)
                                 .where(Mentorship.mentor_id == user.id)).all()
    return {
        "household": {"name": household.name, "residential_group": household.group.name if household.group else None}
        if household else None,
        "mentored_by": sorted(mentors, key=name_key),
        "mentoring": sorted(mentees, key=name_key),
    }
