"""Thin views: the roster of a cohort a page at a time (filtered by residential group, searched by
name or phone), the whole roster to print, and its XLSX and CSV exports, sent as they are written."""
from __future__ import annotations

import re

from flask import Response, current_app, render_template, request, stream_with_context
from flask_babel import format_number, gettext as _

from lms.cohorts import bp
from lms.cohorts.access import cohort_or_404, manages
from lms.cohorts.roster import cells, headings, iter_roster, member_count, session_count
from lms.cohorts.roster import roster_page as roster_page_rows
from lms.cohorts.services import ward_groups
from lms.cohorts.models import Cohort
from lms.accounts.text import fold
from lms.extensions import db
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
    manage = manages(cohort)
    app = current_app._get_current_object()
    template = app.jinja_env.get_template("cohorts/roster_print.html")

    def generate():
        # Runs after the view has returned: Flask has closed the request's ORM session by then
        # (and opens a new one), so everything is read again here, by id.
        again = db.session.get(Cohort, cohort_id)
        context = dict(cohort=again, rows=iter_roster(again, group_id), total=member_count(again, group_id),
                       manage=manage, sessions=session_count(again), number=format_number, printed_at=utcnow())
        app.update_template_context(context)
        stream = template.generate(context)
        buffered = []
        for piece in stream:
            buffered.append(piece)
            if len(buffered) >= 400:
                yield "".join(buffered)
                buffered = []
        yield "".join(buffered)

    return Response(stream_with_context(generate()), mimetype="text/html")


def _cells(cohort_id: int, group_id: int | None, full: bool):
    """The export's rows, read while they are sent (after the view returned: read again by id)."""
    cohort = db.session.get(Cohort, cohort_id)
    yield from cells(cohort, iter_roster(cohort, group_id), full=full)


def _download(cohort, kind: str):
    try:
        _groups, group_id = _group_filter(cohort)
    except _BadGroup:
        group_id = None
    full = manages(cohort)
    stem = "-".join(re.sub(r"[^a-z0-9]+", " ", fold(cohort.name)).split()) or "lop"
    filename = f"danh-sach-{stem}-{utcnow():%Y%m%d}.{kind}"
    titles = headings(cohort, full=full)
    rows = _cells(cohort.id, group_id, full)
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
