"""The ward's people: paged, filtered and searched on the database's indexes, never another ward's."""
from __future__ import annotations

import re
import unicodedata

import pytest
import sqlalchemy as sa

from lms.accounts.models import PersonNameWord, User
from lms.accounts.names import name_words
from lms.accounts.privacy import erase_person
from lms.cohorts.services import create_cohort, enrol
from lms.extensions import db


@pytest.fixture()
def ward(make_ward):
    return make_ward("Phường Đông")


@pytest.fixture()
def coordinator(make_user, ward):
    return make_user(("coordinator",), ward=ward, name="Trần Thị Thu Hà")


@pytest.fixture()
def crowd(make_user, ward):
    """120 people of the ward, in two groups, named so Vietnamese order is easy to predict."""
    people = []
    for i in range(120):
        group = ward.groups[i % 2]
        people.append(make_user(ward=ward, group=group, name=f"Lê Văn Người{i:03d}", pin=None))
    return people


def _names(page: str) -> list[str]:
    return re.findall(r'<a href="/people/\d+">([^<]+)</a>', page)


def test_the_list_is_paged_with_a_count_and_page_links(client, auth, coordinator, crowd):
    auth.login(coordinator)
    first = client.get("/people/")
    page = first.get_data(as_text=True)
    assert first.status_code == 200
    # "Người học" lists the 120 learners, not the coordinator (issue 19).
    assert "120 người" in page and "Trang 1 / 3" in page
    assert len(_names(page)) == 50
    assert 'aria-label="Trang 2"' in page and 'aria-current="page"' in page and 'rel="next"' in page
    third = client.get("/people/?page=3").get_data(as_text=True)
    assert len(_names(third)) == 20 and "Trang 3 / 3" in third
    everyone = set(_names(page)) | set(_names(client.get("/people/?page=2").get_data(as_text=True))) | set(_names(third))
    assert len(everyone) == 120 and coordinator.full_name not in everyone


def test_people_are_in_vietnamese_name_order_across_pages(client, auth, coordinator, make_user, ward):
    for name in ["Phạm Thị Ánh", "Nguyễn Thị Lan", "Đỗ An", "Trần Văn Bình", "Lê Thị Ân"]:
        make_user(ward=ward, name=name)
    auth.login(coordinator)
    names = _names(client.get("/people/?who=all").get_data(as_text=True))
    assert names == ["Đỗ An", "Phạm Thị Ánh", "Lê Thị Ân", "Trần Văn Bình", "Trần Thị Thu Hà", "Nguyễn Thị Lan"]


@pytest.mark.parametrize("page", ["0", "-1", "abc", "4", "99999999999", "1.5"])
def test_a_page_that_does_not_exist_is_a_404(client, auth, coordinator, crowd, page):
    auth.login(coordinator)
    assert client.get("/people/", query_string={"page": page}).status_code == 404


@pytest.mark.parametrize("args, message", [
    ({"group": "999999"}, "Tổ dân phố / thôn này không thuộc phường"),
    ({"group": "x"}, "Tổ dân phố / thôn này không thuộc phường"),
    ({"audience": "aliens"}, "Không có đối tượng này"),
    ({"status": "deleted"}, "Không có trạng thái này"),
])
def test_a_filter_that_does_not_exist_says_so(client, auth, coordinator, crowd, args, message):
    auth.login(coordinator)
    response = client.get("/people/", query_string=args)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and not _names(page)


def test_filter_by_group_audience_and_status(client, auth, coordinator, crowd, ward):
    auth.login(coordinator)
    group = client.get("/people/", query_string={"group": ward.groups[1].id}).get_data(as_text=True)
    assert "60 người" in group
    cohort = create_cohort(ward_id=ward.id, name="Lớp tiểu thương", audience="traders")
    for person in crowd[:3]:
        enrol(cohort, person, consent=True)
    crowd[5].is_active_account = False
    db.session.commit()
    traders = client.get("/people/", query_string={"audience": "traders"}).get_data(as_text=True)
    assert sorted(_names(traders)) == sorted(p.full_name for p in crowd[:3])
    locked = client.get("/people/", query_string={"status": "inactive"}).get_data(as_text=True)
    assert _names(locked) == [crowd[5].full_name]
    active = client.get("/people/", query_string={"status": "active"}).get_data(as_text=True)
    assert "119 người" in active
    active_everyone = client.get("/people/", query_string={"status": "active", "who": "all"}).get_data(as_text=True)
    assert "120 người" in active_everyone


def test_the_learners_list_leaves_out_the_staff_who_have_their_own(client, auth, coordinator, crowd, make_user, ward):
    teacher = make_user(("instructor",), ward=ward, name="Phạm Văn Dạy")
    both = make_user(("learner", "instructor"), ward=ward, name="Hồ Thị Cả Hai")
    auth.login(coordinator)
    learners = client.get("/people/", query_string={"q": "pham van day"}).get_data(as_text=True)
    assert _names(learners) == []
    staff = client.get("/people/", query_string={"who": "staff"})
    assert staff.status_code == 200
    assert sorted(_names(staff.get_data(as_text=True))) == sorted([teacher.full_name, both.full_name,
                                                                   coordinator.full_name])
    assert "<h1>Cán bộ</h1>" in staff.get_data(as_text=True)
    wrong = client.get("/people/", query_string={"who": "everybody"})
    assert wrong.status_code == 400 and "Không có nhóm người này" in wrong.get_data(as_text=True)


