"""A ward's own structure: its residential groups (tổ dân phố, thôn) and markets (chợ).

Each rule raises WardError before anything is written; the caller commits.
"""
from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa

from lms.extensions import db
from lms.wards.models import GROUP_KINDS, ResidentialGroup

MAX_NEW_GROUPS = 20  # groups a single import preview may add at once


def clean(value: object) -> str:
    return " ".join(unicodedata.normalize("NFC", str(value or "")).split())


def fold(value: object) -> str:
    """Lower case without diacritics, for comparing names as people type them."""
    text = unicodedata.normalize("NFD", clean(value).casefold())
    return re.sub(r"[\u0300-\u036f]", "", text).replace("đ", "d")


class WardError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def guess_kind(name: str) -> str:
    """The kind a group's name says it is: "Thôn Đông" a village, "Chợ Mới" a market."""
    words = fold(name).split()
    first = words[0] if words else ""
    if first == "thon":
        return "thon"
    if first == "cho":
        return "cho"
    return "to_dan_pho"


def _clean_name(name: str) -> str:
    text = clean(name)[:120]
    if not text:
        raise WardError("group_name_required")
    return text


def _name_taken(ward_id: int, name: str, *, except_id: int | None = None) -> bool:
    wanted = fold(name)
    for group_id, existing in db.session.execute(
            sa.select(ResidentialGroup.id, ResidentialGroup.name).where(ResidentialGroup.ward_id == ward_id)):
        if group_id != except_id and fold(existing) == wanted:
            return True
    return False


def add_group(ward_id: int, name: str, kind: str | None = None) -> ResidentialGroup:
    name = _clean_name(name)
    kind = kind or guess_kind(name)
    if kind not in GROUP_KINDS:
        raise WardError("group_kind")
    if _name_taken(ward_id, name):
        raise WardError("group_name_taken")
    group = ResidentialGroup(ward_id=ward_id, name=name, kind=kind)
    db.session.add(group)
    db.session.flush()
    return group


def add_groups(ward_id: int, names: list[str]) -> list[ResidentialGroup]:
    """Several groups at once (from an import preview); names the ward already has are skipped."""
    if len(names) > MAX_NEW_GROUPS:
        raise WardError("too_many_groups")
    added: list[ResidentialGroup] = []
    seen: set[str] = set()
    for name in names:
        text = _clean_name(name)
        if fold(text) in seen or _name_taken(ward_id, text):
            continue
        seen.add(fold(text))
        added.append(add_group(ward_id, text))
    return added


def active_groups(ward_id: int) -> list[ResidentialGroup]:
    return list(db.session.scalars(sa.select(ResidentialGroup).where(
        ResidentialGroup.ward_id == ward_id, ResidentialGroup.retired_at.is_(None)).order_by(ResidentialGroup.name)))


def rename_group(group: ResidentialGroup, name: str, kind: str | None = None) -> None:
    name = _clean_name(name)
    if kind is not None and kind not in GROUP_KINDS:
        raise WardError("group_kind")
    if _name_taken(group.ward_id, name, except_id=group.id):
        raise WardError("group_name_taken")
    group.name = name
    if kind:
        group.kind = kind
    db.session.flush()


def people_in(group: ResidentialGroup) -> int:
    from lms.accounts.models import User

    return db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.group_id == group.id)) or 0


def merge_groups(source: ResidentialGroup, target: ResidentialGroup) -> int:
    """Move everyone and everything of `source` into `target`, then retire `source` (kept, so
    reports of the past still name it). Returns how many people moved."""
    from lms.accounts.people import move_group_members
    from lms.cohorts.models import Cohort
    from lms.households.models import Household, HouseholdMember

    if source.id == target.id or source.ward_id != target.ward_id or target.retired_at is not None:
        raise WardError("merge_invalid")
    moved = move_group_members(source.id, target.id)
    db.session.execute(sa.update(Cohort).where(Cohort.group_id == source.id).values(group_id=target.id)
                       .execution_options(synchronize_session=False))
    # Households: one of the same name in the target takes the members of the source's.
    kept = {h.name_key: h for h in db.session.scalars(sa.select(Household).where(Household.group_id == target.id))}
    for household in db.session.scalars(sa.select(Household).where(Household.group_id == source.id)).all():
        same = kept.get(household.name_key)
        if same is None:
            household.group_id = target.id
        else:
            db.session.execute(sa.update(HouseholdMember).where(HouseholdMember.household_id == household.id)
                               .values(household_id=same.id).execution_options(synchronize_session=False))
            db.session.delete(household)
    retire_group(source)
    db.session.flush()
    return moved


def retire_group(group: ResidentialGroup) -> None:
    from lms.timeutil import utcnow

    if group.retired_at is None:
        group.retired_at = utcnow()
    db.session.flush()
