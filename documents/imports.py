"""Importing the spreadsheets people already keep: the social-worker roster, volunteers, and site conditions.

A sheet made by hand is read as it comes — a merged title row above the header, headers with * marks, full-width
digits, dates written five ways, ID numbers stored as numbers, blank rows at the end — and each row then goes
through the same service, role and scope as the form for one record. Nothing is saved unless every row is valid:
the whole file runs in one transaction that a dry run (the preview) or any bad row rolls back.
"""

import csv
import io
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
from accounts.text import listing, sentences
from documents import cells
from documents.cells import CellError

MAX_IMPORT_BYTES = 5 * 1024 * 1024
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


def read_sheet(content: bytes, filename: str = "") -> list[tuple[int, list]]:
    """The rows of the first sheet of an .xlsx, or of a .csv (UTF-8 or GB18030), numbered as Excel shows them."""
    if content.startswith(b"PK\x03\x04"):
        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError) as error:
            raise ImportRefused(
                [RowError(0, "", _("无法读取该Excel文件（{error}）。").format(error=error))]
            ) from None
        sheet = book.worksheets[0]
        rows = [
            (number, list(values)) for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
        book.close()
        return rows
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportRefused([RowError(0, "", _("不支持旧版.xls格式，请在Excel中另存为.xlsx后再导入。"))])
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            decoded = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportRefused([RowError(0, "", _("文件既不是Excel（.xlsx）也不是可识别编码的CSV。"))])
    if "\x00" in decoded:
        raise ImportRefused([RowError(0, "", _("文件内容不是表格。"))])
    return list(enumerate(csv.reader(io.StringIO(decoded)), start=1))


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
