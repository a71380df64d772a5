"""Thin views: households ("Gia đình số") and mentors ("Đại sứ số") of the coordinator's ward."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from lms.accounts.directory import find_people
from lms.accounts.models import User
from lms.accounts.policy import manages_ward
from lms.cohorts.services import ward_groups
from lms.extensions import db
from lms.households import bp
from lms.households.forms import HouseholdForm
from lms.households.models import Household, Mentorship
from lms.households.services import (MENTOR_TARGET, HouseholdError, add_mentorship, create_household,
                                     delete_household, household_members, household_of, households_overview,
                                     mentees_of, mentors_overview, remove_from_household, remove_mentorship,
                                     set_household, update_household)
from lms.web import database_id, role_required
from lms.wards.models import Ward

COORDINATORS = ("coordinator", "admin")


def household_error(code: str) -> str:
    return {
        "name_required": lambda: _("Hãy nhập tên hộ."),
        "duplicate": lambda: _("Tổ này đã có một hộ cùng tên. Hãy thêm địa chỉ để phân biệt."),
        "group_invalid": lambda: _("Tổ dân phố không thuộc phường này."),
        "person_invalid": lambda: _("Người này không thuộc phường hoặc đã bị xoá."),
        "self": lambda: _("Một người không thể tự hướng dẫn chính mình."),
        "duplicate_mentorship": lambda: _("Hai người này đã được ghi là người hướng dẫn và người được hướng dẫn."),
    }.get(code, lambda: _("Yêu cầu chưa thực hiện được."))()


def _ward() -> Ward:
    """The coordinator's ward; an admin chooses one with ?ward=."""
    if current_user.has_role("admin"):
        ward_id = request.values.get("ward", type=database_id) or current_user.ward_id
        ward = db.session.get(Ward, ward_id) if ward_id else db.session.scalar(sa.select(Ward).order_by(Ward.id))
    else:
        ward = db.session.get(Ward, current_user.ward_id) if current_user.ward_id else None
    if ward is None:
        abort(404)
    return ward


def _household_or_404(household_id: int) -> Household:
    household = db.session.get(Household, household_id)
    if household is None or not manages_ward(current_user, household.ward_id):
        abort(404)
    return household


def _person_or_404(person_id: int, ward_id: int) -> User:
    person = db.session.get(User, person_id)
    if person is None or person.ward_id != ward_id or not manages_ward(current_user, person.ward_id):
        abort(404)
    return person


def _group_choices(form: HouseholdForm, ward_id: int) -> None:
    form.group_id.choices = [(0, _("— Chưa chọn —"))] + [(g.id, g.name) for g in ward_groups(ward_id)]


@bp.route("/households/")
@role_required(*COORDINATORS)
def index():
    ward = _ward()
    groups = ward_groups(ward.id)
    group_id = request.args.get("group", type=int)
    group_id = group_id if group_id in {g.id for g in groups} else None
    rows = households_overview(ward.id, group_id)
    with_learner = sum(1 for r in rows if r.learners)
    wards = db.session.scalars(sa.select(Ward).order_by(Ward.name)).all() if current_user.has_role("admin") else []
    return render_template("households/index.html", ward=ward, wards=wards, rows=rows, groups=groups,
                           group_id=group_id, with_learner=with_learner)


@bp.route("/households/new", methods=["GET", "POST"])
@role_required(*COORDINATORS)
def new():
    ward = _ward()
    form = HouseholdForm()
    _group_choices(form, ward.id)
    status = 200
    if form.validate_on_submit():
        try:
            household = create_household(ward.id, form.name.data, form.group_id.data)
            db.session.commit()
        except (HouseholdError, IntegrityError) as exc:
            db.session.rollback()
            form.name.errors = [household_error(getattr(exc, "code", "duplicate"))]
            status = 422
        else:
            flash(_("Đã thêm hộ “%(name)s”.", name=household.name), "success")
            return redirect(url_for("households.show", household_id=household.id))
    elif form.is_submitted():
        status = 422
    return render_template("households/form.html", form=form, household=None, ward=ward), status


@bp.route("/households/<int:household_id>")
@role_required(*COORDINATORS)
def show(household_id: int):
    household = _household_or_404(household_id)
    query = request.args.get("q", "")
    found = find_people(household.ward_id, query) if query.strip() else []
    homes = {p.id: household_of(p) for p in found}
    return render_template("households/household.html", household=household, members=household_members(household),
                           query=query, found=found, homes=homes)


@bp.route("/households/<int:household_id>/edit", methods=["GET", "POST"])
@role_required(*COORDINATORS)
def edit(household_id: int):
    household = _household_or_404(household_id)
    form = HouseholdForm(obj=household)
    _group_choices(form, household.ward_id)
    if request.method == "GET":
        form.group_id.data = household.group_id or 0
    status = 200
    if form.validate_on_submit():
        try:
            update_household(household, form.name.data, form.group_id.data)
            db.session.commit()
        except (HouseholdError, IntegrityError) as exc:
            db.session.rollback()
            form.name.errors = [household_error(getattr(exc, "code", "duplicate"))]
            status = 422
        else:
            flash(_("Đã lưu."), "success")
            return redirect(url_for("households.show", household_id=household.id))
    elif form.is_submitted():
        status = 422
    return render_template("households/form.html", form=form, household=household, ward=None), status


