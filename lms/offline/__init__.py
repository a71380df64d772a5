"""Lessons that work without signal: the service worker, the app manifest, the pages a phone keeps
for its signed-in learner, and lesson-check answers queued offline and sent once back online."""
from flask import Blueprint

bp = Blueprint("offline", __name__)

from lms.offline import routes  # noqa: E402,F401
