"""Thin views: upload a list of people, see every row checked, confirm to enrol them all at once."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from lms.cohorts import bp
from lms.cohorts.access import cohort_or_404
from lms.cohorts.forms import ConfirmImportForm, UploadForm
from lms.cohorts.importing import HEADINGS, confirm_import, find_staged, stage_import, summarise
from lms.cohorts.messages import row_error, sheet_error
from lms.cohorts.sheets import MAX_BYTES, TOO_LARGE, SheetError, read_sheet
from lms.errors import render_error
from lms.extensions import db
from lms.timeutil import utcnow
from lms.web import role_required

PREVIEW_OK_ROWS = 200


@bp.route("/cohorts/<int:cohort_id>/import", methods=["GET", "POST"])
@role_required("coordinator", "admin")
def upload(cohort_id: int):
    cohort = cohort_or_404(cohort_id)
    form = UploadForm()
    status = 200
    if form.validate_on_submit():
        upload_file = form.sheet.data
        data = upload_file.read(MAX_BYTES + 1)
        try:
            sheet = read_sheet(upload_file.filename, data)
            staged = stage_import(cohort, current_user, upload_file.filename, sheet)
        except SheetError as exc:
            db.session.rollback()
            form.sheet.errors = [sheet_error(exc.code, exc.params)]
            status = 413 if exc.code in TOO_LARGE else 422
        else:
            db.session.commit()
            return redirect(url_for("cohorts.preview", cohort_id=cohort.id, key=staged.key))
    elif form.is_submitted():
        status = 422
    return render_template("cohorts/import.html", cohort=cohort, form=form, headings=HEADINGS), status


def _staged_or_404(cohort, key: str):
    staged = find_staged(cohort, current_user, key)
    if staged is None:
        return None, render_error(404)
    if staged.confirmed_at is None and staged.expires_at <= utcnow():
        return None, render_error(410, _("Bản xem trước đã hết hạn"),
                                  _("Chưa có gì được ghi. Hãy tải tệp danh sách lên lại để kiểm tra."))
    return staged, None


def _preview(cohort, staged, form, status=200):
    rows = staged.rows
    problems = [r for r in rows if r["status"] in ("error", "enrolled")]
    ready = [r for r in rows if r["status"] in ("new", "existing")]
    return render_template(
        "cohorts/preview.html", cohort=cohort, staged=staged, form=form, counts=summarise(rows),
        problems=problems, ready=ready[:PREVIEW_OK_ROWS], ready_more=max(0, len(ready) - PREVIEW_OK_ROWS),
        row_error=row_error,
    ), status


@bp.route("/cohorts/<int:cohort_id>/import/<key>", methods=["GET"])
@role_required("coordinator", "admin")
def preview(cohort_id: int, key: str):
    cohort = cohort_or_404(cohort_id)
    staged, refusal = _staged_or_404(cohort, key)
    if refusal:
        return refusal
    if staged.confirmed_at is not None:
        return render_template("cohorts/import_done.html", cohort=cohort, staged=staged, result=staged.result or {})
    return _preview(cohort, staged, ConfirmImportForm())


@bp.route("/cohorts/<int:cohort_id>/import/<key>", methods=["POST"])
@role_required("coordinator", "admin")
def confirm(cohort_id: int, key: str):
    cohort = cohort_or_404(cohort_id)
    staged, refusal = _staged_or_404(cohort, key)
    if refusal:
        return refusal
    if staged.confirmed_at is not None:
        flash(_("Danh sách này đã được ghi danh rồi; lần gửi thêm không thay đổi gì."), "info")
        return redirect(url_for("cohorts.preview", cohort_id=cohort.id, key=staged.key))
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        return _preview(cohort, staged, form, 422)
    try:
        result = confirm_import(staged, current_user, consent=bool(form.consent.data),
                                support_consent=bool(form.support_consent.data))
        db.session.commit()
    except SheetError:
        db.session.rollback()
        return _preview(cohort, staged, form, 422)
    except IntegrityError:
        # Someone with one of these numbers was created at the same moment; nothing was written.
        db.session.rollback()
        flash(_("Danh sách chưa được ghi vì có thay đổi cùng lúc. Hãy tải tệp lên lại để kiểm tra."), "info")
        return redirect(url_for("cohorts.upload", cohort_id=cohort.id))
    if result is None:
        flash(_("Danh sách này đã được ghi danh rồi; lần gửi thêm không thay đổi gì."), "info")
    else:
        flash(_("Đã ghi danh %(num)d người vào lớp.", num=result["enrolled"]), "success")
    return redirect(url_for("cohorts.preview", cohort_id=cohort.id, key=staged.key))
