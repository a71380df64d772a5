"""Accounts: sign-in by phone number and PIN, roles, language choice, a ward's people."""
from flask import Blueprint

bp = Blueprint("accounts", __name__)

from lms.accounts import routes  # noqa: E402,F401  (routes register themselves on bp)