def test_search_without_diacritics_finds_the_person(client, auth, coordinator, crowd, make_user, ward):
    make_user(ward=ward, name="Đỗ Thị Ánh", phone="0987 654 321", group=ward.groups[0])
    auth.login(coordinator)
    for query in ["do thi anh", "anh do", "ĐỖ", unicodedata.normalize("NFD", "Đỗ Thị Ánh"), "0987654321",
                  "654 321", "0987 65", "thi an"]:
        page = client.get("/people/", query_string={"q": query}).get_data(as_text=True)
        assert _names(page) == ["Đỗ Thị Ánh"], query
        assert "1 người" in page
    nobody = client.get("/people/", query_string={"q": "xuan"}).get_data(as_text=True)
    assert "Không tìm thấy ai" in nobody
    searched_group = client.get("/people/", query_string={"q": "anh", "group": ward.groups[1].id})
    assert _names(searched_group.get_data(as_text=True)) == []


def test_another_wards_coordinator_never_sees_this_wards_people(client, auth, crowd, make_ward, make_user, ward):
    other_ward = make_ward("Phường Tây")
    other = make_user(("coordinator",), ward=other_ward, name="Cán bộ Tây")
    make_user(ward=other_ward, name="Lê Văn Tây")
    auth.login(other)
    seen = []
    for args in [{}, {"q": "le"}, {"q": "nguoi001"}, {"q": "0912"}, {"status": "active"}, {"audience": "everyone"}]:
        response = client.get("/people/", query_string=args)
        seen += _names(response.get_data(as_text=True))
    assert seen and set(seen) <= {"Cán bộ Tây", "Lê Văn Tây"}
    assert client.get("/people/", query_string={"group": ward.groups[0].id}).status_code == 400
    assert client.get("/people/", query_string={"ward": ward.id, "q": "le"}).get_data(as_text=True).count("Người0") == 0


def test_learners_and_instructors_cannot_list_people(client, auth, make_user, ward):
    for role in ("learner", "instructor"):
        auth.login(make_user((role,), ward=ward))
        assert client.get("/people/").status_code == 403
        auth.logout()


def test_name_words_follow_edits_and_erasure(client, auth, coordinator, make_user, ward):
    person = make_user(ward=ward, name="Vũ Thị Hoa", phone="0912 111 222")
    auth.login(coordinator)
    response = client.post(f"/people/{person.id}/edit", data={
        "full_name": "Vũ Thị Hồng", "phone": "0912 111 222", "group_id": "0", "roles": ["learner"]})
    assert response.status_code == 302
    assert _names(client.get("/people/", query_string={"q": "hong"}).get_data(as_text=True)) == ["Vũ Thị Hồng"]
    assert _names(client.get("/people/", query_string={"q": "hoa"}).get_data(as_text=True)) == []
    db.session.expire_all()
    stored = db.session.get(User, person.id)
    assert stored.name_key == "vu thi hong"
    erase_person(stored, by=db.session.get(User, coordinator.id), reason="asked")
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PersonNameWord)
                             .where(PersonNameWord.user_id == person.id)) == 0
    assert _names(client.get("/people/", query_string={"q": "hong"}).get_data(as_text=True)) == []


def test_words_are_the_folded_name():
    assert name_words("Đặng  Thị-Ánh") == ["dang", "thi", "anh"]


def test_the_sort_key_orders_bytes_exactly_as_the_vietnamese_collation():
    import random

    from lms.accounts.names import sort_key
    from lms.accounts.collation import name_key

    rng = random.Random(7)
    pieces = ["Nguyễn", "Nguyên", "Ngụy", "An", "Ân", "Ấn", "Anh", "Ánh", "Á", "A", "Đỗ", "Do", "Dỗ", "Ưng", "Ư", "Uông",
              "Thị", "Thi", "Thí", "Văn", "Zoë", "漢", "O'Brien", "Lê-Na", "an", "AN"]
    names = {" ".join(rng.choice(pieces) for _ in range(rng.randint(1, 4))) for _ in range(3000)}
    assert sorted(names, key=sort_key) == sorted(names, key=name_key)


def test_a_search_matching_very_many_says_more_than_and_pages_up_to_the_cap(client, auth, coordinator, ward,
                                                                             monkeypatch):
    from lms.accounts import directory
    from lms.accounts.models import User

    monkeypatch.setattr(directory, "SEARCH_COUNT_CAP", 60)
    db.session.add_all(User(full_name=f"Nguyễn Văn Số{i:03d}", ward_id=ward.id, phone=f"+8493{i:07d}")
                       for i in range(80))
    db.session.commit()
    auth.login(coordinator)
    page = client.get("/people/", query_string={"q": "nguyen"}).get_data(as_text=True)
    assert "Hơn 60 người khớp" in page and "Trang 1 / 2" in page and len(_names(page)) == 50
    assert client.get("/people/", query_string={"q": "nguyen", "page": 3}).status_code == 404
    exact = client.get("/people/", query_string={"q": "nguyen so07"}).get_data(as_text=True)
    assert "10 người" in exact
