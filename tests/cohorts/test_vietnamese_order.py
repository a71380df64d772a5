"""Names sort the Vietnamese way; search matches names typed with or without diacritics."""
import random
import unicodedata

import pytest

from lms.accounts.collation import name_key, sort_by_name, vietnamese_key
from lms.accounts.text import clean, fold, matches, tidy_name


def ordered(names):
    shuffled = list(names)
    random.Random(7).shuffle(shuffled)
    return sorted(shuffled, key=name_key)


def test_roster_sorts_by_given_name_then_family_and_middle_names():
    names = ["Trần Văn Bình", "Lê Thị An", "Nguyễn Văn An", "Phạm Thị Ánh", "Đỗ Văn Dũng", "Hoàng Thị Đào"]
    assert ordered(names) == ["Lê Thị An", "Nguyễn Văn An", "Phạm Thị Ánh", "Trần Văn Bình", "Đỗ Văn Dũng",
                              "Hoàng Thị Đào"]


def test_the_vietnamese_alphabet_not_the_code_point_order():
    # a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y
    words = ["y", "ư", "u", "ơ", "ô", "o", "ê", "e", "đ", "d", "â", "ă", "a", "b"]
    assert sorted(words, key=vietnamese_key) == ["a", "ă", "â", "b", "d", "đ", "e", "ê", "o", "ô", "ơ", "u", "ư", "y"]


def test_d_with_stroke_sorts_after_every_plain_d():
    assert ordered(["Văn Đức", "Văn Dung", "Văn Duy"]) == ["Văn Dung", "Văn Duy", "Văn Đức"]


def test_tones_only_break_ties_in_dictionary_order():
    # ngang, huyền, hỏi, ngã, sắc, nặng
    assert ordered(["Thị Hạ", "Thị Há", "Thị Hã", "Thị Hả", "Thị Hà", "Thị Ha"]) == [
        "Thị Ha", "Thị Hà", "Thị Hả", "Thị Hã", "Thị Há", "Thị Hạ"]
    # the letters decide first: "Lân" (â) comes after "Lán" (a) whatever the tones
    assert ordered(["Văn Lân", "Văn Lán", "Văn Lan"]) == ["Văn Lan", "Văn Lán", "Văn Lân"]


def test_a_shorter_name_comes_before_a_longer_one_that_starts_the_same():
    assert ordered(["Thị Anh", "Thị An", "Thị Ánh"]) == ["Thị An", "Thị Anh", "Thị Ánh"]


def test_decomposed_and_composed_names_sort_the_same():
    composed = "Nguyễn Thị Ánh"
    decomposed = unicodedata.normalize("NFD", composed)
    assert name_key(composed)[:2] == name_key(decomposed)[:2]


def test_case_does_not_change_the_order():
    assert ordered(["Văn BÌNH", "văn an"]) == ["văn an", "Văn BÌNH"]


@pytest.mark.parametrize("name", ["", "   ", "An", "Nguyễn-Văn An", "John Smith", "Ngô 2"])
def test_any_text_gets_a_key(name):
    assert isinstance(name_key(name), tuple)


def test_sort_by_name_uses_the_given_attribute():
    class P:
        def __init__(self, n):
            self.full_name = n

    assert [p.full_name for p in sort_by_name([P("Trần Bình"), P("Lê An")])] == ["Lê An", "Trần Bình"]


def test_folding_removes_diacritics_and_case():
    assert fold("Đỗ Thị ÁNH") == "do thi anh"
    assert fold(unicodedata.normalize("NFD", "Nguyễn")) == "nguyen"


def test_clean_composes_and_collapses_spaces():
    assert clean(unicodedata.normalize("NFD", "  Hoà   Bình ")) == "Hoà Bình"
    assert clean(None) == ""


def test_names_in_capitals_or_lower_case_are_written_properly():
    assert tidy_name("TRẦN THỊ BÌNH") == "Trần Thị Bình"
    assert tidy_name("nguyễn văn an") == "Nguyễn Văn An"
    assert tidy_name("McDonald Lê") == "McDonald Lê"


@pytest.mark.parametrize("query", ["nguyen thi lan", "Nguyễn Thị Lan", "NGUYEN lan", "lan", "ng th la"])
def test_search_matches_with_or_without_diacritics(query):
    assert matches(query, "Nguyễn Thị Lan")


@pytest.mark.parametrize("query", ["lanh", "tran", "", "  "])
def test_search_does_not_match_other_names(query):
    assert not matches(query, "Nguyễn Thị Lan")
