"""Forgetting a person in free text: their name and phone number, wherever staff typed them.

Erasure (lms.accounts.privacy) anonymises the person's own row; text that other people typed about
them (a private note on a revoked certificate, a household named after them, an audit entry) is
cleaned here. Names match without case or diacritics ("NGUYEN THI LAN" is "Nguyễn Thị Lan"), phone
numbers in every way they are written (+84 900 000 101, 0900.000.101, 84900000101, 900000101).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa

from lms.extensions import db

REMOVED = "[đã xoá]"
# A run of digits with the separators people type inside a phone number.
_NUMBER = re.compile(r"\+?\d[\d .\-()]{6,}\d")


@dataclass(frozen=True)
class Former:
    """Who a person was, kept only while their erasure runs."""

    name: str | None
    phone: str | None  # E.164, +84…

    @property
    def national(self) -> str | None:
        """The phone's digits as people write them in Vietnam: 0 and nine digits."""
        if not self.phone:
            return None
        digits = re.sub(r"\D", "", self.phone)
        return "0" + digits[2:] if digits.startswith("84") else digits


def _fold_char(ch: str) -> str:
    """One character without case or diacritics; one character in, one out, so positions in the
    folded text are positions in the original."""
    base = unicodedata.normalize("NFD", ch.casefold())
    base = "".join(c for c in base if not unicodedata.combining(c)).replace("đ", "d")
    return base if len(base) == 1 else ch.casefold()[:1] or ch


def _fold(text: str) -> str:
    return "".join(_fold_char(ch) for ch in unicodedata.normalize("NFC", text))


def _phone_spans(run: str, former: Former) -> list[tuple[int, int]]:
    """Where the person's number stands in a run of digits and separators, in any of its forms
    (erring towards removing too much: this is erasure)."""
    positions = [i for i, ch in enumerate(run) if ch.isdigit()]
    digits = "".join(run[i] for i in positions)
    national = former.national or ""
    variants = sorted({national, "84" + national[1:], national[1:]} - {""}, key=len, reverse=True)
    spans, taken = [], [False] * len(digits)
    for variant in variants:
        start = digits.find(variant)
        while start != -1:
            end = start + len(variant)
            if not any(taken[start:end]):
                taken[start:end] = [True] * len(variant)
                spans.append((positions[start], positions[end - 1] + 1))
            start = digits.find(variant, start + 1)
    return sorted(spans)


def _scrub_number(match: re.Match, former: Former) -> str:
    run = match.group(0)
    spans = _phone_spans(run, former)
    if not spans:
        return run
    pieces, last = [], 0
    for start, end in spans:
        if start > 0 and run[start - 1] == "+":
            start -= 1
        pieces += [run[last:start], REMOVED]
        last = end
    return "".join(pieces) + run[last:]


def mentions(text: str | None, former: Former) -> bool:
    return bool(text) and scrub(text, former) != unicodedata.normalize("NFC", text)


def scrub(text: str | None, former: Former) -> str | None:
    """`text` with the person's full name and phone number replaced by REMOVED."""
    if not text:
        return text
    text = unicodedata.normalize("NFC", text)
    if former.national:
        text = _NUMBER.sub(lambda m: _scrub_number(m, former), text)
    name = " ".join((former.name or "").split())
    if len(name) >= 2:
        folded, needle = _fold(text), _fold(name)
        # Any whitespace between the words of the name.
        pattern = re.compile(r"(?<!\w)" + r"\s+".join(re.escape(word) for word in needle.split()) + r"(?!\w)")
        pieces, last = [], 0
        for match in pattern.finditer(folded):
            pieces += [text[last:match.start()], REMOVED]
            last = match.end()
        text = "".join(pieces) + text[last:]
    return text


def scrub_value(value, former: Former):
    """The same through a JSON value: every string in it, keys kept."""
    if isinstance(value, str):
        return scrub(value, former)
    if isinstance(value, dict):
        return {key: scrub_value(item, former) for key, item in value.items()}
    if isinstance(value, list):
        return [scrub_value(item, former) for item in value]
    return value


def forget_in_audit(former: Former) -> int:
    """Clean the person's name and phone out of every audit entry's details; returns how many changed.

    The details are JSON (stored with escaped non-ASCII on some databases), so they are read and
    compared here rather than searched with LIKE; ids and details only, a batch at a time."""
    from lms.audit.models import AuditLog

    changed = 0
    last_id = 0
    while True:
        batch = db.session.execute(
            sa.select(AuditLog.id, AuditLog.details).where(AuditLog.id > last_id).order_by(AuditLog.id).limit(1000)
        ).all()
        if not batch:
            break
        for entry_id, details in batch:
            cleaned = scrub_value(details, former)
            if cleaned != details:
                db.session.execute(sa.update(AuditLog).where(AuditLog.id == entry_id).values(details=cleaned))
                changed += 1
        last_id = batch[-1][0]
    return changed


def drop_notes(entry_ids_query, keys=("note", "reason")) -> None:
    """Remove free-text keys from the details of the entries `entry_ids_query` selects."""
    from lms.audit.models import AuditLog

    for entry_id, details in db.session.execute(
            sa.select(AuditLog.id, AuditLog.details).where(AuditLog.id.in_(entry_ids_query))).all():
        if isinstance(details, dict) and any(key in details for key in keys):
            kept = {key: value for key, value in details.items() if key not in keys}
            db.session.execute(sa.update(AuditLog).where(AuditLog.id == entry_id).values(details=kept))
