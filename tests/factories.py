"""Factories (callable fixtures) and a sign-in helper, in the style of flaskr's AuthActions."""
from __future__ import annotations

import itertools

import pytest

from lms.extensions import db

DEFAULT_PIN = "482916"
_phones = itertools.count(1)


def next_phone() -> str:
    return f"0912{next(_phones):06d}"


@pytest.fixture()
def make_ward(app):
    from lms.wards.models import ResidentialGroup, Ward

    counter = itertools.count(1)

    def make(name: str | None = None, groups: tuple[str, ...] = ("Tổ dân phố số 1", "Tổ dân phố số 2")):
        ward = Ward(name=name or f"Phường Thử {next(counter)}", kind="phuong", province="Tỉnh Thử")
        ward.groups = [ResidentialGroup(name=g, kind="to_dan_pho") for g in groups]
        db.session.add(ward)
        db.session.commit()
        return ward

    return make


@pytest.fixture()
def make_user(app):
    from lms.accounts.people import create_person as create_user

    def make(roles=("learner",), *, ward=None, pin: str = DEFAULT_PIN, phone: str | None = None,
             name: str = "Nguyễn Văn An", birth_year: int | None = 1960, group=None):
        user = create_user(full_name=name, phone=phone or next_phone(), roles=tuple(roles),
                           secret=pin, ward=ward, group=group, birth_year=birth_year)
        db.session.commit()
        return user

    return make


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, user, pin: str = DEFAULT_PIN, **kwargs):
        return self.client.post("/login", data={"phone": user.phone, "secret": pin}, **kwargs)

    def logout(self):
        return self.client.post("/logout")

    def sign_in_directly(self, user):
        """Sign a person in without a PIN (as a card does): a signed-in device, named in the cookie."""
        import secrets
        from datetime import timedelta

        from lms.accounts.models import AccountSession
        from lms.accounts.principal import SESSION_KEY, SESSION_VERSION
        from lms.accounts.signins import key_hash
        from lms.timeutil import utcnow

        key, now = secrets.token_urlsafe(32), utcnow()
        db.session.add(AccountSession(user_id=user.id, key_hash=key_hash(key), session_version=user.session_version,
                                      label="|", method="card", created_at=now, last_seen_at=now,
                                      expires_at=now + timedelta(days=14)))
        db.session.commit()
        with self.client.session_transaction() as session:
            session.permanent = True
            session.update({"_user_id": str(user.id), "_fresh": True, SESSION_KEY: key,
                            SESSION_VERSION: user.session_version})


@pytest.fixture()
def auth(client):
    return AuthActions(client)
