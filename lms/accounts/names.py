"""Keys kept beside each person's name, so that lists are sorted and searched by the database.

- `user_account.name_key`: the name folded (lower case, no diacritics, đ → d), as typed in searches.
- `user_account.sort_key`: bytes that sort, byte by byte, in Vietnamese name order (given name
  first, then family and middle names; letters before tones), the order of
  `lms.accounts.collation.name_key`. Bytes, not text, so that SQLite and PostgreSQL compare them
  the same way whatever the server's collation.
- `person_name_word`: one row per folded word of the name (and two for the phone number: its local
  form after "#", its digits reversed after "$"), with the person's ward, so "any word starts with"
  and "the phone ends with" are range scans on an index. And one row per two distinct words of
  the name, "&" then the lower and the higher word joined by a space ("&hung kim"), so a search
  for several words reads the people having two of them, not everyone having the rarer one
  (lms.accounts.pair_search); a name of more than MAX_PAIRED_WORDS words, or with a pair too long
  to keep, has the one row "&*" instead, and every search by pairs checks those people too.
  Erased people have none.

They are kept up to date by the ORM (an attribute event sets the keys whenever `full_name` is set;
after each flush the words of new or changed people are rewritten). Bulk inserts that bypass the
ORM (the spreadsheet import, the benchmark's generator) call `name_keys` and `index_people` or
`word_rows` themselves.
"""
from __future__ import annotations

import re
from itertools import combinations

import sqlalchemy as sa

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORD_BYTES = 40
# Every UTF-8 byte is below 0xFF, so [prefix, prefix + 0xFF) holds exactly the keys starting with it.
_AFTER = b"\xff"
# Pairs of words start with "&", never a letter, a digit or a phone's "#"/"$": no range of one
# typed word or phone number meets them.
PAIR = b"&"
UNPAIRED = b"&*"
MAX_PAIRED_WORDS = 8


def fold(text: str | None) -> str:
    from lms.accounts.text import fold as _fold

    return _fold(text)


def sort_key(full_name: str | None) -> bytes:
    """Bytes ordered as `collation.name_key(full_name)`: letters word by word, then tones, then the
    name itself. A letter is one byte (its rank + 1) or 0xFF and three bytes; 0 ends a word."""
    from lms.accounts.collation import word_key

    words = (full_name or "").split()
    ordered = words[-1:] + words[:-1]
    keys = [word_key(w) for w in ordered]
    out = bytearray()
    for letters, _tones in keys:
        for rank in letters:
            value = rank + 1
            out += bytes((value,)) if value < 0xFF else b"\xff" + value.to_bytes(3, "big")
        out.append(0)
    out.append(0)
    for _letters, tones in keys:
        out += bytes(t + 1 for t in tones)
        out.append(0)
    out.append(0)
    out += (full_name or "").encode("utf-8")
    return bytes(out)


def name_keys(full_name: str | None) -> tuple[str, bytes]:
    """(name_key, sort_key) of a name."""
    return fold(full_name)[:120], sort_key(full_name)


def name_words(full_name: str | None) -> list[str]:
    """The distinct folded words of a name, as the words table holds them."""
    return list(dict.fromkeys(w for w in _WORD.findall(fold(full_name)) if w))


def phone_words(phone: str | None) -> list[str]:
    """'#0912345678' and '$876543210' for +84912345678: a phone typed from its start or its end."""
    if not phone:
        return []
    digits = "".join(ch for ch in phone if ch.isdigit())
    local = "0" + digits[2:] if phone.startswith("+84") else digits
    return ["#" + local, "$" + local[::-1]]


def word_rows(user_id: int, ward_id: int | None, full_name: str | None, phone: str | None,
              erased: bool = False) -> list[tuple[int, int | None, bytes]]:
    """Rows of person_name_word for one person: (user_id, ward_id, word)."""
    if erased:
        return []
    words = list(dict.fromkeys(w.encode("utf-8")[:MAX_WORD_BYTES] for w in name_words(full_name)))
    phones = [w.encode("utf-8")[:MAX_WORD_BYTES] for w in phone_words(phone)]
    return [(user_id, ward_id, w) for w in dict.fromkeys(words + phones + pair_words(words))]


def pair_words(words: list[bytes]) -> list[bytes]:
    """Every two distinct words of a name (as word_rows keeps them), b"&" + lower + b" " + higher;
    [UNPAIRED] for a name of more than MAX_PAIRED_WORDS words or with a pair over MAX_WORD_BYTES."""
    if len(words) < 2:
        return []
    if len(words) > MAX_PAIRED_WORDS:
        return [UNPAIRED]
    pairs = [PAIR + low + b" " + high for low, high in combinations(sorted(words), 2)]
    return [UNPAIRED] if any(len(p) > MAX_WORD_BYTES for p in pairs) else pairs


def pair_rows(user_id: int, ward_id: int | None, full_name: str | None,
              erased: bool = False) -> list[tuple[int, int | None, bytes]]:
    """The rows of word_rows that are pairs (for filling them in beside words already kept)."""
    return [row for row in word_rows(user_id, ward_id, full_name, None, erased) if row[2].startswith(PAIR)]


def prefix_range(word: str) -> tuple[bytes, bytes]:
    """[low, high) of the words starting with `word`."""
    low = word.encode("utf-8")[:MAX_WORD_BYTES]
    return low, low + _AFTER


def index_people(connection, people) -> None:
    """Rewrite the words of people given as (id, ward_id, full_name, phone, erased) tuples."""
    from lms.accounts.models import PersonNameWord

    table = PersonNameWord.__table__
    people = list(people)
    if not people:
        return
    ids = [p[0] for p in people]
    for start in range(0, len(ids), 500):
        connection.execute(table.delete().where(table.c.user_id.in_(ids[start:start + 500])))
    rows = [{"user_id": u, "ward_id": w, "word": word}
            for person in people for u, w, word in word_rows(*person)]
    if rows:
        connection.execute(table.insert(), rows)


def _changed(state, names=("full_name", "ward_id", "phone", "erased_at")) -> bool:
    return any(state.attrs[name].history.has_changes() for name in names)


def _after_flush(session, _context) -> None:
    from lms.accounts.models import User

    touched = [obj for obj in list(session.new) + list(session.dirty)
               if isinstance(obj, User) and (obj in session.new or _changed(sa.inspect(obj)))]
    if touched:
        index_people(session.connection(), [(u.id, u.ward_id, u.full_name, u.phone, u.erased_at is not None)
                                            for u in touched])


def _set_user_keys(target, value, _old, _initiator):
    target.name_key, target.sort_key = name_keys(value)
    return value


def _set_cohort_key(target, value, _old, _initiator):
    target.name_key = fold(value)[:160]
    return value


def register() -> None:
    """Keep the keys and words up to date through the ORM (called once, by the models module)."""
    from sqlalchemy.orm import Session

    from lms.accounts.models import User

    sa.event.listen(User.full_name, "set", _set_user_keys, retval=True)
    sa.event.listen(Session, "after_flush", _after_flush)


def register_cohort(cohort_class) -> None:
    """Keep a cohort's folded name as it is renamed (cohorts call this with their model: people
    sit below cohorts and do not import them)."""
    sa.event.listen(cohort_class.name, "set", _set_cohort_key, retval=True)
