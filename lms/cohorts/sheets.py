"""Read the rows of an uploaded CSV, XLSX or Excel "Unicode Text" (.txt) file, whatever Excel or a
phone app exported.

CSV goes through the standard csv module and XLSX through openpyxl; this module only decides
how to decode the bytes and where each row sits, so errors can name the line people see.

Reading is bounded (lms.cohorts.sheet_limits): a small upload must not cost a worker minutes or
gigabytes. Before openpyxl sees a byte of an XLSX, lms.cohorts.xlsx_checks checks its zip and
counts its XML; only then does openpyxl (which refuses entities itself, through defusedxml) read
the first sheet, in read-only mode, never wider than MAX_COLUMNS. A CSV is checked for its number
of cells before the csv module splits it, and rows are cut or refused while streaming. Every
refusal is a SheetError whose code messages.sheet_error() turns into words.
"""
from __future__ import annotations

import codecs
import csv
import functools
import io
import warnings
import zipfile
from dataclasses import dataclass, field

from lms.cohorts.sheet_limits import (MAX_BYTES, MAX_CELLS, MAX_COLUMNS, MAX_EMPTY_RUN, MAX_LINES, MAX_ROWS,
                                      SheetError)
from lms.cohorts.xlsx_checks import XmlBudget, check_members, check_zip_directory, shared_strings_part

_DELIMITERS = ",;\t"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls
_MAIN_NS = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
            "http://purl.oclc.org/ooxml/spreadsheetml/main")


@dataclass
class Sheet:
    kind: str  # "csv" or "xlsx"
    rows: list[tuple[int, list]] = field(default_factory=list)  # (line number, cells)
    encoding: str | None = None
    delimiter: str | None = None
    _empty_run: int = 0


def read_sheet(filename: str, data: bytes) -> Sheet:
    """Rows of a CSV or XLSX upload, each with the line number a spreadsheet program shows."""
    name = (filename or "").lower()
    if len(data) > MAX_BYTES:
        raise SheetError("too_big")
    if not data.strip():
        raise SheetError("empty")
    if data.startswith(_OLE_MAGIC):
        raise SheetError("old_excel")
    if data.startswith(_ZIP_MAGIC) and name.endswith((".xlsx", ".csv", ".txt")):
        sheet = _read_xlsx(data)
    elif name.endswith(".xlsx"):
        raise SheetError("broken")
    elif name.endswith((".csv", ".txt")):
        # .txt: Excel's "Unicode Text" (UTF-16, tab-separated), read like any CSV.
        sheet = _read_csv(data)
    else:
        raise SheetError("type")
    if not any(_filled(cells) for _, cells in sheet.rows):
        raise SheetError("empty")
    return sheet


def _filled(cells: list) -> bool:
    return any(c is not None and str(c).strip() for c in cells)


def _decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was in: UTF-8 (with or without BOM), UTF-16, or Windows-1258."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise SheetError("encoding") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:400]:
        for encoding in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if "\x00" not in text:
                return text, encoding
        raise SheetError("encoding")
    try:
        # Excel's plain "CSV" on a Vietnamese Windows writes code page 1258, with tone marks
        # as separate characters; they are composed again when each cell is cleaned.
        return data.decode("cp1258"), "cp1258"
    except UnicodeDecodeError:
        raise SheetError("encoding") from None


def _delimiter(text: str) -> str:
    """The separator the header most likely uses: comma, semicolon (Excel in Vietnamese) or tab."""
    best, best_count = ",", 0
    head = text[:64 * 1024]  # thirty lines of a list fit well within this
    lines = [line for line in head.splitlines()[:30] if line.strip()]
    for line in lines:
        for candidate in _DELIMITERS:
            count = line.count(candidate)
            if count > best_count:
                best, best_count = candidate, count
    return best


def _read_csv(data: bytes) -> Sheet:
    text, encoding = _decode(data)
    if "\x00" in text:
        raise SheetError("type")
    delimiter = _delimiter(text)
    # Every separator starts a cell: counted in C before the csv module makes a list of them,
    # so a line of two million commas is refused in milliseconds.
    if text.count(delimiter) > MAX_CELLS:
        raise SheetError("too_many_cells", limit=MAX_CELLS)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    sheet = Sheet(kind="csv", encoding=encoding, delimiter=delimiter)
    try:
        for line, cells in enumerate(reader, start=1):
            if not _append(sheet, line, cells):
                break
    except csv.Error:
        raise SheetError("broken") from None
    return sheet


