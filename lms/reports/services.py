"""A ward's report: the indicators with their denominators and targets; saving the plan's figures
and targets; recording AI-tool use."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from lms.extensions import db
from lms.reports import indicators as ind
from lms.reports.models import AI_TOOL_KINDS, POPULATION_MEASURES, TARGET_KEYS, AiToolUse, WardPopulation, WardTarget
from lms.timeutil import utcnow
from lms.wards.models import ResidentialGroup, Ward

# Longest period a report covers: a plan runs five years; ten years is a typing mistake.
MAX_PERIOD_DAYS = 6 * 366
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


class ReportError(ValueError):
    """Input a report or a form cannot take; `message` says why, in the reader's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def measure_labels() -> dict[str, str]:
    return {"adults": _("Người trưởng thành"), "households": _("Hộ gia đình"), "elderly": _("Người cao tuổi"),
            "disability": _("Người khuyết tật"), "traders": _("Tiểu thương")}


def tool_labels() -> dict[str, str]:
    return {"search": _("Tìm kiếm thông minh"), "writing": _("Viết, tạo nội dung"), "translation": _("Dịch thuật"),
            "public_service": _("Trợ lý dịch vụ công"), "other": _("Công cụ khác")}


def target_labels() -> dict[str, str]:
    return {
        "adults_certified": _("Người trưởng thành được chứng nhận kỹ năng số cơ bản"),
        "households_certified": _("Hộ gia đình có ít nhất một thành viên được chứng nhận"),
        "elderly_attended": _("Người cao tuổi tham gia lớp phù hợp"),
        "disability_attended": _("Người khuyết tật tham gia lớp phù hợp"),
        "traders_certified": _("Tiểu thương được chứng nhận"),
        "ai_users": _("Người học sử dụng ít nhất một công cụ AI"),
        "mentors_five": _("Đại sứ số hướng dẫn ít nhất 5 người hoàn thành khoá học"),
        "groups_with_classes": _("Tổ dân phố, thôn, chợ có lớp học"),
    }


# --- the period ---------------------------------------------------------------------------------

def parse_day(text: str | None) -> date | None:
    """A day as typed: yyyy-mm-dd (date field) or dd/mm/yyyy; None when empty; else ReportError."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        if "/" in text:
            d, m, y = (int(part) for part in text.split("/"))
            day = date(y, m, d)
        else:
            day = date.fromisoformat(text)
    except (ValueError, TypeError):
        raise ReportError(_("Ngày “%(text)s” không đúng. Hãy nhập theo dạng ngày/tháng/năm.", text=text[:20]))
    if not EARLIEST <= day <= LATEST:
        raise ReportError(_("Ngày phải nằm trong khoảng năm 2000 đến năm 2100."))
    return day


def period(start_text: str | None, end_text: str | None, today: date) -> tuple[date, date]:
    """The period asked for: both days included; by default this year up to today."""
    start = parse_day(start_text) or date(today.year, 1, 1)
    end = parse_day(end_text) or max(today, start)
    if end < start:
        raise ReportError(_("Ngày kết thúc phải sau ngày bắt đầu."))
    if (end - start).days > MAX_PERIOD_DAYS:
        raise ReportError(_("Kỳ báo cáo dài nhất là 6 năm. Hãy chọn kỳ ngắn hơn."))
    return start, end


def shortcuts(today: date) -> list[tuple[str, date, date]]:
    """The report periods the plans use: this quarter, this half-year, this year, last year."""
    y, q = today.year, (today.month - 1) // 3
    q_start = date(y, 3 * q + 1, 1)
    q_end = (date(y + 1, 1, 1) if q == 3 else date(y, 3 * q + 4, 1)) - timedelta(days=1)
    h_start, h_end = (date(y, 1, 1), date(y, 6, 30)) if today.month <= 6 else (date(y, 7, 1), date(y, 12, 31))
    return [
        (_("Quý %(q)d/%(y)d", q=q + 1, y=y), q_start, q_end),
        (_("6 tháng (%(a)s–%(b)s)", a=h_start.strftime("%m"), b=h_end.strftime("%m/%Y")), h_start, h_end),
        (_("Năm %(y)d", y=y), date(y, 1, 1), date(y, 12, 31)),
        (_("Năm %(y)d", y=y - 1), date(y - 1, 1, 1), date(y - 1, 12, 31)),
    ]


# --- figures and targets ------------------------------------------------------------------------

def populations(ward_id: int) -> dict[tuple[int, str], int]:
    """{(scope, measure): value}; scope 0 is the whole ward, else a group's id."""
    rows = db.session.execute(sa.select(WardPopulation.scope, WardPopulation.measure, WardPopulation.value)
                              .where(WardPopulation.ward_id == ward_id))
    return {(scope, measure): value for scope, measure, value in rows}


