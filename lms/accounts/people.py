"""Writing people: the one place a person's row is created or their details change.

Every feature that creates a person (enrolling one, importing a ward list, the demo, the command
line) or changes their name, phone, birth year, group or consent calls these functions; nothing
else writes the user table. Erasure is in lms.accounts.privacy, PINs and passwords in
lms.accounts.services.

Who may share a number, and the limit of SHARED_PHONE_LIMIT people on one, are checked here under
a lock on the number (`lock_numbers`): two enrolments racing for the last place on a number write
one after the other, whatever the feature that asked.
"""
from __future__ import annotations

import hashlib
from datetime import datetime

import sqlalchemy as sa

from lms.accounts import policy
from lms.accounts.models import ROLES, User, UserRole
from lms.accounts.names import index_people, name_keys
from lms.accounts.phone import normalise_phone
from lms.accounts.services import SHARED_PHONE_LIMIT, AccountError, check_new_secret, hash_secret
from lms.accounts.text import clean, tidy_name
from lms.extensions import db
from lms.timeutil import utcnow


class PossibleDuplicate(AccountError):
    """People of the ward who may be the one being created: the coordinator chooses."""

    def __init__(self, people: list[User]):
        super().__init__("possible_duplicate")
        self.people = people


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def lock_ward_people(ward_id: int) -> None:
    """Hold, until the transaction ends, the right to create people in this ward: two enrolments or
    imports racing then check for duplicates one after the other, never both before either writes.

    A write to the ward's own row: PostgreSQL locks that row; SQLite takes its single write lock
    (and, beginning the transaction here, reads what the other one committed)."""
    from lms.wards.models import Ward

    db.session.execute(sa.update(Ward).where(Ward.id == ward_id).values(name=Ward.name)
                       .execution_options(synchronize_session=False))


# Numbers are locked in NUMBER_LOCKS buckets: a ward list of 10,000 numbers then takes at most
# that many of PostgreSQL's advisory locks (its lock table is shared and small), and two numbers
# in one bucket only wait for each other.
NUMBER_LOCKS = 256
_NUMBER_LOCK_SPACE = 0x6C736F70  # the first key of every number lock, apart from any other use


def _number_bucket(phone: str) -> int:
    """The same bucket for a number in every process."""
    return int.from_bytes(hashlib.sha256(b"phone:" + phone.encode()).digest()[:4], "big") % NUMBER_LOCKS


def lock_numbers(phones) -> None:
    """Hold, until the transaction ends, the right to give these (normalised) numbers to people:
    whoever counts a number's holders after this sees every holder committed before, and nobody
    adds one until this transaction ends.

    PostgreSQL: an advisory lock per bucket of numbers, taken in one order (no two writers wait
    for each other). SQLite: its single write lock, taken by a write that changes nothing."""
    phones = {phone for phone in phones if phone}
    if not phones:
        return
    if _is_postgresql():
        buckets = sorted({_number_bucket(phone) for phone in phones})
        db.session.execute(sa.text(
            "SELECT pg_advisory_xact_lock(:space, t.b) FROM unnest(CAST(:buckets AS integer[])) "
            "WITH ORDINALITY AS t(b, n) ORDER BY t.n"), {"space": _NUMBER_LOCK_SPACE, "buckets": buckets}).all()
    else:
        db.session.execute(sa.update(User).where(sa.false()).values(phone=User.phone)
                           .execution_options(synchronize_session=False))


def phone_holders(phone: str) -> list[User]:
    """Everyone not erased who has this (normalised) number, oldest first."""
    return list(db.session.scalars(sa.select(User).where(User.phone == phone, User.erased_at.is_(None))
                                   .order_by(User.id)).unique())


def possible_duplicates(ward_id: int, full_name: str, birth_year: int | None, group_id: int | None,
                        limit: int = 5) -> list[User]:
    """People of a ward who may be this person: the same name (folded: with or without
    diacritics), and the same birth year and residential group where both are known. The phone is
    not who a person is (a household shares one), so it is not compared."""
    key = name_keys(" ".join(full_name.split()))[0]
    query = sa.select(User).where(User.ward_id == ward_id, User.name_key == key, User.erased_at.is_(None))
    if birth_year:
        query = query.where(sa.or_(User.birth_year.is_(None), User.birth_year == birth_year))
    if group_id:
        query = query.where(sa.or_(User.group_id.is_(None), User.group_id == group_id))
    return list(db.session.scalars(query.order_by(User.id).limit(limit)).unique())


