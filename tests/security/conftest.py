"""What the red-team tests share: a second district beside the demo's, the attack files, and readers of pages and
workbooks."""

import datetime
import io
import re
import zipfile
from dataclasses import dataclass
from html import unescape

import pytest

from accounts.models import Role
from contracts.models import ContractorStaff
from stations.models import District
from tests.factories import (
    ContractorFactory,
    ContractYearFactory,
    DistrictFactory,
    PostingFactory,
    StationFactory,
    StreetFactory,
    UserFactory,
)

D = datetime.date


@dataclass
class SecondDistrict:
    dongli: District
    district: District
    bureau2: object
    street2: object
    station: object
    contractor: object
    org_user: object
    worker: object
    spare: object


@pytest.fixture
def second(db) -> SecondDistrict:
    """A second district with its own bureau and street accounts and a station held by a contractor that works only
    there (with its own account and a posted worker), and an unattached contractor account nobody has linked yet."""
    dongli = District.objects.get(code="120110")
    district = DistrictFactory(name="测试二区")
    bureau2 = UserFactory(username="bureau2", role=Role.BUREAU)
    district.staff.add(bureau2)
    street = StreetFactory(district=district, name="二区一街道")
    street2 = UserFactory(username="street2", role=Role.STREET)
    street.staff.add(street2)
    station = StationFactory(street=street)
    contractor = ContractorFactory(name="外区社会工作服务中心")
    year = ContractYearFactory(
        cycle__procurement__station=station,
        cycle__procurement__awarded_to=contractor,
        cycle__start_date=D(2026, 7, 1),
        cycle__planned_end_date=D(2029, 6, 30),
        cycle__end_date=D(2029, 6, 30),
        start_date=D(2026, 7, 1),
        end_date=D(2027, 6, 30),
        signed_on=D(2026, 7, 1),
    )
    org_user = UserFactory(username="org-2", role=Role.CONTRACTOR)
    ContractorStaff.objects.create(contractor=contractor, district=district, user=org_user)
    posting = PostingFactory(cycle=year.cycle, start_date=D(2026, 7, 10), worker__name="外区社工甲")
    spare = UserFactory(username="spare-org", role=Role.CONTRACTOR)
    return SecondDistrict(
        dongli=dongli,
        district=district,
        bureau2=bureau2,
        street2=street2,
        station=station,
        contractor=contractor,
        org_user=org_user,
        worker=posting.worker,
        spare=spare,
    )


def admin_form_data(html: str) -> dict:
    """The values a browser would post from the first admin form on a page: inputs, checked boxes, selected options
    and text areas (enough to resubmit an admin change form with a field or two changed)."""
    form = re.search(r"<form[^>]*id=\"\w+_form\".*?</form>", html, re.S)
    body = form.group(0) if form else html
    data: dict = {}
    for tag in re.findall(r"<input[^>]*>", body):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        kind = (re.search(r'type="([^"]+)"', tag) or [None, "text"])[1]
        value = unescape((re.search(r'value="([^"]*)"', tag) or [None, ""])[1])
        if kind in ("checkbox", "radio"):
            if "checked" in tag:
                data[name[1]] = value or "on"
        elif kind not in ("submit", "button", "file"):
            data[name[1]] = value
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', body, re.S):
        chosen = re.findall(r'<option value="([^"]*)"[^>]*selected', options)
        data[name] = chosen[0] if chosen else ""
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', body, re.S):
        data[name] = unescape(text.lstrip("\n"))
    return data