def targets(ward_id: int) -> dict[str, int]:
    rows = db.session.execute(sa.select(WardTarget.indicator, WardTarget.percent).where(WardTarget.ward_id == ward_id))
    return dict(rows.all())


def parse_count(text: str | None, label: str) -> int | None:
    text = (text or "").strip().replace(".", "").replace(",", "").replace(" ", "")
    if not text:
        return None
    if not text.isdigit() or len(text) > 9:
        raise ReportError(_("“%(label)s”: hãy nhập một số nguyên từ 0 trở lên.", label=label))
    return int(text)


def parse_percent(text: str | None, label: str) -> int | None:
    text = (text or "").strip().rstrip("%").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) > 100:
        raise ReportError(_("“%(label)s”: chỉ tiêu là một số phần trăm từ 0 đến 100.", label=label))
    return int(text)


def save_plan(ward: Ward, form, actor_id: int) -> None:
    """Read the population figures (`pop-<scope>-<measure>`) and targets (`target-<key>`) from
    the form, check them all, then write them in one transaction; an empty box removes a figure."""
    groups = {g.id: g for g in db.session.scalars(sa.select(ResidentialGroup).where(ResidentialGroup.ward_id == ward.id))}
    labels = measure_labels()
    figures: dict[tuple[int, str], int | None] = {}
    for scope in (0, *groups):
        for measure in POPULATION_MEASURES:
            name = f"pop-{scope}-{measure}"
            if name in form:
                where = groups[scope].name + ": " if scope else ""
                figures[(scope, measure)] = parse_count(form.get(name), where + labels[measure])
    goals: dict[str, int | None] = {}
    tlabels = target_labels()
    for key in TARGET_KEYS:
        if f"target-{key}" in form:
            goals[key] = parse_percent(form.get(f"target-{key}"), tlabels[key])
    # A population smaller than the people already counted is a mistake in the figure.
    today = utcnow().date() + timedelta(days=1)
    certified = ind.people_certified(ward.id, None, today)
    adults = figures.get((0, "adults"))
    if adults is not None and adults < certified:
        raise ReportError(_("Số người trưởng thành (%(n)d) nhỏ hơn số người đã được chứng nhận (%(c)d). "
                            "Hãy kiểm tra lại số dân.", n=adults, c=certified))
    hh = figures.get((0, "households"))
    known = ind.households(ward.id, None, today)["with_certified"]
    if hh is not None and hh < known:
        raise ReportError(_("Số hộ gia đình (%(n)d) nhỏ hơn số hộ đã có người được chứng nhận (%(c)d). "
                            "Hãy kiểm tra lại số hộ.", n=hh, c=known))
    now = utcnow()
    existing = {(p.scope, p.measure): p for p in db.session.scalars(
        sa.select(WardPopulation).where(WardPopulation.ward_id == ward.id))}
    for (scope, measure), value in figures.items():
        row = existing.get((scope, measure))
        if value is None:
            if row is not None:
                db.session.delete(row)
        elif row is None:
            db.session.add(WardPopulation(ward_id=ward.id, group_id=scope or None, scope=scope, measure=measure,
                                          value=value, updated_at=now, updated_by_id=actor_id))
        elif row.value != value:
            row.value, row.updated_at, row.updated_by_id = value, now, actor_id
    current = {t.indicator: t for t in db.session.scalars(sa.select(WardTarget).where(WardTarget.ward_id == ward.id))}
    for key, percent in goals.items():
        row = current.get(key)
        if percent is None:
            if row is not None:
                db.session.delete(row)
        elif row is None:
            db.session.add(WardTarget(ward_id=ward.id, indicator=key, percent=percent, updated_at=now,
                                      updated_by_id=actor_id))
        elif row.percent != percent:
            row.percent, row.updated_at, row.updated_by_id = percent, now, actor_id
    db.session.commit()


# --- AI-tool use --------------------------------------------------------------------------------

def record_ai_use(user_ids, *, ward_id: int | None, kind: str, purpose: str, used_on: date, by_id: int,
                  cohort_id: int | None = None, by_instructor: bool = False) -> int:
    """Record that these learners used an AI tool of `kind` on `used_on`; a record already made for
    the same person, kind and day is kept as it is. Returns how many were new."""
    if kind not in AI_TOOL_KINDS:
        raise ReportError(_("Hãy chọn loại công cụ AI."))
    purpose = (purpose or "").strip()[:200]
    ids = sorted(set(user_ids))
    if not ids:
        return 0
    have = set(db.session.scalars(sa.select(AiToolUse.user_id).where(
        AiToolUse.user_id.in_(ids), AiToolUse.kind == kind, AiToolUse.used_on == used_on)))
    new = [i for i in ids if i not in have]
    for user_id in new:
        db.session.add(AiToolUse(user_id=user_id, ward_id=ward_id, kind=kind, purpose=purpose, used_on=used_on,
                                 cohort_id=cohort_id, recorded_by_id=by_id, by_instructor=by_instructor))
    try:
        db.session.commit()
    except IntegrityError:  # the same tap twice at once: the other request recorded it
        db.session.rollback()
        return 0
    return len(new)


