"""Helpers every feature's views share: role checks, ward scoping, page-or-fragment rendering."""
from __future__ import annotations

from functools import wraps

from flask import abort, current_app, render_template, url_for
from flask_login import current_user, login_required

from lms.extensions import htmx


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


def can_manage_ward(user, ward_id: int | None) -> bool:
    """Admins manage every ward; a coordinator only their own (DESIGN: roles table)."""
    if user.has_role("admin"):
        return True
    return ward_id is not None and user.has_role("coordinator") and user.ward_id == ward_id


def render(page: str, fragment: str | None = None, **context):
    """Render the whole page, or only its fragment when htmx asks for it."""
    if fragment and htmx:
        return render_template(fragment, **context)
    return render_template(page, **context)


def public_url(endpoint: str, **values) -> str:
    """An absolute URL for print and QR codes; LMS_PUBLIC_URL keeps it stable behind a proxy or LAN address."""
    base = current_app.config.get("LMS_PUBLIC_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)
