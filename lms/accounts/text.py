"""Vietnamese text as people type it: composed or decomposed, with or without diacritics."""
from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def clean(value: object) -> str:
    """One composed (NFC) form with single spaces, so text from any export compares equal."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    return _SPACES.sub(" ", text).strip()


def fold(value: object) -> str:
    """Lower case without diacritics ("Đỗ Thị Ánh" → "do thi anh"), for matching what people type."""
    text = unicodedata.normalize("NFD", clean(value).casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.replace("đ", "d")


def tidy_name(value: object) -> str:
    """A person's name as written, but "NGUYỄN VĂN AN" or "nguyễn văn an" becomes "Nguyễn Văn An"."""
    name = clean(value)
    if name and (name.isupper() or name.islower()):
        name = " ".join(word[:1].upper() + word[1:].lower() for word in name.split(" "))
    return name


def matches(query: str, name: str) -> bool:
    """Does every word typed start a word of the name, ignoring case and diacritics?"""
    wanted = fold(query).split()
    words = fold(name).split()
    return bool(wanted) and all(any(w.startswith(q) for w in words) for q in wanted)
