"""Time helpers: the database stores naive UTC; people see Vietnam time."""
from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    """Naive UTC now, the form every timestamp column stores."""
    return datetime.now(timezone.utc).replace(tzinfo=None)
