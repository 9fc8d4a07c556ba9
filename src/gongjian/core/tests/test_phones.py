"""What a phone is, judged by libphonenumber (``core.phones.is_phone``): the mobile 号段 shortcut that
keeps a 600,000-row ledger fast agrees with libphonenumber itself, and extensions as Chinese offices
write them (转, 分机) are read."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongjian.core.phones import is_phone


def libphonenumber_says(value: str) -> bool:
    try:
        return bool(phonenumbers.is_valid_number(phonenumbers.parse(value, "CN")))
    except phonenumbers.NumberParseException:
        return False


@settings(max_examples=400, deadline=None)
@given(st.from_regex(r"\A1[3-9][0-9]{9}\Z", fullmatch=True))
def test_the_mobile_prefix_shortcut_agrees_with_libphonenumber(number):
    assert is_phone(number) == libphonenumber_says(number)


@pytest.mark.parametrize(
    "prefix", ["130", "145", "162", "170", "174", "192", "199", "140", "141", "154", "171"]
)
def test_every_prefix_agrees_with_libphonenumber(prefix):
    for tail in ("00000000", "12345678", "99999999", "40512345"):
        number = prefix + tail
        assert is_phone(number) == libphonenumber_says(number), number


@pytest.mark.parametrize(
    "phone", ["0731-84561234 转 802", "0731-8456 1234 分机 12", "(0731)84561234", "+86 138 0000 1234"]
)
def test_phones_as_offices_write_them(phone):
    assert is_phone(phone)


@pytest.mark.parametrize("phone", ["12345", "1234567890123", "0731-123", "10000000000"])
def test_digits_that_are_not_phones(phone):
    assert not is_phone(phone)
