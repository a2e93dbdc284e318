"""Checks of personal identifiers as people type them: resident ID numbers (GB 11643) and phone numbers."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
FULL_WIDTH = str.maketrans("０１２３４５６７８９ｘＸ　", "0123456789xX ")


def normalise_digits(value: str) -> str:
    """Full-width digits and spaces, as typed with a Chinese input method, made half-width and stripped."""
    return re.sub(r"\s+", "", str(value).translate(FULL_WIDTH))


def id_check_digit(body: str) -> str:
    return ID_CHECK[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def clean_id_number(value: str) -> str:
    """An 18-character resident ID number whose last character is its GB 11643 check digit."""
    number = normalise_digits(value).upper()
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise ValidationError(_("身份证号应为18位，前17位为数字，最后一位为数字或X。"), code="id_number")
    if id_check_digit(number[:17]) != number[17]:
        raise ValidationError(_("身份证号校验位不正确，请核对。"), code="id_number")
    return number


def clean_phone(value: str) -> str:
    """A mainland mobile number (11 digits starting with 1) or a landline with its area code (e.g. 022-24391234)."""
    phone = normalise_digits(value).replace("－", "-")
    if re.fullmatch(r"1\d{10}", phone) or re.fullmatch(r"0\d{2,3}-?\d{7,8}", phone):
        return phone
    raise ValidationError(_("请填写11位手机号码，或带区号的固定电话（如022-24391234）。"), code="phone")


def id_number_facts(value: str) -> dict:
    """What a valid ID number says of its holder (GB 11643): gender by the 17th digit (odd: M, even: F) and birth
    date by the 7th to 14th; empty for a number that is not valid."""
    import datetime

    try:
        number = clean_id_number(value)
        born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except (ValidationError, ValueError):
        return {}
    return {"gender": "M" if int(number[16]) % 2 else "F", "birth_date": born}
