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
# New codes end with one check character (shown as a fourth group: XXXX-XXXX-XXXX-C), so a code
# read aloud over the phone with one character wrong, or two neighbours swapped, is told apart
# from a code that does not exist. Codes issued before have no check character and still work.
CHECKED_LENGTH = LENGTH + 1
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―_.·]+")


def _times_x(value: int) -> int:
    """Multiply by x in GF(32) = GF(2)[x]/(x⁵ + x² + 1)."""
    value <<= 1
    return value ^ 0b100101 if value & 0b100000 else value


def _damm(symbols: str) -> int:
    """Damm's check over the quasigroup a ∗ b = x·a + b of GF(32): totally anti-symmetric (as x ≠ 0, 1),
    so every single substitution and every swap of two neighbours changes the result."""
    interim = 0
    for ch in symbols:
        interim = _times_x(interim) ^ ALPHABET.index(ch)
    return interim


def check_character(body: str) -> str:
    """The character that makes `body + it` check to zero."""
    return ALPHABET[_times_x(_damm(body))]


def has_check(code: str) -> bool:
    """A code of the new length whose check character fits: True; a typo in it: False."""
    return len(code) == CHECKED_LENGTH and _damm(code) == 0


def new_code() -> str:
    """A fresh code: 60 random bits from `secrets`, then the check character; stored without dashes."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return body + check_character(body)


def likely_typo(code: str | None) -> bool:
    """Well formed, of the new length, but its check character does not fit: one character is wrong."""
    return bool(code) and len(code) == CHECKED_LENGTH and not has_check(code)


def normalise_code(text: str | None) -> str | None:
    """The stored form of what someone typed or scanned, or None if it cannot be a code."""
    if not text:
        return None
    cleaned = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper().translate(_CONFUSABLE)
    if len(cleaned) not in (LENGTH, CHECKED_LENGTH) or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned


def display_code(code: str) -> str:
    """XXXX-XXXX-XXXX (and -C, the check character, on new codes): short groups are easier to read
    aloud and to check."""
    return "-".join(code[i:i + GROUP] for i in range(0, len(code), GROUP))


def masked_name(full_name: str) -> str:
    """Family name, then the initial of every other part: "Nguyễn Thị Lan" → "Nguyễn T. L."."""
    parts = unicodedata.normalize("NFC", full_name or "").split()
    if not parts:
        return ""
    family, rest = parts[0], parts[1:]
    initials = [f"{part[0].upper()}." for part in rest]
    return " ".join([family, *initials])
