"""Recording and reading audit entries; any feature may call `record`."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa

from lms.audit.models import AuditLog
from lms.extensions import db


def _plain(value):
    """Make a detail value JSON-safe: dates as ISO text, sets as sorted lists, models as ids."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(_plain(v) for v in value)
    if hasattr(value, "__table__") and hasattr(value, "id"):
        return value.id
    return value


def _ward_id_of(*objects) -> int | None:
    for obj in objects:
        ward_id = getattr(obj, "ward_id", None) if obj is not None else None
        if ward_id is not None:
            return ward_id
    return None


def record(actor, action: str, target=None, *, ward=None, **details) -> AuditLog:
    """Stage one audit entry: `actor` (a User or None for the system) did `action` to `target`."""
    entry = AuditLog(
        actor_id=getattr(actor, "id", None),
        action=action,
        target_type=getattr(target, "__tablename__", None) if target is not None else None,
        target_id=getattr(target, "id", None),
        ward_id=getattr(ward, "id", ward) if ward is not None else _ward_id_of(target, actor),
        details=_plain(details),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def entries_for(target) -> list[AuditLog]:
    """Every entry about one record, oldest first."""
    return list(db.session.scalars(
        sa.select(AuditLog)
        .where(AuditLog.target_type == target.__tablename__, AuditLog.target_id == target.id)
        .order_by(AuditLog.at, AuditLog.id)
    ))


def entries_for_ward(ward_id: int, limit: int = 200) -> list[AuditLog]:
    """The latest entries of one ward, newest first."""
    return list(db.session.scalars(
        sa.select(AuditLog).where(AuditLog.ward_id == ward_id)
        .order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(limit)
    ))
