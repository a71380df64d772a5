"""A search of several words read from pairs of name words finds exactly the people, in exactly
the order, that the words alone find (and that checking every name by hand finds), in a ward where
many people share their names; the pairs follow each person through creation, a bulk import, a
rename and an erasure, and the migration fills them for people already there."""
from __future__ import annotations

import random
from datetime import datetime

import pytest
import sqlalchemy as sa

from lms.accounts import directory, pair_search
from lms.accounts.directory import PeopleFilter, find_people, matching_people, people_page
from lms.accounts.models import PersonNameWord, User
from lms.accounts.names import PAIR, UNPAIRED, fold, name_words, pair_words, word_rows
from lms.accounts.pair_search import pair_range_sets
from lms.accounts.people import create_learners, update_person
from lms.accounts.privacy import erase_person
from lms.extensions import db

FAMILY = ["Nguyễn", "Trần", "Trần", "Lê", "Phạm", "Trang", "Tranh"]
MIDDLE = ["Văn", "Thị", "Kim", "Thị Kim", "Hữu", "Ngọc", "Văn Hùng"]
GIVEN = ["An", "Anh", "Ánh", "Hùng", "Hưng", "Hương", "Hà", "Kim", "Lan", "Trâm"]
TRICKY = [
    "Kim", "Lê Lê Hùng", "Hùng Kim Trần", "Trần Thị Kim Hùng", "Kim Hùng",
    # Nine words: too many to pair; still found.
    "Trần Thị Kim Hùng An Bình Châu Dung Em",
    # A word too long for its pairs to be kept.
    "Trần Kimhunghunghunghunghunghunghunghung Hùng",
]
QUERIES = [
    "tran", "hung", "kim", "tr", "an", "xyz",  # one word
    "tran hung", "hung tran", "kim hung", "an anh", "hu hung", "th thi", "trang kim", "lan kim",  # two
    "tran kim hung", "hung kim tran", "tran thi hung", "tran kim h", "nguyen van an", "t k h", "tran kim xyz",
    "tran thi kim hung an", "Trần Kim Hùng",  # more, and with diacritics
    "0913", "0913000012", "012", "+84913000012",  # a phone: its start, in full, its end
]


def _people_rows(ward, groups, count: int) -> list[dict]:
    rng = random.Random(18)
    return [{"name": f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
             "phone": f"+84913{n:06d}", "birth_year": 1950, "group_id": groups[n % 2].id, "support": False}
            for n in range(count)]


@pytest.fixture()
def shared_names(make_ward, make_user):
    ward = make_ward("Phường Trùng Tên")
    learners = create_learners(ward.id, _people_rows(ward, ward.groups, 600), datetime(2026, 12, 1), False)
    tricky = [make_user(ward=ward, name=name, pin=None) for name in TRICKY]
    other_ward = make_ward("Phường Khác")
    make_user(ward=other_ward, name="Trần Kim Hùng", pin=None)
    coordinator = make_user(("coordinator",), ward=ward, name="Cán Bộ Phường")
    erase_person(learners[0], by=coordinator, reason="asked")
    db.session.commit()
    return ward, learners + tricky


def _by_hand(ward, query: str) -> list[int]:
    """Every person of the ward checked in Python: each typed word starts a word of the name."""
    terms = list(dict.fromkeys(name_words(query)))[:directory.MAX_TERMS]
    people = db.session.execute(sa.select(User.id, User.full_name, User.sort_key).where(
        User.ward_id == ward.id, User.erased_at.is_(None))).all()
    found = [(key, uid) for uid, name, key in people
             if all(any(w.startswith(t) for w in name_words(name)) for t in terms)]
    return [uid for _key, uid in sorted(found)]


def _searched(ward, query: str) -> tuple[list[int], int, list[int], list[str]]:
    ids, total, number = [], None, 1
    while True:
        page = people_page(PeopleFilter(ward.id, query=query, kind="all"), number)
        total = page.total if total is None else total
        ids += [row.id for row, _roles in page.items]
        if len(page.items) < 50:
            break
        number += 1
    return ids, total, matching_people(ward.id, query, limit=30), [p.full_name for p in find_people(ward.id, query)]


@pytest.mark.parametrize("few", [3000, 40])  # 40: searches matching many walk the ward in name order
def test_searching_by_pairs_finds_what_the_words_alone_find(shared_names, monkeypatch, few):
    ward, _people = shared_names
    monkeypatch.setattr(directory, "_FEW", few)
    for query in QUERIES:
        monkeypatch.setattr(directory, "SEARCH_BY_PAIRS", True)
        by_pairs = _searched(ward, query)
        monkeypatch.setattr(directory, "SEARCH_BY_PAIRS", False)
        assert by_pairs == _searched(ward, query), query
        if not query.lstrip("+").isdigit():
            assert by_pairs[0] == _by_hand(ward, query), query
            assert by_pairs[1] == len(by_pairs[0]), query
    assert _searched(ward, "0913000012")[0] == [_people[12].id]


