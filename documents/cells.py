"""Reading the cells of sheets made by hand: full-width digits and spaces, dates written five ways or stored as
Excel serial numbers, ID numbers stored as numbers, yes/no written as 是/否/√/×. Each reader returns a clean value
or raises CellError with a reason in Chinese."""

import datetime
import math
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from core.validators import clean_id_number, clean_phone, normalise_digits

FULL_WIDTH = str.maketrans(
    "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ"
    "　．／－：（），",
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz ./-:(),",
)


class CellError(ValueError):
    pass


def text(value) -> str:
    """A text cell: full-width letters, digits and spaces made half-width, runs of spaces collapsed, trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", str(value).translate(FULL_WIDTH)).strip()


def name(value) -> str:
    """A person's name: Chinese names carry no spaces (张 三 → 张三)."""
    cleaned = text(value)
    return cleaned.replace(" ", "") if re.search(r"[\u4e00-\u9fff]", cleaned) else cleaned


DATE_PATTERNS = [
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$"),
    re.compile(r"^(\d{4})[./-](\d{1,2})[./-](\d{1,2})$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]


def date(value) -> datetime.date | None:
    """A date: a real date cell, an Excel serial number, or 2021年7月1日, 2021.7.1, 2021/07/01, 2021-07-01, 20210701;
    within the years every form of the portal accepts (1900-2100)."""
    from core.forms import DATE_MAX_YEAR, DATE_MIN_YEAR

    day = _date(value)
    if day is not None and not DATE_MIN_YEAR <= day.year <= DATE_MAX_YEAR:
        raise CellError(
            _("“{day:%Y-%m-%d}”不在{min}年至{max}年之间。").format(
                day=day, min=DATE_MIN_YEAR, max=DATE_MAX_YEAR
            )
        )
    return day


def _date(value) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            raise CellError(_("日期单元格的内容不是数字也不是日期。"))
        if 20000 <= value <= 80000:  # Excel serial numbers of 1954–2119
            return from_excel(value).date()
        value = str(int(value))
    cleaned = text(value).replace(" ", "")
    for pattern in DATE_PATTERNS:
        match = pattern.match(cleaned)
        if match:
            year, month, day = (int(part) for part in match.groups())
            try:
                return datetime.date(year, month, day)
            except ValueError:
                raise CellError(
                    _("“{cleaned}”不是有效日期（{year}年没有{month}月{day}日）。").format(
                        cleaned=cleaned, year=year, month=month, day=day
                    )
                ) from None
    raise CellError(
        _("“{cleaned}”不是可识别的日期，请写成2021-07-01或2021年7月1日。").format(cleaned=cleaned)
    )


def id_number(value) -> str:
    """A resident ID number, also when Excel stored it as a number (its last digits then may be lost)."""
    if isinstance(value, float):
        # Excel keeps 15 significant digits: an 18-digit number is read exactly only when it survived the rounding,
        # which its check digit tells.
        try:
            return clean_id_number(str(int(Decimal(f"{value:.14E}"))))  # the 15 digits Excel shows
        except Exception:
            raise CellError(
                _(
                    "身份证号被Excel存为数字（{value:.14E}），后几位已丢失；请将该列设为“文本”格式后重新录入。"
                ).format(value=value)
            ) from None
    try:
        return clean_id_number(normalise_digits(text(value)))
    except Exception as error:
        raise CellError(" ".join(getattr(error, "messages", [str(error)]))) from None


def phone(value) -> str:
    try:
        return clean_phone(text(value))
    except Exception as error:
        raise CellError(" ".join(getattr(error, "messages", [str(error)]))) from None


YES = {"是", "有", "√", "✓", "✔", "y", "yes", "true", "1", "已设置", "已公示", "已建立"}
NO = {"否", "无", "×", "✗", "✘", "n", "no", "false", "0", "", "未设置", "未公示", "未建立"}


def yes_no(value) -> bool:
    if isinstance(value, bool):
        return value
    cleaned = text(value).lower()
    if cleaned in YES:
        return True
    if cleaned in NO:
        return False
    raise CellError(_("“{cleaned}”应填“是”或“否”。").format(cleaned=cleaned))


def decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(text(value).replace(",", ""))
    except InvalidOperation:
        raise CellError(_("“{text}”不是数字。").format(text=text(value))) from None
    if not number.is_finite():
        raise CellError(_("“{text}”不是数字。").format(text=text(value)))
    return number


def header_key(value) -> str:
    """A header cell compared loosely: no spaces, no * or （必填） marks, half-width."""
    cleaned = text(value).replace(" ", "")
    return re.sub(r"[*＊]|\(必填\)|\(选填\)|（必填）|（选填）", "", cleaned)


def time(value) -> datetime.time:
    """A time of day: a real time cell, an Excel fraction of a day, or 9:30, 09:30:00, 9点30, 9时30分."""
    if isinstance(value, datetime.datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, datetime.time):
        return value.replace(second=0, microsecond=0)
    if isinstance(value, int | float) and 0 <= value < 1:
        minutes = round(value * 24 * 60)
        return datetime.time(minutes // 60, minutes % 60)
    cleaned = text(value).replace("：", ":")
    match = re.fullmatch(r"(\d{1,2})(?::|点|时)(\d{1,2})?(?::\d{1,2}|分)?", cleaned)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if hour < 24 and minute < 60:
            return datetime.time(hour, minute)
    raise CellError(_("“{cleaned}”不是有效时间，请写成9:30或14:00。").format(cleaned=cleaned))


def choice(choices) -> Callable[[Any], str]:
    """A cell naming one of `choices` by its label (个案) or its code (case)."""

    def parse(value) -> str:
        cleaned = text(value).replace(" ", "")
        for code, label in choices:
            if cleaned in (str(label), code):
                return code
        raise CellError(
            _("“{cleaned}”应为以下之一：{names}。").format(
                cleaned=cleaned, names="、".join(str(label) for _code, label in choices)
            )
        )

    return parse


def choice_label(choices) -> Callable[[str], str]:
    labels = dict(choices)
    return lambda code: str(labels.get(code, code))
