"""Thin views: who in a class has used every try of a course's final quiz, and one more try for them.

Instructors see the classes they teach, coordinators their ward's (admins every ward); the rule is
`_cohort_for_tries`, the cohort pages' own (lms.cohorts.access.cohort_or_404 with teaching=True).
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.models import User
from lms.audit.services import record
from lms.cohorts import bp
from lms.cohorts.access import cohort_or_404, manages, member_or_404
from lms.cohorts.models import Cohort, Enrollment
from lms.errors import render_error
from lms.extensions import db
from lms.quizzes.models import Quiz
from lms.quizzes.services import QuizError, final_quiz_for, grant_extra_try, locked_out
from lms.web import role_required

STAFF = ("coordinator", "admin", "instructor")


def _cohort_for_tries(cohort_id: int) -> Cohort:
    """The one permission rule of these pages: a class the signed-in staff member teaches or manages."""
    return cohort_or_404(cohort_id, teaching=True)


def _final_quizzes(cohort: Cohort) -> list[Quiz]:
    quizzes = (final_quiz_for(course.id) for course in cohort.courses if course.retired_at is None)
    return [quiz for quiz in quizzes if quiz is not None and quiz.max_attempts]


def _out_of_tries(cohort: Cohort) -> list[dict]:
    """Per course of the class: its members who used every try and have not passed, by name."""
    quizzes = _final_quizzes(cohort)
    member_ids = sa.select(Enrollment.user_id).where(Enrollment.cohort_id == cohort.id)
    rows = locked_out(db.session.scalars(member_ids), quizzes)
    people = {u.id: u for u in db.session.scalars(
        sa.select(User).where(User.id.in_({user_id for user_id, _q, _n in rows}), User.erased_at.is_(None)))}
    groups = []
    for quiz in quizzes:
        learners = sorted(((people[u], used) for u, q, used in rows if q.id == quiz.id and u in people),
                          key=lambda pair: (pair[0].sort_key or b"", pair[0].id))
        groups.append({"quiz": quiz, "course": quiz.course, "learners": learners})
    return groups


@bp.route("/cohorts/<int:cohort_id>/quiz-tries")
@role_required(*STAFF)
def quiz_tries(cohort_id: int):
    cohort = _cohort_for_tries(cohort_id)
    return render_template("cohorts/quiz_tries.html", cohort=cohort, manage=manages(cohort),
                           groups=_out_of_tries(cohort))


@bp.route("/cohorts/<int:cohort_id>/quiz-tries/<int:quiz_id>/<int:user_id>", methods=["POST"])
@role_required(*STAFF)
def grant_quiz_try(cohort_id: int, quiz_id: int, user_id: int):
    cohort = _cohort_for_tries(cohort_id)
    learner = member_or_404(cohort, user_id)
    quiz = next((q for q in _final_quizzes(cohort) if q.id == quiz_id), None)
    if quiz is None or learner.erased_at is not None:
        abort(404)  # a quiz of a course this class does not take is not found here
    try:
        grant = grant_extra_try(learner.id, quiz, by=current_user, cohort_id=cohort.id)
    except QuizError:
        db.session.rollback()
        return render_error(409, _("Không cần cấp thêm lượt"), _(
            "%(name)s vẫn còn lượt làm bài kiểm tra này, hoặc đã đạt, nên không cấp thêm lượt nào.",
            name=learner.full_name))
    record(current_user, "quiz.try_granted", learner, ward=cohort.ward_id, cohort_id=cohort.id,
           quiz_id=quiz.id, course=quiz.course.slug, after_attempts=grant.after_attempts)
    db.session.commit()
    flash(_("Đã cấp thêm 1 lượt làm bài cho %(name)s.", name=learner.full_name), "success")
    return redirect(url_for("cohorts.quiz_tries", cohort_id=cohort.id))
