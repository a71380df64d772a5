"""Who each row of a ward list is, and writing them: matching rows to the ward's people (by phone,
and by name, birth year and group), the coordinator's answers to the preview's questions, and
creating and enrolling the people on confirmation (lms.cohorts.importing runs these)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from lms.accounts import policy
from lms.accounts.models import User
from lms.accounts.names import name_keys
from lms.accounts.people import complete_person, create_learners, lock_numbers, lock_ward_people
from lms.cohorts.member_order import member_key
from lms.cohorts.models import Cohort, Enrollment
from lms.cohorts.signals import households_named
from lms.accounts.text import fold
from lms.extensions import db


def _people_by_phone(phones: list[str]) -> dict[str, list[User]]:
    """Everyone holding each number: a number may be shared by a household."""
    found: dict[str, list[User]] = {}
    for start in range(0, len(phones), 500):
        chunk = phones[start:start + 500]
        for user in db.session.scalars(sa.select(User).where(User.phone.in_(chunk)).order_by(User.id)).unique():
            found.setdefault(user.phone, []).append(user)
    return found


def _enrolled_ids(cohort: Cohort) -> set[int]:
    return set(db.session.scalars(sa.select(Enrollment.user_id).where(Enrollment.cohort_id == cohort.id)))


def _same_name(people: list[User], name: str) -> User | None:
    wanted = fold(name)
    return next((user for user in people if fold(user.full_name) == wanted), None)


def _match_people(rows: list[dict], cohort: Cohort) -> None:
    """Mark rows whose phone already belongs to someone, or who may be someone the ward has.

    Only learners of the cohort's own ward are matched (policy.importable). Anyone else (a staff
    account, someone of another ward or of none, an account switched off) makes the row an error
    that says the same thing whatever the reason, and nothing of that person is kept in the row:
    a staff member's number is never shared with a learner.

    A number held in the ward by learners of other names may be a housemate's: the row asks the
    coordinator ("ask": "share"), never taken for one of them (a son's number must not enrol his
    mother as the son), and at most SHARED_PHONE_LIMIT people share a number. A row with the
    name (folded), birth year and group of a learner of the ward asks "same person or another?"
    ("ask": "same")."""
    from lms.accounts.services import SHARED_PHONE_LIMIT

    wanted = [r for r in rows if r["status"] != "error"]
    people = _people_by_phone([r["phone"] for r in wanted if r["phone"]])
    enrolled = _enrolled_ids(cohort)
    on_number: dict[str, int] = {}
    for row in wanted:
        holders = people.get(row["phone"], []) if row["phone"] else []
        if any(not policy.importable(user, cohort.ward_id) for user in holders):
            _refuse(row, "phone_unavailable")
            continue
        user = _same_name(holders, row["name"]) if holders else None
        if user is not None:
            row["user_id"] = user.id
            row["status"] = "enrolled" if user.id in enrolled else "existing"
            row["ask"] = None
            row["consented"] = user.data_consent_at is not None
            row["support_consented"] = user.accessibility_consent_at is not None
            continue
        if row["phone"]:
            on_number[row["phone"]] = on_number.get(row["phone"], len(holders)) + 1
            if on_number[row["phone"]] > SHARED_PHONE_LIMIT:
                _refuse(row, "phone_full", {"num": SHARED_PHONE_LIMIT})
                continue
        if holders:
            row["status"], row["ask"] = "ask", "share"
            row["known_name"] = ", ".join(u.full_name for u in holders[:3])
    _match_same_people([r for r in wanted if r["status"] in ("new", "ask")], cohort)


def _refuse(row: dict, code: str, params: dict | None = None) -> None:
    row["errors"].append([code, params or {}])
    row["status"], row["ask"] = "error", None


def _ward_people_named(ward_id: int, keys: set[str]) -> list[User]:
    """The ward's people (not erased) whose folded name is one of `keys`."""
    found: list[User] = []
    keys = sorted(keys)
    for start in range(0, len(keys), 500):
        found += db.session.scalars(sa.select(User).where(
            User.ward_id == ward_id, User.name_key.in_(keys[start:start + 500]), User.erased_at.is_(None))
            .order_by(User.id)).unique().all()
    return found


def _compatible(user: User, row: dict) -> bool:
    """Same birth year and group where both are known (the name was compared already)."""
    return ((not row["birth_year"] or not user.birth_year or user.birth_year == row["birth_year"])
            and (not row["group_id"] or not user.group_id or user.group_id == row["group_id"]))


def _match_same_people(rows: list[dict], cohort: Cohort) -> None:
    named: dict[str, list[User]] = {}
    for user in _ward_people_named(cohort.ward_id, {name_keys(r["name"])[0] for r in rows}):
        named.setdefault(user.name_key, []).append(user)
    for row in rows:
        candidates = [u for u in named.get(name_keys(row["name"])[0], [])
                      if _compatible(u, row) and policy.importable(u, cohort.ward_id)]
        if not candidates:
            continue
        user = candidates[0]
        row["status"], row["ask"], row["candidate_id"] = "ask", "same", user.id
        row["candidate"] = {"name": user.full_name, "birth_year": user.birth_year,
                            "group": user.group.name if user.group else None, "phone": user.phone}


