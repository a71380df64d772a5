"""Courses: the catalogue, course pages and the lesson reader."""
from flask import Blueprint

bp = Blueprint("courses", __name__, url_prefix="/courses")

from lms.courses import routes  # noqa: E402,F401
