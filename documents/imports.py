"""Importing the spreadsheets people already keep: the social-worker roster, volunteers, and site conditions.

A sheet made by hand is read as it comes — a merged title row above the header, headers with * marks, full-width
digits, dates written five ways, ID numbers stored as numbers, blank rows at the end — and each row then goes
through the same service, role and scope as the form for one record. Nothing is saved unless every row is valid:
the whole file runs in one transaction that a dry run (the preview) or any bad row rolls back.
"""

import csv
import io
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from openpyxl import load_workbook

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

    def matches(self, header: str) -> bool:
        return header in (self.label, *self.aliases)


@dataclass
class RowError:
    row: int  # the row number as Excel shows it (1-based); 0 for the file as a whole
    column: str
    message: str

    def __str__(self) -> str:
        where = _("第{row}行").format(row=self.row) if self.row else _("文件")
        return f"{where}“{self.column}”：{self.message}" if self.column else f"{where}：{self.message}"


@dataclass
class ImportResult:
    rows: list[tuple[int, dict]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    saved: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


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


class Importer:
    kind = ""
    title = ""
    roles: tuple[str, ...] = ()
    columns: list[Column] = []
    intro = ""
    done_url = "home"

    def context(self, actor) -> dict:
        """What every row of this import shares (the actor's organisation, its stations)."""
        return {}

    def save(self, values: dict, actor, context: dict) -> None:
        raise NotImplementedError

    # --- reading -------------------------------------------------------------------------------------------------

    def _header(self, rows) -> tuple[int, dict[str, int]]:
        required = [c for c in self.columns if c.required]
        for index, (_number, values) in enumerate(rows[:HEADER_SEARCH_ROWS]):
            positions = {}
            for position, value in enumerate(values):
                header = cells.header_key(value)
                for column in self.columns:
                    if column.key not in positions and column.matches(header):
                        positions[column.key] = position
            if all(c.key in positions for c in required):
                return index, positions
        names = listing(c.label for c in required)
        raise ImportRefused(
            [RowError(0, "", _("找不到表头：表格应有以下列：{names}。请使用导入模板。").format(names=names))]
        )

    def parse(self, content: bytes, filename: str = "") -> ImportResult:
        rows = read_sheet(content, filename)
        header_index, positions = self._header(rows)
        result = ImportResult()
        for number, values in rows[header_index + 1 :]:
            if all(cells.text(v) == "" for v in values):
                continue  # blank rows, in the middle or trailing
            parsed = {}
            for column in self.columns:
                position = positions.get(column.key)
                raw = values[position] if position is not None and position < len(values) else None
                if raw is None or cells.text(raw) == "":
                    if column.required:
                        result.errors.append(RowError(number, column.label, _("必填，不能为空。")))
                    parsed[column.key] = None if column.parse in (cells.date, cells.decimal) else ""
                    continue
                try:
                    parsed[column.key] = column.parse(raw)
                except CellError as error:
                    result.errors.append(RowError(number, column.label, str(error)))
            result.rows.append((number, parsed))
        if not result.rows and not result.errors:
            result.errors.append(RowError(0, "", _("表格中没有数据行。")))
        return result

    # --- running -------------------------------------------------------------------------------------------------

    def _row_errors(self, number: int, error: ValidationError | PermissionDenied) -> list[RowError]:
        if isinstance(error, PermissionDenied):
            return [RowError(number, "", str(error))]
        labels = {c.key: c.label for c in self.columns}
        if hasattr(error, "error_dict"):
            return [
                RowError(number, labels.get(key, "" if key == "__all__" else key), message)
                for key, errors in error.error_dict.items()
                for message in ValidationError(errors).messages
            ]
        return [RowError(number, "", message) for message in error.messages]

    def run(self, content: bytes, actor, *, commit: bool, filename: str = "") -> ImportResult:
        """Parse and save every row in one transaction; roll it all back on a dry run or any error."""
        if actor.role not in self.roles:
            raise PermissionDenied(_("当前账号的角色不能使用此导入。"))
        result = self.parse(content, filename)
        if result.errors:
            return result
        context = self.context(actor)
        with transaction.atomic():
            for number, values in result.rows:
                try:
                    with transaction.atomic():
                        self.save(values, actor, context)
                except (ValidationError, PermissionDenied) as error:
                    result.errors.extend(self._row_errors(number, error))
            if result.errors or not commit:
                transaction.set_rollback(True)
            else:
                result.saved = len(result.rows)
        return result


# --- the three imports -------------------------------------------------------------------------------------------


def _gender(value) -> str:
    cleaned = cells.text(value)
    if cleaned in ("女", "F", "f"):
        return "F"
    if cleaned in ("男", "M", "m"):
        return "M"
    raise CellError(_("“{cleaned}”应填“男”或“女”。").format(cleaned=cleaned))


def _level(value) -> str:
    from staffing.models import Qualification

    cleaned = cells.text(value).replace(" ", "")
    for level, label in Qualification.Level.choices:
        if cleaned in (str(label), level, str(label).replace("社会工作师", "社工师")):
            return level
    raise CellError(_("“{cleaned}”应为助理社会工作师、社会工作师或高级社会工作师。").format(cleaned=cleaned))


def _station_lookup(stations):
    by_name = {}
    for station in stations.select_related("street"):
        by_name[station.name] = station
        by_name[station.street.name] = station
        by_name[station.street.name.removesuffix("街道")] = station
    return by_name


def _station(values: dict, context: dict):
    station = context["stations"].get(values["station"])
    if station is None:
        raise ValidationError(
            {"station": _("“{values}”不是您管理范围内的社工站。").format(values=values["station"])}
        )
    return station


class RosterImporter(Importer):
    kind = "roster"
    title = gettext_lazy("导入社工花名册")
    roles = (Role.CONTRACTOR,)
    intro = gettext_lazy(
        "每行一名社工；填写资质的，同时登记其社会工作专业资质（四（二），R-STAFF-2、R-STAFF-3）。"
    )
    done_url = "worker-list"
    columns = [
        Column("name", gettext_noop("姓名"), cells.name, example="王晓丽"),
        Column("gender", gettext_noop("性别"), _gender, example="女"),
        Column(
            "id_number",
            gettext_noop("身份证号"),
            cells.id_number,
            aliases=("身份证号码", "公民身份号码"),
            example="120110199001011235",
        ),
        Column(
            "phone",
            gettext_noop("手机号码"),
            cells.phone,
            aliases=("联系电话", "手机"),
            example="13812345678",
        ),
        Column("education", gettext_noop("学历"), cells.text, required=False, example="本科"),
        Column(
            "major",
            gettext_noop("专业"),
            cells.text,
            required=False,
            aliases=("所学专业",),
            example="社会工作",
        ),
        Column("employed_on", gettext_noop("入职日期"), cells.date, example="2025-07-01"),
        Column(
            "level",
            gettext_noop("资质等级"),
            _level,
            required=False,
            aliases=("专业资质",),
            example="助理社会工作师",
        ),
        Column(
            "certificate_no", gettext_noop("证书编号"), cells.text, required=False, example="2024120110001"
        ),
        Column(
            "obtained_on",
            gettext_noop("取得日期"),
            cells.date,
            required=False,
            aliases=("资质取得日期",),
            example="2024-06-20",
        ),
    ]

    def context(self, actor) -> dict:
        from contracts.models import Contractor

        contractor = Contractor.objects.visible_to(actor).first()
        if contractor is None:
            raise PermissionDenied(_("当前账号未关联承接主体。"))
        return {"contractor": contractor}

    def save(self, values, actor, context):
        from staffing.services import qualification_record, worker_register

        worker = worker_register(
            actor=actor,
            contractor=context["contractor"],
            **{
                k: values[k]
                for k in ("name", "gender", "id_number", "phone", "education", "major", "employed_on")
            },
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


class VolunteerImporter(Importer):
    kind = "volunteers"
    title = gettext_lazy("导入志愿者")
    roles = (Role.CONTRACTOR,)
    intro = gettext_lazy("做好志愿者注册（三（二），R-SVC-2）。社工站可填站名或街道名。")
    done_url = "volunteer-list"
    columns = [
        Column(
            "station",
            gettext_noop("社工站"),
            cells.text,
            aliases=("街道", "所属社工站"),
            example="张贵庄街道",
        ),
        Column("name", gettext_noop("姓名"), cells.name, example="李明"),
        Column(
            "phone",
            gettext_noop("联系电话"),
            cells.phone,
            aliases=("手机号码", "手机"),
            example="13912345678",
        ),
        Column(
            "team",
            gettext_noop("志愿服务队"),
            cells.text,
            required=False,
            aliases=("服务队",),
            example="张贵庄社区志愿服务队",
        ),
        Column("skills", gettext_noop("特长"), cells.text, required=False, example="陪伴老人"),
        Column("registered_on", gettext_noop("注册日期"), cells.date, example="2026-03-05"),
    ]

    def context(self, actor) -> dict:
        from stations.models import Station

        return {"stations": _station_lookup(Station.objects.visible_to(actor))}

    def save(self, values, actor, context):
        from staffing.services import volunteer_register

        station = _station(values, context)
        volunteer_register(
            station=station, actor=actor, **{k: v for k, v in values.items() if k != "station"}
        )


def _site_columns() -> list[Column]:
    from stations.models import SiteConditionLog
    from stations.services import CHECK_FIELDS

    return [
        Column("station", gettext_noop("社工站"), cells.text, aliases=("街道",), example="张贵庄街道"),
        Column("logged_on", gettext_noop("检查日期"), cells.date, example="2026-11-20"),
        *(
            Column(
                name,
                str(SiteConditionLog._meta.get_field(name).verbose_name),
                cells.yes_no,
                required=False,
                example="是",
            )
            for name in CHECK_FIELDS
        ),
        Column("notes", gettext_noop("备注"), cells.text, required=False, example=""),
    ]


class SiteConditionImporter(Importer):
    kind = "site-conditions"
    title = gettext_lazy("导入场所设置检查")
    roles = (Role.STREET, Role.BUREAU)
    intro = gettext_lazy("每行一次检查：按实施方案四（一）至（五）逐项填写“是”或“否”（R-SITE-1至R-SITE-4）。")
    done_url = "station-list"

    @property
    def columns(self):
        return _site_columns()

    def context(self, actor) -> dict:
        from stations.models import Station

        return {"stations": _station_lookup(Station.objects.visible_to(actor))}

    def save(self, values, actor, context):
        from stations.services import CHECK_FIELDS, site_log_record

        station = _station(values, context)
        site_log_record(
            station=station,
            logged_on=values["logged_on"],
            conditions={name: values.get(name) or False for name in CHECK_FIELDS},
            photos=[],
            notes=values.get("notes", ""),
            actor=actor,
        )


IMPORTERS: dict[str, type[Importer]] = {
    importer.kind: importer for importer in (RosterImporter, VolunteerImporter, SiteConditionImporter)
}
