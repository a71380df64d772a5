"""Read the rows of an uploaded CSV, XLSX or Excel "Unicode Text" (.txt) file, whatever Excel or a
phone app exported.

CSV goes through the standard csv module and XLSX through openpyxl; this module only decides
how to decode the bytes and where each row sits, so errors can name the line people see.

Reading is bounded: a small upload must not cost a worker minutes or gigabytes. An XLSX is a zip
of XML parts, and both can be made to blow up (a zip member that unpacks a thousandfold, millions
of tiny shared strings, a cell at column XFD, nested elements, XML entities that expand). So
before openpyxl sees a byte, the zip's directory is checked (members, sizes, compression ratio,
expected parts) and every XML part is streamed once through counters that stop at the first
limit crossed: elements, nesting, shared strings, cells, rows and columns, and any DTD or entity.
Only then does openpyxl (which refuses entities itself, through defusedxml) read the first
sheet, in read-only mode, never wider than MAX_COLUMNS. A CSV is checked for its number of cells before the csv module
splits it, and rows are cut or refused while streaming. Every refusal is a SheetError whose
code messages.sheet_error() turns into words.
"""
from __future__ import annotations

import codecs
import csv
import functools
import io
import re
import struct
import warnings
import zipfile
from dataclasses import dataclass, field

MAX_BYTES = 5 * 1024 * 1024
# A ward's list of people: at most this many people, columns with something in them, and cells.
MAX_ROWS = 10_000
MAX_COLUMNS = 50
MAX_CELLS = 100_000  # cells written in the file, empty or not (10,000 people × 10 columns)
# Rows read in all, blank ones included; after it, any row with something in it is refused.
MAX_LINES = 5 * MAX_ROWS
MAX_EMPTY_RUN = 1000  # blank rows in a row after which the list is taken to have ended
# XLSX: what the zip may hold, and what its XML may contain.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # all members together
MAX_MEMBER_BYTES = 30 * 1024 * 1024  # one member
MAX_MEMBERS = 500
MAX_RATIO = 200  # unpacked / packed, for members bigger than RATIO_FLOOR (Excel's XML: about 5 to 20)
RATIO_FLOOR = 256 * 1024
MAX_SHARED_STRINGS = 100_000
MAX_CELLS_PER_ROW = 1000  # cells written in one row, empty or not
MAX_XML_DEPTH = 1000  # Excel nests about 10 deep; checked every 64 KB of a part
MAX_XML_ELEMENTS = 1_000_000  # over every part of the file
# Elements openpyxl makes objects of one by one (styles, the workbook…): Excel's own are a few
# hundred to a few thousand; 20,000 cost openpyxl about a second.
MAX_OTHER_ELEMENTS = 20_000
# Elements of every part but the shared strings (cells and values included): a full list of
# MAX_CELLS cells written as inline text is three elements a cell.
MAX_PARSED_ELEMENTS = 3 * MAX_CELLS + 20_000
# Refusals for size answer 413; the rest 422.
TOO_LARGE = frozenset({"too_big", "unpacked_too_big"})

_DELIMITERS = ",;\t"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls
_MAIN_NS = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
            "http://purl.oclc.org/ooxml/spreadsheetml/main")
