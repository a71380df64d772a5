"""The province view: every ward's numbers at once, each indicator one grouped query over every
ward of the instance (no ward's report built in turn)."""
from __future__ import annotations

from datetime import date

from lms.reports.events import KINDS, count_by_ward
from lms.reports.indicators import (
    EMPTY_ATTENDANCE, ai_users_by_ward, attendance_by_ward, groups_with_classes_by_ward, households_by_ward,
    mentors_by_ward,
)


def province_empty() -> dict:
    """The numbers of a ward with nothing in it (shaped as province() gives each ward)."""
    return {"total": dict.fromkeys(KINDS, 0), "traders_certified": 0, "households": {"with_certified": 0, "known": 0},
            "mentors": {"mentors": 0, "mentors_five": 0}, "attendance": dict(EMPTY_ATTENDANCE),
            "ai": {"users": 0, "learners": 0, "by_kind": {}}, "groups": {"with_classes": 0, "groups": 0}}


def province(start: date, end: date) -> dict:
    """{ward id: the numbers of the province view}, each indicator one grouped query over every
    ward of the instance (no ward's report built in turn)."""
    totals = {kind: count_by_ward(kind, None, start, end) for kind in KINDS}
    traders = {w: n for (w, dim), n in count_by_ward("certified", None, start, end, "audience").items() if dim == "traders"}
    hh, mt = households_by_ward(None, end), mentors_by_ward(None, end)
    att, ai = attendance_by_ward(None, start, end), ai_users_by_ward(None, start, end)
    gw = groups_with_classes_by_ward(None, start, end)
    wards = set().union(*totals.values(), traders, hh, mt, att, ai, gw)
    out = {}
    for w in wards:
        empty = province_empty()
        out[w] = {"total": {kind: totals[kind].get(w, 0) for kind in KINDS}, "traders_certified": traders.get(w, 0),
                  "households": hh.get(w, empty["households"]), "mentors": mt.get(w, empty["mentors"]),
                  "attendance": att.get(w, empty["attendance"]), "ai": ai.get(w, empty["ai"]),
                  "groups": gw.get(w, empty["groups"])}
    return out
