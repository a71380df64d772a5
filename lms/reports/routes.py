"""Ward reports: the dashboard, the people behind each figure, the plan's figures and targets,
period exports, the province view, and recording AI-tool use."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.accounts.models import User
from lms.accounts.policy import manages_ward
from lms.cohorts.access import cohort_or_404
from lms.cohorts.models import Enrollment
from lms.extensions import db
from lms.paging import PER_PAGE, Page, page_number
from lms.reports import bp
from lms.reports import exports
from lms.reports import indicators as ind
from lms.reports.charts import bars
from lms.reports.models import AI_TOOL_KINDS, POPULATION_MEASURES, TARGET_KEYS
from lms.reports.services import (ReportError, build_report, measure_labels, period, populations, record_ai_use,
                                  save_plan, shortcuts, target_labels, targets, tool_labels)
from lms.timeutil import utcnow
from lms.wards.models import ResidentialGroup, Ward
from lms.web import role_required

AI_COURSE = "ai-co-ban"


def today() -> date:
    return (utcnow() + timedelta(hours=7)).date()


def report_ward_or_404(ward_id: int) -> Ward:
    """The one permission check of the ward reports: coordinators their own ward, administrators
    any ward (others were refused 403 by the role check); another ward, or none, is 404."""
    ward = db.session.get(Ward, ward_id)
    if ward is None or not manages_ward(current_user, ward.id):
        abort(404)
    return ward


def _period():
    """(start, end, error message) from ?start=&end=."""
    try:
        start, end = period(request.args.get("start"), request.args.get("end"), today())
        return start, end, None
    except ReportError as error:
        start, end = period(None, None, today())
        return start, end, error.message


@bp.route("/reports")
@role_required("coordinator", "admin")
def index():
    if current_user.has_role("admin"):
        return redirect(url_for("reports.province"))
    if current_user.ward_id is None:
        abort(404)
    return redirect(url_for("reports.dashboard", ward_id=current_user.ward_id))


@bp.route("/reports/wards/<int:ward_id>")
@role_required("coordinator", "admin")
def dashboard(ward_id: int):
    ward = report_ward_or_404(ward_id)
    start, end, error = _period()
    report = build_report(ward, start, end)
    charts = {
        "figures": bars([(f.label, f.share) for f in report.figures if f.share is not None], unit="%", maximum=100),
        "trend": bars([(row["month"][5:] + "/" + row["month"][:4], row["certified"]) for row in report.trend]),
        "tools": bars([(label, n) for _, label, n in report.tools]),
    }
    for b in report.breakdowns:
        charts[b.key] = bars([(row["label"], row["certified"]) for row in b.rows])
    return render_template("reports/dashboard.html", report=report, charts=charts, error=error,
                           shortcuts=shortcuts(today()), args={"start": start.isoformat(), "end": end.isoformat()}), \
        (422 if error else 200)


@bp.route("/reports/wards/<int:ward_id>/people")
@role_required("coordinator", "admin")
def people(ward_id: int):
    ward = report_ward_or_404(ward_id)
    start, end, error = _period()
    if error:
        abort(404)
    kind, by, key = request.args.get("kind", ""), request.args.get("by") or None, request.args.get("key") or None
    if kind not in ind.PEOPLE_KINDS or (key is not None and len(key) > 40):
        abort(404)
    number = page_number()
    found = ind.people_page(ward.id, start, end, kind, by, key, offset=(number - 1) * PER_PAGE, limit=PER_PAGE)
    if found is None:
        abort(404)
    total, rows = found
    page = Page(items=rows, total=total, number=number)
    args = {k: v for k, v in (("kind", kind), ("by", by), ("key", key), ("start", start.isoformat()),
                              ("end", end.isoformat())) if v is not None}
    return render_template("reports/people.html", ward=ward, page=page, args=args, start=start, end=end)


@bp.route("/reports/wards/<int:ward_id>/plan", methods=["GET", "POST"])
@role_required("coordinator", "admin")
def plan(ward_id: int):
    ward = report_ward_or_404(ward_id)
    groups = list(db.session.scalars(sa.select(ResidentialGroup).where(ResidentialGroup.ward_id == ward.id)
                                     .order_by(ResidentialGroup.name)))
    error, status = None, 200
    values: dict[str, str] = {}
    if request.method == "POST":
        try:
            save_plan(ward, request.form, current_user.id)
            flash(_("Đã lưu số dân và chỉ tiêu."), "success")
            return redirect(url_for("reports.dashboard", ward_id=ward.id))
        except ReportError as problem:
            db.session.rollback()
            error, status = problem.message, 422
            values = dict(request.form)
    else:
        values = {f"pop-{s}-{m}": str(v) for (s, m), v in populations(ward.id).items()}
        values.update({f"target-{k}": str(v) for k, v in targets(ward.id).items()})
    return render_template("reports/plan.html", ward=ward, groups=groups, values=values, error=error,
                           measures=measure_labels(), measure_keys=POPULATION_MEASURES,
                           targets=target_labels(), target_keys=TARGET_KEYS), status


@bp.route("/reports/wards/<int:ward_id>/report.<any(xlsx, csv):fmt>")
@role_required("coordinator", "admin")
def export(ward_id: int, fmt: str):
    ward = report_ward_or_404(ward_id)
    start, end, error = _period()
    if error:
        flash(error, "error")
        return redirect(url_for("reports.dashboard", ward_id=ward.id))
    return exports.ward_download(build_report(ward, start, end), fmt)


@bp.route("/reports/province")
@bp.route("/reports/province.<any(xlsx, csv):fmt>")
@role_required("admin")
def province(fmt: str | None = None):
    start, end, error = _period()
    if error and fmt:
        flash(error, "error")
        return redirect(url_for("reports.province"))
    columns = exports.province_columns()
    sort = request.args.get("sort", "name")
    if sort != "name" and sort not in {c[0] for c in columns}:
        sort = "name"
    descending = request.args.get("dir") == "desc"
    rows = exports.province_rows(start, end, sort, descending)
    if fmt:
        return exports.province_download(rows, columns, start, end, fmt)
    chart_key = sort if sort != "name" else "adults_certified"
    chart = bars([(r["name"], r["figures"][chart_key]["share"] or 0) for r in rows[:30]], unit="%", maximum=100)
    return render_template("reports/province.html", rows=rows, columns=columns, sort=sort, descending=descending,
                           chart=chart, chart_key=chart_key, error=error, shortcuts=shortcuts(today()),
                           start=start, end=end, args={"start": start.isoformat(), "end": end.isoformat()}), \
        (422 if error else 200)


# --- AI-tool use --------------------------------------------------------------------------------

@bp.route("/ai-use", methods=["GET", "POST"])
@login_required
def ai_use():
    """A learner records that they used an AI tool: one tap on the kind is enough."""
    if request.method == "POST":
        kind = request.form.get("kind", "")
        if kind not in AI_TOOL_KINDS:
            return render_template("reports/ai_use.html", tools=tool_labels(),
                                   error=_("Hãy chọn loại công cụ AI bạn đã dùng.")), 422
        new = record_ai_use([current_user.id], ward_id=current_user.ward_id, kind=kind,
                            purpose=request.form.get("purpose", ""), used_on=today(), by_id=current_user.id)
        flash(_("Đã ghi nhận: bạn đã dùng %(tool)s. Cảm ơn bạn!", tool=tool_labels()[kind].lower())
              if new else _("Hôm nay bạn đã ghi nhận công cụ này rồi."), "success")
        return redirect(url_for("learning.mine"))
    return render_template("reports/ai_use.html", tools=tool_labels(), error=None)


@bp.route("/cohorts/<int:cohort_id>/ai-use", methods=["GET", "POST"])
@role_required("instructor", "coordinator", "admin")
def cohort_ai_use(cohort_id: int):
    """An instructor records, after a hands-on session, which members used an AI tool."""
    cohort = cohort_or_404(cohort_id, teaching=True)
    members = db.session.execute(
        sa.select(User.id, User.full_name).join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.cohort_id == cohort.id, User.erased_at.is_(None))
        .order_by(User.sort_key, User.id)).all()
    error = None
    if request.method == "POST":
        kind = request.form.get("kind", "")
        member_ids = {m.id for m in members}
        chosen = {int(v) for v in request.form.getlist("person") if v.isdigit() and len(v) < 10}
        if kind not in AI_TOOL_KINDS:
            error = _("Hãy chọn loại công cụ AI.")
        elif not chosen:
            error = _("Hãy chọn ít nhất một người học.")
        elif not chosen <= member_ids:
            abort(404)
        if error is None:
            new = record_ai_use(chosen, ward_id=cohort.ward_id, kind=kind, purpose=request.form.get("purpose", ""),
                                used_on=today(), by_id=current_user.id, cohort_id=cohort.id, by_instructor=True)
            flash(_("Đã ghi nhận cho %(n)d người.", n=new), "success")
            return redirect(url_for("reports.cohort_ai_use", cohort_id=cohort.id))
    return render_template("reports/cohort_ai_use.html", cohort=cohort, members=members, tools=tool_labels(),
                           error=error), (422 if error else 200)
