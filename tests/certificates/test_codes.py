"""Certificate codes are easy to read aloud and type, and long enough that guessing is hopeless."""
import math
import re

import pytest

from lms.certificates.codes import (
    ALPHABET,
    CHECKED_LENGTH,
    LENGTH,
    check_character,
    display_code,
    has_check,
    likely_typo,
    masked_name,
    new_code,
    normalise_code,
)


def test_codes_use_no_letter_that_looks_like_a_digit_and_carry_at_least_60_bits():
    assert not set("OILU") & set(ALPHABET)
    assert len(set(ALPHABET)) == 32
    assert LENGTH * math.log2(len(ALPHABET)) >= 60
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    # 12 random characters, then the check character
    assert all(len(c) == CHECKED_LENGTH == LENGTH + 1 and set(c) <= set(ALPHABET) for c in codes)
    assert all(has_check(c) for c in codes)


def test_codes_are_shown_in_three_groups_of_four():
    assert display_code("7K3M9QWX2HDP") == "7K3M-9QWX-2HDP"
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]", display_code(new_code()))


def test_the_check_character_catches_every_single_typo_and_every_swap_of_neighbours():
    for _ in range(200):
        code = new_code()
        for i, right in enumerate(code):
            for wrong in ALPHABET.replace(right, ""):
                typo = code[:i] + wrong + code[i + 1:]
                assert not has_check(typo) and likely_typo(typo), (code, typo)
            if i + 1 < len(code) and code[i] != code[i + 1]:
                swapped = code[:i] + code[i + 1] + code[i] + code[i + 2:]
                assert likely_typo(swapped), (code, swapped)


def test_old_codes_without_a_check_character_are_still_codes_and_never_called_typos():
    assert normalise_code("7K3M-9QWX-2HDP") == "7K3M9QWX2HDP"
    assert not likely_typo("7K3M9QWX2HDP") and not likely_typo(None)
    body = "7K3M9QWX2HDP"
    assert normalise_code(f"{display_code(body)}-{check_character(body)}") == body + check_character(body)


@pytest.mark.parametrize("typed", [
    "7K3M-9QWX-2HDP", "7k3m9qwx2hdp", " 7K3M 9QWX 2HDP ", "7K3M–9QWX—2HDP", "７Ｋ３Ｍ-９ＱＷＸ-２ＨＤＰ",
])
def test_what_people_type_is_forgiven_case_spaces_and_dashes(typed):
    assert normalise_code(typed) == "7K3M9QWX2HDP"


def test_letters_people_confuse_with_digits_are_read_as_the_digits():
    assert normalise_code("OOOO-IIII-LLLL") == "000011111111"
    assert normalise_code("o1l0-abcd-efgh") == "0110ABCDEFGH"


@pytest.mark.parametrize("typed", ["", None, "7K3M-9QWX", "7K3M-9QWX-2HDP-9A", "7K3M-9QWX-2HDU", "ABCD-EFGH-JK#M",
                                   "<script>alert(1)</script>"])
def test_anything_that_cannot_be_a_code_is_refused(typed):
    assert normalise_code(typed) is None


@pytest.mark.parametrize("name, masked", [
    ("Nguyễn Thị Hoa", "Nguyễn T. H."),
    ("Nguyễn Thị Lan", "Nguyễn T. L."),
    ("Đặng  Thị  Ánh Bích", "Đặng T. Á. B."),
    ("Lan", "Lan"),
    ("", ""),
])
def test_the_public_name_is_the_family_name_then_initials(name, masked):
    assert masked_name(name) == masked
