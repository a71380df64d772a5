"""Certificates: earned online or in person, printed, shared by link, verified by anyone, offline too."""
from flask import Blueprint

bp = Blueprint("certificates", __name__, cli_group="certificates", static_folder="static",
               static_url_path="/certificates/static")

from lms.certificates import cli, manage, receivers, routes  # noqa: E402,F401
