"""Cohorts: a ward's classes, their members and instructors, schedules, sign-in cards, rosters."""
from flask import Blueprint

bp = Blueprint("cohorts", __name__)

from lms.cohorts import (  # noqa: E402,F401  (routes register themselves on bp; receivers connect)
    card_routes,
    import_routes,
    learner_routes,
    quiz_tries,
    receivers,
    roster_routes,
    routes,
    schedule_routes,
)
