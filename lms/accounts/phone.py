"""Vietnamese mobile numbers: one stored form (E.164), one shown form."""
from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType


class InvalidPhone(ValueError):
    """The text is not a Vietnamese mobile number."""


_MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


def normalise_phone(text: str | int | None) -> str:
    """Return the E.164 form (+84912345678) of a Vietnamese mobile number, or raise InvalidPhone.

    Accepts 0912 345 678, 0912.345.678, +84 912 345 678, 84912345678, and a number that a
    spreadsheet turned into 912345678 (the leading zero lost).
    """
    if text is None:
        raise InvalidPhone("empty")
    raw = str(text).strip()
    if raw.endswith(".0"):  # a spreadsheet cell read as a float
        raw = raw[:-2]
    cleaned = "".join(ch for ch in raw if ch.isdigit() or ch == "+")
    if not cleaned:
        raise InvalidPhone("empty")
    if cleaned.startswith("84") and len(cleaned) == 11:
        cleaned = "+" + cleaned
    elif cleaned.isdigit() and len(cleaned) == 9:
        cleaned = "0" + cleaned
    try:
        number = phonenumbers.parse(cleaned, "VN")
    except NumberParseException as exc:
        raise InvalidPhone(str(exc)) from exc
    if number.country_code != 84 or not phonenumbers.is_valid_number(number):
        raise InvalidPhone("not a valid Vietnamese number")
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise InvalidPhone("not a mobile number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str | None) -> str:
    """The national form people read and type: 0912 345 678."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, "VN")
    except NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
