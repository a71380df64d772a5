"""Vietnamese mobile numbers are accepted in the ways people write them and stored one way."""
import pytest

from lms.accounts.phone import InvalidPhone, display_phone, normalise_phone


@pytest.mark.parametrize(
    "typed",
    ["0912345678", "0912 345 678", "0912.345.678", "0912-345-678", "+84912345678", "+84 912 345 678",
     "84912345678", "912345678", "912345678.0", 912345678],
)
def test_every_common_way_of_writing_a_number_gives_one_stored_form(typed):
    assert normalise_phone(typed) == "+84912345678"


@pytest.mark.parametrize("typed", ["0387654321", "0862123456", "0701234567", "0589876543"])
def test_all_mobile_prefixes_are_accepted(typed):
    assert normalise_phone(typed).startswith("+84")


@pytest.mark.parametrize(
    "typed", ["", "   ", "abc", "0912", "09123456789012", "0241234567", "+16502530000", "+44 7700 900123", None]
)
def test_malformed_landline_and_foreign_numbers_are_refused(typed):
    with pytest.raises(InvalidPhone):
        normalise_phone(typed)


def test_numbers_are_shown_in_the_national_form_people_read():
    assert display_phone("+84912345678") == "0912 345 678"
    assert display_phone(None) == ""
