"""Thin views for staff: a ward's certificates, revoking, the attestation list, cohorts' printing
and in-person attestation."""
from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from lms.accounts.models import User
from lms.accounts.policy import manages_ward
from lms.audit.services import entries_for, record
from lms.certificates import bp
from lms.certificates.export import csv_download, xlsx_download
from lms.certificates.forms import AttestForm, ExportForm, RevokeForm, SignerForm
from lms.certificates.models import REVOKE_REASON_CODES, STATUSES, Certificate
from lms.certificates.pdf import render_pdf
from lms.certificates.services import (
    CertificateError,
    attest_in_person,
    certificate_for,
    cohort_certificates,
    may_manage,
    may_print_cohort,
    revoke,
    teaches,
    ward_certificates,
)
from lms.certificates.sheet import build_sheet, qr_svg
from lms.cohorts.models import Cohort
from lms.courses.models import Course
from lms.extensions import db
from lms.templating import pick
from lms.wards.models import Ward
from lms.web import require_public_base, role_required

# The public reasons for revoking, in the reader's language; nothing typed freely is ever public.
REVOKE_REASONS = {
    "issued_in_error": lambda: _("Cấp nhầm"),
    "fraud": lambda: _("Gian lận"),
    "learner_request": lambda: _("Người học yêu cầu"),
    "other": lambda: _("Lý do khác"),
}
assert tuple(REVOKE_REASONS) == REVOKE_REASON_CODES


@bp.app_template_global()
def revoke_reason_label(code: str | None) -> str:
    """The public label of a revocation; one revoked before the list existed says "other"."""
    return REVOKE_REASONS.get(code or "other", REVOKE_REASONS["other"])()


MESSAGES = {
    "reason_required": lambda: _("Hãy chọn lý do thu hồi."),
    "reason_long": lambda: _("Ghi chú dài quá 500 ký tự."),
    "already_revoked": lambda: _("Chứng nhận này đã bị thu hồi từ trước."),
    "withdrawn": lambda: _("Chứng nhận này đã được rút lại vì người học đã xoá dữ liệu."),
    "not_member": lambda: _("Người này không phải học viên của lớp."),
    "not_cohort_course": lambda: _("Lớp này không học khoá học đã chọn."),
    "future_date": lambda: _("Ngày đánh giá không thể ở tương lai."),
    "assessment_kind": lambda: _("Hãy chọn hình thức đánh giá."),
    "not_instructor": lambda: _("Chỉ giảng viên của lớp mới xác nhận được."),
}


def _managed_or_404(certificate_id: int) -> Certificate:
    """A certificate of the coordinator's own ward; other wards' are not found."""
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or not may_manage(current_user, certificate):
        abort(404)
    return certificate


def _cohort_or_404(cohort_id: int, *, instructor_only: bool = False) -> Cohort:
    cohort = db.session.get(Cohort, cohort_id)
    allowed = cohort is not None and (
        teaches(current_user, cohort) if instructor_only else may_print_cohort(current_user, cohort)
    )
    if not allowed:
        abort(404)
    return cohort


def _own_ward_id() -> int | None:
    """None for admins (every ward); a coordinator's own ward otherwise."""
    return None if current_user.has_role("admin") else current_user.ward_id


# --- a ward's certificates and revoking ----------------------------------------------------


@bp.route("/certificates/manage/")
@role_required("coordinator", "admin")
def manage():
    search = request.args.get("q", "")[:120]
    status = request.args.get("status", "")
    status = status if status in STATUSES else ""
    certificates = ward_certificates(_own_ward_id(), search=search, status=status)
    return render_template("certificates/manage.html", certificates=certificates, search=search, status=status,
                           statuses=STATUSES)


