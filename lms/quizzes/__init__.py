"""Quizzes: checks after lessons and final quizzes; question types in question_types."""
from flask import Blueprint

bp = Blueprint("quizzes", __name__, url_prefix="/quizzes")

from lms.quizzes import routes  # noqa: E402,F401
