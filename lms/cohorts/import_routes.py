"""Thin views: upload a list of people, see every row checked, confirm to enrol them all at once."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from lms.cohorts import bp
from lms.cohorts.access import cohort_or_404
from lms.cohorts.forms import AddGroupsForm, ConfirmImportForm, UploadForm
from lms.cohorts.importing import (
    HEADINGS,
    confirm_import,
    find_staged,
    ignored_columns,
    needs_consent,
    recheck_groups,
    stage_import,
    summarise,
    unknown_groups,
)
from lms.cohorts.messages import row_error, sheet_error
from lms.cohorts.sheet_limits import MAX_BYTES, TOO_LARGE, SheetError
from lms.cohorts.sheets import read_sheet
from lms.errors import render_error
from lms.extensions import db
from lms.spreadsheets import xlsx_response
from lms.timeutil import utcnow
from lms.wards.services import WardError, add_groups
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


def _preview(cohort, staged, form, status=200, groups_form=None):
    rows = staged.rows
    problems = [r for r in rows if r["status"] in ("error", "enrolled")]
    asks = [r for r in rows if r["status"] == "ask"]
    ready = [r for r in rows if r["status"] in ("new", "existing")]
    # Flagged names first, so none hides beyond the rows shown.
    ready.sort(key=lambda r: not r.get("formula"))
    ask_consent, ask_support = needs_consent(rows)
    return render_template(
        "cohorts/preview.html", cohort=cohort, staged=staged, form=form, counts=summarise(rows),
        problems=problems, ready=ready[:PREVIEW_OK_ROWS], ready_more=max(0, len(ready) - PREVIEW_OK_ROWS),
        row_error=row_error, ignored=ignored_columns(staged), new_groups=unknown_groups(rows),
        groups_form=groups_form or AddGroupsForm(), ask_consent=ask_consent, ask_support=ask_support,
        flagged=sum(1 for r in ready if r.get("formula")), asks=asks[:PREVIEW_OK_ROWS],
        choices=_choices() if request.method == "POST" else {},
    ), status


def _choices() -> dict[int, str]:
    """The coordinator's answer for each row that asked: "same" person or a "new" one."""
    chosen = {}
    for name, value in request.form.items():
        line = name.removeprefix("choice-")
        if line != name and line.isdigit() and value in ("same", "new"):
            chosen[int(line)] = value
    return chosen


TEMPLATE_HEADINGS = ("STT", "Họ và tên", "Số điện thoại", "Năm sinh", "Tổ dân phố", "Hộ gia đình",
                     "Cần hỗ trợ tiếp cận", "Ghi chú")
TEMPLATE_EXAMPLE = (1, "Nguyễn Văn An", "0912345678", 1956, "Tổ dân phố số 1", "Hộ ông Nguyễn Văn An", "",
                    "Dòng ví dụ: hãy xoá trước khi tải lên")


@bp.route("/cohorts/import-template.xlsx", methods=["GET"])
@role_required("coordinator", "admin")
def import_template():
    """An empty list with the columns the importer reads and one example row."""
    return xlsx_response("danh-sach-hoc-vien-mau.xlsx", "Danh sách", TEMPLATE_HEADINGS, [TEMPLATE_EXAMPLE],
                         widths=(6, 28, 16, 10, 20, 26, 20, 36))


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
    if needs_consent(staged.rows)[0] and not form.consent.data:
        form.consent.errors = [_("Cần xác nhận sự đồng ý trước khi ghi danh.")]
        return _preview(cohort, staged, form, 422)
    try:
        result = confirm_import(staged, current_user, consent=bool(form.consent.data),
                                support_consent=bool(form.support_consent.data), choices=_choices())
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


@bp.route("/cohorts/<int:cohort_id>/import/<key>/groups", methods=["POST"])
@role_required("coordinator", "admin")
def add_preview_groups(cohort_id: int, key: str):
    """Add to the ward, in one step, the groups the file names that it does not have yet; the
    rows that failed only for that are checked again."""
    cohort = cohort_or_404(cohort_id)
    staged, refusal = _staged_or_404(cohort, key)
    if refusal:
        return refusal
    if staged.confirmed_at is not None:
        return redirect(url_for("cohorts.preview", cohort_id=cohort.id, key=staged.key))
    groups_form = AddGroupsForm()
    if not groups_form.validate_on_submit():
        return _preview(cohort, staged, ConfirmImportForm(formdata=None), 422, groups_form=groups_form)
    try:
        added = add_groups(cohort.ward_id, unknown_groups(staged.rows))
        recheck_groups(staged, cohort)
        db.session.commit()
    except WardError:
        db.session.rollback()
        groups_form.confirm.errors = [_("Không thêm được: hãy thêm từng tổ ở trang tổ dân phố của phường.")]
        return _preview(cohort, staged, ConfirmImportForm(formdata=None), 422, groups_form=groups_form)
    flash(ngettext("Đã thêm %(num)d tổ dân phố, thôn hoặc chợ vào phường.",
                   "Đã thêm %(num)d tổ dân phố, thôn hoặc chợ vào phường.", len(added)), "success")
    return redirect(url_for("cohorts.preview", cohort_id=cohort.id, key=staged.key))