@bp.route("/certificates/manage/signer/<int:ward_id>", methods=["GET", "POST"])
@role_required("coordinator", "admin")
def signer(ward_id: int):
    """Who signs the ward's printed certificates, and their title: set by the ward's coordinator."""
    ward = db.session.get(Ward, ward_id)
    if ward is None or not manages_ward(current_user, ward.id):
        abort(404)
    form = SignerForm(obj=ward) if request.method == "GET" else SignerForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("certificates/signer.html", ward=ward, form=form), 422
        before = {"signer_name": ward.signer_name, "signer_title": ward.signer_title}
        ward.signer_name = unicodedata.normalize("NFC", form.signer_name.data) or None
        ward.signer_title = unicodedata.normalize("NFC", form.signer_title.data) or None
        record(current_user, "ward.certificate_signer", ward, ward=ward,
               before=before, after={"signer_name": ward.signer_name, "signer_title": ward.signer_title})
        db.session.commit()
        flash(_("Đã lưu người ký chứng nhận của phường.") if ward.signer_name
              else _("Đã xoá người ký: chứng nhận in ra để trống chỗ ký."), "success")
        return redirect(url_for("certificates.signer", ward_id=ward.id))
    return render_template("certificates/signer.html", ward=ward, form=form)


@bp.route("/certificates/manage/<int:certificate_id>")
@role_required("coordinator", "admin")
def manage_detail(certificate_id: int):
    certificate = _managed_or_404(certificate_id)
    return render_template("certificates/manage_detail.html", certificate=certificate,
                           sheet=build_sheet(certificate), history=entries_for(certificate))


@bp.route("/certificates/manage/<int:certificate_id>/revoke", methods=["GET", "POST"])
@role_required("coordinator", "admin")
def revoke_certificate(certificate_id: int):
    certificate = _managed_or_404(certificate_id)
    form = RevokeForm()
    form.reason_code.choices = [SelectChoice(code, label()) for code, label in REVOKE_REASONS.items()]
    status = 200
    if certificate.status != "valid":
        flash(MESSAGES["already_revoked" if certificate.status == "revoked" else "withdrawn"](), "info")
        return redirect(url_for("certificates.manage_detail", certificate_id=certificate.id))
    if form.validate_on_submit():
        try:
            revoke(certificate, current_user, form.reason_code.data, form.note.data)
        except CertificateError as exc:
            db.session.rollback()
            if exc.code.startswith("reason"):
                target = form.note if exc.code == "reason_long" else form.reason_code
                target.errors = list(target.errors) + [MESSAGES[exc.code]()]
                status = 422
            else:
                flash(MESSAGES[exc.code](), "info")
                return redirect(url_for("certificates.manage_detail", certificate_id=certificate_id))
        else:
            db.session.commit()
            flash(_("Đã thu hồi chứng nhận %(code)s.", code=build_sheet(certificate).code), "success")
            return redirect(url_for("certificates.manage_detail", certificate_id=certificate.id))
    elif form.is_submitted():
        status = 422
    return render_template("certificates/revoke.html", certificate=certificate, sheet=build_sheet(certificate),
                           form=form), status


@bp.route("/certificates/manage/export")
@role_required("coordinator", "admin")
def export():
    form = ExportForm(request.args)
    is_admin = current_user.has_role("admin")
    if is_admin:
        wards = db.session.scalars(sa.select(Ward).order_by(Ward.name)).all()
        form.ward_id.choices = [SelectChoice(w.id, f"{w.name}, {w.province}") for w in wards]
    else:
        form.ward_id.choices = []
    if not request.args:
        return render_template("certificates/export.html", form=form, is_admin=is_admin)
    valid = form.validate()
    ward_id = form.ward_id.data if is_admin else current_user.ward_id
    if is_admin and not any(choice.value == ward_id for choice in form.ward_id.choices):
        form.ward_id.errors = [_("Hãy chọn phường/xã.")]
        valid = False
    if ward_id is None or not valid:
        return render_template("certificates/export.html", form=form, is_admin=is_admin), 422
    ward = db.session.get(Ward, ward_id)
    start, end = form.start.parsed, form.end.parsed
    stem = f"danh-sach-chung-nhan-{start:%Y%m%d}-{end:%Y%m%d}"
    # Sent as it is written (CSV row by row; XLSX from a temporary file): never whole in memory.
    if form.format.data == "csv":
        return csv_download(f"{stem}.csv", ward.id, start, end)
    return xlsx_download(f"{stem}.xlsx", ward.id, start, end, _("Chứng nhận"))


# --- cohorts: batch printing and in-person attestation --------------------------------------


