"""Thin views for learners (join by code, my cohorts, my data) and for erasing a person."""
from __future__ import annotations

import json

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.accounts.policy import manages_ward, member_refusal
from lms.accounts.principal import current_account
from lms.cohorts import bp
from lms.cohorts.forms import EraseForm, JoinForm
from lms.cohorts.messages import cohort_error
from lms.accounts.people import withdraw_support
from lms.accounts.privacy import can_erase, erase_person, erasure_of, personal_data
from lms.cohorts.schedule import upcoming_sessions, vietnam_today
from lms.cohorts.services import CohortError, cohort_by_code, is_member, join_with_code
from lms.cohorts.services import my_cohorts as cohorts_of_learner
from lms.courses.services import completed_lesson_ids
from lms.extensions import db, limiter
from lms.web import role_required


def _join_page(form: JoinForm, status: int = 200, cohort=None):
    account = current_account()
    # Staff, and learners of another ward, cannot join (lms.accounts.policy): say so before they try.
    refusal = member_refusal(account, cohort.ward_id, self_join=True) if cohort is not None else None
    return render_template("cohorts/join.html", form=form, cohort=cohort, account=account,
                           refusal=cohort_error(refusal) if refusal else None,
                           needs_consent=account.data_consent_at is None), status


@bp.route("/join", methods=["GET", "POST"])
@login_required
@limiter.limit("300 per minute", methods=["POST"])
def join():
    form = JoinForm()
    if request.method == "GET":
        form.code.data = request.args.get("code", "")
        return _join_page(form, cohort=cohort_by_code(form.code.data))
    if not form.validate_on_submit():
        return _join_page(form, 422)
    try:
        cohort, joined = join_with_code(current_account(), form.code.data, consent=bool(form.consent.data))
        db.session.commit()
    except CohortError as exc:
        db.session.rollback()
        if exc.code in ("member_staff", "member_other_ward"):
            return _join_page(form, 403, cohort_by_code(form.code.data))  # the page says why
        field = form.consent if exc.code == "consent_required" else form.code
        field.errors = list(field.errors) + [cohort_error(exc.code)]
        return _join_page(form, 422, cohort_by_code(form.code.data))
    except IntegrityError:  # a double tap: the first tap already joined
        db.session.rollback()
        cohort, joined = cohort_by_code(form.code.data), False
    if joined:
        flash(_("Bạn đã vào lớp “%(name)s”.", name=cohort.name), "success")
    else:
        flash(_("Bạn đã ở trong lớp “%(name)s” rồi.", name=cohort.name), "info")
    return redirect(url_for("cohorts.my_cohorts"))


@bp.route("/join/<code>")
@login_required
def join_code(code: str):
    """What a cohort's QR code opens: the code filled in, one button to join."""
    cohort = cohort_by_code(code)
    if cohort is None:
        abort(404)
    if is_member(cohort, current_user.id):
        flash(_("Bạn đã ở trong lớp “%(name)s” rồi.", name=cohort.name), "info")
        return redirect(url_for("cohorts.my_cohorts"))
    form = JoinForm(data={"code": cohort.join_code})
    return _join_page(form, cohort=cohort)


@bp.route("/my/cohorts")
@login_required
def my_cohorts():
    cohorts = cohorts_of_learner(current_user)
    upcoming = upcoming_sessions([c.id for c in cohorts], vietnam_today())
    # Each class's card says how far the learner is in its courses and when it meets next.
    done = completed_lesson_ids(current_user.id)
    next_session = {}
    for s in upcoming:
        next_session.setdefault(s.cohort_id, s)
    return render_template("cohorts/mine.html", cohorts=cohorts, upcoming=upcoming, done=done,
                           next_session=next_session)


@bp.route("/my/data")
@login_required
def my_data():
    return render_template("cohorts/my_data.html", data=personal_data(current_account()),
                           account=current_account())


@bp.route("/my/data.json")
@login_required
def my_data_json():
    body = json.dumps(personal_data(current_account()), ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="du-lieu-cua-toi.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/my/data/support", methods=["POST"])
@login_required
def my_support_withdraw():
    withdraw_support(current_account())
    db.session.commit()
    flash(_("Đã xoá ghi nhận nhu cầu hỗ trợ tiếp cận của bạn."), "success")
    return redirect(url_for("cohorts.my_data"))


@bp.route("/people/<int:person_id>/erase", methods=["GET", "POST"])
@role_required("coordinator", "admin")
def erase(person_id: int):
    """Confirm, then anonymise a person; aggregate counts stay, their certificates are withdrawn."""
    person = db.session.get(User, person_id)
    if person is None or not manages_ward(current_user, person.ward_id):
        abort(404)
    record = erasure_of(person)
    if record is not None:
        return render_template("cohorts/erased.html", person=person, record=record)
    form = EraseForm()
    problem = can_erase(current_user, person)
    status = 200
    if problem:
        status = 403 if request.method == "POST" else 200
    elif form.validate_on_submit():
        erase_person(person, by=current_user, reason=form.reason.data)
        db.session.commit()
        flash(_("Đã xoá dữ liệu cá nhân. Người này giờ chỉ còn là “Người đã xoá” trong các số liệu."),
              "success")
        return redirect(url_for("cohorts.erase", person_id=person.id))
    elif form.is_submitted():
        status = 422
    message = cohort_error(problem) if problem else None
    return render_template("cohorts/erase.html", person=person, form=form, problem=message), status