def same_person_exists(ward_id: int, full_name: str, birth_year, group_id, phone) -> bool:
    """Is there already, in the ward, someone with this folded name, birth year, group and phone
    (each compared as given, none counting as a value)?"""
    key = name_keys(" ".join((full_name or "").split()))[0]
    query = sa.select(User.id).where(User.ward_id == ward_id, User.name_key == key, User.erased_at.is_(None))
    for column, value in ((User.birth_year, birth_year), (User.group_id, group_id), (User.phone, phone)):
        query = query.where(column.is_(None) if value is None else column == value)
    return db.session.scalar(query.limit(1)) is not None


def create_person(
    *,
    full_name: str,
    phone: str | None,
    roles: tuple[str, ...] = ("learner",),
    secret: str | None = None,
    secret_kind: str = "pin",
    ward=None,
    group=None,
    birth_year: int | None = None,
    email: str | None = None,
    share_phone: bool = False,
) -> User:
    """Stage a new person; raises AccountError or InvalidPhone before anything is written.

    No phone is fine (a card signs them in). A number someone already has is refused
    (`phone_taken`) unless the caller confirmed a different person shares it (`share_phone`): then
    only learners of one ward share (`phone_not_shareable` otherwise, policy.may_share_phone), at
    most SHARED_PHONE_LIMIT of them (`phone_full`), counted under the number's lock."""
    full_name = " ".join(full_name.split())
    if not full_name:
        raise AccountError("name_required")
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise AccountError("role_unknown")
    normalised = normalise_phone(phone) if phone else None
    if normalised:
        lock_numbers([normalised])
        holders = phone_holders(normalised)
        if holders and not share_phone:
            raise AccountError("phone_taken")
        if holders and not policy.may_share_phone(holders, roles, getattr(ward, "id", None)):
            raise AccountError("phone_not_shareable")
        if len(holders) >= SHARED_PHONE_LIMIT:
            raise AccountError("phone_full")
    if secret is not None:
        check_new_secret(secret_kind, secret)
    user = User(
        full_name=full_name,
        phone=normalised,
        secret_kind=secret_kind,
        secret_hash=hash_secret(secret) if secret else None,
        ward=ward,
        group=group,
        birth_year=birth_year,
        email=(email or None),
    )
    user.role_rows = [UserRole(role=r) for r in dict.fromkeys(roles)]
    db.session.add(user)
    db.session.flush()
    return user


def create_learner(ward, *, full_name: str, phone: str | None, birth_year=None, group=None,
                   needs_support: bool = False, support_consent: bool = False, consent: bool = False,
                   share_phone: bool = False, different_person: bool = False) -> User:
    """A learner of `ward` entered by a coordinator, with their consent (no PIN: a card signs them in).

    Someone of the ward with the same name, birth year and group raises PossibleDuplicate unless
    the coordinator said it is a different person; even then the very same name, year, group and
    phone is refused (`person_exists`). The check runs under the ward's lock, so two enrolments
    racing create the person once."""
    if not consent:
        raise AccountError("consent_required")
    if needs_support and not support_consent:
        raise AccountError("support_consent_required")
    full_name = tidy_name(full_name)
    phone = normalise_phone(phone) if clean(phone) else None
    group_id = group.id if group is not None else None
    lock_ward_people(ward.id)
    if same_person_exists(ward.id, full_name, birth_year, group_id, phone):
        raise AccountError("person_exists")
    if not different_person:
        people = [p for p in possible_duplicates(ward.id, full_name, birth_year, group_id)
                  if policy.importable(p, ward.id)]
        if people:
            raise PossibleDuplicate(people)
    user = create_person(full_name=full_name, phone=phone, roles=("learner",), ward=ward, group=group,
                         birth_year=birth_year, share_phone=share_phone)
    now = utcnow()
    user.data_consent_at = now
    if needs_support:
        user.needs_accessibility_support = True
        user.accessibility_consent_at = now
    db.session.flush()
    return user


