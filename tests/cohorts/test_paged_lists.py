"""Cohorts list and rosters a page at a time; the whole roster printable and exported as it is
written; searches on the words index; never another ward's cohorts or people."""
from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
from openpyxl import load_workbook

from lms.cohorts.models import Cohort
from lms.cohorts.schedule import add_session
from lms.cohorts.services import create_cohort, enrol
from lms.extensions import db


def _cohort_names(page: str) -> list[str]:
    return re.findall(r'<a href="/cohorts/\d+">([^<]+)</a>', page)


def _member_names(page: str) -> list[str]:
    return re.findall(r'<a href="/cohorts/\d+/members/\d+">([^<]+)</a>', page)


@pytest.fixture()
def many_cohorts(world):
    made = []
    for i in range(60):
        made.append(create_cohort(ward_id=world.ward.id, name=f"Lớp tiểu thương số {i}" if i % 2 else f"Lớp cao tuổi số {i}",
                                  audience="traders" if i % 2 else "elderly",
                                  group_id=world.ward.groups[1].id if i % 3 == 0 else None))
    db.session.commit()
    return made


def test_cohorts_are_paged_with_a_count(client, auth, world, many_cohorts):
    auth.login(world.coordinator)
    first = client.get("/cohorts/").get_data(as_text=True)
    assert "61 lớp" in first and "Trang 1 / 2" in first and len(_cohort_names(first)) == 50
    second = client.get("/cohorts/?page=2").get_data(as_text=True)
    assert len(_cohort_names(second)) == 11
    assert "Lớp phường Tây" not in first + second
    assert client.get("/cohorts/?page=3").status_code == 404
    assert client.get("/cohorts/?page=0").status_code == 404


def test_cohorts_filtered_and_searched_without_diacritics(client, auth, world, many_cohorts):
    auth.login(world.coordinator)
    traders = _cohort_names(client.get("/cohorts/", query_string={"audience": "traders"}).get_data(as_text=True))
    assert len(traders) == 30 and all("tiểu thương" in n for n in traders)
    found = _cohort_names(client.get("/cohorts/", query_string={"q": "cao tuoi so 12"}).get_data(as_text=True))
    assert found == ["Lớp cao tuổi số 12"]
    group = client.get("/cohorts/", query_string={"group": world.ward.groups[1].id}).get_data(as_text=True)
    assert "20 lớp" in group
    add_session(many_cohorts[0], day=datetime.date(2099, 1, 1), starts_at=datetime.time(8), place="Nhà văn hoá")
    add_session(many_cohorts[1], day=datetime.date(2020, 1, 1), starts_at=datetime.time(8), place="Nhà văn hoá")
    db.session.commit()
    assert _cohort_names(client.get("/cohorts/?status=upcoming").get_data(as_text=True)) == [many_cohorts[0].name]
    assert _cohort_names(client.get("/cohorts/?status=finished").get_data(as_text=True)) == [many_cohorts[1].name]
    assert "59 lớp" in client.get("/cohorts/?status=unscheduled").get_data(as_text=True)
    for bad in ({"status": "x"}, {"audience": "x"}, {"group": world.other_ward.groups[0].id}):
        response = client.get("/cohorts/", query_string=bad)
        assert response.status_code == 400 and "Hãy chọn lại" in response.get_data(as_text=True)


def test_another_wards_coordinator_sees_none_of_these_cohorts(client, auth, world, many_cohorts):
    auth.login(world.other_coordinator)
    seen = []
    for args in [{}, {"q": "lop"}, {"audience": "traders"}, {"status": "unscheduled"}]:
        seen += _cohort_names(client.get("/cohorts/", query_string=args).get_data(as_text=True))
    assert seen and set(seen) == {"Lớp phường Tây"}


@pytest.fixture()
def big_class(world, make_user):
    people = [make_user(ward=world.ward, name=f"Hoàng Thị Học{i:03d}", group=world.ward.groups[i % 2], pin=None)
              for i in range(70)]
    for person in people:
        enrol(world.cohort, person, consent=True)
    db.session.commit()
    return people


def test_the_roster_is_paged_and_numbered_across_pages(client, auth, world, big_class):
    auth.login(world.coordinator)
    url = f"/cohorts/{world.cohort.id}/roster"
    first = client.get(url).get_data(as_text=True)
    assert "71 học viên" in first and "Trang 1 / 2" in first and len(_member_names(first)) == 50
    second = client.get(url, query_string={"page": 2}).get_data(as_text=True)
    names = _member_names(first) + _member_names(second)
    assert len(set(names)) == 71 and names[-1] == "Nguyễn Thị Lan"  # Lan after Học…
    assert "<td>51</td>" in second
    assert client.get(url, query_string={"page": 3}).status_code == 404
    searched = client.get(url, query_string={"q": "hoc007"}).get_data(as_text=True)
    assert _member_names(searched) == ["Hoàng Thị Học007"]
    in_group = client.get(url, query_string={"group": world.ward.groups[1].id}).get_data(as_text=True)
    assert "35 học viên" in in_group


