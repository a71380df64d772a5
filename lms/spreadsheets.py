"""CSV and XLSX files that coordinators open in Excel: Vietnamese intact, no formula injection.

Large files are never built in memory: CSV is sent row by row as it is written (`csv_stream`,
`csv_response`); XLSX is written by openpyxl's write-only mode into a temporary file that is then
sent and deleted (`xlsx_file`, `xlsx_response`).
"""
from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from urllib.parse import quote

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_CHUNK_BYTES = 64 * 1024

# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in _FORMULA_STARTS:
        return "'" + value
    return value


def csv_bytes(headings: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """CSV in UTF-8 with a byte-order mark, which Excel needs to show Vietnamese correctly."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headings)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return "\ufeff".encode("utf-8") + buffer.getvalue().encode("utf-8")


def csv_stream(headings: Sequence[str], rows: Iterable[Sequence]) -> Iterator[bytes]:
    """The same CSV as `csv_bytes`, handed out in pieces of about 64 KB as the rows come."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(headings)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
        if buffer.tell() >= _CHUNK_BYTES:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def xlsx_bytes(title: str, headings: Sequence[str], rows: Iterable[Sequence],
               widths: Sequence[int] | None = None) -> bytes:
    """The workbook of `xlsx_file` as bytes (for small files and tests)."""
    with xlsx_file(title, headings, rows, widths) as handle:
        return handle.read()


def xlsx_file(title: str, headings: Sequence[str], rows: Iterable[Sequence],
              widths: Sequence[int] | None = None):
    """A write-only workbook written to a temporary file (deleted when closed), rewound; numbers
    stay numbers. openpyxl's write-only mode keeps no cells in memory."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title(title))
    for index, width in enumerate(widths or (), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for text in headings:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append(row if isinstance(row, list) else list(row))
    handle = tempfile.TemporaryFile()
    try:
        workbook.save(handle)
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    return handle


def _attachment(response, filename: str):
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def csv_response(filename: str, headings: Sequence[str], rows: Iterable[Sequence]):
    """A download sent while it is written: rows are read (and the database asked) as they go."""
    from flask import Response, stream_with_context

    response = Response(stream_with_context(csv_stream(headings, rows)), mimetype="text/csv; charset=utf-8")
    return _attachment(response, filename)


def xlsx_response(filename: str, title: str, headings: Sequence[str], rows: Iterable[Sequence],
                  widths: Sequence[int] | None = None):
    """The workbook written to a temporary file, then sent from it (and the file deleted)."""
    from flask import Response

    handle = xlsx_file(title, headings, rows, widths)
    size = handle.seek(0, io.SEEK_END)
    handle.seek(0)
    response = Response(_read_then_close(handle), mimetype=XLSX)
    response.content_length = size
    return _attachment(response, filename)


def _read_then_close(handle, size: int = _CHUNK_BYTES) -> Iterator[bytes]:
    """A file's bytes in pieces; the (temporary) file is closed, and so deleted, at the end or
    when the response is closed early."""
    try:
        while chunk := handle.read(size):
            yield chunk
    finally:
        handle.close()


def sheet_title(title: str) -> str:
    """Excel refuses some characters and more than 31 characters in a sheet's name."""
    cleaned = "".join(ch for ch in title if ch not in '[]:*?/\\')
    return (cleaned or "Danh sach")[:31]
