"""Signals the cohorts feature sends for features above it (households, certificates, reports)."""
from blinker import Namespace

_signals = Namespace()

# sender: the app; kwargs: cohort, households: list of (user, household name). Sent when people
# are enrolled with the household a coordinator wrote for them, inside the request's transaction.
households_named = _signals.signal("households-named")
