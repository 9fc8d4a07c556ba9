"""What a phone number is: one that can be dialled in China (a mobile, a landline with its area code,
a 400/800 service number, or an international number with its ``+`` prefix), checked with Google's
libphonenumber (``phonenumbers``). ``12345`` is refused with a clear message, never silently stored.
Messages never repeat the number (it is personal data)."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def is_phone(value: str) -> bool:
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException:
        return False
    return bool(phonenumbers.is_valid_number(number))


def phone_error() -> str:
    return _(
        "This is not a phone number: enter a mobile number (11 digits) or a landline with its area "
        "code, such as 0731-88886666."
    )


def validate_phone(value: str) -> None:
    """A form and service validator: empty is allowed (the field says whether it is required)."""
    value = (value or "").strip()
    if value and not is_phone(value):
        raise ValidationError(phone_error(), code="phone")
