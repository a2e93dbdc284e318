"""Importing the spreadsheets people already keep: the social-worker roster (with qualifications and postings),
volunteers and their hours, site-condition checks, training records, service records and the register of contractors.

Two parts, one in front of the other. The reader here takes a sheet as it comes — a merged title row above the
header, headers named as people name them (手机, 联系电话…), * marks, full-width digits, dates written five ways, ID
numbers stored as numbers, blank rows at the end — finds the header row, maps each column to a field (the user may
correct the mapping on the preview), and hands django-import-export a tablib Dataset, keeping Excel's row numbers for
the messages. The engine is django-import-export (the user asked for it): one `Resource` per family of rows, whose
widgets turn cells into values (the cell readers of documents/cells.py) and whose rows are saved through the same
service, role and scope as the form for one record, so every rule applies. `import_data(dry_run=True)` is the
preview; the confirmation runs the file again in one transaction that any bad row rolls back: all or nothing.
"""

import csv
import io
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from import_export import resources, widgets
from import_export.fields import Field
from import_export.instance_loaders import BaseInstanceLoader
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from tablib import Dataset

from accounts.models import Role
from core.text import listing, sentences
from documents import cells
from documents.cells import CellError

HEADER_SEARCH_ROWS = 20


@dataclass
class Column:
    key: str
    label: str
    parse: Callable[[Any], Any]
    required: bool = True
    aliases: tuple[str, ...] = ()
    example: Any = ""
    show: Callable[[Any], Any] | None = (
        None  # a code as people read it (F -> 女), for the preview and exports
    )

    def matches(self, header: str) -> bool:
        """`header` (already through cells.header_key) names this column: its label or an alias, read the same way."""
        return header in {cells.header_key(name) for name in (self.label, *self.aliases)}

    def display(self, value):
        if value in (None, ""):
            return ""
        return self.show(value) if self.show else value


@dataclass
class RowError:
    row: int  # the row number as Excel shows it (1-based); 0 for the file as a whole
    column: str  # the column's header as the sheet writes it
    message: str
    letter: str = ""  # the column's letter as Excel shows it

    def __str__(self) -> str:
        where = _("第{row}行").format(row=self.row) if self.row else _("文件")
        if not self.column:
            return f"{where}：{self.message}"
        letter = _("（{letter}列）").format(letter=self.letter) if self.letter else ""
        return f"{where}“{self.column}”{letter}：{self.message}"


@dataclass
class SheetColumn:
    """One column of the sheet as read: its position, its header as written, and the field it is read as."""

    position: int
    header: str
    key: str = ""  # "" when the column is not read


