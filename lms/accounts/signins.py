"""Signed-in browsers and phones (AccountSession): starting, listing and ending them.

Every way a person's sign-ins must end goes through `end_all_sessions`: it bumps the person's
session_version, so any cookie signed before is refused on its next request on every process,
and marks every open AccountSession (remember-me tokens included) as ended.
"""
from __future__ import annotations

import sqlalchemy as sa

from lms.accounts.models import AccountSession, User
from lms.extensions import db
from lms.timeutil import utcnow


def end_all_sessions(user: User | int) -> None:
    """End every sign-in of this person, everywhere, in the caller's transaction."""
    user_id = user if isinstance(user, int) else user.id
    table = User.__table__
    db.session.execute(
        table.update().where(table.c.id == user_id).values(session_version=table.c.session_version + 1)
    )
    db.session.execute(
        sa.update(AccountSession)
        .where(AccountSession.user_id == user_id, AccountSession.ended_at.is_(None))
        .values(ended_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if not isinstance(user, int):
        db.session.expire(user, ["session_version"])
