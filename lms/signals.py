"""Signals that let a higher feature react to a lower one without the lower importing it.

Dependencies flow one way (accounts → courses → quizzes → cohorts → certificates, reports), so a
quiz cannot call the certificates package; it sends `course_progress_changed` instead.
"""
from blinker import Namespace

_signals = Namespace()

# sender: the app; kwargs: user, course. Sent after a lesson is completed or a quiz submitted,
# inside the request's transaction (receivers stage changes; the view commits once).
course_progress_changed = _signals.signal("course-progress-changed")

# sender: the app; kwargs: user, actor, former. Sent when a coordinator erases a person
# (anonymised, not deleted: lms.accounts.privacy); every feature forgets what it keeps about them.
person_erased = _signals.signal("person-erased")

# sender: the app; kwargs: user. Each receiver returns a dict of sections to add to the person's
# own data download ("Dữ liệu của tôi", lms.accounts.privacy), so every feature reports what it
# keeps about them.
personal_data_requested = _signals.signal("personal-data-requested")