def create_learners(ward_id: int, rows: list[dict], now: datetime, support_consent: bool) -> list[User]:
    """New learners of a ward in bulk, from checked rows (name, phone, birth_year, group_id,
    support): no PIN (their card signs them in), consent as the coordinator confirmed.

    Not create_person, which queries and flushes once per person: a 5,000-row file would take
    minutes. Every phone here was normalised, and the caller counted its holders under
    lock_numbers."""
    if not rows:
        return []
    values = [{
        "full_name": row["name"], "phone": row["phone"], "birth_year": row["birth_year"],
        "ward_id": ward_id, "group_id": row["group_id"], "secret_kind": "pin", "data_consent_at": now,
        "needs_accessibility_support": bool(row["support"] and support_consent),
        "accessibility_consent_at": now if row["support"] and support_consent else None,
        "is_active_account": True, "failed_logins": 0, "created_at": now,
    } for row in rows]
    # A bulk insert bypasses the ORM's events: the name keys and words are written here.
    for value in values:
        value["name_key"], value["sort_key"] = name_keys(value["full_name"])
    created = db.session.scalars(sa.insert(User).returning(User, sort_by_parameter_order=True), values).all()
    db.session.execute(sa.insert(UserRole), [{"user_id": u.id, "role": "learner", "granted_at": now}
                                             for u in created])
    index_people(db.session.connection(), [(u.id, u.ward_id, u.full_name, u.phone, False) for u in created])
    return list(created)


def complete_person(user: User, *, birth_year=None, group_id=None, consent_at: datetime | None = None,
                    support_at: datetime | None = None) -> None:
    """Fill in what a ward list knows and the person's row does not: birth year, group, consent
    (kept from the first time it was given), accessibility support with its own consent."""
    user.birth_year = user.birth_year or birth_year
    user.group_id = user.group_id or group_id
    if consent_at is not None:
        user.data_consent_at = user.data_consent_at or consent_at
    if support_at is not None:
        user.needs_accessibility_support = True
        user.accessibility_consent_at = user.accessibility_consent_at or support_at


def grant_role(user: User, role: str) -> None:
    if role not in ROLES:
        raise AccountError("role_unknown")
    if role not in user.roles:
        user.role_rows.append(UserRole(role=role))
        db.session.flush()


def adopt_into_ward(user: User, ward_id: int) -> None:
    """Someone without a ward joined a class by its code: they belong to its ward from now on
    (lms.accounts.policy.member_refusal: nobody who has a ward is ever moved)."""
    if user.ward_id is None:
        user.ward_id = ward_id


def move_group_members(source_id: int, target_id: int) -> int:
    """Everyone of one residential group now belongs to another (two groups merged); how many."""
    return db.session.execute(sa.update(User).where(User.group_id == source_id).values(group_id=target_id)
                              .execution_options(synchronize_session=False)).rowcount


def record_consent(user: User, consent: bool) -> None:
    """Note the person's consent to keep their data, asked once (Luật 91/2025/QH15)."""
    if user.data_consent_at is None:
        if not consent:
            raise AccountError("consent_required")
        user.data_consent_at = utcnow()


def withdraw_support(user: User) -> None:
    """The person withdraws consent to record that they need accessibility support."""
    user.needs_accessibility_support = False
    user.accessibility_consent_at = None
    db.session.flush()


def number_taken(phone: str, person: User) -> bool:
    """Does anyone but `person` have this (normalised) number?"""
    return db.session.scalar(sa.select(User.id).where(User.phone == phone, User.id != person.id).limit(1)) \
        is not None


def update_person(person: User, *, full_name: str, phone: str, birth_year, email, group_id,
                  roles) -> None:
    """Change a person's details and roles (the caller checked lms.accounts.policy); a number
    someone else has is refused (`phone_taken`), under the number's lock."""
    from lms.accounts.signins import end_all_sessions

    lock_numbers([phone])
    if number_taken(phone, person):
        raise AccountError("phone_taken")
    person.full_name = " ".join(full_name.split())
    person.phone = phone
    person.birth_year = birth_year
    person.email = email or None
    person.group_id = group_id or None
    wanted = set(roles)
    if wanted != person.roles:
        end_all_sessions(person)  # signed in with other rights: those sign-ins end
        if wanted & policy.STAFF_ROLES:
            from lms.accounts.cards import revoke_person_cards

            revoke_person_cards(person)  # staff never sign in by card
    person.role_rows = [row for row in person.role_rows if row.role in wanted] + [
        UserRole(role=r) for r in sorted(wanted - person.roles)
    ]
    db.session.flush()
