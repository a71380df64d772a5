"""Certificate codes people can read aloud and type, and names masked for the public page."""
from __future__ import annotations

import re
import secrets
import unicodedata

# Crockford's base32: no I, L, O or U, so 0/O and 1/I/L can never be told apart wrongly — what a
# person types as O, I or L is read as 0 or 1. 32 symbols × 12 characters = 60 random bits.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 12
GROUP = 4
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―_.·]+")


def new_code() -> str:
    """A fresh random code (60 bits from `secrets`), stored without dashes."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise_code(text: str | None) -> str | None:
    """The stored form of what someone typed or scanned, or None if it cannot be a code."""
    if not text:
        return None
    cleaned = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper().translate(_CONFUSABLE)
    if len(cleaned) != LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned


def display_code(code: str) -> str:
    """XXXX-XXXX-XXXX: three groups are easier to read aloud and to check."""
    return "-".join(code[i:i + GROUP] for i in range(0, len(code), GROUP))


def masked_name(full_name: str) -> str:
    """Family name, then the initial of every other part: "Nguyễn Thị Lan" → "Nguyễn T. L."."""
    parts = unicodedata.normalize("NFC", full_name or "").split()
    if not parts:
        return ""
    family, rest = parts[0], parts[1:]
    initials = [f"{part[0].upper()}." for part in rest]
    return " ".join([family, *initials])
