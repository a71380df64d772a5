"""Hostile spreadsheets sent to the import page: each must be refused quickly, in little memory.

    python -m benchmarks.hostile_upload [--only NAME[,NAME…]] [--list]

Builds the worst files we know how to make against lms.cohorts.sheets (shared-string bombs, a
zip member that unpacks a thousandfold or lies about its size, a sheet as wide as Excel allows,
millions of elements, deep nesting, XML entities, CSVs of millions of empty columns or rows), and
uploads each one as a signed-in coordinator through the real import view (Flask test client on a
throw-away SQLite database). Every file runs in a fresh process, so the memory figure is that
upload's own: how far the process's peak resident size rose above its size before the upload
(on Linux the kernel's peak is reset just before, through /proc/self/clear_refs). For
each file it prints the answer's status, the message shown, seconds, and extra peak memory.
Budget: every file refused with a clear message in under 2 s and under 100 MB of extra memory.
Not a test (machines here are shared); tests/cohorts/test_hostile_sheets.py uploads small
versions of the same files. The builders are shared with those tests.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

BUDGET_SECONDS = 2.0
BUDGET_MB = 100
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEADER = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# --- a minimal XLSX package, with any part replaced ------------------------------------------

_CONTENT_TYPES = (
    HEADER + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '</Types>'
)
_ROOT_RELS = (
    HEADER + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    '</Relationships>'
)
_WORKBOOK = (
    HEADER + f'<workbook xmlns="{MAIN}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Danh sách" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    HEADER + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
    '<Relationship Id="rId2" Target="sharedStrings.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
    '</Relationships>'
)
# Shared strings 0 and 1 are the headings; the first data row uses inline strings.
_STRINGS = (HEADER + f'<sst xmlns="{MAIN}" count="2" uniqueCount="2">'
            '<si><t>Họ và tên</t></si><si><t>Số điện thoại</t></si></sst>')


def sheet_xml(rows: str = "", before: str = "", after: str = "") -> str:
    """A worksheet: the heading row, one person, then `rows`; `before`/`after` around sheetData."""
    return (HEADER + f'<worksheet xmlns="{MAIN}">{before}<sheetData>'
            '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
            '<row r="2"><c r="A2" t="inlineStr"><is><t>Nguyễn Thị Lan</t></is></c>'
            '<c r="B2" t="inlineStr"><is><t>0912345678</t></is></c></row>'
            f'{rows}</sheetData>{after}</worksheet>')


def xlsx(parts: dict[str, bytes | str] | None = None, *, streamed: dict | None = None) -> bytes:
    """A small valid XLSX with some parts replaced or added; `streamed` parts are written from a
    generator of byte chunks (for members far bigger than memory should hold)."""
    members: dict[str, bytes | str] = {
        "[Content_Types].xml": _CONTENT_TYPES, "_rels/.rels": _ROOT_RELS, "xl/workbook.xml": _WORKBOOK,
        "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS, "xl/sharedStrings.xml": _STRINGS,
        "xl/worksheets/sheet1.xml": sheet_xml(),
    }
    members.update(parts or {})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in members.items():
            if streamed and name in streamed:
                continue
            archive.writestr(name, content.encode() if isinstance(content, str) else content)
        for name, chunks in (streamed or {}).items():
            with archive.open(name, "w", force_zip64=True) as member:
                for chunk in chunks:
                    member.write(chunk)
    return buffer.getvalue()


def lie_about_size(data: bytes, name: str, size: int) -> bytes:
    """Write a smaller unpacked size for member `name` in both its local and central headers."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    struct.pack_into("<I", out, info.header_offset + 22, size)
    encoded = name.encode()
    position = out.find(b"PK\x01\x02")
    while position >= 0:
        name_length = struct.unpack_from("<H", out, position + 28)[0]
        if bytes(out[position + 46:position + 46 + name_length]) == encoded:
            struct.pack_into("<I", out, position + 24, size)
            break
        position = out.find(b"PK\x01\x02", position + 4)
    return bytes(out)


