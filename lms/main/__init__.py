"""The home page: where each kind of user starts."""
from flask import Blueprint, render_template
from flask_login import current_user

bp = Blueprint("main", __name__)


@bp.route("/")
def home():
    if not current_user.is_authenticated:
        return render_template("main/welcome.html")
    from lms.courses.services import catalogue

    return render_template("main/home.html", courses=catalogue()[:6])


@bp.route("/healthz")
def healthz():
    """For a load balancer or a ward's monitoring: answers without touching a session."""
    from lms.extensions import db
    import sqlalchemy as sa

    db.session.execute(sa.text("SELECT 1"))
    return {"status": "ok"}
