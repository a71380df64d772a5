"""My learning, and reading preferences (text size, high contrast) remembered per person."""
from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from lms.accounts.models import User
from lms.extensions import db
from lms.learning import bp
from lms.learning.services import my_learning
from lms.pagecache import vary_by
from lms.web import safe_next

TEXT_SIZES = (0, 1, 2, 3, 4)  # 18, 21, 24, 28 and 32 px (html.text-N in app.css)


@bp.route("/my-learning")
@login_required
def mine():
    return render_template("learning/mine.html", progress=my_learning(current_user.id))


@bp.route("/preferences", methods=["POST"])
def preferences():
    """Bigger text or high contrast: kept on the account, or in the session before sign-in."""
    size, contrast = reading_preferences()
    action = request.form.get("action")
    if action == "bigger":
        size = min(size + 1, TEXT_SIZES[-1])
    elif action == "smaller":
        size = max(size - 1, TEXT_SIZES[0])
    elif action == "contrast":
        contrast = not contrast
    else:
        abort(400)
    if current_user.is_authenticated:
        person = db.session.get(User, current_user.id)
        person.text_size, person.high_contrast = size, contrast
        db.session.commit()
    session["text_size"], session["high_contrast"] = size, contrast
    if request.headers.get("X-Reading") == "1":
        # app.js: the page changes in place, so the reader stays where they were reading.
        response = current_app.response_class(status=204)
        response.headers["X-Reading-Classes"] = _classes(size, contrast)
        response.headers["X-Reading-Size"] = str(size)
        return response
    return redirect(safe_next(request.form.get("next")) or url_for("main.home"))


@vary_by  # the layout shows them: a kept page is kept per text size and contrast
def reading_preferences() -> tuple[int, bool]:
    reader = current_user
    if reader.is_authenticated:
        return reader.text_size, reader.high_contrast
    return int(session.get("text_size", 0) or 0), bool(session.get("high_contrast", False))


@bp.app_context_processor
def inject_preferences():
    size, contrast = reading_preferences()
    return {"reading_classes": _classes(size, contrast), "text_size": size, "high_contrast": contrast,
            "text_size_max": TEXT_SIZES[-1]}


def _classes(size: int, contrast: bool) -> str:
    classes = [f"text-{size}"] if size else []
    if contrast:
        classes.append("contrast")
    return " ".join(classes)