_EXPECTED_PARTS = ("[Content_Types].xml", "_rels/.rels")
_CHUNK = 64 * 1024


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
    _check_zip_directory(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_members(archive)
            budget = _XmlBudget(_shared_strings_part(archive))
            for info in archive.infolist():
                budget.scan(archive, info)
    except zipfile.BadZipFile:
        raise SheetError("broken") from None
    except (zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, OSError):
        # zip64 beyond its limits, an unknown compression method, encryption, a truncated member
        raise SheetError("broken") from None
    return _read_checked_xlsx(data)


def _check_zip_directory(data: bytes) -> None:
    """Refuse a zip whose directory lists too many members before zipfile reads every entry."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65535))
    if end < 0 or len(data) < end + 22:
        raise SheetError("broken")
    entries = struct.unpack("<H", data[end + 10:end + 12])[0]
    if entries > MAX_MEMBERS:  # 0xFFFF, the zip64 marker, is more than that too
        raise SheetError("unsafe")


def _check_members(archive: zipfile.ZipFile) -> None:
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise SheetError("unsafe")
    names = {info.filename for info in infos}
    if any(part not in names for part in _EXPECTED_PARTS):
        raise SheetError("broken")
    total = 0
    for info in infos:
        # zipfile never hands out more than file_size bytes of a member (and then fails its
        # CRC), so the sizes written in the directory are limits, even when they lie.
        total += info.file_size
        if info.file_size > MAX_MEMBER_BYTES or total > MAX_UNPACKED_BYTES:
            raise SheetError("unpacked_too_big", limit=MAX_UNPACKED_BYTES // (1024 * 1024))
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise SheetError("unsafe")
        if info.flag_bits & 0x1:  # encrypted
            raise SheetError("broken")


def _shared_strings_part(archive: zipfile.ZipFile) -> str | None:
    """The part openpyxl will read the shared strings from: the first named for them in
    [Content_Types].xml (checked to be small before it is read)."""
    info = archive.getinfo("[Content_Types].xml")
    if info.file_size > _CHUNK * 4:
        raise SheetError("too_complex")
    text = archive.read(info)
    for tag in _OVERRIDE.finditer(text):
        attributes = dict(_ATTRIBUTE.findall(tag.group(1)))
        if attributes.get(b"ContentType", b"").strip() == _STRINGS_TYPE:
            return attributes.get(b"PartName", b"").decode("utf-8", "replace").lstrip("/")
    return None


class _XmlBudget:
    """One pass over each XML part's bytes, refusing as soon as a limit is crossed.

    Counting is done with bytes.count and a few regular expressions, in C, not with a parser's
    callback per element (ten times slower: a few hundred thousand elements took seconds). The
    counts are never lower than what openpyxl will build: every `<` that opens a tag counts as an
    element, in any namespace and under any prefix, comments and CDATA included. Shared strings,
    rows and cells are counted per part; elements over the whole file. What openpyxl turns into
    objects one by one (styles, the workbook, anything but cells and strings) is kept small: it
    costs about 40 µs an element there.
    """

    def __init__(self, strings_part: str | None) -> None:
        self.strings_part = strings_part  # the part openpyxl reads shared strings from
        self.elements = 0
        self.parsed = 0  # elements of every other part: openpyxl's parser handles each in Python
        self.other = 0  # of those, the ones that are neither cells, rows, values nor strings

    def scan(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        if info.is_dir() or info.file_size == 0:
            return
        with archive.open(info) as member:
            first = member.read(_CHUNK)
            chunks = _xml_chunks(member, first)
            if chunks is None:
                return  # a picture, a binary part: openpyxl does not parse it as XML
            part = _Part(info.filename == self.strings_part)
            tail = b""
            for chunk in chunks:
                tail = self._window(part, tail + chunk, final=False)
            self._window(part, tail, final=True)

    def _window(self, part: _Part, buffer: bytes, *, final: bool) -> bytes:
        """Count what lies before the last cell's end (or the last `>`); return the rest for the
        next window, so that a tag, and a cell with its value, are always counted whole."""
        if b"<!DOCTYPE" in buffer or b"<!ENTITY" in buffer:
            # Excel never writes a DTD; entities are how "billion laughs" grows a few bytes
            # into gigabytes, and a DTD is where they are declared.
            raise SheetError("unsafe")
        if final:
            cut = len(buffer)
        else:
            cut = _last_cell_end(buffer) or buffer.rfind(b">") + 1
            if cut == 0:  # no tag ends here: keep only enough to finish one
                cut = max(0, len(buffer) - _TAIL)
                while cut and buffer[cut - 1:cut] == b"<":
                    cut -= 1
        window = buffer[:cut]
        closing = window.count(b"</")
        opened = window.count(b"<") - closing - window.count(b"<!") - window.count(b"<?")
        self.elements += opened
        if self.elements > MAX_XML_ELEMENTS:
            raise SheetError("too_complex")
        # Never deeper than counted: a `/>` inside text or a value only makes it look deeper.
        part.depth += opened - closing - _SELF_CLOSED.subn(b"", window)[1]
        if part.depth > MAX_XML_DEPTH:
            raise SheetError("unsafe")
        if opened:
            data = part.tokens(window)
            if not part.shared_strings:  # read by a quick parser of their own (_shared_strings)
                self.parsed += opened
                self.other += opened - data
                if self.other > MAX_OTHER_ELEMENTS or self.parsed > MAX_PARSED_ELEMENTS:
                    raise SheetError("too_complex")
        return buffer[cut:]


def _last_cell_end(buffer: bytes) -> int:
    """Just after the last `</c>` (under any prefix), or 0."""
    position = buffer.rfind(b"c>")
    for _ in range(64):
        if position <= 0 or buffer[position - 1:position] in (b"/", b":"):
            break
        position = buffer.rfind(b"c>", 0, position)
    else:
        return 0
    return position + 2 if position > 0 else 0


def _xml_chunks(member, first: bytes):
    """The part's bytes as UTF-8 (UTF-16 is re-encoded), or None when it is not XML at all."""
    if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or first[:2] in (b"<\x00", b"\x00<"):
        codec = "utf-16" if first[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else \
            ("utf-16-le" if first[:1] == b"<" else "utf-16-be")
        decoder = codecs.getincrementaldecoder(codec)(errors="strict")

        def recoded():
            chunk = first
            try:
                while chunk:
                    yield decoder.decode(chunk).encode("utf-8")
                    chunk = member.read(_CHUNK)
                yield decoder.decode(b"", final=True).encode("utf-8")
            except UnicodeDecodeError:
                raise SheetError("broken") from None

        return _declared_encoding_checked(recoded(), utf16=True)
    body = first[len(codecs.BOM_UTF8):] if first.startswith(codecs.BOM_UTF8) else first
    if body.lstrip()[:1] != b"<":
        return None

    def plain():
        chunk = first
        while chunk:
            yield chunk
            chunk = member.read(_CHUNK)

    return _declared_encoding_checked(plain(), utf16=False)


def _declared_encoding_checked(chunks, *, utf16: bool):
    """Refuse an encoding in which `<` is not the byte 0x3C (EBCDIC, UTF-32…): the counts would
    not see the tags that openpyxl's parser reads. Excel writes UTF-8."""
    first = next(chunks, b"")
    head = first[len(codecs.BOM_UTF8):] if first.startswith(codecs.BOM_UTF8) else first
    declared = _DECLARATION.match(head.lstrip())
    if declared:
        name = declared.group(1).decode("ascii", "replace").lower().replace("_", "-")
        if name not in (_UTF16_NAMES if utf16 else _ASCII_COMPATIBLE):
            raise SheetError("unsafe")

    def all_chunks():
        yield first
        yield from chunks

    return all_chunks()


class _Part:
    """What has been counted of one XML part so far."""

    __slots__ = ("shared_strings", "depth", "strings", "cells", "rows", "row_cells")

    def __init__(self, shared_strings: bool) -> None:
        self.shared_strings = shared_strings
        self.depth = 0
        self.strings = 0
        self.cells = 0
        self.rows = 0
        self.row_cells = 0  # cells so far in the row that the last window ended in

    def tokens(self, window: bytes) -> int:
        """Count shared strings, rows, cells and values of one window; returns how many there were.

        One regular expression finds them all, in C; the loop below only looks at their names."""
        names = _TAG.findall(window)
        if not names:
            return 0
        strings = names.count(b"si")
        if strings or b"sst" in window:
            declared = _UNIQUE_COUNT.search(window)
            if declared and int(declared.group(1)) > MAX_SHARED_STRINGS:
                raise SheetError("too_many_strings", limit=MAX_SHARED_STRINGS)
            self.strings += strings
            if self.strings > MAX_SHARED_STRINGS:
                raise SheetError("too_many_strings", limit=MAX_SHARED_STRINGS)
        cells = names.count(b"c")
        rows = names.count(b"row")
        if not (cells or rows):
            return len(names)
        self.cells += cells
        if self.cells > MAX_CELLS:
            raise SheetError("too_many_cells", limit=MAX_CELLS)
        self.rows += rows
        if self.rows > MAX_LINES:
            raise SheetError("too_many_rows", limit=MAX_ROWS)
        if cells and _FAR_VALUE.search(window):
            raise SheetError("too_many_columns", limit=MAX_COLUMNS)
        # Cells in each row, carried over from the window before.
        count = widest = self.row_cells
        for name in names:
            if name == b"c":
                count += 1
            elif name == b"row":
                widest = max(widest, count)
                count = 0
        widest = max(widest, count)
        self.row_cells = count
        if widest > MAX_COLUMNS and (widest > MAX_CELLS_PER_ROW or _UNREFERENCED.search(window)):
            # Too many cells in a row, or more than fit the columns when openpyxl numbers the
            # ones without a reference itself.
            raise SheetError("too_many_columns", limit=MAX_COLUMNS)
        return len(names)


_TAIL = 1024
_OVERRIDE = re.compile(rb"<(?:[^\s<>/:!?=]+:)?Override\s([^>]*)>")
_ATTRIBUTE = re.compile(rb"""([A-Za-z]+)\s*=\s*["']([^"']*)["']""")
_STRINGS_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_PREFIX = rb"(?:[^\s<>/:!?=]+:)?"  # any namespace prefix: counts never depend on it
_TAG = re.compile(rb"<" + _PREFIX + rb"(c|row|si|v|is|t|f)(?=[\s/>])")
_UNIQUE_COUNT = re.compile(rb"<" + _PREFIX + rb"""sst\s[^>]*?\buniqueCount\s*=\s*["'](\d{1,12})""")
# A cell past column AX (the 50th) that holds a value, formula or text.
_FAR_VALUE = re.compile(
    rb"<" + _PREFIX + rb"""c\s[^>]*?\br\s*=\s*["']\$?(?:[A-Za-z]{3}|[B-Zb-z][A-Za-z]|[Aa][Y-Zy-z])\$?\d"""
    rb"""[^>]*(?<!/)>\s*<""" + _PREFIX + rb"(?:v|is|f)(?=[\s/>])")
_UNREFERENCED = re.compile(rb"<" + _PREFIX + rb"c(?=[\s/>])(?![^>]*\br\s*=)")
_SELF_CLOSED = re.compile(rb"<[^!?/>][^>]*/>")
_DECLARATION = re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._\-]{1,40})["']""")
_ASCII_COMPATIBLE = {"utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1", "windows-1252",
                     "cp1252", "windows-1258", "cp1258"}
_UTF16_NAMES = {"utf-16", "utf16", "utf-16le", "utf-16be", "utf-16-le", "utf-16-be"}


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
