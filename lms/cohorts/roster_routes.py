"""Thin views: the roster of a cohort, filtered by residential group, and its XLSX and CSV exports."""
from __future__ import annotations

import re
from urllib.parse import quote

from flask import Response, render_template, request

from lms.cohorts import bp
from lms.cohorts.access import cohort_or_404, manages
from lms.cohorts.roster import export_csv, export_xlsx, roster, session_count, table
from lms.cohorts.services import ward_groups
from lms.cohorts.text import fold
from lms.timeutil import utcnow
from lms.web import role_required

STAFF = ("coordinator", "admin", "instructor")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _group_filter(cohort) -> tuple[list, int | None]:
    groups = ward_groups(cohort.ward_id)
    wanted = request.args.get("group", type=int)
    return groups, wanted if wanted in {g.id for g in groups} else None


@bp.route("/cohorts/<int:cohort_id>/roster")
@role_required(*STAFF)
def roster_page(cohort_id: int):
    cohort = cohort_or_404(cohort_id, teaching=True)
    groups, group_id = _group_filter(cohort)
    return render_template("cohorts/roster.html", cohort=cohort, rows=roster(cohort, group_id), groups=groups,
                           group_id=group_id, manage=manages(cohort), sessions=session_count(cohort))


def _download(cohort, kind: str) -> Response:
    _groups, group_id = _group_filter(cohort)
    headings, cells = table(cohort, roster(cohort, group_id), full=manages(cohort))
    stem = "-".join(re.sub(r"[^a-z0-9]+", " ", fold(cohort.name)).split()) or "lop"
    filename = f"danh-sach-{stem}-{utcnow():%Y%m%d}.{kind}"
    if kind == "xlsx":
        body, mimetype = export_xlsx(cohort.name, headings, cells), XLSX
    else:
        body, mimetype = export_csv(headings, cells), "text/csv; charset=utf-8"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/cohorts/<int:cohort_id>/roster.xlsx")
@role_required(*STAFF)
def roster_xlsx(cohort_id: int):
    return _download(cohort_or_404(cohort_id, teaching=True), "xlsx")


@bp.route("/cohorts/<int:cohort_id>/roster.csv")
@role_required(*STAFF)
def roster_csv(cohort_id: int):
    return _download(cohort_or_404(cohort_id, teaching=True), "csv")