def no_formula_cells(book) -> bool:
    """No cell of any sheet holds a formula (openpyxl reads a formula cell with data_type "f")."""
    return not [
        (sheet.title, cell.coordinate, cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


# --- attack files ------------------------------------------------------------------------------------------------

_CT = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
    'sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WB = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1"'
    ' r:id="rId1"/></sheets></workbook>'
)
_WBRELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def _book(sheet_xml: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CT)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WB)
        archive.writestr("xl/_rels/workbook.xml.rels", _WBRELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return buffer.getvalue()


def _sheet(rows: str, dimension: str = "A1:B2", before: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{before}<worksheet xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>'
    ).encode()


def _cell(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def _lying(member_bytes: bytes, name: str, extra: dict[str, str]) -> bytes:
    """An archive whose headers declare a 1,000-byte member that really unpacks to len(member_bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for other, text in extra.items():
            archive.writestr(other, text)
        archive.writestr(name, member_bytes)
    data = bytearray(buffer.getvalue())
    encoded = name.encode()
    local = data.find(b"PK\x03\x04" + b"\x00" * 0, 0)
    while local != -1:
        if data[local + 30 : local + 30 + len(encoded)] == encoded:
            data[local + 22 : local + 26] = (1000).to_bytes(4, "little")
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        if data[central + 46 : central + 46 + len(encoded)] == encoded:
            data[central + 24 : central + 28] = (1000).to_bytes(4, "little")
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


@pytest.fixture(scope="session")
def attack_files() -> dict[str, bytes]:
    rows = "".join(f'<row r="{i}">{_cell(f"A{i}", "x")}<c r="XFD{i}"/></row>' for i in range(1, 3000))
    wide_content = "".join(
        f'<row r="{i}">{_cell(f"A{i}", "x")}{_cell(f"XFD{i}", "y")}</row>' for i in range(1, 50)
    )
    # About 60 MB of sheet XML (more than the 40 MB allowed unpacked), under 2 MB packed.
    huge = "".join(f'<row r="{i}">{_cell(f"A{i}", "姓名" * 40)}</row>' for i in range(1, 260_000))
    office = {"[Content_Types].xml": "<Types/>"}
    return {
        "wide": _book(_sheet(rows, "A1:XFD3000")),
        "wide_content": _book(_sheet(wide_content, "A1:XFD50")),
        "unpacks_huge": _book(_sheet(huge, "A1:A260000")),
        "tall": _book(
            _sheet(f'<row r="1">{_cell("A1", "姓名")}</row><row r="1048576">{_cell("A1048576", "z")}</row>')
        ),
        "billion_laughs": _book(
            _sheet(
                _cell("A1", "&lol9;"),
                before='<!DOCTYPE lolz [<!ENTITY lol "lol">'
                + "".join(
                    f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10}">' for n in range(2, 10)
                ).replace("&lol1;", "&lol;")
                + "]>",
            )
        ),
        "xxe": _book(
            _sheet(_cell("A1", "&xxe;"), before='<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')
        ),
        "broken_xml": _book(b"<worksheet><sheetData><row><c><<<</sheetData>"),
        "lying_docx": _lying(b"0" * (5 * 1024 * 1024), "word/document.xml", office),
        "docx_bomb": _lying(b"0" * (250 * 1024 * 1024), "word/document.xml", office),
    }


def _shared_strings_book(count: int) -> bytes:
    buffer = io.BytesIO()
    strings = "".join(f"<si><t>{n}</t></si>" for n in range(count))
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CT)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WB)
        archive.writestr("xl/_rels/workbook.xml.rels", _WBRELS)
        archive.writestr(
            "xl/sharedStrings.xml",
            f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{strings}</sst>',
        )
        archive.writestr("xl/worksheets/sheet1.xml", _sheet(_cell("A1", "x")))
    return buffer.getvalue()


def _styles_book(count: int) -> bytes:
    buffer = io.BytesIO()
    xfs = "<xf/>" * count
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CT)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WB)
        archive.writestr("xl/_rels/workbook.xml.rels", _WBRELS)
        archive.writestr(
            "xl/styles.xml",
            f'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs>{xfs}</cellXfs></styleSheet>',
        )
        archive.writestr("xl/worksheets/sheet1.xml", _sheet(_cell("A1", "x")))
    return buffer.getvalue()


@pytest.fixture(scope="session")
def structure_bombs() -> dict[str, bytes]:
    """Small files whose XML declares millions of things openpyxl would build one object each for."""
    return {
        "styles": _styles_book(1_000_000),
        "strings": _shared_strings_book(500_000),
        "one_row": _book(_sheet('<row r="1">' + "<c/>" * 2_000_000 + "</row>")),
    }
