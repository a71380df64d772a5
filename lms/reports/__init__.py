"""Ward reports: the plan's indicators against its targets, dashboards, period exports."""
from flask import Blueprint

bp = Blueprint("reports", __name__)

from lms.reports import routes  # noqa: E402,F401