@bp.route("/certificates/cohorts/<int:cohort_id>")
@role_required("instructor", "coordinator", "admin")
def cohort(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    certificates = cohort_certificates(cohort, valid_only=False)
    return render_template("certificates/cohort.html", cohort=cohort, certificates=certificates,
                           can_attest=teaches(current_user, cohort),
                           valid_count=sum(1 for c in certificates if c.status == "valid"))


@bp.route("/certificates/cohorts/<int:cohort_id>/print")
@role_required("instructor", "coordinator", "admin")
def cohort_print(cohort_id: int):
    require_public_base()  # the printed QR codes and links: never a host the request chose
    cohort = _cohort_or_404(cohort_id)
    sheets = [build_sheet(c) for c in cohort_certificates(cohort)]
    qr_title = _("Mã QR dẫn tới trang kiểm tra chứng nhận")
    return render_template("certificates/cohort_print.html", cohort=cohort,
                           sheets=[(s, qr_svg(s.verify_url, qr_title)) for s in sheets])


@bp.route("/certificates/cohorts/<int:cohort_id>/chung-nhan.pdf")
@role_required("instructor", "coordinator", "admin")
def cohort_pdf(cohort_id: int):
    require_public_base()  # the printed QR codes and links: never a host the request chose
    cohort = _cohort_or_404(cohort_id)
    certificates = cohort_certificates(cohort)
    if not certificates:
        flash(_("Lớp này chưa có chứng nhận nào để in."), "info")
        return redirect(url_for("certificates.cohort", cohort_id=cohort.id))
    body = render_pdf([build_sheet(c) for c in certificates], _("Chứng nhận của lớp %(name)s", name=cohort.name))
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="chung-nhan-lop-{cohort.id}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _attest_choices(form: AttestForm, cohort: Cohort) -> None:
    members = sorted((e.user for e in cohort.enrollments if e.user.erased_at is None),
                     key=lambda u: (u.full_name, u.id))
    form.learner_id.choices = [SelectChoice(0, _("— Chọn học viên —"))] + [
        SelectChoice(u.id, f"{u.full_name} ({u.birth_year})" if u.birth_year else u.full_name) for u in members
    ]
    form.course_id.choices = [SelectChoice(0, _("— Chọn khoá học —"))] + [
        SelectChoice(c.id, pick(c.title)) for c in cohort.courses
    ]


@bp.route("/certificates/cohorts/<int:cohort_id>/attest", methods=["GET", "POST"])
@role_required("instructor")
def attest(cohort_id: int):
    cohort = _cohort_or_404(cohort_id, instructor_only=True)
    form = AttestForm()
    _attest_choices(form, cohort)
    status = 200
    if form.validate_on_submit():
        learner = db.session.get(User, form.learner_id.data)
        course = db.session.get(Course, form.course_id.data)
        existing = certificate_for(learner.id, course.id) if learner and course else None
        if existing is not None:
            flash(_("%(name)s đã có chứng nhận khoá học này (mã %(code)s); không cấp thêm.",
                    name=learner.full_name, code=build_sheet(existing).code), "info")
            return redirect(url_for("certificates.cohort", cohort_id=cohort.id))
        try:
            if learner is None:
                raise CertificateError("not_member")
            if course is None:
                raise CertificateError("not_cohort_course")
            issued = attest_in_person(current_user, cohort, learner, course, form.assessed_on.parsed,
                                      form.assessment_kind.data)
        except CertificateError as exc:
            db.session.rollback()
            target = {"not_member": form.learner_id, "not_cohort_course": form.course_id,
                      "future_date": form.assessed_on}.get(exc.code, form.assessment_kind)
            target.errors = list(target.errors) + [MESSAGES[exc.code]()]
            status = 422
        else:
            db.session.commit()
            if issued.created:
                flash(_("Đã cấp chứng nhận cho %(name)s.", name=learner.full_name), "success")
            else:
                flash(_("%(name)s đã có chứng nhận khoá học này; không cấp thêm.", name=learner.full_name), "info")
            return redirect(url_for("certificates.cohort", cohort_id=cohort.id))
    elif form.is_submitted():
        status = 422
    return render_template("certificates/attest.html", cohort=cohort, form=form), status