def apply_choices(rows: list[dict], choices: dict[int, str]) -> list[dict]:
    """The rows as the coordinator decided the questions of the preview: for a row that asked,
    "same" enrols the learner it may be, "new" creates another person (on the shared number);
    a row left unanswered is not written."""
    decided = []
    for row in rows:
        if row["status"] == "ask":
            choice = choices.get(row["line"])
            row = dict(row)
            if choice == "same" and row["ask"] == "same":
                row["status"], row["chosen_id"] = "existing", row["candidate_id"]
            elif choice == "new":
                row["status"], row["share_ok"] = "new", True
            else:
                row["status"] = "unanswered"
        decided.append(row)
    return decided



def _write_rows(cohort: Cohort, rows: list[dict], by: User, now: datetime, consent: bool,
                support_consent: bool) -> dict:
    """Create the new people and enrol everyone wanted; a known person is checked again with
    policy.importable (they may have changed since the preview) and is never moved between wards.

    Everything is looked up again: someone may have been created, renamed or enrolled since the
    preview. A row is written only for the person it named then; anything else is skipped."""
    from lms.accounts.services import SHARED_PHONE_LIMIT

    # Imports and enrolments of this ward write one after the other from here: what is read below
    # is what they committed (a racing import's people are matched, not created twice), and so
    # are the holders of every number in the file (a fifth person is never put on one).
    wanted = [r for r in rows if r["status"] in ("new", "existing")]
    lock_ward_people(cohort.ward_id)
    lock_numbers(r["phone"] for r in wanted)
    holders = _people_by_phone([r["phone"] for r in wanted if r["phone"]])
    chosen_ids = [r["chosen_id"] for r in wanted if r.get("chosen_id")]
    chosen = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(chosen_ids))).unique()} \
        if chosen_ids else {}
    identical = {(u.name_key, u.birth_year, u.group_id, u.phone): u
                 for u in _ward_people_named(cohort.ward_id, {name_keys(r["name"])[0] for r in wanted})}
    enrolled = _enrolled_ids(cohort)
    fresh: list[dict] = []
    matched: list[tuple[dict, User]] = []
    seen: set[int] = set()
    on_number: dict[str, int] = {}
    skipped = 0
    for row in wanted:
        people = holders.get(row["phone"], []) if row["phone"] else []
        if any(not policy.importable(user, cohort.ward_id) for user in people):
            skipped += 1
            continue
        if row.get("chosen_id"):
            # "Cùng một người": the learner the preview showed, if still a learner of this ward.
            user = chosen.get(row["chosen_id"])
            if user is None or not policy.importable(user, cohort.ward_id) \
                    or user.name_key != name_keys(row["name"])[0]:
                skipped += 1
                continue
        else:
            user = _same_name(people, row["name"]) if people else None
            if user is None:
                # The same name, year, group and phone created since the preview: that person.
                user = identical.get((name_keys(row["name"])[0], row["birth_year"], row["group_id"], row["phone"]))
                if user is not None and not policy.importable(user, cohort.ward_id):
                    skipped += 1
                    continue
            if user is None:
                if people and not row.get("share_ok"):
                    skipped += 1  # the number was given to someone else since the preview
                    continue
                if row["phone"]:
                    on_number[row["phone"]] = on_number.get(row["phone"], len(people)) + 1
                    if on_number[row["phone"]] > SHARED_PHONE_LIMIT:
                        skipped += 1
                        continue
                fresh.append(row)
                continue
            if row["status"] == "existing" and row["user_id"] not in (None, user.id):
                skipped += 1
                continue
        if user.id in seen:
            skipped += 1
            continue
        seen.add(user.id)
        matched.append((row, user))
        support = bool(row["support"] and (support_consent or user.accessibility_consent_at))
        complete_person(user, birth_year=row["birth_year"], group_id=row["group_id"],
                        consent_at=now if consent else None, support_at=now if support else None)
    created = create_learners(cohort.ward_id, fresh, now, support_consent)
    to_enrol = matched + list(zip(fresh, created))
    # A bulk insert bypasses the ORM's events: each member's place in the roster is written here.
    enrolments = [{"cohort_id": cohort.id, "user_id": user.id, "source": "import", "enrolled_by_id": by.id,
                   "enrolled_at": now, "member_key": member_key(user.sort_key, user.erased_at is not None)}
                  for _, user in to_enrol if user.id not in enrolled]
    if enrolments:
        db.session.execute(sa.insert(Enrollment), enrolments)
    named = [(user, row["household"]) for row, user in to_enrol if row["household"]]
    if named:
        households_named.send(current_app._get_current_object(), cohort=cohort, households=named)
    db.session.flush()
    return {
        "created": len(created),
        "enrolled": len(enrolments),
        "skipped": skipped + len(to_enrol) - len(enrolments),
        "user_ids": [user.id for _, user in to_enrol],
    }
