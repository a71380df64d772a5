"""Thin views: a cohort's schedule of in-person sessions, and taking attendance."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from lms.cohorts import bp
from lms.cohorts.access import cohort_or_404, manages, session_or_404
from lms.cohorts.forms import SessionForm
from lms.cohorts.schedule import (add_session, attendance_counts, delete_session, register, sessions_of,
                                  set_attendance, update_session)
from lms.extensions import db
from lms.web import role_required

STAFF = ("coordinator", "admin", "instructor")


def _schedule_page(cohort, form, status=200):
    return render_template("cohorts/sessions.html", cohort=cohort, form=form, sessions=sessions_of(cohort),
                           counts=attendance_counts(cohort), manage=manages(cohort)), status


@bp.route("/cohorts/<int:cohort_id>/sessions", methods=["GET", "POST"])
@role_required(*STAFF)
def sessions(cohort_id: int):
    cohort = cohort_or_404(cohort_id, teaching=True)
    form = SessionForm()
    if request.method == "POST":
        if not manages(cohort):
            abort(403)  # instructors see the schedule; coordinators plan it
        if form.validate_on_submit():
            session = add_session(cohort, day=form.day.data, starts_at=form.starts_at.data, place=form.place.data)
            db.session.commit()
            flash(_("Đã thêm buổi học ngày %(day)s.", day=session.day.strftime("%d/%m/%Y")), "success")
            return redirect(url_for("cohorts.sessions", cohort_id=cohort.id))
        return _schedule_page(cohort, form, 422)
    return _schedule_page(cohort, form)


@bp.route("/cohorts/<int:cohort_id>/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@role_required("coordinator", "admin")
def edit_session(cohort_id: int, session_id: int):
    cohort = cohort_or_404(cohort_id)
    session = session_or_404(cohort, session_id)
    form = SessionForm(obj=session)
    status = 200
    if form.validate_on_submit():
        update_session(session, day=form.day.data, starts_at=form.starts_at.data, place=form.place.data)
        db.session.commit()
        flash(_("Đã lưu buổi học."), "success")
        return redirect(url_for("cohorts.sessions", cohort_id=cohort.id))
    if form.is_submitted():
        status = 422
    return render_template("cohorts/session_form.html", cohort=cohort, session=session, form=form), status


@bp.route("/cohorts/<int:cohort_id>/sessions/<int:session_id>/delete", methods=["POST"])
@role_required("coordinator", "admin")
def remove_session(cohort_id: int, session_id: int):
    cohort = cohort_or_404(cohort_id)
    session = session_or_404(cohort, session_id)
    delete_session(session)
    db.session.commit()
    flash(_("Đã xoá buổi học khỏi lịch."), "success")
    return redirect(url_for("cohorts.sessions", cohort_id=cohort.id))


@bp.route("/cohorts/<int:cohort_id>/sessions/<int:session_id>/attendance", methods=["GET", "POST"])
@role_required(*STAFF)
def attendance(cohort_id: int, session_id: int):
    """The register: tick who is here; saving the same register twice changes nothing."""
    cohort = cohort_or_404(cohort_id, teaching=True)
    session = session_or_404(cohort, session_id)
    if request.method == "POST":
        present = request.form.getlist("present")
        for attempt in range(2):
            try:
                set_attendance(session, present, current_user)
                db.session.commit()
                break
            except IntegrityError:  # someone else saved the same register at the same moment
                db.session.rollback()
                if attempt:
                    raise
        present_count = sum(1 for _, here in register(session) if here)
        flash(_("Đã lưu điểm danh: %(num)d người có mặt.", num=present_count), "success")
        return redirect(url_for("cohorts.attendance", cohort_id=cohort.id, session_id=session.id))
    return render_template("cohorts/attendance.html", cohort=cohort, session=session, people=register(session))
