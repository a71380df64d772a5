"""Places: wards (phường/xã) and their residential groups (tổ dân phố/thôn), and the page on which
a ward's coordinators keep its groups and markets."""
from flask import Blueprint

bp = Blueprint("wards", __name__)

from lms.wards import routes  # noqa: E402,F401  (routes register themselves on bp)
