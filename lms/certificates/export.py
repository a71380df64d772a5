"""The attestation list a ward reports upward: certified people of a period, as XLSX or CSV.

It mirrors the facts VNeID records for an attestation of basic digital skills (who, which skills,
when, how); it is not VNeID and is never sent to it.
"""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from lms.accounts.models import User
from lms.certificates.codes import display_code
from lms.certificates.models import Certificate
from lms.extensions import db
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
            _("Bậc"), _("Ngày cấp"), _("Hình thức"), _("Mã chứng nhận"), _("Trạng thái")]


def method_labels() -> dict[str, str]:
    return {"online": _("Trực tuyến"), "in_person": _("Trực tiếp")}


def status_labels() -> dict[str, str]:
    return {"valid": _("Hợp lệ"), "revoked": _("Đã thu hồi"), "withdrawn": _("Đã rút lại")}


def attestation_rows(ward_id: int, start: date, end: date) -> list[sa.Row]:
    """A ward's certificates issued in the period, as plain rows; erased people's (withdrawn) are left out."""
    low, high = _utc_bounds(start, end)
    # Plain columns, no ORM objects: an annual list of a large ward is read in one quick query.
    return db.session.execute(
        sa.select(User.full_name, User.birth_year, ResidentialGroup.name.label("group_name"),
                  Certificate.course_title, Certificate.competences, Certificate.level, Certificate.issued_at,
                  Certificate.method, Certificate.code, Certificate.status)
        .join(User, User.id == Certificate.user_id)
        .outerjoin(ResidentialGroup, ResidentialGroup.id == User.group_id)
        .where(Certificate.ward_id == ward_id, Certificate.issued_at >= low, Certificate.issued_at < high,
               Certificate.status != "withdrawn")
        .order_by(Certificate.issued_at, User.full_name, Certificate.id)
    ).all()


def _safe(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def rows(records: list[sa.Row]):
    """One list of cell values per certificate, in the order of `headers()`."""
    lang = current_lang()
    methods, statuses = method_labels(), status_labels()
    for r in records:
        # Vietnam keeps UTC+7 all year (no daylight saving), so the local date is a fixed shift.
        issued = r.issued_at + VIETNAM_OFFSET
        yield [
            _safe(r.full_name),
            r.birth_year or "",
            _safe(r.group_name or ""),
            _safe(pick(r.course_title, lang)),
            ", ".join(r.competences),
            r.level,
            f"{issued.day:02d}/{issued.month:02d}/{issued.year}",
            methods[r.method],
            display_code(r.code),
            statuses[r.status],
        ]


def to_csv(records: list[sa.Row]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens the Vietnamese names correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers())
    writer.writerows(rows(records))
    return "\ufeff".encode("utf-8") + buffer.getvalue().encode("utf-8")


def to_xlsx(records: list[sa.Row], sheet_title: str) -> bytes:
    """A write-only workbook: an annual list of a large ward stays quick and small in memory."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    widths = [28, 10, 20, 30, 22, 6, 12, 12, 17, 12]
    for i, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + i)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for title in headers():
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows(records):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
