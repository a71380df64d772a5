"""Lists read in order from indexes give the people they gave when every row was sorted: each
page of /people/ (pages nearer the end are read backwards from it), its counts (learners are
everyone less the staff), one group, and a roster ordered by the key each enrolment keeps, which
follows its person through a rename, an erasure and every way of joining a class."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from lms.accounts.directory import PeopleFilter, listed_count, matching_people, people_page
from lms.accounts.models import User, UserRole
from lms.accounts.people import update_person
from lms.accounts.privacy import ERASED_NAME, erase_person
from lms.cohorts.member_order import member_key
from lms.cohorts.models import Enrollment
from lms.cohorts.services import create_and_enrol, enrol
from lms.extensions import db

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Đặng", "Ngô"]
GIVEN = ["An", "Ánh", "Bình", "Hà", "Hạ", "Hùng", "Hưng", "Lan", "Ơn", "Ưng", "Yến"]


def _name(i: int) -> str:
    # Repeats on purpose: people of one name are ordered by id.
    return f"{FAMILY[i % len(FAMILY)]} Thị {GIVEN[(i * 7) % len(GIVEN)]}"


@pytest.fixture()
def crowd(world, make_user):
    people = [make_user(ward=world.ward, name=_name(i), group=world.ward.groups[i % 2], pin=None)
              for i in range(137)]
    make_user(("instructor",), ward=world.ward, name="Võ Văn Dạy", group=world.ward.groups[1])
    db.session.commit()
    return people


def _sorted_ids(*where) -> list[int]:
    """The list as it was read before: every row sorted by the database."""
    return list(db.session.scalars(sa.select(User.id).where(*where).order_by(User.sort_key, User.id)))


def _staff():
    return sa.exists().where(UserRole.user_id == User.id, UserRole.role.in_(("instructor", "coordinator", "admin")))


@pytest.mark.parametrize("kind, group", [("learners", None), ("all", None), ("staff", None), ("learners", 1)])
def test_every_page_read_from_either_end_is_the_sorted_list_cut_in_pages(world, crowd, kind, group):
    group_id = world.ward.groups[group].id if group is not None else None
    where = [User.ward_id == world.ward.id]
    if group_id:
        where.append(User.group_id == group_id)
    if kind != "all":
        where.append(_staff() if kind == "staff" else ~_staff())
    expected = _sorted_ids(*where)
    filters = PeopleFilter(world.ward.id, group_id=group_id, kind=kind)
    assert listed_count(filters) == len(expected)
    pages = -(-len(expected) // 50)
    for number in range(1, pages + 1):
        page = people_page(filters, number)
        assert page.total == len(expected)
        assert [row.id for row, _roles in page.items] == expected[(number - 1) * 50:number * 50], number
    assert people_page(filters, pages + 1).items == []


def test_the_page_before_the_last_shows_the_same_people_on_the_page(client, auth, world, crowd):
    expected = _sorted_ids(User.ward_id == world.ward.id, ~_staff())
    names = dict(db.session.execute(sa.select(User.id, User.full_name)).all())
    auth.login(world.coordinator)
    page = client.get("/people/", query_string={"page": 2}).get_data(as_text=True)
    assert f"{len(expected)} người" in page
    shown = re.findall(r'<a href="/people/\d+">([^<]+)</a>', page)
    assert shown == [names[i] for i in expected[50:100]]
    last = client.get("/people/", query_string={"page": 3}).get_data(as_text=True)
    assert re.findall(r'<a href="/people/\d+">([^<]+)</a>', last) == [names[i] for i in expected[100:]]
    assert client.get("/people/", query_string={"page": 4}).status_code == 404


def test_a_search_matching_few_gives_them_in_name_order_with_the_filters(world, crowd):
    hung = sa.or_(User.full_name.like("%Hùng"), User.full_name.like("%Hưng"))  # typed without diacritics
    expected = _sorted_ids(User.ward_id == world.ward.id, hung, ~_staff())
    page = people_page(PeopleFilter(world.ward.id, query="thi hung"), 1)
    assert page.total == len(expected) and [row.id for row, _ in page.items] == expected
    in_group = people_page(PeopleFilter(world.ward.id, group_id=world.ward.groups[0].id, query="thi hung"), 1)
    assert {row.id for row, _ in in_group.items} == {i for i in expected
                                                     if db.session.get(User, i).group_id == world.ward.groups[0].id}
    assert matching_people(world.ward.id, "thi hung", limit=3) == expected[:3]


def _keys_in_step() -> None:
    db.session.expire_all()
    rows = db.session.execute(sa.select(Enrollment.member_key, User.sort_key, User.erased_at)
                              .join(User, User.id == Enrollment.user_id)).all()
    assert rows and all(key == member_key(sort, erased is not None) for key, sort, erased in rows)


def _roster_names(client, cohort) -> list[str]:
    page = client.get(f"/cohorts/{cohort.id}/roster").get_data(as_text=True)
    # A member's link, or an erased member's name, muted.
    return re.findall(r'<td>(?:<a href="/cohorts/\d+/members/\d+">|<span class="muted">)([^<]+)</', page)


def test_the_roster_order_follows_a_rename_and_an_erasure(client, auth, world, make_user):
    people = [make_user(ward=world.ward, name=name, pin=None) for name in ("Lê Thị Ánh", "Trần Văn Bình", "Đỗ Thị Yến")]
    for person in people:
        enrol(world.cohort, person, by=world.coordinator, consent=True)
    created = create_and_enrol(world.cohort, full_name="Ngô Văn Cường", phone=None, birth_year=1950, consent=True,
                               by=world.coordinator)
    db.session.commit()
    _keys_in_step()
    auth.login(world.coordinator)
    assert _roster_names(client, world.cohort) == ["Lê Thị Ánh", "Trần Văn Bình", "Ngô Văn Cường", "Nguyễn Thị Lan",
                                                   "Đỗ Thị Yến"]
    ben = people[1]
    update_person(ben, full_name="Trần Văn Xuân", phone=ben.phone, birth_year=ben.birth_year, email=None,
                  group_id=None, roles=("learner",))
    erase_person(people[0], by=world.coordinator, reason="asked")
    db.session.commit()
    _keys_in_step()
    names = _roster_names(client, world.cohort)
    assert names[:4] == ["Ngô Văn Cường", "Nguyễn Thị Lan", "Trần Văn Xuân", "Đỗ Thị Yến"]
    assert len(names) == 5 and names[4] == ERASED_NAME  # the erased member, last
    assert created.id in {e.user_id for e in db.session.scalars(sa.select(Enrollment))}


def test_members_joining_by_code_and_by_ward_list_are_in_roster_order(client, auth, world, make_user):
    from tests.cohorts.test_import_flow import staged_key, upload

    joiner = make_user(ward=world.ward, name="Bùi Thị Giang")
    auth.login(joiner)
    client.post("/join", data={"code": world.cohort.join_code, "consent": "y"})
    auth.logout()
    auth.login(world.coordinator)
    key = staged_key(upload(client, world.cohort, "messy_export.xlsx"))
    assert client.post(f"/cohorts/{world.cohort.id}/import/{key}", data={"consent": "y"}).status_code == 302
    _keys_in_step()
    members = db.session.scalars(sa.select(User).join(Enrollment, Enrollment.user_id == User.id)
                                 .where(Enrollment.cohort_id == world.cohort.id)).all()
    assert "Bùi Thị Giang" in {m.full_name for m in members} and len(members) > 3
    expected = [m.full_name for m in sorted(members, key=lambda m: (m.erased_at is not None, m.sort_key, m.id))]
    assert _roster_names(client, world.cohort) == expected[:50]


@pytest.mark.parametrize("cap", [1, 5000])
def test_a_ward_counted_as_everyone_less_the_other_wards_or_on_its_own_gives_the_same(world, crowd, make_user,
                                                                                       monkeypatch, cap):
    from lms.accounts import directory

    make_user(ward=world.other_ward, name="Lê Văn Tây", pin=None)
    monkeypatch.setattr(directory, "_OTHERS_CAP", cap)  # 1: the other wards are "many", counted directly
    for ward in (world.ward, world.other_ward):
        for kind in ("learners", "all", "staff"):
            where = [User.ward_id == ward.id] + ([] if kind == "all" else [_staff() if kind == "staff" else ~_staff()])
            assert listed_count(PeopleFilter(ward.id, kind=kind)) == len(_sorted_ids(*where)), (ward.name, kind)