def test_the_whole_roster_prints_on_one_page_and_exports_every_member(client, auth, world, big_class):
    auth.login(world.coordinator)
    printed = client.get(f"/cohorts/{world.cohort.id}/roster/print")
    assert printed.status_code == 200 and printed.is_streamed
    page = printed.get_data(as_text=True)
    assert page.count("Hoàng Thị Học") == 70 and "71 học viên" in page and "Nguyễn Thị Lan" in page
    response = client.get(f"/cohorts/{world.cohort.id}/roster.csv")
    assert response.is_streamed and response.headers["Cache-Control"] == "private, no-store"
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert len(rows) == 72 and rows[-1][1] == "Nguyễn Thị Lan" and rows[1][0] == "1"
    sheet = load_workbook(io.BytesIO(client.get(f"/cohorts/{world.cohort.id}/roster.xlsx").data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 72 and values[-1][0] == 71 and sheet.freeze_panes == "A2"


def test_another_ward_cannot_open_the_roster_pages_or_exports(client, auth, world, big_class):
    auth.login(world.other_coordinator)
    for suffix in ("roster", "roster?page=2", "roster/print", "roster.csv", "roster.xlsx"):
        assert client.get(f"/cohorts/{world.cohort.id}/{suffix}").status_code == 404, suffix


def test_enrol_search_never_finds_another_wards_people(client, auth, world, make_user):
    make_user(ward=world.other_ward, name="Nguyễn Thị Lan Tây", phone="0987 111 222")
    auth.login(world.other_coordinator)
    for query in ["lan", "nguyen thi lan", "0987 111 222", "111 222"]:
        page = client.get(f"/cohorts/{world.other_cohort.id}/enrol", query_string={"q": query}).get_data(as_text=True)
        assert "Nguyễn Thị Lan Tây" in page and "Nguyễn Thị Lan</strong>" not in page, query


def test_people_created_by_an_import_are_found_by_search(client, auth, world):
    from tests.cohorts.test_import_flow import staged_key, upload

    auth.login(world.coordinator)
    key = staged_key(upload(client, world.cohort, "messy_export.xlsx"))
    assert client.post(f"/cohorts/{world.cohort.id}/import/{key}", data={"consent": "y"}).status_code == 302
    people = client.get("/people/", query_string={"q": "tran thi binh"}).get_data(as_text=True)
    assert "Trần Thị Bình" in people
    assert "Trần Thị Bình" in client.get("/people/", query_string={"q": "345602"}).get_data(as_text=True)
    enrol_page = client.get(f"/cohorts/{world.cohort.id}/enrol", query_string={"q": "binh"}).get_data(as_text=True)
    assert "Trần Thị Bình" in enrol_page


def _as_served(app, client, url):
    """GET `url` the way a server runs it: in a thread of its own, so the request pushes (and pops)
    its own application context before a streamed body is read, as in production."""
    import threading

    out = {}

    from flask.testing import FlaskClient

    def run():
        response = FlaskClient.open(client, url)  # without any application context of the test's
        out["status"], out["body"] = response.status_code, response.get_data()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    return out["status"], out["body"]


def test_streamed_pages_and_exports_work_after_the_view_has_returned(app, client, auth, world, big_class):
    auth.login(world.coordinator)
    base = f"/cohorts/{world.cohort.id}"
    status, body = _as_served(app, client, base + "/roster/print")
    assert status == 200 and body.decode().count("Hoàng Thị Học") == 70
    status, body = _as_served(app, client, base + "/roster.csv")
    assert status == 200 and len(body.decode("utf-8-sig").splitlines()) == 72
    status, body = _as_served(app, client, base + "/roster.xlsx")
    assert status == 200 and len(list(load_workbook(io.BytesIO(body)).active.iter_rows())) == 72


def test_the_quick_phone_form_is_display_phones():
    from lms.accounts.phone import display_phone
    from lms.cohorts.roster import phone_text

    for phone in ["+84912345678", "+84321234567", "+84561234567", "+84701234567", "+84812345678", "+84991234567",
                  "+842412345678", None, ""]:
        assert phone_text(phone) == display_phone(phone), phone
