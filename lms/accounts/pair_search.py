"""A search of several words started from pairs of words (lms.accounts.names.pair_words), not from
everyone having the rarest word: in a ward of 100,000, "hung" is 2,135 people, "hung" with "kim"
about a hundred.

Each typed word matches the words of a name that start with it, so a pair of typed words is read
on the pairs of the name's words as one index range per word of the ward starting with the lower
typed word: a person having words starting with "kim" and with "hung" keeps the pair "&hung kim"
(lower word first), found in ["&hung kim", "&hung kim" + 0xFF) for each word of the ward starting
with "hung" ("hung", "hungg"…). Those words are found by one index seek each (a loose index scan).
Two typed words where one starts the other ("hu", "hung") may both be matched by one word of the
name, which has no pair: such two are not read as a pair. People kept as UNPAIRED are read with
every pair; the caller checks every typed word of everyone read.
"""
from __future__ import annotations

from functools import lru_cache
from itertools import combinations

import sqlalchemy as sa

from lms.accounts.models import PersonNameWord
from lms.accounts.names import _AFTER, PAIR, UNPAIRED
from lms.extensions import db

# A typed word starting more words of the ward than this ("h") is read a word at a time instead.
MAX_ENDINGS = 32
# Pairs are made of the first three typed words (three pairs); any other typed word is checked.
PAIRED_TERMS = 3


@lru_cache(maxsize=16)
def _endings_statement(lows: int, in_ward: bool):
    """The query of _words_starting for this many lows, built once (building it costs more than
    running it): parameters ward, low0, high0, low1…"""
    table = PersonNameWord.__table__
    ward = [table.c.ward_id == sa.bindparam("ward")] if in_ward else []

    def next_word(after, high):
        return (sa.select(table.c.word).where(*ward, after, table.c.word < high)
                .order_by(table.c.word).limit(1).scalar_subquery())

    scans = []
    for k in range(lows):
        low, high = sa.bindparam(f"low{k}", type_=sa.LargeBinary), sa.bindparam(f"high{k}", type_=sa.LargeBinary)
        found = sa.select(next_word(table.c.word >= low, high).label("word"),
                          sa.literal_column("1").label("n")).cte(f"endings{k}", recursive=True)
        found = found.union_all(sa.select(next_word(table.c.word > found.c.word, high), found.c.n + 1)
                                .where(found.c.word.is_not(None), found.c.n <= sa.bindparam("most")))
        scans.append(sa.select(sa.literal_column(str(k)).label("k"), found.c.word).where(found.c.word.is_not(None)))
    return sa.union_all(*scans) if lows > 1 else scans[0]


def _words_starting(ward_id: int | None, lows: list[bytes]) -> dict[bytes, list[bytes] | None]:
    """For each low, the distinct words of the ward starting with it (None for more than
    MAX_ENDINGS), one index seek each, all in one query."""
    params = {"ward": ward_id, "most": MAX_ENDINGS}
    for k, low in enumerate(lows):
        params[f"low{k}"], params[f"high{k}"] = low, low + _AFTER
    words: dict[bytes, list[bytes] | None] = {low: [] for low in lows}
    for k, word in db.session.execute(_endings_statement(len(lows), ward_id is not None), params):
        words[lows[k]].append(word)
    return {low: None if len(kept) > MAX_ENDINGS else kept for low, kept in words.items()}


@lru_cache(maxsize=64)
def _count_statement(shape: tuple[int, ...], in_ward: bool, cap: int):
    """One query counting lists of person_name_word ranges, each no further than `cap`, for lists
    of these many ranges, built once: parameters ward, low0_0, high0_0…"""
    table = PersonNameWord.__table__
    ward = [table.c.ward_id == sa.bindparam("ward")] if in_ward else []
    counts = []
    for i, many in enumerate(shape):
        ranges = sa.or_(*[sa.and_(table.c.word >= sa.bindparam(f"low{i}_{j}", type_=sa.LargeBinary),
                                  table.c.word < sa.bindparam(f"high{i}_{j}", type_=sa.LargeBinary))
                          for j in range(many)])
        rows = sa.select(table.c.user_id).where(ranges, *ward).limit(cap).subquery()
        counts.append(sa.select(sa.func.count()).select_from(rows).scalar_subquery())
    return sa.select(*counts)


def count_lists(ward_id: int | None, lists, cap: int) -> list[int]:
    """How many rows of the ward each list of [low, high) ranges holds, no further than `cap`."""
    params: dict = {"ward": ward_id}
    for i, ranges in enumerate(lists):
        for j, (low, high) in enumerate(ranges):
            params[f"low{i}_{j}"], params[f"high{i}_{j}"] = low, high
    statement = _count_statement(tuple(len(r) for r in lists), ward_id is not None, cap)
    return [count or 0 for count in db.session.execute(statement, params).one()]


def pair_range_sets(ward_id: int | None, lows: list[bytes]) -> list[list[tuple[bytes, bytes]]]:
    """For each pair of the typed words (given as their lowest matching word) that can be read on
    pairs, the [low, high) ranges of person_name_word holding everyone who has both (and the
    UNPAIRED people); [] when no two typed words can."""
    pairs = []
    for first, second in combinations(lows[:PAIRED_TERMS], 2):
        lower, higher = sorted((first, second))
        if not higher.startswith(lower):
            pairs.append((lower, higher))
    if not pairs:
        return []
    endings = _words_starting(ward_id, list(dict.fromkeys(lower for lower, _higher in pairs)))
    return [[(PAIR + word + b" " + higher, PAIR + word + b" " + higher + _AFTER) for word in endings[lower]]
            + [(UNPAIRED, UNPAIRED + _AFTER)] for lower, higher in pairs if endings[lower] is not None]
