"""Files as Excel and phones save them are read; anything else is refused with a reason."""
import io
from pathlib import Path

import pytest

from lms.cohorts.importing import column_letter, heading_key, map_columns, read_columns
from lms.cohorts.sheets import MAX_BYTES, SheetError, read_sheet

FIXTURES = Path(__file__).parent / "fixtures"
SMALL_NAMES = ["Ngô Thị Hoà", "Trịnh Văn Sơn", "Lý Thị Hồng"]


def read(name):
    return read_sheet(name, (FIXTURES / name).read_bytes())


@pytest.mark.parametrize("name, encoding, delimiter", [
    ("utf8_bom_semicolon.csv", "utf-8-sig", ";"),
    ("utf8_comma.csv", "utf-8", ","),
    ("utf16_tab.csv", "utf-16", "\t"),
    ("utf16_semicolon.csv", "utf-16", ";"),
    ("decomposed_nfd.csv", "utf-8", ","),
    ("windows_1258.csv", "cp1258", ","),
])
def test_every_excel_export_of_the_same_list_reads_the_same(name, encoding, delimiter):
    from lms.accounts.text import clean

    sheet = read(name)
    assert (sheet.kind, sheet.encoding, sheet.delimiter) == ("csv", encoding, delimiter)
    assert [clean(c) for c in sheet.rows[0][1]] == ["Họ và tên", "Số điện thoại", "Năm sinh", "Tổ dân phố"]
    assert [clean(cells[0]) for _, cells in sheet.rows[1:]] == SMALL_NAMES
    assert [line for line, _ in sheet.rows] == [1, 2, 3, 4]


def test_xlsx_rows_keep_the_line_numbers_people_see_in_excel():
    sheet = read("messy_export.xlsx")
    assert sheet.kind == "xlsx"
    lines = [line for line, _ in sheet.rows]
    assert lines[:3] == [1, 3, 4]  # title, (blank line 2 skipped), headings, first person
    assert lines[-1] == 13
    first = sheet.rows[2][1]
    assert first[2] == 912345601  # the number Excel stored, leading zero lost


@pytest.mark.parametrize("name, code", [
    ("empty.csv", "empty"),
    ("old_excel.xls", "old_excel"),
    ("not_a_sheet.pdf", "type"),
])
def test_files_that_are_not_a_list_are_refused(name, code):
    with pytest.raises(SheetError) as refused:
        read(name)
    assert refused.value.code == code


def test_a_file_over_five_megabytes_is_refused():
    with pytest.raises(SheetError) as refused:
        read_sheet("big.csv", b"a,b\n" * (MAX_BYTES // 4 + 1))
    assert refused.value.code == "too_big"


def test_a_damaged_xlsx_is_refused():
    with pytest.raises(SheetError) as refused:
        read_sheet("list.xlsx", b"PK\x03\x04 this is not really a zip file")
    assert refused.value.code == "broken"
    with pytest.raises(SheetError) as refused:
        read_sheet("list.xlsx", b"Ho va ten,So dien thoai\n")
    assert refused.value.code == "broken"


def test_an_xlsx_with_only_blank_cells_is_empty():
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    with pytest.raises(SheetError) as refused:
        read_sheet("blank.xlsx", buffer.getvalue())
    assert refused.value.code == "empty"


def test_too_many_rows_are_refused():
    text = "Họ và tên,Số điện thoại\n" + "An,0912345678\n" * 10_002
    with pytest.raises(SheetError) as refused:
        read_sheet("long.csv", text.encode())
    assert refused.value.code == "too_many_rows"


def test_bytes_that_are_not_text_are_refused():
    with pytest.raises(SheetError):
        read_sheet("list.csv", b"\xff\xfe\x00\xd8\x00")


@pytest.mark.parametrize("heading, key", [
    ("Họ và tên", "full_name"), ("HỌ VÀ TÊN (*)", "full_name"), ("ho ten", "full_name"),
    ("Số điện thoại", "phone"), ("SĐT", "phone"), ("Điện thoại di động", "phone"),
    ("Năm sinh", "birth_year"), ("Tổ dân phố / thôn", "group"), ("TDP", "group"),
    ("Hộ gia đình", "household"), ("Cần hỗ trợ tiếp cận", "accessibility"), ("STT", "ignored"),
    ("Ghi chú", "ignored"), ("Số CCCD", None), ("", None),
])
def test_headings_match_without_case_or_diacritics(heading, key):
    assert heading_key(heading) == key


def test_unknown_columns_are_ignored_and_named():
    # Ward lists carry their own columns: never a reason to refuse the file (issue 19).
    position, columns, ignored = read_columns(read("unknown_column.csv"))
    assert set(columns) >= {"full_name", "phone"} and "C “Số CCCD”" in ignored


def test_missing_required_column_is_refused():
    with pytest.raises(SheetError) as refused:
        map_columns(read("missing_phone_column.csv"))
    assert refused.value.code == "missing_columns"
    assert refused.value.params["fields"] == ["phone"]


def test_a_column_twice_is_refused():
    sheet = read_sheet("x.csv", "Họ và tên,SĐT,Số điện thoại\nAn,0912345678,0912345678\n".encode())
    with pytest.raises(SheetError) as refused:
        map_columns(sheet)
    assert refused.value.code == "duplicate_column"


def test_data_under_an_empty_heading_is_an_ignored_column():
    sheet = read_sheet("x.csv", "Họ và tên,Số điện thoại,\nAn,0912345678,bí mật\n".encode())
    assert read_columns(sheet)[1:] == ({"full_name": 0, "phone": 1}, ["C"])


def test_an_empty_trailing_column_is_ignored():
    sheet = read_sheet("x.csv", "Họ và tên,Số điện thoại,,\nAn,0912345678,,\n".encode())
    assert map_columns(sheet)[1] == {"full_name": 0, "phone": 1}


def test_headings_below_a_title_are_found():
    position, columns = map_columns(read("messy_export.xlsx"))
    assert position == 1
    assert set(columns) == {"full_name", "phone", "birth_year", "group", "household", "accessibility"}


def test_family_name_and_given_name_in_two_columns():
    sheet = read_sheet("x.csv", "Họ,Tên,Số điện thoại\nNguyễn Văn,An,0912345678\n".encode())
    assert map_columns(sheet)[1] == {"family_name": 0, "full_name": 1, "phone": 2}


def test_column_letters_are_as_in_excel():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701)] == ["A", "Z", "AA", "AB", "ZZ"]
