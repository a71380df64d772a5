"""Households ("Gia đình số") and digital ambassadors ("Đại sứ số") of a ward."""
from flask import Blueprint

from lms.cohorts.signals import households_named
from lms.signals import person_erased, personal_data_requested

bp = Blueprint("households", __name__)


# Receivers are module-level functions: blinker keeps only weak references to them.
def _on_households_named(sender, cohort, households, **extra):
    from lms.households.services import name_households

    name_households(cohort.ward_id, households)


def _on_person_erased(sender, user, former=None, **extra):
    from lms.households.services import forget_person

    forget_person(user, former)


def _on_personal_data(sender, user, **extra):
    from lms.households.services import personal_sections

    return personal_sections(user)


households_named.connect(_on_households_named)
person_erased.connect(_on_person_erased)
personal_data_requested.connect(_on_personal_data)

from lms.households import routes  # noqa: E402,F401  (routes register themselves on bp)
