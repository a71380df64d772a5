"""The same ward, staff, learners and cohort the cohorts tests use."""
from tests.cohorts.conftest import World, world  # noqa: F401