def _repeat(piece: bytes, total: int, chunk: int = 1 << 20):
    block = piece * max(1, chunk // len(piece))
    written = 0
    while written < total:
        yield block
        written += len(block)


# --- the hostile files: name -> (what it is, builder(scale)) ---------------------------------
# scale 1.0 is the full-size attack; tests use small scales where a smaller file still crosses
# the limit it is aimed at.


def shared_string_bomb(scale: float = 1.0) -> bytes:
    """Millions of empty shared strings (the 455 KB, 11-million-string file of the report)."""
    count = int(11_000_000 * scale)
    head = f'{HEADER}<sst xmlns="{MAIN}"><si><t>Họ và tên</t></si><si><t>Số điện thoại</t></si>'.encode()
    body = b"<si><t/></si>" * count
    return xlsx({"xl/sharedStrings.xml": head + body + b"</sst>"})


def shared_strings_many(scale: float = 1.0) -> bytes:
    """Distinct short strings, just past the limit, without a declared count: all are counted."""
    from lms.cohorts.sheet_limits import MAX_SHARED_STRINGS

    count = int((MAX_SHARED_STRINGS + 1) * scale) if scale < 1 else MAX_SHARED_STRINGS + 1
    body = "".join(f"<si><t>{i:x}</t></si>" for i in range(count))
    return xlsx({"xl/sharedStrings.xml": f'{HEADER}<sst xmlns="{MAIN}"><si><t>Họ và tên</t></si>'
                 f'<si><t>Số điện thoại</t></si>{body}</sst>'})


def huge_dimension(scale: float = 1.0) -> bytes:
    """Declared A1:XFD1048576, a value in the last cell Excel allows, rows a million apart."""
    rows = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return xlsx({"xl/worksheets/sheet1.xml": sheet_xml(rows, before='<dimension ref="A1:XFD1048576"/>')})


def wide_row(scale: float = 1.0) -> bytes:
    """One row of empty formatted cells out to column XFD, the widest row Excel writes."""
    cells = "".join(f'<c r="{_letters(i)}3" s="0"/>' for i in range(1, int(16_384 * scale) + 1))
    return xlsx({"xl/worksheets/sheet1.xml": sheet_xml(f'<row r="3">{cells}</row>')})


def long_row_without_references(scale: float = 1.0) -> bytes:
    """A million cells in one row with no cell references (openpyxl numbers them itself)."""
    count = int(1_000_000 * scale)
    return xlsx({"xl/worksheets/sheet1.xml": sheet_xml(f'<row r="3">{"<c/>" * count}</row>')})


def many_cells(scale: float = 1.0) -> bytes:
    """Fifteen filled columns, rows until just past the cell limit (the slowest sheet refused)."""
    from lms.cohorts.sheet_limits import MAX_CELLS

    columns = 15
    rows = (MAX_CELLS // columns + 1) if scale >= 1 else max(3, int(MAX_CELLS // columns * scale))
    body = "".join(f'<row r="{r}">' + "".join(f'<c r="{_letters(c)}{r}"><v>{r}</v></c>'
                                               for c in range(1, columns + 1)) + "</row>"
                   for r in range(3, rows + 3))
    return xlsx({"xl/worksheets/sheet1.xml": sheet_xml(body)})


def many_tiny_rows(scale: float = 1.0) -> bytes:
    """Two hundred thousand rows of one number each."""
    count = int(200_000 * scale)
    body = "".join(f'<row r="{r}"><c r="A{r}"><v>1</v></c></row>' for r in range(3, count + 3))
    return xlsx({"xl/worksheets/sheet1.xml": sheet_xml(body)})


def many_elements(scale: float = 1.0) -> bytes:
    """Elements openpyxl ignores, in many parts each too small for the ratio check to apply."""
    from lms.cohorts.sheet_limits import RATIO_FLOOR

    per_part = RATIO_FLOOR // 4 - 20
    parts = max(1, int(30 * scale))
    junk = f'{HEADER}<x xmlns="urn:x">{"<y/>" * per_part}</x>'
    return xlsx({f"customXml/item{i}.xml": junk for i in range(parts)})


def zip_bomb_member(scale: float = 1.0) -> bytes:
    """A sheet member that unpacks to a gigabyte of spaces."""
    total = int(1024 ** 3 * scale)
    return xlsx(streamed={"xl/worksheets/sheet1.xml": _repeat(b" ", total)})


def lying_zip_member(scale: float = 1.0) -> bytes:
    """A sheet whose directory says 1 KB but whose data unpacks to 200 MB of empty rows."""
    total = int(200 * 1024 ** 2 * scale)
    start = sheet_xml().split("</sheetData>")[0].encode()

    def chunks():
        yield start
        yield from _repeat(b"<row/>", total)
        yield b"</sheetData></worksheet>"

    return lie_about_size(xlsx(streamed={"xl/worksheets/sheet1.xml": chunks()}), "xl/worksheets/sheet1.xml", 1024)


def many_members(scale: float = 1.0) -> bytes:
    """Tens of thousands of empty members: the zip's directory alone is costly to read."""
    count = int(40_000 * scale)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, content in (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _ROOT_RELS)):
            archive.writestr(name, content)
        for i in range(count):
            archive.writestr(f"x/{i}", b"")
    return buffer.getvalue()


def entity_bomb(scale: float = 1.0) -> bytes:
    """"Billion laughs": ten entities of ten, expanding to a billion "lol"s in the shared strings."""
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    doc = (f'<?xml version="1.0"?><!DOCTYPE sst [{entities}]>'
           f'<sst xmlns="{MAIN}"><si><t>Họ và tên</t></si><si><t>&lol9;</t></si></sst>')
    return xlsx({"xl/sharedStrings.xml": doc})


def entity_bomb_in_sheet(scale: float = 1.0) -> bytes:
    """The same expansion, in the worksheet after a quarter of a million harmless cells."""
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    return xlsx({"xl/worksheets/sheet1.xml": sheet_xml(rows='<row r="3"><c r="A3" t="inlineStr">'
                                                           '<is><t>&lol9;</t></is></c></row>')
                 .replace(HEADER, f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]>')})


def deep_nesting(scale: float = 1.0) -> bytes:
    """A million elements, each inside the one before."""
    depth = int(1_000_000 * scale)
    return xlsx({"xl/worksheets/sheet1.xml": sheet_xml(after="<x>" * depth + "</x>" * depth)})


def csv_empty_columns(scale: float = 1.0) -> bytes:
    """The report's CSV: headings, then two million empty columns, and a few people."""
    count = int(2_000_000 * scale)
    row = "Họ và tên,Số điện thoại" + "," * count + "\n"
    people = "".join(f"Người {i},09123456{i:02d}\n" for i in range(20))
    return (row + people).encode()


def csv_long_field(scale: float = 1.0) -> bytes:
    """One cell of almost five megabytes."""
    return ("Họ và tên,Số điện thoại\n\"" + "a" * int(4_900_000 * scale) + "\",0912345678\n").encode()


def csv_many_tiny_rows(scale: float = 1.0) -> bytes:
    """Two and a half million rows of one character."""
    return ("Họ và tên,Số điện thoại\n" + "a\n" * int(2_500_000 * scale)).encode()


def csv_blank_runs(scale: float = 1.0) -> bytes:
    """A person, then 999 blank lines, again and again: never a long enough blank run to stop."""
    block = "a,0912345678\n" + "\n" * 999
    return ("Họ và tên,Số điện thoại\n" + block * int(4_900 * scale)).encode()


def oversized(scale: float = 1.0) -> bytes:
    """Just over the 5 MB an upload may be."""
    from lms.cohorts.sheet_limits import MAX_BYTES

    return b"a,b\n" * (MAX_BYTES // 4 + 1)


def _letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


HOSTILE = {
    "shared_string_bomb": ("xlsx", shared_string_bomb),
    "shared_strings_many": ("xlsx", shared_strings_many),
    "huge_dimension": ("xlsx", huge_dimension),
    "wide_row": ("xlsx", wide_row),
    "long_row_no_refs": ("xlsx", long_row_without_references),
    "many_cells": ("xlsx", many_cells),
    "many_tiny_rows": ("xlsx", many_tiny_rows),
    "many_elements": ("xlsx", many_elements),
    "zip_bomb_member": ("xlsx", zip_bomb_member),
    "lying_zip_member": ("xlsx", lying_zip_member),
    "many_members": ("xlsx", many_members),
    "entity_bomb": ("xlsx", entity_bomb),
    "entity_bomb_in_sheet": ("xlsx", entity_bomb_in_sheet),
    "deep_nesting": ("xlsx", deep_nesting),
    "csv_empty_columns": ("csv", csv_empty_columns),
    "csv_long_field": ("csv", csv_long_field),
    "csv_many_tiny_rows": ("csv", csv_many_tiny_rows),
    "csv_blank_runs": ("csv", csv_blank_runs),
    "oversized": ("csv", oversized),
}

# --- running one upload in a fresh process ---------------------------------------------------


def build_database(folder: Path) -> tuple[str, int]:
    from lms import create_app
    from lms.accounts.people import create_person
    from lms.cohorts.services import create_cohort
    from lms.extensions import db
    from lms.wards.models import ResidentialGroup, Ward
    from tests.conftest import make_test_config, reset_schema

    url = f"sqlite:///{folder / 'bench.db'}"
    app = create_app(make_test_config(url))
    reset_schema(app)
    with app.app_context():
        ward = Ward(name="Phường Đo", kind="phuong", province="Tỉnh Đo")
        ward.groups = [ResidentialGroup(name="Tổ dân phố số 1")]
        db.session.add(ward)
        db.session.flush()
        create_person(full_name="Cán bộ", phone="0900000001", roles=("coordinator",), secret="482916", ward=ward)
        cohort = create_cohort(ward_id=ward.id, name="Lớp đo", audience="everyone")
        db.session.commit()
        cohort_id = cohort.id
        db.engine.dispose()
    return url, cohort_id


def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _peak_reset() -> int:
    """Current resident size (KB), with the kernel's peak reset to it (Linux); else the peak so far."""
    import resource

    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
        return _status_kb("VmRSS")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _peak() -> int:
    import resource

    return _status_kb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def upload_once(url: str, cohort_id: int, path: str, filename: str) -> dict:
    """In this process: sign in, upload the file, and report what came back and what it cost."""
    import time

    import sqlalchemy as sa

    from lms import create_app
    from lms.cohorts.models import StagedImport
    from lms.extensions import db
    from tests.conftest import make_test_config

    app = create_app(make_test_config(url))
    client = app.test_client()
    client.post("/login", data={"phone": "0900000001", "secret": "482916"})
    client.get(f"/cohorts/{cohort_id}/import")  # templates and imports warm
    data = Path(path).read_bytes()
    before = _peak_reset()
    start = time.perf_counter()
    response = client.post(f"/cohorts/{cohort_id}/import", data={"sheet": (io.BytesIO(data), filename)},
                           content_type="multipart/form-data")
    seconds = time.perf_counter() - start
    after = _peak()
    page = response.get_data(as_text=True)
    found = re.search(r'<p class="error"[^>]*><span aria-hidden="true">⚠ </span>(.*?)</p>', page, re.S)
    with app.app_context():
        staged = db.session.scalar(sa.select(sa.func.count()).select_from(StagedImport))
        db.engine.dispose()
    return {"status": response.status_code, "message": " ".join(found.group(1).split()) if found else "",
            "seconds": seconds, "extra_mb": (after - before) / 1024, "staged": staged, "size": len(data)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help="comma-separated names of the files to try")
    parser.add_argument("--list", action="store_true", help="list the hostile files and stop")
    parser.add_argument("--child", nargs=4, metavar=("URL", "COHORT", "PATH", "NAME"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        url, cohort, path, name = args.child
        print(json.dumps(upload_once(url, int(cohort), path, name)))
        return
    names = list(HOSTILE) if not args.only else args.only.split(",")
    if args.list:
        for name in HOSTILE:
            print(f"{name:22} {(HOSTILE[name][1].__doc__ or '').strip()}")
        return
    random.seed(1)
    failures = 0
    with tempfile.TemporaryDirectory() as folder:
        url, cohort_id = build_database(Path(folder))
        print(f"{'file':22} {'size':>9} {'status':>6} {'seconds':>8} {'extra MB':>9}  message")
        for name in names:
            kind, build = HOSTILE[name]
            path = Path(folder) / f"{name}.{kind}"
            path.write_bytes(build())
            result = subprocess.run(
                [sys.executable, "-m", "benchmarks.hostile_upload", "--child", url, str(cohort_id), str(path),
                 path.name], capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"},
            )
            lines = result.stdout.strip().splitlines()
            if result.returncode or not lines:
                print(f"{name:22} FAILED: {result.stderr.strip().splitlines()[-1:]}")
                failures += 1
                continue
            got = json.loads(lines[-1])
            ok = (got["status"] in (413, 422) and got["message"] and got["staged"] == 0
                  and got["seconds"] < BUDGET_SECONDS and got["extra_mb"] < BUDGET_MB)
            failures += not ok
            print(f"{name:22} {got['size'] / 1024:7.0f}KB {got['status']:>6} {got['seconds']:8.2f} "
                  f"{got['extra_mb']:9.1f}  {'' if ok else 'OVER BUDGET '}{got['message'][:90]}")
    print(f"budget: refused with a message in < {BUDGET_SECONDS:.0f} s and < {BUDGET_MB} MB extra: "
          f"{'all OK' if not failures else f'{failures} over'}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
