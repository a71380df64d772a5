"""What a printed certificate says, worded once for both the HTML page and the PDF."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import segno
from flask import url_for
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from markupsafe import Markup

from lms.certificates.codes import display_code
from lms.certificates.models import Certificate
from lms.content.competences import LEVEL_TIERS, competence_name
from lms.templating import current_lang, pick
from lms.web import public_url_or_none


@dataclass(frozen=True)
class Sheet:
    issuer: str
    learner: str
    birth_year: str
    course: str
    version: str
    competences: list[str]
    level: str
    method: str
    issued_on: str
    instructor: str
    code: str
    verify_url: str
    # The ward's signature and stamp block: where and when, who signs and their title (may be empty).
    signed_at: str = ""
    signer_title: str = ""
    signer_name: str = ""


def _nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "")


def method_text(certificate: Certificate) -> str:
    if certificate.method == "online":
        return _("Học trực tuyến: đọc hết bài học và đạt bài kiểm tra cuối khoá")
    kind = _("đánh giá trực tiếp") if certificate.assessment_kind == "live" else _("bài kiểm tra trên giấy")
    assessed = format_date(certificate.assessed_on, "dd/MM/yyyy") if certificate.assessed_on else ""
    return _("Học trực tiếp: có mặt ở lớp và đạt %(kind)s ngày %(date)s", kind=kind, date=assessed)


def level_text(level: int) -> str:
    tier = LEVEL_TIERS.get(level)
    if not tier:
        return _("Bậc %(level)d", level=level)
    name = tier[1] if current_lang() == "en" else tier[0]
    return _("Bậc %(level)d (%(tier)s)", level=level, tier=name)


def competence_lines(codes: list[str]) -> list[str]:
    lang = current_lang()
    return [f"{code} {competence_name(code, lang) or ''}".strip() for code in codes]


def issuer_name(certificate: Certificate) -> str:
    ward = certificate.ward
    if ward is None:
        return _("Lớp Số")
    return f"{_nfc(ward.name)}, {_nfc(ward.province)}"


def build_sheet(certificate: Certificate) -> Sheet:
    """The facts a printed certificate shows, in the reader's language."""
    user = certificate.user
    instructor = certificate.attested_by or certificate.instructor
    return Sheet(
        issuer=issuer_name(certificate),
        learner=_nfc(user.full_name),
        birth_year=str(user.birth_year) if user.birth_year else "",
        course=_nfc(pick(certificate.course_title)),
        version=str(certificate.course_version),
        competences=competence_lines(certificate.competences),
        level=level_text(certificate.level),
        method=method_text(certificate),
        issued_on=format_datetime(certificate.issued_at, "dd/MM/yyyy"),
        instructor=_nfc(instructor.full_name) if instructor else "",
        code=display_code(certificate.code),
        verify_url=_verify_url(certificate),
        signed_at=_place_and_date(certificate),
        signer_title=_nfc(certificate.ward.signer_title) if certificate.ward else "",
        signer_name=_nfc(certificate.ward.signer_name) if certificate.ward else "",
    )


def _place_and_date(certificate: Certificate) -> str:
    """"Phường Mẫu, ngày 05 tháng 11 năm 2026", as a Vietnamese paper is dated above its signature."""
    place = _nfc(certificate.ward.name) if certificate.ward else _("Lớp Số")
    return _("%(place)s, ngày %(day)s tháng %(month)s năm %(year)s", place=place,
             day=format_datetime(certificate.issued_at, "dd"), month=format_datetime(certificate.issued_at, "MM"),
             year=format_datetime(certificate.issued_at, "yyyy"))


def _verify_url(certificate: Certificate) -> str:
    """The configured address (lms.web.public_base); without one only the path, for the screen:
    the views that print or sign ask for the address first and refuse without it."""
    code = display_code(certificate.code)
    return public_url_or_none("certificates.verify", code=code) or url_for("certificates.verify", code=code)


def qr_svg(url: str, title: str) -> Markup:
    """An inline SVG QR code (no script, no style attribute) for the verify link."""
    qr = segno.make(url, error="m", micro=False)
    svg = qr.svg_inline(scale=4, border=2, dark="#000", light="#fff", title=title, svgclass="qr",
                        lineclass=None, omitsize=True)
    return Markup(svg)


def qr_matrix(url: str) -> list[list[bool]]:
    """The QR code's modules, for drawing it as vector squares in the PDF."""
    qr = segno.make(url, error="m", micro=False)
    return [[bool(cell) for cell in row] for row in qr.matrix]
