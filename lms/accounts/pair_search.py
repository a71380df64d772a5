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

from itertools import combinations

import sqlalchemy as sa

from lms.accounts.models import PersonNameWord
from lms.accounts.names import _AFTER, PAIR, UNPAIRED
from lms.extensions import db

# A typed word starting more words of the ward than this ("h") is read a word at a time instead.
MAX_ENDINGS = 32
# Pairs are made of the first three typed words (three pairs); any other typed word is checked.
PAIRED_TERMS = 3


def _words_starting(ward_id: int | None, low: bytes, high: bytes) -> list[bytes] | None:
    """The distinct words of the ward in [low, high), one index seek each; None for more than
    MAX_ENDINGS."""
    table = PersonNameWord.__table__
    in_ward = [table.c.ward_id == ward_id] if ward_id is not None else []

    def next_word(after):
        return (sa.select(table.c.word).where(*in_ward, after, table.c.word < high)
                .order_by(table.c.word).limit(1).scalar_subquery())

    found = sa.select(next_word(table.c.word >= low).label("word"), sa.literal_column("1").label("n")).cte(
        "endings", recursive=True)
    found = found.union_all(sa.select(next_word(table.c.word > found.c.word), found.c.n + 1)
                            .where(found.c.word.is_not(None), found.c.n <= MAX_ENDINGS))
    words = list(db.session.scalars(sa.select(found.c.word).where(found.c.word.is_not(None))))
    return None if len(words) > MAX_ENDINGS else words


def pair_range_sets(ward_id: int | None, lows: list[bytes]) -> list[list[tuple[bytes, bytes]]]:
    """For each pair of the typed words (given as their lowest matching word) that can be read on
    pairs, the [low, high) ranges of person_name_word holding everyone who has both (and the
    UNPAIRED people); [] when no two typed words can."""
    endings: dict[bytes, list[bytes] | None] = {}
    sets = []
    for first, second in combinations(lows[:PAIRED_TERMS], 2):
        lower, higher = sorted((first, second))
        if higher.startswith(lower):
            continue
        if lower not in endings:
            endings[lower] = _words_starting(ward_id, lower, lower + _AFTER)
        if endings[lower] is None:
            continue
        ranges = [(PAIR + word + b" " + higher, PAIR + word + b" " + higher + _AFTER) for word in endings[lower]]
        sets.append(ranges + [(UNPAIRED, UNPAIRED + _AFTER)])
    return sets
