"""Who may obtain a way to sign in as whom: the one rule, written once and enforced here.

    No path lets an account obtain a way to sign in (PIN, card, session, password) as an account
    with equal or higher rights, or as an account outside its own ward.

What follows from it, and what every view and service that issues a credential, changes roles or
moves a person between wards asks of this module:

- Staff are the people who hold instructor, coordinator or admin (`is_staff`). A staff account
  never signs in by card: no card is printed for it, and a card printed before the person became
  staff stops working (`may_sign_in_by_card`, checked at printing and again at redeeming).
- Only an administrator grants or removes a staff role, and only an administrator resets a staff
  member's credentials or ends their sign-ins (`may_change_roles`, `may_issue_sign_in`,
  `may_end_sign_ins`). An administrator's password is never reset through the web, by anyone
  (equal rights): its owner changes it, or someone with the server runs `flask admin create`.
- Staff who sign in with a password keep a password: changing it never turns it into a PIN.
- A coordinator manages the learner-only accounts of their own ward: resets their PIN, ends their
  sign-ins, prints their cards, edits their details (`may_edit_person`). On a staff account of
  their ward a coordinator may edit nothing: name, phone and roles are an administrator's.
- A card is printed only for an active, not erased, learner-only account whose ward is the
  cohort's ward, and only by someone who manages that ward.
- The members of a cohort are active learner-only accounts of the cohort's ward (`member_refusal`).
  Nobody is ever moved from one ward to another: a spreadsheet import matches only learners of
  the cohort's own ward (`importable`), and never adopts an account without a ward (the
  administrator made by `flask admin create` has none). A learner without a ward may join a
  cohort by its code themselves, and then belongs to the cohort's ward (`may_join`).

`actor` is whoever acts: the signed-in principal (id, roles via has_role, ward_id) or a User.
`target` and `person` are accounts (User rows).
"""
from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from lms.accounts.models import ROLES

STAFF_ROLES = frozenset({"instructor", "coordinator", "admin"})


def _roles(person) -> set[str]:
    return set(person.roles)


def is_staff(person) -> bool:
    """Does this person hold instructor, coordinator or admin?"""
    return person is not None and person.has_role(*STAFF_ROLES)


def is_admin(person) -> bool:
    return person is not None and person.has_role("admin")


def _usable(person) -> bool:
    """An account that exists, is switched on and has not been erased."""
    return person is not None and person.erased_at is None and bool(person.is_active_account)


def manages_ward(actor, ward_id: int | None) -> bool:
    """Which ward may I act on: the one ward-scope rule, every view and service asks it.

    Administrators manage every ward; a coordinator only their own (never "no ward"); nobody else
    any (DESIGN: roles table)."""
    if is_admin(actor):
        return True
    return ward_id is not None and actor.has_role("coordinator") and actor.ward_id == ward_id


def managed_wards(actor, ward_column):
    """manages_ward as a query condition on `ward_column`, for lists of what `actor` may act on."""
    if is_admin(actor):
        return sa.true()
    if actor.has_role("coordinator") and actor.ward_id is not None:
        return ward_column == actor.ward_id
    return sa.false()


def may_sign_in_by_card(person, cohort) -> bool:
    """May this card (printed for `person` in `cohort`) sign anyone in?

    Only an active learner-only account of the cohort's own ward.
    """
    return (_usable(person) and not is_staff(person) and cohort is not None
            and person.ward_id is not None and person.ward_id == cohort.ward_id)


def may_issue_sign_in(actor, target, cohort=None) -> bool:
    """May `actor` give `target` a new way in: a card when `cohort` is given, else a new PIN?

    One's own PIN and devices are managed on one's own pages, never through this path.
    """
    if actor is None or not _usable(target) or actor.id == target.id:
        return False
    if cohort is not None:
        return may_sign_in_by_card(target, cohort) and manages_ward(actor, cohort.ward_id)
    if is_admin(target):
        return False  # equal rights: an administrator's password is theirs, or the command line's
    if is_staff(target):
        return is_admin(actor)
    return manages_ward(actor, target.ward_id)


def may_end_sign_ins(actor, target) -> bool:
    """May `actor` sign `target` out everywhere? As for a new PIN, except that one administrator
    may sign another out (that gives no way in). One's own devices are ended on one's own page."""
    if actor is None or target is None or actor.id == target.id:
        return False
    if is_staff(target):
        return is_admin(actor)
    return manages_ward(actor, target.ward_id)


def may_edit_person(actor, target) -> bool:
    """May `actor` change `target`'s name, phone, birth year, group or e-mail?

    A coordinator: learner-only people of their ward. A staff account's details (its phone is
    how it signs in) are changed by an administrator only.
    """
    if actor is None or target is None or not manages_ward(actor, target.ward_id):
        return False
    return is_admin(actor) or not is_staff(target)


def may_change_roles(actor, target, new_roles: Iterable[str]) -> bool:
    """May `actor` set `target`'s roles to `new_roles`? Keeping them as they are is always fine
    for someone who may edit the person; granting or removing a staff role is an administrator's."""
    new = set(new_roles)
    if not new <= set(ROLES) or actor is None or target is None:
        return False
    if not manages_ward(actor, target.ward_id):
        return False
    if new == _roles(target):
        return True
    if is_admin(actor):
        return True
    # A coordinator: only for a learner-only person, and never towards a staff role.
    return not is_staff(target) and not (new & STAFF_ROLES)


def member_refusal(person, ward_id: int | None, *, self_join: bool = False) -> str | None:
    """Why `person` may not become a member of a cohort of `ward_id`, or None when they may.

    Members are active learner-only accounts of the cohort's ward. Someone without a ward may
    join by the cohort's code themselves (`self_join`), and takes its ward; nobody else adopts them.
    """
    if not _usable(person):
        return "person_inactive"
    if is_staff(person):
        return "member_staff"
    if person.ward_id is not None and person.ward_id == ward_id:
        return None
    if person.ward_id is None and self_join:
        return None
    return "member_other_ward"


def importable(person, ward_id: int | None) -> bool:
    """May a spreadsheet row with this person's phone number enrol them in a cohort of `ward_id`?"""
    return member_refusal(person, ward_id) is None


def may_join(person, cohort) -> bool:
    """May `person` join `cohort` by its code?"""
    return member_refusal(person, cohort.ward_id, self_join=True) is None


def may_share_phone(holders, roles: Iterable[str], ward_id: int | None) -> bool:
    """May a new account with `roles` in `ward_id` take a number `holders` already have?

    Only learners of one ward share a number (a household): a staff member's number is never given
    to a learner, nor a learner's to staff, nor a number shared across wards."""
    if STAFF_ROLES.intersection(roles):
        return False
    return all(not is_staff(h) and h.ward_id is not None and h.ward_id == ward_id for h in holders)