# --- the report ---------------------------------------------------------------------------------

@dataclass
class Figure:
    """One indicator: a count, its denominator and share where there is one, the plan's target."""

    key: str
    label: str
    definition: str
    count: int
    denominator: int | None = None
    denominator_label: str = ""
    target: int | None = None
    people: dict | None = None  # the query string of the people behind the figure

    @property
    def share(self) -> float | None:
        if not self.denominator:
            return None
        return round(100 * self.count / self.denominator, 1)

    @property
    def met(self) -> bool | None:
        if self.target is None or self.share is None:
            return None
        return self.share >= self.target


@dataclass
class Breakdown:
    key: str
    title: str
    rows: list[dict] = field(default_factory=list)  # label, key, enrolled, completed, certified, population


@dataclass
class Report:
    ward: Ward
    start: date
    end: date
    figures: list[Figure]
    breakdowns: list[Breakdown]
    trend: list[dict]
    tools: list[tuple[str, str, int]]
    produced: date

    @property
    def empty(self) -> bool:
        return not any(f.count for f in self.figures)


def ward_numbers(ward_id: int, start: date, end: date, parts: dict) -> dict:
    """The numbers of the figures of one ward, shaped as province.province() gives each ward;
    the totals and traders come from the dashboard's breakdowns (`parts`)."""
    return {"total": parts["total"], "traders_certified": parts["audience"].get("traders", {}).get("certified", 0),
            "households": ind.households(ward_id, start, end), "mentors": ind.mentors(ward_id, start, end),
            "attendance": ind.attendance(ward_id, start, end), "ai": ind.ai_users(ward_id, start, end),
            "groups": ind.groups_with_classes(ward_id, start, end)}


def traders_population(pops: dict) -> int | None:
    return pops.get((0, "traders")) or (sum(v for (s, m), v in pops.items() if s and m == "traders") or None)


def figures(numbers: dict, pops: dict, goals: dict) -> list[Figure]:
    """The plan's indicators of one ward from its numbers, population figures and targets: the
    same list on the dashboard, in the exports and in the province view."""
    enrolled, completed, certified = (numbers["total"][k] for k in ind.KINDS)
    hh, mt, att, ai, gw = (numbers[k] for k in ("households", "mentors", "attendance", "ai", "groups"))
    adults_label = _("người trưởng thành (số dân)")

    def people(kind, by=None, key=None):
        return {k: v for k, v in (("kind", kind), ("by", by), ("key", key)) if v is not None}

    return [
        Figure("enrolled", _("Người ghi danh vào lớp"), _("Số người (không trùng) được ghi danh vào một lớp của phường trong kỳ."),
               enrolled, pops.get((0, "adults")), adults_label, people=people("enrolled")),
        Figure("completed", _("Người hoàn thành khoá học"),
               _("Số người (không trùng) làm đạt bài kiểm tra cuối khoá hoặc được cấp chứng nhận trong kỳ."),
               completed, pops.get((0, "adults")), adults_label, people=people("completed")),
        Figure("adults_certified", _("Người được chứng nhận kỹ năng số cơ bản"),
               _("Số người (không trùng) được cấp chứng nhận trong kỳ; chứng nhận bị thu hồi không tính, người đã xoá dữ liệu vẫn được đếm."),
               certified, pops.get((0, "adults")), adults_label, goals.get("adults_certified"), people("certified")),
        Figure("households_certified", _("Hộ có thành viên được chứng nhận (Gia đình số)"),
               _("Số hộ đã ghi có ít nhất một thành viên được chứng nhận tính đến cuối kỳ, trên tổng số hộ đã ghi."),
               hh["with_certified"], hh["known"], _("hộ đã ghi"), goals.get("households_certified"), people("households")),
        Figure("elderly_attended", _("Người cao tuổi đi học trực tiếp"),
               _("Số người (không trùng) có mặt ít nhất một buổi của lớp dành cho người cao tuổi trong kỳ."),
               att["elderly"], pops.get((0, "elderly")), _("người cao tuổi (số dân)"), goals.get("elderly_attended"),
               people("attended", "audience", "elderly")),
        Figure("disability_attended", _("Người khuyết tật đi học trực tiếp"),
               _("Số người (không trùng) có mặt ít nhất một buổi của lớp dành cho người khuyết tật trong kỳ."),
               att["disability"], pops.get((0, "disability")), _("người khuyết tật (số dân)"),
               goals.get("disability_attended"), people("attended", "audience", "disability")),
        Figure("traders_certified", _("Tiểu thương được chứng nhận"),
               _("Số người của lớp dành cho tiểu thương được cấp chứng nhận trong kỳ."),
               numbers["traders_certified"], traders_population(pops), _("tiểu thương (số dân)"),
               goals.get("traders_certified"), people("certified", "audience", "traders")),
        Figure("mentors", _("Đại sứ số"), _("Số người được ghi là đại sứ số (người hướng dẫn) tính đến cuối kỳ."),
               mt["mentors"], people=people("mentors")),
        Figure("mentors_five", _("Đại sứ số có ít nhất 5 người hoàn thành"),
               _("Đại sứ số có ít nhất 5 người được hướng dẫn đã hoàn thành một khoá học, tính đến cuối kỳ."),
               mt["mentors_five"], mt["mentors"], _("đại sứ số"), goals.get("mentors_five"), people("mentors_five")),
        Figure("attended", _("Người đi học trực tiếp"),
               _("Số người (không trùng) có mặt ít nhất một buổi học trực tiếp trong kỳ (%(p)d lượt, %(s)d buổi).",
                 p=att["presences"], s=att["sessions"]),
               att["people"], people=people("attended")),
        Figure("ai_users", _("Người học dùng công cụ AI"),
               _("Số người học (không trùng) có ghi nhận đã dùng một công cụ AI trong kỳ, trên số người đã ghi danh tính đến cuối kỳ."),
               ai["users"], ai["learners"], _("người học đã ghi danh"), goals.get("ai_users"), people("ai")),
        Figure("groups_with_classes", _("Tổ dân phố, thôn, chợ có lớp học"),
               _("Số tổ dân phố, thôn, chợ có ít nhất một buổi học trực tiếp trong kỳ, trên tổng số của phường."),
               gw["with_classes"], gw["groups"], _("tổ, thôn, chợ"), goals.get("groups_with_classes")),
    ]