def test_several_words_are_read_from_pairs_and_few_rows(shared_names, monkeypatch):
    ward, people = shared_names
    lows = [w.encode() for w in ("tran", "kim", "hung")]
    sets = pair_range_sets(ward.id, lows)
    assert len(sets) == 3  # hung·kim, hung·tran, kim·tran
    hung_kim = [r for r in sets if r[0][0].startswith(b"&hung kim")][0]
    read = db.session.scalar(sa.select(sa.func.count()).select_from(PersonNameWord).where(
        PersonNameWord.ward_id == ward.id, sa.or_(*[sa.and_(PersonNameWord.word >= lo, PersonNameWord.word < hi)
                                                   for lo, hi in hung_kim])))
    having_hung = sum(1 for p in people if p.erased_at is None and "hung" in name_words(p.full_name))
    assert 0 < read < having_hung
    # One typed word starting the other ("hu", "hung") may be one word of the name: no pair.
    assert pair_range_sets(ward.id, [b"hu", b"hung"]) == []
    # A typed word starting too many words of the ward is not read as the lower of a pair.
    assert len(pair_range_sets(ward.id, [b"h", b"tran"])[0]) == 1 + len({b"ha", b"hung", b"huong", b"huu"})
    monkeypatch.setattr(pair_search, "MAX_ENDINGS", 3)
    assert pair_range_sets(ward.id, [b"h", b"tran"]) == []


def _kept_words(user_id: int) -> set[bytes]:
    return set(db.session.scalars(sa.select(PersonNameWord.word).where(PersonNameWord.user_id == user_id)))


def test_pairs_follow_a_person_through_creation_rename_and_erasure(make_ward, make_user):
    ward = make_ward()
    coordinator = make_user(("coordinator",), ward=ward, name="Cán Bộ Phường")
    person = make_user(ward=ward, name="Trần Kim Hùng", phone="0912 000 111", pin=None)
    assert {w for w in _kept_words(person.id) if w.startswith(PAIR)} == {b"&hung kim", b"&hung tran", b"&kim tran"}
    update_person(person, full_name="Lê Thị Hoa", phone=person.phone, birth_year=person.birth_year, email=None,
                  group_id=None, roles=("learner",))
    db.session.commit()
    assert {w for w in _kept_words(person.id) if w.startswith(PAIR)} == {b"&hoa le", b"&hoa thi", b"&le thi"}
    assert matching_people(ward.id, "tran kim") == [] and matching_people(ward.id, "thi hoa") == [person.id]
    erase_person(db.session.get(User, person.id), by=coordinator, reason="asked")
    db.session.commit()
    assert _kept_words(person.id) == set()
    assert matching_people(ward.id, "thi hoa") == []


def test_pairs_of_a_name_are_its_distinct_words_two_by_two():
    assert pair_words([b"tran", b"kim", b"hung"]) == [b"&hung kim", b"&hung tran", b"&kim tran"]
    assert pair_words([b"kim"]) == []
    assert pair_words([w.encode() for w in "a b c d e f g h i".split()]) == [UNPAIRED]
    assert pair_words([b"tran", b"x" * 39]) == [UNPAIRED]
    # Two words alike in their first 40 bytes are one word kept, not two rows with one key.
    long = "Lê " + "a" * 45 + "b " + "a" * 45 + "c"
    rows = [word for _u, _w, word in word_rows(1, 1, long, None)]
    assert len(rows) == len(set(rows)) and fold(long).startswith("le")


def test_the_migration_fills_the_pairs_of_people_already_there(app, make_ward, make_user):
    from alembic.script import ScriptDirectory
    from flask_migrate import downgrade, upgrade

    from tests.conftest import ROOT

    before = ScriptDirectory(str(ROOT / "migrations")).get_revision("0a3c5b2ebd6d").down_revision

    ward = make_ward()
    ward_id = ward.id
    ids = [make_user(ward=ward, name=name, pin=None).id for name in ("Trần Kim Hùng", "Lê Thị Hoa", "Kim")]
    expected = {i: _kept_words(i) for i in ids}
    assert any(w.startswith(PAIR) for w in expected[ids[0]])
    db.session.remove()
    downgrade(directory=str(ROOT / "migrations"), revision=before)
    assert all(not any(w.startswith(PAIR) for w in _kept_words(i)) for i in ids)
    assert matching_people(ward_id, "hung tran") == []
    db.session.remove()
    upgrade(directory=str(ROOT / "migrations"))
    assert {i: _kept_words(i) for i in ids} == expected
    assert matching_people(ward_id, "hung tran") == [ids[0]]
