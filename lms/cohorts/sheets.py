"""Read the rows of an uploaded CSV or XLSX file, whatever Excel or a phone app exported.

CSV goes through the standard csv module and XLSX through openpyxl; this module only decides
how to decode the bytes and where each row sits, so errors can name the line people see.
"""
from __future__ import annotations

import codecs
import csv
import io
import warnings
import zipfile
from dataclasses import dataclass, field

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
# A 5 MB XLSX that unpacks to more than this is not a list of people.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
_DELIMITERS = ",;\t"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls


class SheetError(ValueError):
    """The file cannot be read as a table; `code` says why, for the message."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class Sheet:
    kind: str  # "csv" or "xlsx"
    rows: list[tuple[int, list]] = field(default_factory=list)  # (line number, cells)
    encoding: str | None = None
    delimiter: str | None = None


def read_sheet(filename: str, data: bytes) -> Sheet:
    """Rows of a CSV or XLSX upload, each with the line number a spreadsheet program shows."""
    name = (filename or "").lower()
    if len(data) > MAX_BYTES:
        raise SheetError("too_big")
    if not data.strip():
        raise SheetError("empty")
    if data.startswith(_OLE_MAGIC):
        raise SheetError("old_excel")
    if data.startswith(_ZIP_MAGIC) and name.endswith((".xlsx", ".csv")):
        sheet = _read_xlsx(data)
    elif name.endswith(".xlsx"):
        raise SheetError("broken")
    elif name.endswith(".csv"):
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
    lines = [line for line in text.splitlines()[:30] if line.strip()]
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
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    sheet = Sheet(kind="csv", encoding=encoding, delimiter=delimiter)
    try:
        for line, cells in enumerate(reader, start=1):
            _append(sheet, line, list(cells))
    except csv.Error:
        raise SheetError("broken") from None
    return sheet


def _read_xlsx(data: bytes) -> Sheet:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise SheetError("too_big")
    except zipfile.BadZipFile:
        raise SheetError("broken") from None
    sheet = Sheet(kind="xlsx")
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it does not need for reading values.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                worksheet = workbook.worksheets[0] if workbook.worksheets else None
                if worksheet is None:
                    raise SheetError("empty")
                worksheet.reset_dimensions()
                empty_run = 0
                for line, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
                    cells = list(values)
                    empty_run = 0 if _filled(cells) else empty_run + 1
                    if empty_run > 1000:  # formatting spread over a million empty rows
                        break
                    _append(sheet, line, cells)
            finally:
                workbook.close()
    except SheetError:
        raise
    except Exception:  # openpyxl raises many kinds of error on a damaged file
        raise SheetError("broken") from None
    return sheet


def _append(sheet: Sheet, line: int, cells: list) -> None:
    if not _filled(cells):
        return
    sheet.rows.append((line, cells))
    if len(sheet.rows) > MAX_ROWS + 1:  # + the header
        raise SheetError("too_many_rows", limit=MAX_ROWS)
