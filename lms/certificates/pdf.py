"""Certificates as PDF (fpdf2): A4 landscape, DejaVu Sans embedded so Vietnamese prints exactly."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from flask_babel import gettext as _
from fpdf import FPDF

from lms.certificates.sheet import Sheet, qr_matrix

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVuSans"
WIDTH, HEIGHT = 297.0, 210.0
MARGIN = 14.0
INK = (26, 26, 26)
ACCENT = (11, 92, 138)
MUTED = (77, 77, 77)
SIGNATURE_WIDTH = 96.0


class _CertificatePDF(FPDF):
    def __init__(self):
        super().__init__(orientation="L", unit="mm", format="A4")
        self.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(False)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_lang("vi")
        self.set_creator(_("Lớp Số"))
        # A fixed date: the same certificate gives the same file, whenever it is downloaded.
        self.set_creation_date(datetime(2025, 1, 1, tzinfo=timezone.utc))

    def centred(self, text: str, size: float, *, bold: bool = False, colour=INK, gap: float = 1.5) -> None:
        self.set_font(FAMILY, "B" if bold else "", size)
        self.set_text_color(*colour)
        self.set_x(MARGIN + 6)
        self.multi_cell(WIDTH - 2 * (MARGIN + 6), size * 0.45, text, align="C")
        self.ln(gap)

    def line_of(self, label: str, value: str, size: float = 12) -> None:
        self.set_x(MARGIN + 24)
        self.set_font(FAMILY, "", size)
        self.set_text_color(*MUTED)
        label_width = self.get_string_width(label + " ") + 1
        self.cell(label_width, size * 0.5, label)
        self.set_font(FAMILY, "B", size)
        self.set_text_color(*INK)
        self.multi_cell(WIDTH - 2 * (MARGIN + 24) - label_width - 10, size * 0.5, value)
        self.ln(0.8)

    def signature(self, sheet: Sheet, x: float, top: float, width: float, bottom: float) -> None:
        """Place and date, the signer's title, room to sign and stamp, then the signer's name."""
        def line(text: str, size: float, style: str = "", colour=INK) -> None:
            self.set_x(x)
            self.set_font(FAMILY, style, size)
            self.set_text_color(*colour)
            self.multi_cell(width, size * 0.45, text, align="C")

        self.set_y(top)
        line(sheet.signed_at, 9, colour=MUTED)
        line((sheet.signer_title or _("Đại diện nơi cấp")).upper(), 10.5, "B")
        line(_("(Ký, ghi rõ họ tên và đóng dấu)"), 8.5, colour=MUTED)
        if sheet.signer_name:
            self.set_y(bottom - 6)
            line(sheet.signer_name, 11.5, "B")

    def qr(self, url: str, x: float, y: float, size: float) -> None:
        matrix = qr_matrix(url)
        module = size / len(matrix)
        self.set_fill_color(0, 0, 0)
        for r, row in enumerate(matrix):
            c = 0
            while c < len(row):
                if not row[c]:
                    c += 1
                    continue
                start = c
                while c < len(row) and row[c]:
                    c += 1
                # One rectangle per run of dark modules keeps the file small and the code crisp.
                self.rect(x + start * module, y + r * module, (c - start) * module, module, style="F")


def _page(pdf: _CertificatePDF, sheet: Sheet) -> None:
    pdf.add_page()
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.2)
    pdf.rect(MARGIN - 6, MARGIN - 6, WIDTH - 2 * (MARGIN - 6), HEIGHT - 2 * (MARGIN - 6))
    pdf.set_line_width(0.3)
    pdf.rect(MARGIN - 3, MARGIN - 3, WIDTH - 2 * (MARGIN - 3), HEIGHT - 2 * (MARGIN - 3))

    pdf.set_y(MARGIN + 2)
    pdf.centred(sheet.issuer.upper(), 12, bold=True, colour=ACCENT, gap=0.5)
    pdf.centred(_("Lớp học kỹ năng số cộng đồng — phong trào “Bình dân học vụ số”"), 10, colour=MUTED, gap=5)
    pdf.centred(_("CHỨNG NHẬN"), 30, bold=True, colour=ACCENT, gap=1)
    pdf.centred(_("hoàn thành khoá học kỹ năng số"), 13, colour=MUTED, gap=5)
    pdf.centred(sheet.learner, 24, bold=True, gap=1)
    if sheet.birth_year:
        pdf.centred(_("Năm sinh: %(year)s", year=sheet.birth_year), 12, colour=MUTED, gap=4)
    pdf.centred(_("đã hoàn thành khoá học"), 11, colour=MUTED, gap=0.5)
    pdf.centred(sheet.course, 18, bold=True, colour=ACCENT, gap=5)

    pdf.line_of(_("Năng lực số:"), "; ".join(sheet.competences), 11)
    pdf.line_of(_("Mức độ:"), sheet.level, 11)
    pdf.line_of(_("Hình thức:"), sheet.method, 11)
    pdf.line_of(_("Nội dung khoá học:"), _("phiên bản %(v)s", v=sheet.version), 11)
    pdf.line_of(_("Ngày cấp:"), sheet.issued_on, 11)
    if sheet.instructor:
        pdf.line_of(_("Giảng viên:"), sheet.instructor, 11)

    facts_end = pdf.get_y()
    size = 34.0
    x, y = WIDTH - MARGIN - size - 6, HEIGHT - MARGIN - size - 14
    pdf.qr(sheet.verify_url, x, y, size)
    pdf.set_xy(x - 40, y + size + 1)
    pdf.set_font(FAMILY, "B", 10)
    pdf.set_text_color(*INK)
    pdf.cell(size + 40, 5, _("Mã: %(code)s", code=sheet.code), align="R")

    # The ward's signature and stamp block, left of the QR code, level with it.
    block_x, block_width = x - SIGNATURE_WIDTH - 6, SIGNATURE_WIDTH
    pdf.signature(sheet, block_x, max(facts_end + 3, y - 4), block_width, y + size + 8)

    pdf.set_xy(MARGIN + 6, HEIGHT - MARGIN - 18)
    pdf.set_font(FAMILY, "", 8.5)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(block_x - MARGIN - 10, 4, "\n".join([
        _("Kiểm tra chứng nhận: quét mã QR hoặc mở %(url)s", url=sheet.verify_url),
        _("Chứng nhận này phản ánh việc xác nhận kỹ năng số cơ bản như trên VNeID, cho người và nơi "
          "VNeID chưa tới; đây không phải là VNeID."),
    ]))


def render_pdf(sheets: list[Sheet], title: str) -> bytes:
    """One A4 landscape page per certificate."""
    pdf = _CertificatePDF()
    pdf.set_title(title)
    for sheet in sheets:
        _page(pdf, sheet)
    return bytes(pdf.output())