@dataclass
class ImportResult:
    rows: list[tuple[int, dict]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    saved: int = 0
    layout: list[SheetColumn] = field(default_factory=list)  # how the sheet's columns were read
    header_row: int = 0  # the header's row number as Excel shows it
    notes: list[str] = field(default_factory=list)  # what the import assumed, said on the preview

    @property
    def unread(self) -> list[SheetColumn]:
        return [column for column in self.layout if not column.key]

    @property
    def ok(self) -> bool:
        return not self.errors


def record_import(importer, family: str, saved: int, *, request=None, user=None) -> None:
    """An import that saved its rows, in the audit log (kept in Chinese): from the page or from a worker's job."""
    from audit.log import record
    from audit.models import AuditEvent
    from documents.chinese import in_chinese

    record(
        AuditEvent.Action.IMPORT,
        request=request,
        user=user,
        object_type=family,
        summary=f"{in_chinese(importer.title)}：{saved}行",
    )


class ImportRefused(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__(sentences(str(e) for e in errors))
        self.errors = errors


def limits() -> dict[str, int]:
    """The bounds every import is read within (settings IMPORT_MAX_*, from the environment)."""
    from django.conf import settings

    return {
        "bytes": settings.IMPORT_MAX_MB * 1024 * 1024,
        "unpacked": settings.IMPORT_MAX_UNPACKED_MB * 1024 * 1024,
        "rows": settings.IMPORT_MAX_ROWS,
        "columns": settings.IMPORT_MAX_COLUMNS,
        "seconds": settings.IMPORT_MAX_SECONDS,
    }


def _refused(message: str, row: int = 0) -> ImportRefused:
    return ImportRefused([RowError(row, "", message)])


def _filled(value) -> bool:
    return value is not None and value != "" and cells.text(value) != ""


class _Bounds:
    """Counts rows and columns as they are read and stops the reading at the first one past a limit."""

    def __init__(self, bound: dict[str, int]):
        self.bound = bound
        self.deadline = time.monotonic() + bound["seconds"]
        # Title rows and the header may sit above the data: they do not count against the data rows.
        self.last_row = bound["rows"] + HEADER_SEARCH_ROWS

    def row(self, number: int, values) -> list | None:
        """The row's values within the column limit, or None for a blank row (not kept)."""
        if time.monotonic() > self.deadline:
            raise _refused(
                _("表格内容过多，读取超过{seconds}秒，已停止；请分批导入。").format(
                    seconds=self.bound["seconds"]
                )
            )
        columns = self.bound["columns"]
        head, tail = values[:columns], values[columns:]
        # The part past the limit is looked at cell by cell only when it is not all empty (counted at C speed): a
        # row padded to a forged width of 16,384 columns costs next to nothing.
        tail_filled = len(tail) > tail.count(None) + tail.count("") and any(_filled(v) for v in tail)
        if not tail_filled and not any(_filled(v) for v in head):
            return None
        if number > self.last_row:
            raise _refused(
                _("表格超过{rows}行数据的上限，请分批导入。").format(rows=self.bound["rows"]),
                number,
            )
        if tail_filled:
            raise _refused(
                _("超过{columns}列的上限，请删除多余的列。").format(columns=columns),
                number,
            )
        return list(head)


# What openpyxl builds one object for, counted in the XML before it is parsed: a small file cannot declare millions.
MAX_SHARED_STRINGS = 300_000
MAX_CELL_STYLES = 65_000  # Excel's own ceiling is 64,000 cell formats


def _element_limits(bound: dict[str, int]):
    from core.uploads import ElementLimit

    cells_allowed = (bound["rows"] + HEADER_SEARCH_ROWS) * bound["columns"]
    return (
        ElementLimit("xl/worksheets/", (b"<c ", b"<c>", b"<c/>"), cells_allowed, "cells"),
        ElementLimit("xl/sharedStrings", (b"<si>", b"<si ", b"<si/>"), MAX_SHARED_STRINGS, "strings"),
        ElementLimit("xl/styles", (b"<xf ", b"<xf>", b"<xf/>"), MAX_CELL_STYLES, "styles"),
    )


def _xlsx_rows(content: bytes, bound: dict[str, int]) -> list[tuple[int, list]]:
    from core.uploads import ArchiveRefused, inspect_archive

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            inspect_archive(archive, limit=bound["unpacked"], elements=_element_limits(bound))
    except zipfile.BadZipFile:
        raise _refused(_("无法读取该Excel文件：文件已损坏或不是.xlsx格式。")) from None
    except ArchiveRefused as refused:
        if refused.kind == "xml":
            raise _refused(
                _("文件中含有不允许的XML声明（DOCTYPE/ENTITY），可能是恶意文件，已拒绝。")
            ) from None
        if refused.kind == "bomb":
            raise _refused(
                _("文件解压后超过{value}MB的上限（疑似压缩炸弹），已拒绝。").format(
                    value=bound["unpacked"] // (1024 * 1024)
                )
            ) from None
        if refused.kind in ("cells", "strings", "styles"):
            what = {"cells": _("单元格"), "strings": _("文字"), "styles": _("单元格格式")}[refused.kind]
            raise _refused(
                _(
                    "表格中的{what}数量异常庞大，超出导入的上限，已拒绝；请只保留需要导入的数据后另存再导入。"
                ).format(what=what)
            ) from None
        raise _refused(_("无法读取该Excel文件：文件已损坏。")) from None
    counter = _Bounds(bound)
    rows = []
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            # The dimension a sheet declares is not trusted (it may claim 16,384 columns and a million rows it does
            # not have, and openpyxl would pad every row to it): each row is read as long as its own cells go.
            sheet.reset_dimensions()
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                kept = counter.row(number, values)
                if kept is not None:
                    rows.append((number, kept))
        finally:
            book.close()
    except ImportRefused:
        raise
    except Exception as error:  # openpyxl raises many kinds for a malformed workbook; none may become a 500
        raise _refused(_("无法读取该Excel文件（{error}）。").format(error=type(error).__name__)) from None
    return rows


def _csv_rows(content: bytes, bound: dict[str, int]) -> list[tuple[int, list]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            decoded = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _refused(_("文件既不是Excel（.xlsx）也不是可识别编码的CSV。"))
    if "\x00" in decoded:
        raise _refused(_("文件内容不是表格。"))
    counter = _Bounds(bound)
    rows = []
    try:
        for number, values in enumerate(csv.reader(io.StringIO(decoded)), start=1):
            kept = counter.row(number, values)
            if kept is not None:
                rows.append((number, kept))
    except csv.Error as error:
        raise _refused(_("CSV文件格式有误（{error}）。").format(error=error)) from None
    return rows


def read_sheet(content: bytes, filename: str = "") -> list[tuple[int, list]]:
    """The rows of the first sheet of an .xlsx, or of a .csv (UTF-8 or GB18030), numbered as Excel shows them.

    Read within bounds before anything is kept: the file's size, its real unpacked size (measured while
    decompressing, not as the archive declares it), no XML document type declarations, at most IMPORT_MAX_ROWS rows
    and IMPORT_MAX_COLUMNS columns, read row by row in openpyxl's read-only mode, within IMPORT_MAX_SECONDS. Every
    refusal is an ImportRefused with a reason in Chinese."""
    bound = limits()
    if len(content) > bound["bytes"]:
        raise _refused(
            _("文件大小{value:.1f}MB，超过{limit}MB的上限。").format(
                value=len(content) / 1048576, limit=bound["bytes"] // 1048576
            )
        )
    if content.startswith(b"PK\x03\x04"):
        return _xlsx_rows(content, bound)
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refused(_("不支持旧版.xls格式，请在Excel中另存为.xlsx后再导入。"))
    return _csv_rows(content, bound)


# --- the engine: django-import-export, fed by the reader ---------------------------------------------------------


class CellWidget(widgets.Widget):
    """A cell read by one of documents/cells.py's readers; its refusal becomes the library's field error."""

    def __init__(self, column: Column):
        super().__init__()
        self.column = column

    def clean(self, value, row=None, **kwargs):
        if value is None or cells.text(value) == "":
            if self.column.required:
                raise ValueError(_("必填，不能为空。"))
            return None
        try:
            return self.column.parse(value)
        except CellError as error:
            raise ValueError(str(error)) from None

    def render(self, value, obj=None, **kwargs):
        return self.column.display(value)


class RowValues(SimpleNamespace):
    """The values of one row, as the widgets read them (the 'instance' a SheetResource imports)."""


class SheetResource(resources.Resource):
    """A family of rows people bring as a sheet. Subclasses give `columns` and `save(values, actor, shared)`, which
    calls the service of one record."""

    kind = ""
    title = ""
    roles: tuple[str, ...] = ()
    columns: list[Column] = []
    intro = ""
    done_url = "home"
    derived_keys: tuple[str, ...] = ()  # fields the preview shows even without a column (from the ID number)

    class Meta:
        force_init_instance = True  # every row is a new record, saved by its service
        instance_loader_class = BaseInstanceLoader  # never asked: no row updates an existing record
        import_id_fields = ()
        skip_diff = True
        store_instance = True
        use_transactions = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for column in self.get_columns():
            self.fields[column.key] = Field(
                attribute=column.key, column_name=column.key, widget=CellWidget(column)
            )
        self._actor, self._shared = None, {}

    def get_columns(self) -> list[Column]:
        return list(self.columns)

    def context(self, actor) -> dict:
        """What every row of this import shares (the actor's organisation, its stations)."""
        return {}

    def save(self, values: dict, actor, shared: dict) -> None:
        raise NotImplementedError

    def derived(self, values: dict) -> dict:
        """Values the portal knows without a column (a worker's gender from the ID number), for the preview."""
        return {}

    def notes(self, keys: set[str]) -> list[str]:
        """What the import assumes for columns the sheet does not have, said on the preview."""
        return []

    # --- the library's hooks ---------------------------------------------------------------------------------------

    def init_instance(self, row=None):
        return RowValues()

    def save_instance(self, instance, is_create, row, **kwargs):
        self.save(vars(instance), self._actor, self._shared)

    # --- reading the sheet in front of the library -----------------------------------------------------------------

    def read_layout(self, rows, mapping: dict[int, str] | None = None) -> tuple[int, list[SheetColumn]]:
        """The header row (its index in `rows`) and how each of its columns is read. The header is the first of the
        first rows naming every required column (by any of its names); `mapping` (position -> field key, or "" for
        a column not to read) is the user's correction from the preview."""
        columns = self.get_columns()
        required = [c for c in columns if c.required]
        best = None
        for index, (_number, values) in enumerate(rows[:HEADER_SEARCH_ROWS]):
            layout, taken = [], set()
            for position, value in enumerate(values):
                header = cells.header_key(value)
                if not header:
                    continue
                key = next((c.key for c in columns if c.key not in taken and c.matches(header)), "")
                taken.add(key)
                layout.append(SheetColumn(position, cells.text(value), key))
            if all(c.key in taken for c in required):
                best = (index, layout)
                break
            if best is None or len(taken - {""}) > len({c.key for c in best[1]} - {""}):
                best = (index, layout) if taken - {""} else best
        if best is None:
            names = listing(c.label for c in required)
            raise ImportRefused(
                [
                    RowError(
                        0, "", _("找不到表头：表格应有以下列：{names}。请使用导入模板。").format(names=names)
                    )
                ]
            )
        index, layout = best
        if mapping is not None:
            known = {c.key for c in columns}
            for column in layout:
                if column.position in mapping:
                    column.key = mapping[column.position] if mapping[column.position] in known else ""
        return index, layout

    def parse(
        self, content: bytes, filename: str = "", mapping=None
    ) -> tuple[ImportResult, Dataset, list[int]]:
        rows = read_sheet(content, filename)
        header_index, layout = self.read_layout(rows, mapping)
        result = ImportResult(layout=layout, header_row=rows[header_index][0])
        labels = {c.key: c.label for c in self.get_columns()}
        keys = [c.key for c in layout if c.key]
        for key in {k for k in keys if keys.count(k) > 1}:
            result.errors.append(RowError(0, labels[key], _("有两列都读作此项，请在预览中改正列对应。")))
        missing = [c.label for c in self.get_columns() if c.required and c.key not in keys]
        if missing:
            result.errors.append(
                RowError(
                    0, "", _("缺少必填列：{names}。请在预览中指定对应的列。").format(names=listing(missing))
                )
            )
        read = [c for c in layout if c.key]
        dataset, numbers = Dataset(headers=[c.key for c in read]), []
        for number, values in rows[header_index + 1 :]:
            if all(cells.text(v) == "" for v in values):
                continue  # blank rows, in the middle or trailing
            dataset.append([values[c.position] if c.position < len(values) else None for c in read])
            numbers.append(number)
        if not numbers and not result.errors:
            result.errors.append(RowError(0, "", _("表格中没有数据行。")))
        result.notes = self.notes(set(keys))
        return result, dataset, numbers

    def _row_errors(self, number: int, row_result, layout: list[SheetColumn]) -> list[RowError]:
        labels = {c.key: c.label for c in self.get_columns()}
        labels.update({c.key: c.header for c in layout if c.key})  # the header as the sheet writes it
        letters = {c.key: get_column_letter(c.position + 1) for c in layout if c.key}
        found = []
        error = row_result.validation_error
        if error is not None:
            if hasattr(error, "error_dict"):
                found += [
                    RowError(
                        number,
                        labels.get(key, "" if key in ("__all__", NON_FIELD_ERRORS) else key),
                        message,
                        letters.get(key, ""),
                    )
                    for key, errors in error.error_dict.items()
                    for message in ValidationError(errors).messages
                ]
            else:
                found += [RowError(number, "", message) for message in error.messages]
        for failure in row_result.errors:
            problem = failure.error
            messages = problem.messages if isinstance(problem, ValidationError) else [str(problem)]
            found += [RowError(number, "", message) for message in messages]
        return found

    def run(self, content: bytes, actor, *, commit: bool, filename: str = "", mapping=None) -> ImportResult:
        """Read the sheet, then import it with the library: every row through its service, in one transaction
        that a dry run (the preview) or any bad row rolls back."""
        if actor.role not in self.roles:
            raise PermissionDenied(_("当前账号的角色不能使用此导入。"))
        result, dataset, numbers = self.parse(content, filename, mapping)
        if result.errors:
            return result
        self._actor, self._shared = actor, self.context(actor)
        with transaction.atomic():
            outcome = self.import_data(
                dataset,
                dry_run=not commit,
                raise_errors=False,
                use_transactions=True,
                rollback_on_validation_errors=True,
                retain_instance_in_row_result=True,
            )
            for error in outcome.base_errors:
                result.errors.append(RowError(0, "", str(error.error)))
            for number, row_result in zip(numbers, outcome.rows, strict=True):
                result.errors += self._row_errors(number, row_result, result.layout)
                values = vars(row_result.instance) if row_result.instance is not None else {}
                result.rows.append((number, self.shown(values)))
            if result.errors or not commit:
                transaction.set_rollback(True)
            else:
                result.saved = len(numbers)
        return result

    def shown(self, values: dict) -> dict:
        """A row as the preview shows it: codes as people read them, what the ID number says filled in."""
        values = {**values, **{k: v for k, v in self.derived(values).items() if values.get(k) in (None, "")}}
        return {c.key: c.display(values.get(c.key)) for c in self.get_columns()}


# --- the families ---------------------------------------------------------------------------------------------------


def _gender(value) -> str:
    cleaned = cells.text(value)
    if cleaned in ("女", "F", "f"):
        return "F"
    if cleaned in ("男", "M", "m"):
        return "M"
    raise CellError(_("“{cleaned}”应填“男”或“女”。").format(cleaned=cleaned))


def _gender_label(value) -> str:
    from staffing.models import SocialWorker

    return str(SocialWorker.Gender(value).label)


def _level(value) -> str:
    from staffing.models import Qualification

    cleaned = cells.text(value).replace(" ", "")
    for level, label in Qualification.Level.choices:
        if cleaned in (str(label), level, str(label).replace("社会工作师", "社工师")):
            return level
    if cleaned in ("助理社工", "初级", "初级社会工作师"):
        return Qualification.Level.ASSISTANT
    if cleaned in ("中级", "中级社会工作师"):
        return Qualification.Level.SOCIAL_WORKER
    raise CellError(_("“{cleaned}”应为助理社会工作师、社会工作师或高级社会工作师。").format(cleaned=cleaned))


def _level_label(value) -> str:
    from staffing.models import Qualification

    return str(Qualification.Level(value).label)


def _yes_no_label(value) -> str:
    return _("是") if value else _("否")


def _station_lookup(stations):
    by_name = {}
    for station in stations.select_related("street"):
        by_name[station.name] = station
        by_name[station.street.name] = station
        by_name[station.street.name.removesuffix("街道")] = station
    return by_name


def _station(values: dict, shared: dict, key: str = "station"):
    station = shared["stations"].get(values[key])
    if station is None:
        raise ValidationError({key: _("“{values}”不是您管理范围内的社工站。").format(values=values[key])})
    return station


class StationSheetResource(SheetResource):
    """A family whose rows name a station: the stations the actor may see, by name or street, shared by the rows."""

    def context(self, actor) -> dict:
        from stations.models import Station

        return {"stations": _station_lookup(Station.objects.visible_to(actor))}


STATION_NAMES = ("社工站", "所属社工站", "站点", "派驻社工站", "驻站站点", "街道", "所在街道")
PHONE_NAMES = ("手机号码", "手机号", "手机", "联系电话", "电话", "联系方式")
ID_NAMES = ("身份证号", "身份证", "身份证号码", "证件号码", "公民身份号码")


class RosterResource(StationSheetResource):
    """The social-worker roster: the worker, their qualification and, where the row has them, the station they are
    posted to and from when (R-STAFF-2..5 and 7 apply, through the services)."""

    kind = "roster"
    title = gettext_lazy("导入社工花名册")
    roles = (Role.CONTRACTOR,)
    intro = gettext_lazy(
        "每行一名社工；填写资质的，同时登记其社会工作专业资质（四（二），R-STAFF-2、R-STAFF-3）；填写社工站和派驻日期的，"
        "同时派驻到该站（R-STAFF-4、R-STAFF-5）。性别和出生日期按身份证号确定，可不填。"
    )
    done_url = "worker-list"
    derived_keys = ("gender", "birth_date")
    columns = [
        Column("name", gettext_noop("姓名"), cells.name, aliases=("社工姓名", "员工姓名"), example="王晓丽"),
        Column(
            "id_number",
            gettext_noop("身份证号"),
            cells.id_number,
            aliases=ID_NAMES,
            example="120110199001011235",
        ),
        Column("gender", gettext_noop("性别"), _gender, required=False, example="女", show=_gender_label),
        Column("birth_date", gettext_noop("出生日期"), cells.date, required=False, example=""),
        Column("phone", gettext_noop("手机号码"), cells.phone, aliases=PHONE_NAMES, example="13812345678"),
        Column(
            "education",
            gettext_noop("学历"),
            cells.text,
            required=False,
            aliases=("最高学历",),
            example="本科",
        ),
        Column(
            "major",
            gettext_noop("专业"),
            cells.text,
            required=False,
            aliases=("所学专业",),
            example="社会工作",
        ),
        Column(
            "employed_on",
            gettext_noop("入职日期"),
            cells.date,
            aliases=("入职时间", "参加工作日期", "入职"),
            example="2025-07-01",
        ),
        Column(
            "level",
            gettext_noop("资质等级"),
            _level,
            required=False,
            aliases=("证书等级", "资质", "专业资质", "职业水平等级", "职业资格"),
            example="助理社会工作师",
            show=_level_label,
        ),
        Column(
            "certificate_no",
            gettext_noop("证书编号"),
            cells.text,
            required=False,
            aliases=("证号", "证书号", "资格证书编号"),
            example="2024120110001",
        ),
        Column(
            "obtained_on",
            gettext_noop("取得日期"),
            cells.date,
            required=False,
            aliases=("资质取得日期", "发证日期", "取得时间", "取证日期"),
            example="2024-06-20",
        ),
        Column(
            "station",
            gettext_noop("社工站"),
            cells.text,
            required=False,
            aliases=STATION_NAMES,
            example="张贵庄街道",
        ),
        Column(
            "posted_on",
            gettext_noop("派驻日期"),
            cells.date,
            required=False,
            aliases=("到岗日期", "驻站日期", "派驻时间"),
            example="2025-07-01",
        ),
        Column(
            "is_full_time",
            gettext_noop("是否全职"),
            cells.yes_no,
            required=False,
            aliases=("全职",),
            example="是",
            show=_yes_no_label,
        ),
        Column(
            "has_labour_contract",
            gettext_noop("签订劳动合同"),
            cells.yes_no,
            required=False,
            aliases=("劳动合同", "是否签订劳动合同"),
            example="是",
            show=_yes_no_label,
        ),
    ]

    def context(self, actor) -> dict:
        from contracts.models import Contractor

        contractor = Contractor.objects.visible_to(actor).first()
        if contractor is None:
            raise PermissionDenied(_("当前账号未关联承接主体。"))
        return {**super().context(actor), "contractor": contractor}

    def derived(self, values: dict) -> dict:
        from core.validators import id_number_facts

        facts = id_number_facts(values.get("id_number") or "")
        return {"gender": facts.get("gender"), "birth_date": facts.get("birth_date")}

    def notes(self, keys: set[str]) -> list[str]:
        notes = []
        if "gender" not in keys:
            notes.append(_("表格没有“性别”列：性别按身份证号确定。"))
        if "station" in keys and not {"is_full_time", "has_labour_contract"} <= keys:
            notes.append(
                _(
                    "表格没有“是否全职”“签订劳动合同”列：派驻的社工按全职、已签订劳动合同登记（R-STAFF-4），如不符请补充这两列。"
                )
            )
        if "station" not in keys or "posted_on" not in keys:
            notes.append(_("表格没有“社工站”和“派驻日期”两列：只登记社工和资质，不派驻。"))
        return notes

    def save(self, values, actor, shared):
        from contracts.models import ProjectCycle
        from staffing.services import qualification_record, worker_post, worker_register

        facts = self.derived(values)
        if (
            values.get("birth_date")
            and facts.get("birth_date")
            and values["birth_date"] != facts["birth_date"]
        ):
            raise ValidationError(
                {
                    "birth_date": _("出生日期与身份证号不符：按身份证号应为{day:%Y-%m-%d}。").format(
                        day=facts["birth_date"]
                    )
                }
            )
        worker = worker_register(
            actor=actor,
            contractor=shared["contractor"],
            **{
                k: values.get(k) or "" for k in ("name", "gender", "id_number", "phone", "education", "major")
            },
            employed_on=values["employed_on"],
        )
        if values.get("level"):
            if not values.get("certificate_no") or not values.get("obtained_on"):
                raise ValidationError({"certificate_no": _("填写资质等级的，须同时填写证书编号和取得日期。")})
            qualification_record(
                worker=worker,
                level=values["level"],
                certificate_no=values["certificate_no"],
                obtained_on=values["obtained_on"],
                actor=actor,
            )
        if values.get("station") or values.get("posted_on"):
            if not values.get("station") or not values.get("posted_on"):
                raise ValidationError({"posted_on": _("派驻的社工须同时填写社工站和派驻日期。")})
            station = _station(values, shared)
            day = values["posted_on"]
            cycle = (
                ProjectCycle.objects.visible_to(actor)
                .filter(
                    station=station, contractor=shared["contractor"], start_date__lte=day, end_date__gte=day
                )
                .first()
            )
            if cycle is None:
                raise ValidationError(
                    {
                        "station": _("{station}在{day:%Y-%m-%d}不由本机构承接，不能派驻。").format(
                            station=station.name, day=day
                        )
                    }
                )
            worker_post(
                cycle=cycle,
                worker=worker,
                start_date=day,
                is_full_time=values.get("is_full_time") is not False,
                has_labour_contract=values.get("has_labour_contract") is not False,
                actor=actor,
            )


class VolunteerResource(StationSheetResource):
    kind = "volunteers"
    title = gettext_lazy("导入志愿者")
    roles = (Role.CONTRACTOR,)
    intro = gettext_lazy("做好志愿者注册（三（二），R-SVC-2）。社工站可填站名或街道名。")
    done_url = "volunteer-list"
    columns = [
        Column("station", gettext_noop("社工站"), cells.text, aliases=STATION_NAMES, example="张贵庄街道"),
        Column("name", gettext_noop("姓名"), cells.name, aliases=("志愿者姓名",), example="李明"),
        Column("phone", gettext_noop("联系电话"), cells.phone, aliases=PHONE_NAMES, example="13912345678"),
        Column(
            "team",
            gettext_noop("志愿服务队"),
            cells.text,
            required=False,
            aliases=("服务队", "所属服务队"),
            example="张贵庄社区志愿服务队",
        ),
        Column(
            "skills", gettext_noop("特长"), cells.text, required=False, aliases=("专长",), example="陪伴老人"
        ),
        Column(
            "registered_on", gettext_noop("注册日期"), cells.date, aliases=("注册时间",), example="2026-03-05"
        ),
    ]

    def save(self, values, actor, shared):
        from staffing.services import volunteer_register

        station = _station(values, shared)
        volunteer_register(
            station=station,
            actor=actor,
            **{
                k: values.get(k) if k == "registered_on" else values.get(k) or ""
                for k in ("name", "phone", "team", "skills", "registered_on")
            },
        )


def _site_columns() -> list[Column]:
    from stations.models import SiteConditionLog
    from stations.services import CHECK_FIELDS

    return [
        Column("station", gettext_noop("社工站"), cells.text, aliases=STATION_NAMES, example="张贵庄街道"),
        Column("logged_on", gettext_noop("检查日期"), cells.date, aliases=("日期",), example="2026-11-20"),
        *(
            Column(
                name,
                str(SiteConditionLog._meta.get_field(name).verbose_name),
                cells.yes_no,
                required=False,
                example="是",
                show=_yes_no_label,
            )
            for name in CHECK_FIELDS
        ),
        Column("notes", gettext_noop("备注"), cells.text, required=False, example=""),
    ]


class SiteConditionResource(StationSheetResource):
    kind = "site-conditions"
    title = gettext_lazy("导入场所设置检查")
    roles = (Role.STREET, Role.BUREAU)
    intro = gettext_lazy("每行一次检查：按实施方案四（一）至（五）逐项填写“是”或“否”（R-SITE-1至R-SITE-4）。")
    done_url = "station-list"

    def get_columns(self):
        return _site_columns()

    def save(self, values, actor, shared):
        from stations.services import CHECK_FIELDS, site_log_record

        station = _station(values, shared)
        site_log_record(
            station=station,
            logged_on=values["logged_on"],
            conditions={name: values.get(name) or False for name in CHECK_FIELDS},
            photos=[],
            notes=values.get("notes") or "",
            actor=actor,
        )


class VolunteerHoursResource(StationSheetResource):
    """Volunteers' service hours as a station keeps them; each entry waits for verification (R-SVC-2)."""

    kind = "volunteer-hours"
    title = gettext_lazy("导入志愿服务时长")
    roles = (Role.CONTRACTOR,)
    intro = gettext_lazy(
        "每行一次服务：志愿者按社工站和姓名查找（同名的请补填联系电话）；导入后每条时长都待社工站核实（三（二），R-SVC-2）。"
    )
    done_url = "volunteer-list"
    columns = [
        Column("station", gettext_noop("社工站"), cells.text, aliases=STATION_NAMES, example="张贵庄街道"),
        Column("name", gettext_noop("志愿者姓名"), cells.name, aliases=("姓名", "志愿者"), example="李明"),
        Column(
            "phone", gettext_noop("联系电话"), cells.phone, required=False, aliases=PHONE_NAMES, example=""
        ),
        Column(
            "served_on",
            gettext_noop("服务日期"),
            cells.date,
            aliases=("日期", "服务时间"),
            example="2026-11-20",
        ),
        Column(
            "start_time", gettext_noop("开始时间"), cells.time, aliases=("开始", "起始时间"), example="9:00"
        ),
        Column(
            "end_time", gettext_noop("结束时间"), cells.time, aliases=("结束", "截止时间"), example="11:30"
        ),
        Column(
            "activity",
            gettext_noop("服务内容"),
            cells.text,
            aliases=("服务项目", "活动内容"),
            example="陪伴老人",
        ),
    ]

    def save(self, values, actor, shared):
        from staffing.models import Volunteer
        from staffing.services import volunteer_hours_record

        station = _station(values, shared)
        found = [
            v
            for v in Volunteer.objects.visible_to(actor).filter(station=station, name=values["name"])
            if not values.get("phone") or v.phone == values["phone"]
        ]
        if len(found) != 1:
            raise ValidationError(
                {
                    "name": _("{station}没有名为“{name}”的在册志愿者。").format(
                        station=station.name, name=values["name"]
                    )
                    if not found
                    else _("{station}有{count}名志愿者叫“{name}”，请填写联系电话以区分。").format(
                        station=station.name, count=len(found), name=values["name"]
                    )
                }
            )
        volunteer_hours_record(
            volunteer=found[0],
            served_on=values["served_on"],
            start_time=values["start_time"],
            end_time=values["end_time"],
            activity=values["activity"],
            actor=actor,
        )


def _training_columns() -> list[Column]:
    from staffing.models import Training

    return [
        Column(
            "title",
            gettext_noop("培训名称"),
            cells.text,
            aliases=("培训主题", "培训班名称"),
            example="社会救助政策培训",
        ),
        Column(
            "kind",
            gettext_noop("培训类别"),
            cells.choice(Training.Kind.choices),
            aliases=("类别", "培训类型"),
            example=str(Training.Kind.choices[0][1]),
            show=cells.choice_label(Training.Kind.choices),
        ),
        Column(
            "held_on",
            gettext_noop("培训日期"),
            cells.date,
            aliases=("日期", "培训时间"),
            example="2026-11-10",
        ),
        Column("hours", gettext_noop("学时"), cells.decimal, aliases=("培训学时",), example="4"),
        Column(
            "provider",
            gettext_noop("组织单位"),
            cells.text,
            required=False,
            aliases=("举办单位", "主办单位"),
            example="",
        ),
        Column("name", gettext_noop("社工姓名"), cells.name, aliases=("姓名", "参训人员"), example="王晓丽"),
        Column(
            "id_number",
            gettext_noop("身份证号"),
            cells.id_number,
            aliases=ID_NAMES,
            example="120110199001011235",
        ),
        Column(
            "passed",
            gettext_noop("考核合格"),
            cells.yes_no,
            required=False,
            aliases=("是否合格", "考核结果", "合格"),
            example="是",
            show=_yes_no_label,
        ),
    ]


class TrainingResource(SheetResource):
    """Trainings of the district's guidance centre, one attendee per row; rows with the same name and day are one
    training (R-STAFF-6)."""

    kind = "training"
    title = gettext_lazy("导入培训记录")
    roles = (Role.BUREAU,)
    intro = gettext_lazy(
        "每行一名参训社工；培训名称和日期相同的行是同一次培训。社工按身份证号查找，只限本区社工（四（二），R-STAFF-6）。"
    )
    done_url = "training-list"

    def get_columns(self):
        return _training_columns()

    def context(self, actor) -> dict:
        return {"trainings": {}}

    def save(self, values, actor, shared):
        from core.crypto import digest
        from staffing.models import SocialWorker
        from staffing.services import training_attendance_add, training_record

        worker = SocialWorker.objects.visible_to(actor).filter(id_digest=digest(values["id_number"])).first()
        if worker is None:
            raise ValidationError({"id_number": _("本区没有此身份证号的社工。")})
        if worker.name != values["name"]:
            raise ValidationError(
                {"name": _("姓名与身份证号登记的社工（{name}）不符。").format(name=worker.name)}
            )
        passed = values.get("passed") is not False
        key = (values["title"], values["held_on"])
        training = shared["trainings"].get(key)
        if training is None:
            shared["trainings"][key] = training_record(
                title=values["title"],
                kind=values["kind"],
                held_on=values["held_on"],
                hours=values["hours"],
                provider=values.get("provider") or "",
                passed=[worker] if passed else [],
                failed=[] if passed else [worker],
                actor=actor,
            )
        else:
            training_attendance_add(training=training, worker=worker, passed=passed, actor=actor)


class SupervisionResource(StationSheetResource):
    """Supervision sessions of the district guidance centre for a station's resident workers (R-STAFF-6); the
    workers are named as the sheet names them, among those resident at the station on the day."""

    kind = "supervision"
    title = gettext_lazy("导入督导记录")
    roles = (Role.CONTRACTOR, Role.BUREAU)
    intro = gettext_lazy(
        "每行一次督导（五（一），R-STAFF-6）：参加社工写姓名，多人用顿号、逗号或空格隔开，须是该站当天的驻站社工。"
    )
    done_url = "training-list"
    columns = [
        Column("station", gettext_noop("社工站"), cells.text, aliases=STATION_NAMES, example="张贵庄街道"),
        Column("held_on", gettext_noop("督导日期"), cells.date, aliases=("日期",), example="2026-11-12"),
        Column(
            "supervisor", gettext_noop("督导"), cells.name, aliases=("督导老师", "督导人"), example="刘老师"
        ),
        Column("topic", gettext_noop("督导主题"), cells.text, aliases=("主题",), example="个案评估"),
        Column("hours", gettext_noop("时长（小时）"), cells.decimal, aliases=("时长", "小时"), example="2"),
        Column(
            "workers",
            gettext_noop("参加社工"),
            cells.text,
            aliases=("参加人员", "社工"),
            example="王晓丽、赵磊",
        ),
    ]

    def save(self, values, actor, shared):
        import re

        from staffing.models import SocialWorker
        from staffing.selectors import resident_postings
        from staffing.services import supervision_record
        from stations.models import Station

        station = _station(values, shared)
        team = {
            w.name: w
            for w in SocialWorker.objects.filter(
                pk__in=resident_postings(Station.objects.filter(pk=station.pk), values["held_on"]).values(
                    "worker"
                )
            )
        }
        names = [n for n in re.split(r"[、，,;；\s]+", values["workers"]) if n]
        missing = [n for n in names if n not in team]
        if missing:
            raise ValidationError(
                {
                    "workers": _("{names}不是{station}当天的驻站社工。").format(
                        names="、".join(missing), station=station.name
                    )
                }
            )
        supervision_record(
            station=station,
            held_on=values["held_on"],
            supervisor=values["supervisor"],
            topic=values["topic"],
            hours=values["hours"],
            workers=[team[n] for n in names],
            actor=actor,
        )


def _service_record_columns() -> list[Column]:
    from reports.models import ServiceArea, ServiceKind, ServiceMethod

    def picked(choices, label, key, aliases, example):
        return Column(
            key,
            label,
            cells.choice(choices),
            aliases=aliases,
            example=example,
            show=cells.choice_label(choices),
        )

    return [
        Column("station", gettext_noop("社工站"), cells.text, aliases=STATION_NAMES, example="张贵庄街道"),
        Column(
            "held_on",
            gettext_noop("服务日期"),
            cells.date,
            aliases=("日期", "活动日期"),
            example="2026-11-20",
        ),
        picked(
            ServiceKind.choices,
            gettext_noop("服务形式"),
            "kind",
            ("形式", "服务类型"),
            str(ServiceKind.choices[0][1]),
        ),
        picked(
            ServiceArea.choices, gettext_noop("服务领域"), "area", ("领域",), str(ServiceArea.choices[0][1])
        ),
        picked(
            ServiceMethod.choices,
            gettext_noop("服务方法"),
            "method",
            ("方法",),
            str(ServiceMethod.choices[0][1]),
        ),
        Column(
            "title",
            gettext_noop("服务主题"),
            cells.text,
            aliases=("主题", "活动名称"),
            example="低保家庭入户探访",
        ),
        Column(
            "participants",
            gettext_noop("服务人次"),
            cells.decimal,
            aliases=("人次", "参与人次"),
            example="1",
            show=lambda value: int(value),
        ),
        Column(
            "client_name",
            gettext_noop("服务对象"),
            cells.name,
            required=False,
            aliases=("对象姓名",),
            example="",
        ),
        Column(
            "description",
            gettext_noop("服务内容"),
            cells.text,
            required=False,
            aliases=("内容", "备注"),
            example="",
        ),
    ]


class ServiceRecordResource(StationSheetResource):
    """Service records (个案、小组、社区活动) a station keeps in its own ledger (R-SVC-1)."""

    kind = "service-records"
    title = gettext_lazy("导入服务记录")
    roles = (Role.CONTRACTOR,)
    intro = gettext_lazy(
        "每行一次服务（三（二），R-SVC-1）：个案须填写服务对象；服务日期须在本机构承接该站的合同年度内。"
    )
    done_url = "service-record-list"

    def get_columns(self):
        return _service_record_columns()

    def save(self, values, actor, shared):
        from reports.services import service_record_create

        station = _station(values, shared)
        participants = values["participants"]
        if participants != int(participants) or participants < 1:
            raise ValidationError({"participants": _("服务人次应为正整数。")})
        service_record_create(
            station=station,
            actor=actor,
            kind=values["kind"],
            area=values["area"],
            method=values["method"],
            held_on=values["held_on"],
            title=values["title"],
            participants=int(participants),
            client_name=values.get("client_name") or "",
            description=values.get("description") or "",
        )


class ContractorResource(SheetResource):
    """The bureau's register of social-work organisations (承接主体)."""

    kind = "contractors"
    title = gettext_lazy("导入承接主体名册")
    roles = (Role.BUREAU,)
    intro = gettext_lazy(
        "每行一家社会工作服务机构；统一社会信用代码为18位。资质条件仍须逐项核验（三（一），R-PROC-2）。"
    )
    done_url = "contractor-list"
    columns = [
        Column(
            "name",
            gettext_noop("机构名称"),
            cells.text,
            aliases=("名称", "单位名称"),
            example="东丽区启航社会工作服务中心",
        ),
        Column("short_name", gettext_noop("简称"), cells.text, required=False, example="启航"),
        Column(
            "credit_code",
            gettext_noop("统一社会信用代码"),
            cells.text,
            aliases=("信用代码", "社会信用代码"),
            example="52120110MJ0000001X",
        ),
        Column(
            "legal_representative",
            gettext_noop("法定代表人"),
            cells.name,
            aliases=("法人", "法人代表"),
            example="张华",
        ),
        Column(
            "registered_on",
            gettext_noop("登记日期"),
            cells.date,
            aliases=("成立日期", "注册日期"),
            example="2018-05-10",
        ),
        Column("address", gettext_noop("办公地址"), cells.text, aliases=("地址",), example="天津市东丽区"),
        Column("contact_person", gettext_noop("联系人"), cells.name, example="李娜"),
        Column(
            "contact_phone",
            gettext_noop("联系电话"),
            cells.phone,
            aliases=PHONE_NAMES,
            example="022-24391234",
        ),
    ]

    def save(self, values, actor, shared):
        from contracts.services import contractor_register

        contractor_register(
            actor=actor,
            **{c.key: values.get(c.key) or "" for c in self.columns if c.key != "registered_on"},
            registered_on=values["registered_on"],
        )


IMPORTERS: dict[str, type[SheetResource]] = {
    resource.kind: resource
    for resource in (
        RosterResource,
        VolunteerResource,
        VolunteerHoursResource,
        SiteConditionResource,
        TrainingResource,
        SupervisionResource,
        ServiceRecordResource,
        ContractorResource,
    )
}
