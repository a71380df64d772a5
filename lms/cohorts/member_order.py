"""Roster order kept on each enrolment: `enrollment.member_key` is the member's place in their
cohort's roster (people not erased first, then Vietnamese name order: user_account.sort_key), so a
roster page is read from the index (cohort_id, member_key, user_id) without sorting every member.

The key follows the person: an enrolment written through the ORM takes it from the person's row
as it is inserted, a person renamed or erased through the ORM has it rewritten on every
enrolment after the flush, and bulk inserts (the ward-list import) write it themselves with
`member_key`.
"""
from __future__ import annotations

import sqlalchemy as sa

_PRESENT, _ERASED = b"\x00", b"\x01"


def member_key(sort_key: bytes | None, erased: bool) -> bytes:
    """The enrolment's key for a person with this sort key, erased or not."""
    return (_ERASED if erased else _PRESENT) + (sort_key or b"")


def _key_of_person(connection, user_id: int) -> bytes:
    from lms.accounts.models import User

    row = connection.execute(sa.select(User.sort_key, User.erased_at).where(User.id == user_id)).first()
    return member_key(row.sort_key, row.erased_at is not None) if row else member_key(None, False)


def _before_insert(_mapper, connection, target) -> None:
    if target.member_key is None and target.user_id is not None:
        target.member_key = _key_of_person(connection, target.user_id)


def _after_flush(session, _context) -> None:
    from lms.accounts.models import User

    changed = []
    for obj in session.dirty:
        if isinstance(obj, User):
            state = sa.inspect(obj)
            if state.attrs.full_name.history.has_changes() or state.attrs.erased_at.history.has_changes():
                changed.append({"uid": obj.id, "key": member_key(obj.sort_key, obj.erased_at is not None)})
    if changed:
        from lms.cohorts.models import Enrollment

        table = Enrollment.__table__
        session.connection().execute(
            table.update().where(table.c.user_id == sa.bindparam("uid")).values(member_key=sa.bindparam("key")),
            changed)


def register(enrollment_class) -> None:
    """Keep every enrolment's key in step with its person (called once, by the cohorts models)."""
    from sqlalchemy.orm import Session

    sa.event.listen(enrollment_class, "before_insert", _before_insert)
    sa.event.listen(Session, "after_flush", _after_flush)
