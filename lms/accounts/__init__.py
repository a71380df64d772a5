"""Accounts: people and how they sign in. The one home for a person in the code.

Here: the User model and its roles; who may do what to whom (policy.py: the ward-scope rule
`manages_ward` and the sign-in rules); creating and changing people (people.py: the only code that
writes a person); consent, the person's own data and erasure (privacy.py); sign-in cards
(cards.py); PINs, passwords and sign-ins (services.py, signins.py); Vietnamese text and name
order (text.py, collation.py, names.py); the ward's list of people (directory.py).

Why people live in accounts and not in a package of their own: dependencies flow one way,
accounts → courses → quizzes → cohorts → live, certificates, reports (STYLE.md), and every
feature above creates, finds or checks people, so people must sit at the bottom. A separate
`lms/people` would sit between accounts and courses while the User model, its name keys and the
policy stay in accounts: each would import the other. What higher features keep about a person
(classes, attendance, lessons, quizzes, certificates, households) they report and forget
themselves, answering lms.signals (personal_data_requested, person_erased).
"""
from flask import Blueprint

bp = Blueprint("accounts", __name__)

from lms.accounts import routes  # noqa: E402,F401  (routes register themselves on bp)
