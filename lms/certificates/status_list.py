"""W3C Bitstring Status List v1.0: one bit per certificate, set when it no longer stands.

The list is GZIP-compressed, then base64url-encoded without padding and given the multibase
prefix "u". Bit 0 is the most significant bit of the first byte. The list has at least 131,072
entries (16 KB) so that one certificate's bit cannot be singled out (the spec's herd privacy).
"""
from __future__ import annotations

import base64
import gzip

MIN_ENTRIES = 16 * 1024 * 8


def capacity_for(count: int) -> int:
    """Index space to draw from for `count` certificates: never more than half full, so draws rarely clash."""
    size = MIN_ENTRIES
    while count * 2 >= size:
        size *= 2
    return size


def list_size(highest_index: int | None) -> int:
    """The published list's length: the minimum, doubled until it holds the highest index in use."""
    size = MIN_ENTRIES
    while highest_index is not None and highest_index >= size:
        size *= 2
    return size


def encode(set_indexes, size: int) -> str:
    """The `encodedList` value for a list of `size` bits with `set_indexes` set."""
    bits = bytearray(size // 8)
    for index in set_indexes:
        if not 0 <= index < size:
            raise ValueError(f"status index {index} outside a list of {size}")
        bits[index // 8] |= 0x80 >> (index % 8)
    # mtime=0 keeps the output identical for identical lists, so caches and signatures stay stable.
    compressed = gzip.compress(bytes(bits), compresslevel=9, mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")


def decode(encoded: str) -> bytes:
    """The raw bitstring of an `encodedList` value; raises ValueError when it is not one."""
    if not encoded or encoded[0] != "u":
        raise ValueError("encodedList must be multibase base64url (prefix 'u')")
    body = encoded[1:]
    try:
        compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        return gzip.decompress(compressed)
    except (ValueError, OSError, EOFError) as exc:
        raise ValueError("encodedList is not GZIP-compressed base64url") from exc


def bit(bitstring: bytes, index: int) -> bool:
    """Is entry `index` set? Raises IndexError past the end (a verifier must treat that as an error)."""
    if not 0 <= index < len(bitstring) * 8:
        raise IndexError(index)
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))
