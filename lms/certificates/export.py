"""The attestation list a ward reports upward: certified people of a period, as XLSX or CSV.

It mirrors the facts VNeID records for an attestation of basic digital skills (who, which skills,
when, how); it is not VNeID and is never sent to it.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _

from lms.accounts.models import User
from lms.certificates.codes import display_code
from lms.certificates.models import Certificate
from lms.extensions import db
from lms.spreadsheets import csv_bytes, csv_response, safe_cell, xlsx_bytes, xlsx_response
from lms.templating import current_lang, pick
from lms.wards.models import ResidentialGroup

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
VIETNAM_OFFSET = timedelta(hours=7)


def _utc_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The period in Vietnam's calendar as naive UTC bounds [from, to)."""
    low = datetime.combine(start, time.min, VIETNAM).astimezone(timezone.utc).replace(tzinfo=None)
    high = datetime.combine(end + timedelta(days=1), time.min, VIETNAM).astimezone(timezone.utc).replace(tzinfo=None)
    return low, high


def headers() -> list[str]:
    return [_("Họ và tên"), _("Năm sinh"), _("Tổ dân phố / thôn"), _("Khoá học"), _("Năng lực số"),
            _("Bậc"), _("Ngày cấp"), _("Hình thức"), _("Mã chứng nhận"), _("Trạng thái"), _("Lớp"),
            _("Nhóm đối tượng")]


def method_labels() -> dict[str, str]:
    return {"online": _("Trực tuyến"), "in_person": _("Trực tiếp")}


def status_labels() -> dict[str, str]:
    return {"valid": _("Hợp lệ"), "revoked": _("Đã thu hồi"), "withdrawn": _("Đã rút lại")}


def attestation_query(ward_id: int, start: date, end: date) -> sa.Select:
    """A ward's certificates issued in the period, as plain columns; erased people's (withdrawn)
    are left out. Read on the (ward_id, issued_at) index."""
    low, high = _utc_bounds(start, end)
    # The class the certificate came through: the person's latest cohort of this ward that teaches
    # the course (one indexed look-up a row), and that cohort's audience.
    from lms.cohorts.models import Cohort, Enrollment, cohort_course

    def through(column):
        return (sa.select(column).select_from(Enrollment)
                .join(Cohort, Cohort.id == Enrollment.cohort_id)
                .join(cohort_course, cohort_course.c.cohort_id == Cohort.id)
                .where(Enrollment.user_id == Certificate.user_id, cohort_course.c.course_id == Certificate.course_id,
                       Cohort.ward_id == Certificate.ward_id)
                .order_by(Enrollment.enrolled_at.desc(), Enrollment.id.desc()).limit(1)
                .correlate(Certificate).scalar_subquery())

    return (
        # The JSON columns as their text: a year's list repeats a few titles thousands of times, so
        # each distinct text is decoded once (rows()), not once a row.
        sa.select(User.full_name, User.birth_year, ResidentialGroup.name.label("group_name"),
                  sa.cast(Certificate.course_title, sa.Text).label("course_title"),
                  sa.cast(Certificate.competences, sa.Text).label("competences"),
                  Certificate.level, Certificate.issued_at,
                  Certificate.method, Certificate.code, Certificate.status,
                  through(Cohort.name).label("cohort_name"), through(Cohort.audience).label("audience"))
        .join(User, User.id == Certificate.user_id)
        .outerjoin(ResidentialGroup, ResidentialGroup.id == User.group_id)
        .where(Certificate.ward_id == ward_id, Certificate.issued_at >= low, Certificate.issued_at < high,
               Certificate.status != "withdrawn")
        .order_by(Certificate.issued_at, User.full_name, Certificate.id)
    )


def attestation_rows(ward_id: int, start: date, end: date) -> list[sa.Row]:
    """All of `attestation_query` in memory (small periods, tests)."""
    return db.session.execute(attestation_query(ward_id, start, end)).all()


def stream_records(ward_id: int, start: date, end: date, batch: int = 2000) -> Iterator[sa.Row]:
    """The rows of `attestation_query` fetched `batch` at a time (a server-side cursor on
    PostgreSQL), so a province-sized year never sits in memory at once."""
    result = db.session.execute(attestation_query(ward_id, start, end),
                                execution_options={"yield_per": batch})
    try:
        yield from result
    finally:
        result.close()


def rows(records: Iterable[sa.Row]) -> Iterator[list]:
    """One list of cell values per certificate, in the order of `headers()`."""
    lang = current_lang()
    methods, statuses = method_labels(), status_labels()
    from lms.content.model import AUDIENCES

    audiences = {key: labels.get(lang) or labels["vi"] for key, labels in AUDIENCES.items()}
    titles: dict[str, str] = {}
    competences: dict[str, str] = {}
    for r in records:
        # Vietnam keeps UTC+7 all year (no daylight saving), so the local date is a fixed shift.
        issued = r.issued_at + VIETNAM_OFFSET
        yield [
            safe_cell(r.full_name),
            r.birth_year or "",
            safe_cell(r.group_name or ""),
            _title(titles, r.course_title, lang),
            _competences(competences, r.competences),
            r.level,
            f"{issued.day:02d}/{issued.month:02d}/{issued.year}",
            methods[r.method],
            display_code(r.code),
            statuses[r.status],
            safe_cell(r.cohort_name or ""),
            audiences.get(r.audience, ""),
        ]


def _title(seen: dict, raw, lang: str) -> str:
    """A course's title (JSON text) in the reader's language, decoded and made safe once."""
    if raw not in seen:
        title = json.loads(raw) if isinstance(raw, str) else raw
        seen[raw] = safe_cell(pick(title, lang))
    return seen[raw]


def _competences(seen: dict, raw) -> str:
    if raw not in seen:
        seen[raw] = ", ".join(json.loads(raw) if isinstance(raw, str) else raw)
    return seen[raw]


WIDTHS = [28, 10, 20, 30, 22, 6, 12, 12, 17, 12, 24, 18]


def csv_download(filename: str, ward_id: int, start: date, end: date):
    """The period's list as CSV, sent row by row as the rows are read."""
    return csv_response(filename, headers(), rows(stream_records(ward_id, start, end)))


def xlsx_download(filename: str, ward_id: int, start: date, end: date, sheet_title: str):
    """The period's list as XLSX, written row by row into a temporary file, then sent."""
    return xlsx_response(filename, sheet_title, headers(), rows(stream_records(ward_id, start, end)), WIDTHS)


def to_csv(records: list[sa.Row]) -> bytes:
    return csv_bytes(headers(), rows(records))


def to_xlsx(records: list[sa.Row], sheet_title: str) -> bytes:
    return xlsx_bytes(sheet_title, headers(), rows(records), widths=WIDTHS)
