"""Helpers every feature's views share: role checks, page-or-fragment rendering, safe links. (Ward
scoping is lms.accounts.policy.manages_ward.)"""
from __future__ import annotations

import unicodedata
from functools import wraps
from urllib.parse import unquote, urlsplit

from flask import abort, current_app, has_request_context, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from lms.extensions import htmx


# The largest id a database column holds: ids are INTEGER, 32-bit signed on PostgreSQL (a larger
# number there is an error, not "no such row").
MAX_ID = 2**31 - 1


def _up_to(limit: int) -> str:
    """A regular expression for the numbers 0..limit (leading zeros within limit's length), so a
    larger number matches no route at all: 404 whatever the method, not 405 or 500."""
    digits = str(limit)
    shorter = rf"\d{{1,{len(digits) - 1}}}"
    same_length = [digits[:i] + f"[0-{int(d) - 1}]" + rf"\d{{{len(digits) - i - 1}}}"
                   for i, d in enumerate(digits) if d != "0"]
    return "(?:" + "|".join([shorter, *same_length, digits]) + ")"


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` in every route: no more than MAX_ID, else the URL matches nothing (404).
    Unbounded, a 25-digit id reached the database and failed there (500)."""

    regex = _up_to(MAX_ID)

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = None,
                 signed: bool = False) -> None:
        upper = MAX_ID if max is None or max > MAX_ID else max
        super().__init__(map, fixed_digits=fixed_digits, min=0 if min is None else min, max=upper, signed=False)


def database_id(value) -> int:
    """For `request.form.get(name, type=database_id)`: a number a database id can be, or
    ValueError (so Werkzeug gives the default instead)."""
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        raise ValueError("not a database id")
    number = int(text)
    if number > MAX_ID:
        raise ValueError("not a database id")
    return number


def role_required(*roles: str):
    """Allow the view only to signed-in people holding one of `roles` (else 403)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def render(page: str, fragment: str | None = None, **context):
    """Render the whole page, or only its fragment when htmx asks for it."""
    if fragment and htmx:
        return render_template(fragment, **context)
    return render_template(page, **context)


class PublicAddressMissing(HTTPException):
    """Something to sign or print needs this site's address, and none is configured."""

    code = 503
    description = "LMS_PUBLIC_URL (or LMS_TRUSTED_HOSTS) is not set."


def public_base() -> str | None:
    """Scheme and host for links that are signed or printed, never one the request chose.

    LMS_PUBLIC_URL when set. Else, when trusted hosts are configured, the request's host: Flask
    has already answered 400 to any other Host. Else None: the Host header is the client's to
    choose (`Host: evil.example`), so it is not used for anything signed or printed."""
    base = current_app.config.get("LMS_PUBLIC_URL")
    if base:
        return base.rstrip("/")
    if current_app.config.get("TRUSTED_HOSTS") and has_request_context() and request.host:
        return f"{request.scheme}://{request.host}"
    return None


def require_public_base() -> str:
    """public_base(), or a 503 page telling the coordinator what to set (lms.errors)."""
    base = public_base()
    if base is None:
        raise PublicAddressMissing()
    return base


def public_url(endpoint: str, **values) -> str:
    """An absolute URL for a signed credential, a QR code, a card or a printed page."""
    return require_public_base() + url_for(endpoint, **values)


def public_url_or_none(endpoint: str, **values) -> str | None:
    """The same for a page that can do without it (a QR shown on screen)."""
    base = public_base()
    return base + url_for(endpoint, **values) if base else None


_NEXT_MAX = 2048


def _unsafe_char(ch: str) -> bool:
    """Characters a browser drops, folds or reads as a separator where a path is expected."""
    return ch == "\\" or ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zs", "Zl", "Zp")


def safe_next(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None: the one check for every `next` and
    other redirect target taken from a request.

    Only a path that starts with a single "/" passes. Refused: a scheme or host (`https://x`,
    `http:x`, `javascript:`), `//x` and `/\\x` (browsers read a backslash as a slash), control
    characters and whitespace anywhere (browsers drop tabs and newlines, so `/\t/x` becomes
    `//x`), dot segments, and all of these again after percent-decoding (`/%09/x`, `/%2F/x`)."""
    if not target or not isinstance(target, str) or len(target) > _NEXT_MAX:
        return None
    decoded = target
    for _round in range(3):  # percent-encoding stacked up to three deep
        if any(_unsafe_char(ch) for ch in decoded):
            return None
        if not decoded.startswith("/") or decoded.startswith("//"):
            return None
        path = decoded.split("?", 1)[0].split("#", 1)[0]
        if any(segment in (".", "..") for segment in path.split("/")):
            return None
        parts = urlsplit(decoded)
        if parts.scheme or parts.netloc:
            return None
        unquoted = unquote(path)
        if unquoted == path:
            break
        decoded = unquoted
    else:
        return None
    return target
