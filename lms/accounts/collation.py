"""Vietnamese alphabetical order for names: given name (the last word) first, tones second.

Why not PyICU: it is published on PyPI only as source, and building it needs ICU's headers and a
C++ compiler that `pip install` cannot bring, so a fresh ward machine could not install the
project. The rules needed for names are small and written out here.

Order of letters (Bộ Giáo dục): a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y, with
f j w z in their Latin places for foreign names. Tones only break ties, in dictionary order:
ngang, huyền, hỏi, ngã, sắc, nặng (a à ả ã á ạ), as the Unicode CLDR Vietnamese collation does.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

_LETTERS = "0123456789aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {letter: index for index, letter in enumerate(_LETTERS)}
# Combining marks that make a different letter (ă â ê ô ơ ư), not a tone.
_LETTER_MARKS = {"\u0306": "\u0306", "\u0302": "\u0302", "\u031b": "\u031b"}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


@lru_cache(maxsize=4096)
def _letter(char: str) -> tuple[int, int]:
    """(primary rank, tone) of one character."""
    parts = unicodedata.normalize("NFD", char.lower())
    base, marks = parts[0], parts[1:]
    tone = 0
    letter_marks = ""
    for mark in marks:
        if mark in _TONES:
            tone = _TONES[mark]
        elif mark in _LETTER_MARKS:
            letter_marks += mark
    letter = unicodedata.normalize("NFC", base + letter_marks)
    rank = _RANK.get(letter)
    if rank is None:
        # Anything else (punctuation, other scripts) sorts after the alphabet, by code point.
        rank = len(_LETTERS) + ord(letter[0])
    return rank, tone


def word_key(word: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(letters, tones) of one word."""
    letters = [_letter(ch) for ch in unicodedata.normalize("NFC", word) if not ch.isspace()]
    return tuple(r for r, _ in letters), tuple(t for _, t in letters)


def vietnamese_key(text: str) -> tuple:
    """Sort key for any text in Vietnamese alphabetical order, word by word."""
    keys = [word_key(w) for w in text.split()]
    return tuple(k[0] for k in keys), tuple(k[1] for k in keys), text


def name_key(full_name: str) -> tuple:
    """Sort key for a Vietnamese name: by given name (last word), then family and middle names."""
    words = full_name.split()
    ordered = words[-1:] + words[:-1]
    keys = [word_key(w) for w in ordered]
    return tuple(k[0] for k in keys), tuple(k[1] for k in keys), full_name


def sort_by_name(items, name=lambda item: item.full_name):
    """Items sorted the Vietnamese way by the name `name(item)` gives."""
    return sorted(items, key=lambda item: name_key(name(item) or ""))
