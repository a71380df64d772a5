"""The learner's own pages: continue where I left off, my learning, reading preferences."""
from flask import Blueprint

bp = Blueprint("learning", __name__)

from lms.learning import receivers, routes  # noqa: E402,F401  (receivers connect to lms.signals)
