"""Thin views: the roster of a cohort a page at a time (filtered by residential group, searched by
name or phone), the whole roster to print, and its XLSX and CSV exports, sent as they are written."""
from __future__ import annotations

import re

from flask import render_template, request, stream_template
from flask_babel import format_number, gettext as _

from lms.cohorts import bp
from lms.cohorts.access import cohort_or_404, manages
from lms.cohorts.roster import cells, headings, iter_roster, member_count, session_count
from lms.cohorts.roster import roster_page as roster_page_rows
from lms.cohorts.services import ward_groups
from lms.cohorts.text import fold
from lms.paging import Page, check_in_range, page_number
from lms.spreadsheets import csv_response, xlsx_response
from lms.timeutil import utcnow
from lms.web import role_required

STAFF = ("coordinator", "admin", "instructor")


class _BadGroup(Exception):
    pass


def _group_filter(cohort) -> tuple[list, int | None]:
    """The ward's groups and the one asked for; a group not of this ward raises _BadGroup."""
    groups = ward_groups(cohort.ward_id)
    raw = request.args.get("group")
    if not raw:
        return groups, None
    wanted = request.args.get("group", type=int)
    if wanted not in {g.id for g in groups}:
        raise _BadGroup
    return groups, wanted


@bp.route("/cohorts/<int:cohort_id>/roster")
@role_required(*STAFF)
def roster_page(cohort_id: int):
    cohort = cohort_or_404(cohort_id, teaching=True)
    number = page_number()
    query = (request.args.get("q") or "")[:100]
    context = dict(cohort=cohort, manage=manages(cohort), sessions=session_count(cohort), query=query,
                   number=format_number)
    try:
        groups, group_id = _group_filter(cohort)
    except _BadGroup:
        groups = ward_groups(cohort.ward_id)
        error = _("Tổ dân phố / thôn này không thuộc phường. Hãy chọn lại trong danh sách.")
        return render_template("cohorts/roster.html", page=Page([], 0, 1), groups=groups, group_id=None,
                               args={}, error=error, **context), 400
    page = check_in_range(roster_page_rows(cohort, number, group_id, query))
    args = {"group": group_id, "q": query or None}
    return render_template("cohorts/roster.html", page=page, groups=groups, group_id=group_id, args=args,
                           error=None, **context)


@bp.route("/cohorts/<int:cohort_id>/roster/print")
@role_required(*STAFF)
def roster_print(cohort_id: int):
    """Every member on one page, for printing; sent while it is rendered, a chunk of members at a time."""
    cohort = cohort_or_404(cohort_id, teaching=True)
    try:
        _groups, group_id = _group_filter(cohort)
    except _BadGroup:
        group_id = None
    total = member_count(cohort, group_id)
    return stream_template("cohorts/roster_print.html", cohort=cohort, rows=iter_roster(cohort, group_id),
                           total=total, manage=manages(cohort), sessions=session_count(cohort),
                           number=format_number, printed_at=utcnow())


def _download(cohort, kind: str):
    try:
        _groups, group_id = _group_filter(cohort)
    except _BadGroup:
        group_id = None
    full = manages(cohort)
    stem = "-".join(re.sub(r"[^a-z0-9]+", " ", fold(cohort.name)).split()) or "lop"
    filename = f"danh-sach-{stem}-{utcnow():%Y%m%d}.{kind}"
    titles = headings(cohort, full=full)
    rows = cells(cohort, iter_roster(cohort, group_id), full=full)
    if kind == "xlsx":
        return xlsx_response(filename, cohort.name, titles, rows)
    return csv_response(filename, titles, rows)


@bp.route("/cohorts/<int:cohort_id>/roster.xlsx")
@role_required(*STAFF)
def roster_xlsx(cohort_id: int):
    return _download(cohort_or_404(cohort_id, teaching=True), "xlsx")


@bp.route("/cohorts/<int:cohort_id>/roster.csv")
@role_required(*STAFF)
def roster_csv(cohort_id: int):
    return _download(cohort_or_404(cohort_id, teaching=True), "csv")
