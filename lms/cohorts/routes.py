"""Thin views: the cohorts list, creating and editing a cohort, enrolling people one by one."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from lms.accounts.directory import find_people
from lms.accounts.models import User
from lms.accounts.people import PossibleDuplicate
from lms.accounts.policy import is_staff
from lms.accounts.phone import InvalidPhone
from lms.accounts.services import AccountError
from lms.cohorts import bp
from lms.cohorts.access import cohort_or_404, manages, member_or_404
from lms.accounts.cards import qr_svg, unused_card_count
from lms.cohorts.forms import CohortForm, NewLearnerForm, audience_choices
from lms.cohorts.messages import cohort_error
from lms.cohorts.models import Cohort
from lms.cohorts.roster import roster, session_count
from lms.cohorts.schedule import sessions_of
from lms.cohorts.services import (CohortError, active_courses, change_join_code, create_and_enrol,
                                  create_cohort, enrol, member_count, members_among, unenrol,
                                  update_cohort, ward_groups, ward_instructors)
from lms.extensions import db
from lms.templating import pick
from lms.web import public_url_or_none, render, role_required
from lms.wards.models import Ward

STAFF = ("coordinator", "admin", "instructor")
VIETNAM_OFFSET = timedelta(hours=7)  # no daylight saving: today in Vietnam is a fixed shift from UTC


def _fill_choices(form: CohortForm, ward_id: int | None) -> None:
    form.audience.choices = audience_choices()
    wards = db.session.scalars(sa.select(Ward).order_by(Ward.name)).all() if current_user.has_role("admin") else []
    form.ward_id.choices = [(w.id, w.name) for w in wards]
    ward_ids = [ward_id] if ward_id else [w.id for w in wards]
    groups = [g for wid in ward_ids for g in ward_groups(wid)]
    teachers = [t for wid in ward_ids for t in ward_instructors(wid)]
    several = len(ward_ids) > 1
    form.group_id.choices = [(0, _("— Không gắn với tổ dân phố hay chợ nào —"))] + [
        (g.id, f"{g.ward.name} — {g.name}" if several else g.name) for g in groups]
    form.instructors.choices = [(t.id, f"{t.full_name} ({t.ward.name})" if several else t.full_name)
                                for t in teachers]
    form.courses.choices = [(c.id, pick(c.title)) for c in active_courses()]


@bp.route("/cohorts/")
@role_required(*STAFF)
def index():
    """The cohorts one may open, a page at a time, filtered and searched (lms.cohorts.listing)."""
    from flask_babel import format_number

    from lms.cohorts.listing import STATUSES, CohortFilter, cohorts_page
    from lms.courses.models import AUDIENCES
    from lms.paging import Page, check_in_range, page_number
    from lms.timeutil import utcnow

    number = page_number()
    admin = current_user.has_role("admin")
    wards = db.session.scalars(sa.select(Ward).order_by(Ward.name)).all() if admin else []
    ward_id = current_user.ward_id
    error = None
    if admin:
        ward_id = request.args.get("ward", type=int)
        if request.args.get("ward") and ward_id not in {w.id for w in wards}:
            error, ward_id = _("Không có phường/xã này. Hãy chọn lại."), None
    groups = ward_groups(ward_id) if ward_id else []
    group_id = request.args.get("group", type=int) if request.args.get("group") else None
    if request.args.get("group") and group_id not in {g.id for g in groups}:
        error = error or _("Tổ dân phố / thôn này không thuộc phường. Hãy chọn lại trong danh sách.")
        group_id = None
    audience = request.args.get("audience") or None
    if audience and audience not in AUDIENCES:
        error, audience = error or _("Không có đối tượng này. Hãy chọn lại trong danh sách."), None
    status = request.args.get("status") or None
    if status and status not in STATUSES:
        error, status = error or _("Không có trạng thái này. Hãy chọn lại trong danh sách."), None
    query = (request.args.get("q") or "")[:100]
    filters = CohortFilter(ward_id if admin else None, group_id, audience, status, query)
    args = {"ward": ward_id if admin else None, "group": group_id, "audience": audience, "status": status,
            "q": query or None}
    context = dict(filters=filters, groups=groups, wards=wards, audiences=AUDIENCES, statuses=STATUSES, args=args,
                   number=format_number, admin=admin, error=error)
    if error:
        return render_template("cohorts/index.html", page=Page([], 0, 1), **context), 400
    page = check_in_range(cohorts_page(current_user, filters, number, (utcnow() + VIETNAM_OFFSET).date()))
    return render_template("cohorts/index.html", page=page, **context)


@bp.route("/cohorts/new", methods=["GET", "POST"])
@role_required("coordinator", "admin")
def new():
    admin = current_user.has_role("admin")
    form = CohortForm()
    ward_id = (form.ward_id.data if admin and request.method == "POST" else None) or current_user.ward_id
    _fill_choices(form, None if admin else ward_id)
    if request.method == "GET":
        form.audience.data = request.args.get("audience", "everyone")
        form.ward_id.data = current_user.ward_id
    status = 200
    if form.validate_on_submit():
        if not ward_id or (admin and db.session.get(Ward, ward_id) is None):
            form.ward_id.errors.append(_("Hãy chọn phường/xã của lớp."))
            status = 422
        else:
            try:
                cohort = create_cohort(ward_id=ward_id, name=form.name.data, audience=form.audience.data,
                                       group_id=form.group_id.data, instructor_ids=form.instructors.data,
                                       course_ids=form.courses.data)
            except CohortError as exc:
                db.session.rollback()
                form.name.errors.append(cohort_error(exc.code))
                status = 422
            else:
                db.session.commit()
                flash(_("Đã tạo lớp “%(name)s”. Mã lớp: %(code)s", name=cohort.name, code=cohort.join_code),
                      "success")
                return redirect(url_for("cohorts.show", cohort_id=cohort.id))
    elif form.is_submitted():
        status = 422
    return render_template("cohorts/form.html", form=form, cohort=None, admin=admin), status


@bp.route("/cohorts/<int:cohort_id>/edit", methods=["GET", "POST"])
@role_required("coordinator", "admin")
def edit(cohort_id: int):
    cohort = cohort_or_404(cohort_id)
    form = CohortForm(obj=cohort)
    _fill_choices(form, cohort.ward_id)
    if request.method == "GET":
        form.group_id.data = cohort.group_id or 0
        form.instructors.data = [t.id for t in cohort.instructors]
        form.courses.data = [c.id for c in cohort.courses]
    status = 200
    if form.validate_on_submit():
        try:
            update_cohort(cohort, name=form.name.data, audience=form.audience.data, group_id=form.group_id.data,
                          instructor_ids=form.instructors.data, course_ids=form.courses.data)
        except CohortError as exc:
            db.session.rollback()
            form.name.errors.append(cohort_error(exc.code))
            status = 422
        else:
            db.session.commit()
            flash(_("Đã lưu thông tin lớp."), "success")
            return redirect(url_for("cohorts.show", cohort_id=cohort.id))
    elif form.is_submitted():
        status = 422
    return render_template("cohorts/form.html", form=form, cohort=cohort, admin=False), status


@bp.route("/cohorts/<int:cohort_id>")
@role_required(*STAFF)
def show(cohort_id: int):
    cohort = cohort_or_404(cohort_id, teaching=True)
    # The configured address only (lms.web.public_base), never the request's Host header.
    join_url = public_url_or_none("cohorts.join_code", code=cohort.join_code)
    return render_template(
        "cohorts/cohort.html", cohort=cohort, manage=manages(cohort), members=member_count(cohort),
        sessions=sessions_of(cohort), join_url=join_url,
        join_qr=qr_svg(join_url, _("Mã QR để vào lớp %(name)s", name=cohort.name)) if join_url else None,
        unused_cards=unused_card_count(cohort),
    )


@bp.route("/cohorts/<int:cohort_id>/code", methods=["POST"])
@role_required("coordinator", "admin")
def new_code(cohort_id: int):
    cohort = cohort_or_404(cohort_id)
    code = change_join_code(cohort)
    db.session.commit()
    flash(_("Lớp có mã mới: %(code)s. Mã cũ không dùng được nữa.", code=code), "success")
    return redirect(url_for("cohorts.show", cohort_id=cohort.id))


def _new_learner_form(cohort: Cohort) -> NewLearnerForm:
    form = NewLearnerForm(prefix="new")
    form.group_id.choices = [(0, _("— Chưa chọn —"))] + [(g.id, g.name) for g in ward_groups(cohort.ward_id)]
    if request.method == "GET":
        form.group_id.data = cohort.group_id or 0
    return form


def _enrol_page(cohort: Cohort, form: NewLearnerForm, status: int = 200, person_errors=None, duplicates=None,
                ask_share=False):
    query = request.values.get("q", "")
    people = find_people(cohort.ward_id, query) if query.strip() else []
    enrolled = members_among(cohort, [p.id for p in people])
    # Staff are never members of a cohort (lms.accounts.policy): no button to enrol them.
    staff = {p.id for p in people if is_staff(p)}
    context = dict(cohort=cohort, form=form, query=query, people=people, enrolled=enrolled, staff=staff,
                   person_errors=person_errors or {}, duplicates=duplicates or [], ask_share=ask_share)
    return render("cohorts/enrol.html", "cohorts/_search_results.html", **context), status


@bp.route("/cohorts/<int:cohort_id>/enrol", methods=["GET", "POST"])
@role_required("coordinator", "admin")
def enrol_page(cohort_id: int):
    """Find a person to enrol, or create a new one with their consent."""
    cohort = cohort_or_404(cohort_id)
    form = _new_learner_form(cohort)
    if request.method == "GET":
        return _enrol_page(cohort, form)
    if not form.validate_on_submit():
        return _enrol_page(cohort, form, 422)
    try:
        user = create_and_enrol(
            cohort, full_name=form.full_name.data, phone=form.phone.data, birth_year=form.birth_year.data,
            group_id=form.group_id.data, household=form.household.data, needs_support=form.needs_support.data,
            support_consent=form.support_consent.data, consent=form.consent.data, by=current_user,
            share_phone=form.share_phone.data, different_person=form.different_person.data,
        )
        db.session.commit()
    except PossibleDuplicate as exc:
        db.session.rollback()
        return _enrol_page(cohort, form, 409, duplicates=exc.people, ask_share=form.share_phone.data)
    except (AccountError, CohortError) as exc:
        db.session.rollback()
        phone_codes = ("phone_taken", "phone_not_shareable", "phone_full")
        target = form.phone if exc.code in phone_codes else form.full_name
        target.errors = list(target.errors) + [cohort_error(exc.code)]
        # A learner's number: the coordinator may confirm a housemate shares it.
        ask = exc.code == "phone_taken" or (exc.code == "phone_full" and form.share_phone.data)
        return _enrol_page(cohort, form, 409 if exc.code == "person_exists" else 422,
                           ask_share=ask)
    except InvalidPhone:
        db.session.rollback()
        form.phone.errors = [_("Số điện thoại chưa đúng. Hãy nhập số di động Việt Nam, ví dụ 0912 345 678.")]
        return _enrol_page(cohort, form, 422)
    except IntegrityError:
        db.session.rollback()
        form.full_name.errors = [cohort_error("person_exists")]
        return _enrol_page(cohort, form, 409)
    flash(_("Đã tạo tài khoản và ghi danh %(name)s.", name=user.full_name), "success")
    return redirect(url_for("cohorts.enrol_page", cohort_id=cohort.id))


@bp.route("/cohorts/<int:cohort_id>/enrol/<int:person_id>", methods=["POST"])
@role_required("coordinator", "admin")
def enrol_person(cohort_id: int, person_id: int):
    cohort = cohort_or_404(cohort_id)
    person = db.session.get(User, person_id)
    if person is None or person.ward_id != cohort.ward_id:
        abort(404)
    try:
        added = enrol(cohort, person, by=current_user, consent=request.form.get("consent") == "y")
        db.session.commit()
    except CohortError as exc:
        db.session.rollback()
        status = 403 if exc.code in ("member_staff", "member_other_ward") else 422
        return _enrol_page(cohort, _new_learner_form(cohort), status, {person.id: cohort_error(exc.code)})
    except IntegrityError:  # the same person enrolled by two clicks at once
        db.session.rollback()
        added = False
    if added:
        flash(_("Đã ghi danh %(name)s vào lớp.", name=person.full_name), "success")
    else:
        flash(_("%(name)s đã ở trong lớp này rồi.", name=person.full_name), "info")
    return redirect(url_for("cohorts.enrol_page", cohort_id=cohort.id, q=request.form.get("q") or None))


@bp.route("/cohorts/<int:cohort_id>/members/<int:user_id>")
@role_required(*STAFF)
def member(cohort_id: int, user_id: int):
    cohort = cohort_or_404(cohort_id, teaching=True)
    person = member_or_404(cohort, user_id)
    row = roster(cohort, user_id=person.id)[0]
    return render_template("cohorts/member.html", cohort=cohort, person=person, row=row, manage=manages(cohort),
                           sessions=session_count(cohort))


@bp.route("/cohorts/<int:cohort_id>/members/<int:user_id>/remove", methods=["POST"])
@role_required("coordinator", "admin")
def remove_member(cohort_id: int, user_id: int):
    cohort = cohort_or_404(cohort_id)
    person = member_or_404(cohort, user_id)
    unenrol(cohort, person)
    db.session.commit()
    flash(_("Đã đưa %(name)s ra khỏi lớp. Kết quả học của họ vẫn được giữ.", name=person.full_name), "success")
    return redirect(url_for("cohorts.roster_page", cohort_id=cohort.id))
