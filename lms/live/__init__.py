"""The live class in the hall: the instructor's day, slides on the projector, one scan to join
and be marked present, phones following along, live questions, and the summary after."""
from flask import Blueprint

bp = Blueprint("live", __name__)

from lms.live import routes  # noqa: E402,F401  (routes register themselves on bp)
