"""One User for every role; roles are rows so a person can hold several."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.content.model import LANGS
from lms.extensions import db
from lms.timeutil import utcnow

ROLES = ("learner", "instructor", "coordinator", "admin")
SECRET_KINDS = ("pin", "password")
ERASURE_REASONS = ("asked", "no_longer_needed", "consent_withdrawn")
LOCALES = LANGS  # the content's languages (lms.content.model), defined there only


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    # E.164 (+84…), the one normalised form; see accounts.phone. Not unique: a household may share
    # one number (each person then has their own PIN), and some people have none.
    phone: Mapped[str | None] = mapped_column(sa.String(16), index=True)
    full_name: Mapped[str] = mapped_column(sa.String(120))
    # Birth year, never a birth date: the least personal data that reports need (DESIGN principle 7).
    birth_year: Mapped[int | None] = mapped_column(sa.SmallInteger)
    email: Mapped[str | None] = mapped_column(sa.String(254))
    secret_hash: Mapped[str | None] = mapped_column(sa.String(255))
    secret_kind: Mapped[str] = mapped_column(sa.String(8), default="pin")
    ward_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ward.id", ondelete="RESTRICT"), index=True)
    group_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("residential_group.id", ondelete="SET NULL")
    )
    locale: Mapped[str | None] = mapped_column(sa.String(5))
    failed_logins: Mapped[int] = mapped_column(sa.Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(sa.DateTime)
    is_active_account: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    # Reading preferences, remembered per person (WCAG: text size, contrast).
    text_size: Mapped[int] = mapped_column(sa.SmallInteger, default=0, server_default="0")
    high_contrast: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    # Personal-data law (Luật 91/2025/QH15): consent is recorded, never assumed. Disability is only
    # ever "needs accessibility support", with its own consent, never a diagnosis.
    data_consent_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    needs_accessibility_support: Mapped[bool] = mapped_column(
        sa.Boolean, default=False, server_default=sa.false()
    )
    accessibility_consent_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    erased_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    show_full_name: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # Bumped whenever every sign-in of this person must end (sign out everywhere, PIN change or
    # reset, card revocation, role change, lock, erasure); a session signed at another version is
    # refused on the next request, on every process (lms.accounts.principal).
    session_version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")
    # Kept from full_name by lms.accounts.names: the name folded for searching, and bytes that sort
    # in Vietnamese name order, so lists are paged and searched by the database.
    name_key: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    sort_key: Mapped[bytes | None] = mapped_column(sa.LargeBinary)

    ward = relationship("Ward")
    group = relationship("ResidentialGroup")
    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    __table_args__ = (
        sa.CheckConstraint(f"secret_kind IN {SECRET_KINDS!r}", name="secret_kind"),
        sa.CheckConstraint("birth_year IS NULL OR (birth_year BETWEEN 1900 AND 2100)", name="birth_year"),
        sa.Index("ix_user_account_ward_sort", "ward_id", "sort_key", "id"),
        # One residential group counted and paged in name order from the index alone.
        sa.Index("ix_user_account_group_sort", "group_id", "ward_id", "sort_key", "id"),
    )

    @property
    def roles(self) -> set[str]:
        return {row.role for row in self.role_rows}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_active(self) -> bool:  # Flask-Login refuses sign-in to inactive accounts
        return self.is_active_account

    def __repr__(self) -> str:
        return f"<User {self.id} {self.phone}>"


class UserRole(db.Model):
    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="role_rows")

    __table_args__ = (
        sa.CheckConstraint(f"role IN {ROLES!r}", name="role"),
        # The few staff of a ward found without reading its learners (lms.accounts.directory).
        sa.Index("ix_user_role_role_user", "role", "user_id"),
    )


class AccountSession(db.Model):
    """One signed-in browser or phone: "phones signed in" lists these, and each can be ended.

    The session cookie carries a random key whose SHA-256 is `key_hash`; a "remember me" cookie
    carries another random token whose SHA-256 is `remember_hash`. Neither raw value is stored.
    """

    __tablename__ = "account_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    remember_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    # The person's session_version when this sign-in began.
    session_version: Mapped[int] = mapped_column(sa.Integer)
    label: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    method: Mapped[str] = mapped_column(sa.String(10), default="pin", server_default="pin")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime)
    remember_expires_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    user = relationship("User")


class LoginThrottle(db.Model):
    """Failed sign-ins counted per key (an account, an address, or the pair), for growing delays.

    Kept in the database so every process of a ward or province sees the same count.
    """

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    failures: Mapped[int] = mapped_column(sa.Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(sa.DateTime)
    next_allowed_at: Mapped[datetime | None] = mapped_column(sa.DateTime, index=True)


class PersonNameWord(db.Model):
    """A word of a person's folded name (or a form of their phone number), with their ward: what
    a search by name or phone looks up on an index (see lms.accounts.names)."""

    __tablename__ = "person_name_word"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    word: Mapped[bytes] = mapped_column(sa.LargeBinary(40), primary_key=True)
    ward_id: Mapped[int | None] = mapped_column(sa.Integer)

    __table_args__ = (
        sa.Index("ix_person_name_word_ward_word", "ward_id", "word", "user_id"),
        sa.Index("ix_person_name_word_word", "word", "user_id"),
    )


class SignInToken(db.Model):
    """A one-time sign-in link printed as a QR code on a learner's card.

    Only a hash is stored: a copy of the database cannot be used to sign in as anyone.
    """

    __tablename__ = "sign_in_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    cohort_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cohort.id", ondelete="SET NULL"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime)
    used_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    user = relationship("User", foreign_keys=[user_id])
    cohort = relationship("Cohort")  # the class it was printed for (lms.cohorts)


class PersonErasure(db.Model):
    """The record that a person's data was erased: who did it, when and why (never what it was)."""

    __tablename__ = "person_erasure"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), unique=True)
    ward_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ward.id", ondelete="SET NULL"), index=True)
    erased_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(sa.String(24))
    erased_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.CheckConstraint(f"reason IN {ERASURE_REASONS!r}", name="reason"),)


from lms.accounts import names as _names  # noqa: E402  (keys and words follow every name change)

_names.register()
