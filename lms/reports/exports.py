"""Period reports as XLSX and CSV, with Vietnamese headings: ready to attach to a report to the
ward People's Committee (period, ward, date produced, each indicator with its definition)."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from lms.extensions import db
from lms.reports.services import Report
from lms.spreadsheets import csv_response, safe_cell, xlsx_response
from lms.wards.models import Ward


def _day(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def _share(value):
    return "" if value is None else value


def ward_rows(report: Report) -> list[list]:
    rows: list[list] = [
        [_("Đơn vị"), safe_cell(report.ward.name)],
        [_("Kỳ báo cáo"), f"{_day(report.start)} – {_day(report.end)}"],
        [_("Ngày lập"), _day(report.produced)],
        [],
        [_("Chỉ tiêu"), _("Số lượng"), _("Mẫu số"), _("Tỉ lệ (%)"), _("Chỉ tiêu kế hoạch (%)"), _("Đánh giá"),
         _("Cách tính")],
    ]
    for f in report.figures:
        verdict = "" if f.met is None else (_("Đạt") if f.met else _("Chưa đạt"))
        rows.append([f.label, f.count, "" if f.denominator is None else f.denominator, _share(f.share),
                     "" if f.target is None else f.target, verdict, f.definition])
    for b in report.breakdowns:
        rows += [[], [b.title, _("Ghi danh"), _("Hoàn thành"), _("Được chứng nhận"), _("Số dân"),
                      _("Tỉ lệ chứng nhận (%)")]]
        for r in b.rows:
            pop = r.get("population")
            share = round(100 * r["certified"] / pop, 1) if pop else ""
            rows.append([safe_cell(str(r["label"])), r["enrolled"], r["completed"], r["certified"],
                         "" if pop is None else pop, share])
    rows += [[], [_("Theo tháng"), _("Ghi danh"), _("Hoàn thành"), _("Được chứng nhận")]]
    rows += [[f"{t['month'][5:]}/{t['month'][:4]}", t["enrolled"], t["completed"], t["certified"]] for t in report.trend]
    rows += [[], [_("Công cụ AI đã dùng"), _("Số người")]]
    rows += [[label, n] for _, label, n in report.tools]
    return rows


def _filename(stem: str, start: date, end: date, fmt: str) -> str:
    return f"{stem}-{start.isoformat()}-{end.isoformat()}.{fmt}"


WIDTHS = [46, 12, 12, 12, 14, 12, 70]


def ward_download(report: Report, fmt: str):
    title = _("Báo cáo kết quả Bình dân học vụ số")
    rows = ward_rows(report)
    name = _filename("bao-cao-phuong", report.start, report.end, fmt)
    if fmt == "csv":
        return csv_response(name, [title], rows)
    return xlsx_response(name, _("Báo cáo"), [title], rows, WIDTHS)


# --- the province ---------------------------------------------------------------------------------

PROVINCE_KEYS = ("enrolled", "completed", "adults_certified", "households_certified", "elderly_attended",
                 "disability_attended", "traders_certified", "mentors_five", "attended", "ai_users",
                 "groups_with_classes")


def province_columns() -> list[tuple[str, str]]:
    from lms.reports.services import target_labels

    labels = target_labels()
    labels.update({"enrolled": _("Người ghi danh"), "completed": _("Người hoàn thành"),
                   "attended": _("Người đi học trực tiếp")})
    return [(key, labels[key]) for key in PROVINCE_KEYS]


def province_rows(start: date, end: date, sort: str, descending: bool) -> list[dict]:
    """One row per ward of the instance: each figure's count and share; sorted by name or by a
    figure's share (then its count)."""
    from lms.reports import province as prov
    from lms.reports.models import WardPopulation, WardTarget
    from lms.reports.services import figures

    numbers = prov.province(start, end)
    pops: dict = {}
    for ward_id, scope, measure, value in db.session.execute(
            sa.select(WardPopulation.ward_id, WardPopulation.scope, WardPopulation.measure, WardPopulation.value)):
        pops.setdefault(ward_id, {})[(scope, measure)] = value
    goals: dict = {}
    for ward_id, key, percent in db.session.execute(sa.select(WardTarget.ward_id, WardTarget.indicator, WardTarget.percent)):
        goals.setdefault(ward_id, {})[key] = percent
    empty = prov.province_empty()
    rows = []
    for ward_id, name, province in db.session.execute(sa.select(Ward.id, Ward.name, Ward.province)):
        ward_figures = figures(numbers.get(ward_id, empty), pops.get(ward_id, {}), goals.get(ward_id, {}))
        rows.append({"id": ward_id, "name": name, "province": province, "figures": {
            f.key: {"count": f.count, "share": f.share, "target": f.target, "met": f.met} for f in ward_figures}})
    if sort == "name":
        rows.sort(key=lambda r: (r["province"], r["name"]), reverse=descending)
    else:
        rows.sort(key=lambda r: (r["figures"][sort]["share"] if r["figures"][sort]["share"] is not None else -1,
                                 r["figures"][sort]["count"]), reverse=descending)
    return rows


def province_download(rows: list[dict], columns, start: date, end: date, fmt: str):
    headings = [_("Phường, xã"), _("Tỉnh")]
    for _key, label in columns:
        headings += [label, _("Tỉ lệ (%)")]
    body = [[safe_cell(r["name"]), safe_cell(r["province"]),
             *[v for key, _label in columns for v in (r["figures"][key]["count"], _share(r["figures"][key]["share"]))]]
            for r in rows]
    name = _filename("bao-cao-tinh", start, end, fmt)
    if fmt == "csv":
        return csv_response(name, headings, body)
    return xlsx_response(name, _("Các phường"), headings, body)