def build_report(ward: Ward, start: date, end: date) -> Report:
    from lms.content.model import AUDIENCES
    from lms.courses.models import Course
    from lms.templating import current_lang, pick

    lang = current_lang()
    w = ward.id
    pops, goals = populations(w), targets(w)
    groups = list(db.session.scalars(sa.select(ResidentialGroup).where(ResidentialGroup.ward_id == w)
                                     .order_by(ResidentialGroup.name)))
    traders_pop = traders_population(pops)
    parts = ind.breakdowns(w, start, end)
    audiences = parts["audience"]
    numbers = ward_numbers(w, start, end, parts)
    ai = numbers["ai"]
    report_figures = figures(numbers, pops, goals)

    aud_pop = {"elderly": pops.get((0, "elderly")), "disability": pops.get((0, "disability")), "traders": traders_pop}
    breakdowns = [Breakdown("audience", _("Theo nhóm đối tượng"), [
        {"key": key, "label": labels.get(lang) or labels["vi"], **audiences.get(key, dict.fromkeys(ind.KINDS, 0)),
         "population": aud_pop.get(key)}
        for key, labels in AUDIENCES.items()])]
    by_group = parts["group"]
    rows = []
    for g in groups:
        measure = "traders" if g.kind == "cho" else "adults"
        rows.append({"key": g.id, "label": g.name + (" " + _("(chợ)") if g.kind == "cho" else ""),
                     **by_group.get(g.id, dict.fromkeys(ind.KINDS, 0)), "population": pops.get((g.id, measure))})
    if 0 in by_group:
        rows.append({"key": 0, "label": _("Chưa ghi tổ dân phố"), **by_group[0], "population": None})
    breakdowns.append(Breakdown("group", _("Theo tổ dân phố, thôn và chợ"), rows))
    by_course = parts["course"]
    titles = dict(db.session.execute(sa.select(Course.id, Course.title).where(Course.id.in_(list(by_course) or [0]))).all())
    breakdowns.append(Breakdown("course", _("Theo khoá học"), [
        {"key": cid, "label": pick(titles.get(cid) or {}, lang) or str(cid), **counts, "population": None}
        for cid, counts in sorted(by_course.items(), key=lambda kv: pick(titles.get(kv[0]) or {}, lang) or "")]))
    by_comp = parts["competence"]
    breakdowns.append(Breakdown("competence", _("Theo năng lực số"), [
        {"key": code, "label": code, **counts, "population": None} for code, counts in sorted(by_comp.items())]))
    labels = tool_labels()
    tools = [(k, labels[k], ai["by_kind"].get(k, 0)) for k in AI_TOOL_KINDS]
    return Report(ward, start, end, report_figures, breakdowns, parts["trend"], tools, _today())


def _today() -> date:
    return (utcnow() + timedelta(hours=7)).date()
