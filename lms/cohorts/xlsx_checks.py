"""An uploaded XLSX checked before openpyxl reads a byte of it (lms.cohorts.sheets).

An XLSX is a zip of XML parts, and both can be made to blow up (a zip member that unpacks a
thousandfold, millions of tiny shared strings, a cell at column XFD, nested elements, XML
entities that expand). So the zip's directory is checked (members, sizes, compression ratio,
expected parts) and every XML part is streamed once through counters that stop at the first limit
crossed (lms.cohorts.sheet_limits): elements, nesting, shared strings, cells, rows and columns,
and any DTD or entity.
"""
from __future__ import annotations

import codecs
import re
import struct
import zipfile

from lms.cohorts.sheet_limits import (MAX_CELLS, MAX_CELLS_PER_ROW, MAX_COLUMNS, MAX_LINES, MAX_MEMBER_BYTES,
                                      MAX_MEMBERS, MAX_OTHER_ELEMENTS, MAX_PARSED_ELEMENTS, MAX_RATIO, MAX_ROWS,
                                      MAX_SHARED_STRINGS, MAX_UNPACKED_BYTES, MAX_XML_DEPTH, MAX_XML_ELEMENTS,
                                      RATIO_FLOOR, SheetError)

_EXPECTED_PARTS = ("[Content_Types].xml", "_rels/.rels")
_CHUNK = 64 * 1024


def check_zip_directory(data: bytes) -> None:
    """Refuse a zip whose directory lists too many members before zipfile reads every entry."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65535))
    if end < 0 or len(data) < end + 22:
        raise SheetError("broken")
    entries = struct.unpack("<H", data[end + 10:end + 12])[0]
    if entries > MAX_MEMBERS:  # 0xFFFF, the zip64 marker, is more than that too
        raise SheetError("unsafe")


def check_members(archive: zipfile.ZipFile) -> None:
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


def shared_strings_part(archive: zipfile.ZipFile) -> str | None:
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


class XmlBudget:
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