@bp.route("/households/<int:household_id>/delete", methods=["POST"])
@role_required(*COORDINATORS)
def delete(household_id: int):
    household = _household_or_404(household_id)
    name = household.name
    delete_household(household)
    db.session.commit()
    flash(_("Đã xoá hộ “%(name)s”. Các thành viên vẫn còn trong phường.", name=name), "success")
    return redirect(url_for("households.index"))


@bp.route("/households/<int:household_id>/members", methods=["POST"])
@role_required(*COORDINATORS)
def add_member(household_id: int):
    household = _household_or_404(household_id)
    person = _person_or_404(request.form.get("person_id", type=database_id) or 0, household.ward_id)
    try:
        added = set_household(person, household)
        db.session.commit()
    except (HouseholdError, IntegrityError):
        db.session.rollback()
        flash(household_error("person_invalid"), "info")
        return redirect(url_for("households.show", household_id=household.id))
    if added:
        flash(_("Đã thêm %(name)s vào hộ.", name=person.full_name), "success")
    else:
        flash(_("%(name)s đã ở trong hộ này rồi.", name=person.full_name), "info")
    return redirect(url_for("households.show", household_id=household.id))


@bp.route("/households/<int:household_id>/members/<int:user_id>/remove", methods=["POST"])
@role_required(*COORDINATORS)
def remove_member(household_id: int, user_id: int):
    household = _household_or_404(household_id)
    person = _person_or_404(user_id, household.ward_id)
    if remove_from_household(household, person):
        db.session.commit()
        flash(_("Đã đưa %(name)s ra khỏi hộ.", name=person.full_name), "success")
    return redirect(url_for("households.show", household_id=household.id))


@bp.route("/mentors/")
@role_required(*COORDINATORS)
def mentors():
    ward = _ward()
    rows = mentors_overview(ward.id)
    query = request.args.get("q", "")
    found = find_people(ward.id, query) if query.strip() else []
    wards = db.session.scalars(sa.select(Ward).order_by(Ward.name)).all() if current_user.has_role("admin") else []
    return render_template("households/mentors.html", ward=ward, wards=wards, rows=rows, target=MENTOR_TARGET,
                           reached=sum(1 for r in rows if not r.missing), query=query, found=found)


def _mentor_or_404(mentor_id: int) -> User:
    person = db.session.get(User, mentor_id)
    if person is None or not manages_ward(current_user, person.ward_id) or person.erased_at is not None:
        abort(404)
    return person


def _mentor_page(person: User, status: int = 200, errors: dict | None = None):
    query = request.values.get("q", "")
    found = [p for p in find_people(person.ward_id, query) if p.id != person.id] if query.strip() else []
    mentorships = mentees_of(person)
    already = {m.mentee_id for m in mentorships}
    return render_template("households/mentor.html", mentor=person, mentorships=mentorships, target=MENTOR_TARGET,
                           query=query, found=found, already=already, errors=errors or {}), status


@bp.route("/mentors/<int:mentor_id>")
@role_required(*COORDINATORS)
def mentor(mentor_id: int):
    return _mentor_page(_mentor_or_404(mentor_id))


@bp.route("/mentors/<int:mentor_id>/mentees", methods=["POST"])
@role_required(*COORDINATORS)
def add_mentee(mentor_id: int):
    person = _mentor_or_404(mentor_id)
    mentee = _person_or_404(request.form.get("mentee_id", type=database_id) or 0, person.ward_id)
    try:
        add_mentorship(person.ward_id, person, mentee, current_user)
        db.session.commit()
    except (HouseholdError, IntegrityError) as exc:  # IntegrityError: the same pair added twice at once
        db.session.rollback()
        return _mentor_page(person, 422, {mentee.id: household_error(getattr(exc, "code", "duplicate_mentorship"))})
    flash(_("%(mentor)s sẽ hướng dẫn %(mentee)s.", mentor=person.full_name, mentee=mentee.full_name), "success")
    return redirect(url_for("households.mentor", mentor_id=person.id))


@bp.route("/mentorships/<int:mentorship_id>/delete", methods=["POST"])
@role_required(*COORDINATORS)
def delete_mentorship(mentorship_id: int):
    mentorship = db.session.get(Mentorship, mentorship_id)
    if mentorship is None or not manages_ward(current_user, mentorship.ward_id):
        abort(404)
    mentor_id = mentorship.mentor_id
    remove_mentorship(mentorship)
    db.session.commit()
    flash(_("Đã bỏ quan hệ hướng dẫn."), "success")
    return redirect(url_for("households.mentor", mentor_id=mentor_id))
