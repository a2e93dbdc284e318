"""Writing .xlsx workbooks the way the bureau keeps them: Chinese headers, a frozen header row, column widths,
real number and date cells with money and date formats, and an autofilter — streamed with openpyxl's write-only
mode, so a workbook of 40,000 stations is written row by row without holding the sheet in memory."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

MONEY = "#,##0.00"
DATE = "yyyy-mm-dd"
DATETIME = "yyyy-mm-dd hh:mm"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")


@dataclass
class Column:
    title: str
    width: float = 14
    kind: str = "text"  # text | money | date | datetime | int


@dataclass
class Sheet:
    title: str
    columns: list[Column]
    rows: Iterable[Iterable[Any]]
    note: str = ""  # a line above the header (what the sheet shows, as of which day)
    widths: list[float] = field(default_factory=list)


FORMATS = {"money": MONEY, "date": DATE, "datetime": DATETIME}

# OWASP's advice against formula (CSV) injection: a text that Excel or WPS would read as the start of a formula —
# `=`, `+`, `-`, `@`, a tab or a carriage return — is written as a text cell with Excel's quote prefix, so that it is
# shown as typed and stays text when someone edits the cell. Any text from users (a volunteer's name, a user name
# typed at the login page) can reach an export.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def text_cell(sheet, value: str) -> WriteOnlyCell:
    """A cell that holds `value` as text whatever it begins with (never a formula)."""
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def _text(value):
    if value is None:
        return None
    if isinstance(
        value, Promise
    ):  # a lazily translated label (compared with "" it would be translated twice)
        return str(value)
    return None if value == "" else value


def _money(value):
    return None if value is None or value == "" else Decimal(value)


def _datetime(value):
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        # Excel has no time zones: the local (Asia/Shanghai) wall time, as the portal shows it.
        from django.utils import timezone

        return timezone.localtime(value).replace(tzinfo=None)
    return value


# A value as its cell holds it, by column kind: None for nothing, text for a lazy label, Decimal money, local time.
CONVERT = {"text": _text, "int": _text, "date": _text, "money": _money, "datetime": _datetime}


def _formatted_cell(sheet, number_format: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet)
    cell.number_format = number_format
    return cell


def print_on_a4(sheet, header_row: int) -> None:
    """Printed, a sheet fits A4 landscape across (a station's name on the same page as its money), as many pages
    down as it needs, with the header row repeated at the top of every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6


PROGRESS_EVERY = 200  # rows between two progress reports (the listener writes at most twice a second)


def write_workbook(sheets: Iterable[Sheet], out, progress=None) -> None:
    """Write `sheets` (a list, or a generator that makes each sheet when it is reached) to `out` (a path or a binary
    file object); `progress(rows)` hears how many rows are written: at the first row, every PROGRESS_EVERY rows and
    at the end of each sheet."""
    book = Workbook(write_only=True)
    written = 0
    for spec in sheets:
        sheet = book.create_sheet(spec.title[:31])
        for index, column in enumerate(spec.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        header_row = 2 if spec.note else 1
        sheet.freeze_panes = f"A{header_row + 1}"  # before the first row: write-only sheets write views first
        print_on_a4(sheet, header_row)
        if spec.note:
            note = text_cell(sheet, spec.note)
            note.font = Font(italic=True, color="555555")
            sheet.append([note])
        headers = []
        for column in spec.columns:
            cell = text_cell(sheet, str(column.title))
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            headers.append(cell)
        sheet.append(headers)
        count = 0
        converters = [CONVERT[c.kind] for c in spec.columns]
        # One formatted cell per column, reused row after row: a write-only sheet writes a row out as it is
        # appended, so the cell is free again for the next row (a cell made per value was a tenth of the time of
        # a province's workbook, bench/run.py).
        formatted = [
            _formatted_cell(sheet, FORMATS[c.kind]) if c.kind in FORMATS else None for c in spec.columns
        ]
        for row in spec.rows:
            cells = []
            for value, convert, cell in zip(row, converters, formatted, strict=True):
                value = convert(value)
                if is_formula_like(value):
                    cells.append(text_cell(sheet, value))
                elif cell is not None and value is not None:
                    cell.value = value
                    cells.append(cell)
                else:
                    cells.append(value)
            sheet.append(cells)
            count += 1
            if progress is not None and (count % PROGRESS_EVERY == 0 or written + count == 1):
                progress(written + count)
        written += count
        if progress is not None:
            progress(written)
        last = get_column_letter(len(spec.columns))
        sheet.auto_filter.ref = f"A{header_row}:{last}{header_row + max(count, 1)}"
    book.save(out)
