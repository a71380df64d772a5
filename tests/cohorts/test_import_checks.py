"""Every row of an upload is checked and explained before anything is written."""
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.cohorts.importing import check_rows, summarise
from lms.cohorts.services import enrol
from lms.cohorts.sheets import read_sheet
from lms.extensions import db

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture()
def messy(world, make_user):
    lan = make_user(ward=world.ward, name="Nguyễn Thị Lan", phone="0912345699")
    enrol(world.cohort, lan, consent=True)
    db.session.commit()
    sheet = read_sheet("messy_export.xlsx", (FIXTURES / "messy_export.xlsx").read_bytes())
    return {row["line"]: row for row in check_rows(sheet, world.cohort)}


def errors(row):
    return [code for code, _ in row["errors"]]


def test_good_rows_are_cleaned_up(messy, world):
    an, binh, cuong, khoa = messy[4], messy[5], messy[6], messy[13]
    assert (an["name"], an["phone"], an["birth_year"], an["status"]) == ("Nguyễn Văn An", "+84912345601", 1950, "new")
    assert an["group_id"] == world.ward.groups[0].id  # "TDP 1" → "Tổ dân phố số 1"
    assert an["household"] == "Hộ ông Nguyễn Văn An"
    assert (binh["name"], binh["phone"], binh["birth_year"], binh["support"]) == (
        "Trần Thị Bình", "+84912345602", 1948, True)
    assert (cuong["birth_year"], cuong["group_id"]) == (1955, world.ward.groups[1].id)  # only the year of a date
    assert (khoa["phone"], khoa["status"]) == ("+84912345611", "new")


def test_each_bad_row_says_why(messy):
    assert errors(messy[7]) == ["phone_invalid"]
    # Another name on line 4's number: maybe a housemate, the coordinator chooses (issue 19).
    assert (messy[8]["status"], messy[8]["ask"], messy[8]["share_line"], messy[8]["errors"]) == ("ask", "share", 4, [])
    assert messy[9]["status"] == "enrolled"
    assert errors(messy[10]) == ["birth_year_invalid"]
    assert errors(messy[11]) == ["name_missing"]
    assert errors(messy[12]) == ["group_unknown"]


def test_nothing_is_written_by_checking(messy):
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.phone == "+84912345601")) == 0


def test_summary_counts(messy):
    counts = summarise(list(messy.values()))
    assert counts == {"new": 4, "existing": 0, "enrolled": 1, "error": 4, "ask": 1, "support": 1, "total": 10}


def test_someone_already_in_the_ward_is_enrolled_not_created(world, make_user):
    make_user(ward=world.ward, name="Ngô Thị Hòa", phone="0912345621")
    sheet = read_sheet("a.csv", (FIXTURES / "utf8_comma.csv").read_bytes())
    rows = check_rows(sheet, world.cohort)
    assert rows[0]["status"] == "existing"
    assert rows[0]["known_name"] is None  # "Hoà" and "Hòa" are the same name, written two ways


def test_a_number_of_another_ward_is_refused_without_saying_why(world, make_user):
    make_user(ward=world.other_ward, name="Người phường khác", phone="0912345621")
    rows = check_rows(read_sheet("a.csv", (FIXTURES / "utf8_comma.csv").read_bytes()), world.cohort)
    # The same code as for a staff account or one switched off: nothing says "another ward".
    assert errors(rows[0]) == ["phone_unavailable"]
    assert rows[0]["user_id"] is None and rows[0]["known_name"] is None


def test_empty_group_takes_the_cohorts_group(world):
    rows = check_rows(read_sheet("a.csv", (FIXTURES / "utf8_comma.csv").read_bytes()), world.cohort)
    assert rows[2]["group_id"] == world.cohort.group_id


@pytest.mark.parametrize("value, ok", [("", True), ("có", True), ("X", True), ("không", True), ("hay hay", False)])
def test_accessibility_column_accepts_plain_answers(world, value, ok):
    text = f"Họ và tên,Số điện thoại,Cần hỗ trợ tiếp cận\nAn,0912345678,{value}\n"
    rows = check_rows(read_sheet("a.csv", text.encode()), world.cohort)
    assert (rows[0]["status"] != "error") is ok


@pytest.mark.parametrize("value, year", [("1958", 1958), ("1958.0", 1958), ("02/03/1958", 1958),
                                          ("1958-03-02", 1958), ("", None)])
def test_birth_year_written_in_many_ways(world, value, year):
    text = f"Họ và tên;Số điện thoại;Năm sinh\nAn;0912345678;{value}\n"
    rows = check_rows(read_sheet("a.csv", text.encode()), world.cohort)
    assert rows[0]["birth_year"] == year and rows[0]["status"] == "new"


@pytest.mark.parametrize("value", ["1850", "2090", "năm ngoái", "19"])
def test_impossible_birth_years(world, value):
    text = f"Họ và tên;Số điện thoại;Năm sinh\nAn;0912345678;{value}\n"
    rows = check_rows(read_sheet("a.csv", text.encode()), world.cohort)
    assert errors(rows[0]) == ["birth_year_invalid"]


def test_a_sheet_with_only_headings_is_refused(world):
    from lms.cohorts.sheets import SheetError

    with pytest.raises(SheetError) as refused:
        check_rows(read_sheet("a.csv", "Họ và tên,Số điện thoại\n".encode()), world.cohort)
    assert refused.value.code == "no_rows"


def test_split_name_columns_are_joined(world):
    rows = check_rows(read_sheet("a.csv", "Họ,Tên,SĐT\nNguyễn Văn,An,0912345678\n".encode()), world.cohort)
    assert rows[0]["name"] == "Nguyễn Văn An"