def _append(sheet: Sheet, line: int, cells: list) -> bool:
    """Keep a row with something in it; False once the list has ended (a long run of blank rows)."""
    if len(cells) > MAX_COLUMNS:
        if _filled(cells[MAX_COLUMNS:]):
            raise SheetError("too_many_columns", limit=MAX_COLUMNS)
        cells = cells[:MAX_COLUMNS]
    if not _filled(cells):
        sheet._empty_run += 1
        return sheet._empty_run <= MAX_EMPTY_RUN
    sheet._empty_run = 0
    if line > MAX_LINES or len(sheet.rows) >= MAX_ROWS + 1:  # + the header
        raise SheetError("too_many_rows", limit=MAX_ROWS)
    sheet.rows.append((line, list(cells)))
    return True


# --- XLSX -----------------------------------------------------------------------------------


def _read_xlsx(data: bytes) -> Sheet:
    check_zip_directory(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_members(archive)
            budget = XmlBudget(shared_strings_part(archive))
            for info in archive.infolist():
                budget.scan(archive, info)
    except zipfile.BadZipFile:
        raise SheetError("broken") from None
    except (zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, OSError):
        # zip64 beyond its limits, an unknown compression method, encryption, a truncated member
        raise SheetError("broken") from None
    return _read_checked_xlsx(data)


def _read_checked_xlsx(data: bytes) -> Sheet:
    sheet = Sheet(kind="xlsx")
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it does not need for reading values.
            warnings.simplefilter("ignore")
            reader = _reader_class()(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
            reader.read()
            workbook = reader.wb
            try:
                worksheet = workbook.worksheets[0] if workbook.worksheets else None
                if worksheet is None:
                    raise SheetError("empty")
                worksheet.reset_dimensions()
                # Never wider than MAX_COLUMNS: a blank formatted cell far to the right would
                # otherwise pad every row out to it.
                rows = worksheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
                for line, values in enumerate(rows, start=1):
                    cells = list(values)
                    while cells and cells[-1] is None:
                        cells.pop()
                    if not _append(sheet, line, cells):
                        break  # formatting spread over a million empty rows
            finally:
                workbook.close()
    except SheetError:
        raise
    except Exception:  # openpyxl raises many kinds of error on a damaged file
        raise SheetError("broken") from None
    return sheet


def _shared_strings(source) -> list[str]:
    """The shared strings as openpyxl's reader gives them, read by the C parser in one pass.

    openpyxl makes an object of every string (about 14 µs each, seconds for a long list). The
    part has already been checked (no DTD, no entity, counted), so the plain parser is safe here.
    """
    from xml.etree.ElementTree import iterparse

    from openpyxl.xml.constants import SHEET_MAIN_NS

    si, t, r = (f"{{{SHEET_MAIN_NS}}}{name}" for name in ("si", "t", "r"))
    strings: list[str] = []
    root = None
    for event, element in iterparse(source, events=("start", "end")):
        if root is None:
            root = element
        if event == "end" and element.tag == si:
            pieces = [child.text or "" for child in element if child.tag == t]
            for run in element.iterfind(r):
                text = run.find(t)
                if text is not None:
                    pieces.append(text.text or "")
            strings.append("".join(pieces).replace("x005F_", ""))
            root.clear()  # keep nothing already read
    return strings


@functools.cache
def _reader_class():
    """openpyxl's reader, with the shared strings read by _shared_strings (openpyxl is imported
    on the first upload, not when the app starts)."""
    from openpyxl.reader.excel import SHARED_STRINGS, ExcelReader

    class Reader(ExcelReader):
        def read_strings(self):
            found = self.package.find(SHARED_STRINGS)
            if found is not None:
                with self.archive.open(found.PartName[1:]) as source:
                    self.shared_strings = _shared_strings(source)

    return Reader
