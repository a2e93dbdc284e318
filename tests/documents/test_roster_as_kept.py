"""Issue 18, acceptance 2: a roster as a contractor keeps it imports in one try, without editing the file; the same
file with one bad cell imports nothing and names the Excel row, the column and the reason. The files are made
here, with openpyxl, as Excel would save them."""

import datetime
import io
import re
import zipfile

import pytest
from openpyxl import Workbook

from core.validators import id_check_digit
from documents.imports import IMPORTERS, RosterResource
from staffing.models import Posting, Qualification, SocialWorker

pytestmark = pytest.mark.usefixtures("story_day")


def id_number(born: str, sequence: str) -> str:
    body = f"120110{born}{sequence}"
    return body + id_check_digit(body)


FULL = str.maketrans("0123456789", "０１２３４５６７８９")
# Three workers: a woman (even 17th digit), a man, and one kept without a posting.
WANG = id_number("19950312", "024")
ZHAO = id_number("19930708", "013")
SUN = id_number("19980101", "046")


def roster(bad_cell: tuple[int, int, object] | None = None) -> bytes:
    """The sheet as 启航 keeps it: a title row, its own headers (no 性别), station and 到岗日期 columns, full-width
    digits, four date spellings (2025-07-01, 2025年7月1日, 2025.7.1 and a real date cell), one ID number stored as
    a number whose digits were kept."""
    book = Workbook()
    sheet = book.active
    sheet.append(["东丽区启航社会工作服务中心驻站社工花名册（2026年11月）"])
    sheet.merge_cells("A1:L1")
    sheet.append(
        [
            "序号",
            "姓名",
            "身份证",
            "手机号",
            "最高学历",
            "所学专业",
            "入职时间",
            "证书等级",
            "证号",
            "发证日期",
            "站点",
            "到岗日期",
        ]
    )
    sheet.append(
        [1, "王晓雯", WANG, "１３８１２３４５６７８", "本科", "社会工作", "2025-07-01", "社会工作师",
         "2024120110101", "2024年6月20日", "张贵庄街道", "2026年11月20日"]
    )  # fmt: skip
    sheet.append(
        [2, "赵  磊", int(ZHAO), "139 1234 5678", "硕士", "社会学", "2025.7.1", "助理社工师",
         "２０２３１２０１１０２０２", datetime.date(2023, 6, 18), "新立", datetime.date(2026, 11, 21)]
    )  # fmt: skip
    sheet.append(
        [3, "孙悦", SUN.translate(FULL), "13712345678", "本科", "社会工作", "2026/03/02", "", "", "", "", ""]
    )  # fmt: skip
    sheet.append([])
    if bad_cell:
        row, column, value = bad_cell
        sheet.cell(row, column, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return digits_kept(buffer.getvalue(), "C4", int(ZHAO))


def digits_kept(content: bytes, cell: str, number: int) -> bytes:
    """The workbook with `number` stored as a number holding all its digits, as a file whose ID column was typed
    as a number can hold it (openpyxl itself would write the rounded float, as Excel shows it)."""
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(
                    rf'(<c r="{cell}" t="n"><v>)[^<]*(</v>)'.encode(), rf"\g<1>{number}\g<2>".encode(), data
                )
            target.writestr(item, data)
    return out.getvalue()


def counts():
    return (SocialWorker.objects.count(), Qualification.objects.count(), Posting.objects.count())


def test_a_roster_as_kept_imports_in_one_try(demo_users):
    before = counts()
    result = RosterResource().run(roster(), demo_users["org-a"], commit=True)
    assert result.ok, [str(e) for e in result.errors]
    assert counts() == (before[0] + 3, before[1] + 2, before[2] + 2)
    by_name = {w.name: w for w in SocialWorker.objects.filter(name__in=["王晓雯", "赵磊", "孙悦"])}
    assert by_name["王晓雯"].gender == "F" and by_name["赵磊"].gender == "M"  # from the ID number
    assert by_name["赵磊"].phone == "13912345678"
    wang = Posting.objects.get(worker=by_name["王晓雯"])
    assert wang.cycle.station.street.name == "张贵庄街道" and wang.start_date == datetime.date(2026, 11, 20)
    zhao = Posting.objects.get(worker=by_name["赵磊"])
    assert zhao.cycle.station.street.name == "新立街道" and zhao.start_date == datetime.date(2026, 11, 21)
    assert not Posting.objects.filter(worker=by_name["孙悦"]).exists()
    assert by_name["王晓雯"].qualifications.get().level == Qualification.Level.SOCIAL_WORKER
    assert by_name["赵磊"].qualifications.get().obtained_on == datetime.date(2023, 6, 18)


def test_the_preview_reads_the_columns_as_people_named_them_and_shows_chinese(demo_users):
    result = RosterResource().run(roster(), demo_users["org-a"], commit=False)
    assert result.ok and result.header_row == 2
    read = {c.header: c.key for c in result.layout}
    assert read["身份证"] == "id_number" and read["手机号"] == "phone" and read["站点"] == "station"
    assert (
        read["到岗日期"] == "posted_on" and read["证书等级"] == "level" and read["证号"] == "certificate_no"
    )
    assert [c.header for c in result.unread] == ["序号"]
    first = result.rows[0][1]
    assert first["gender"] == "女" and first["level"] == "社会工作师"
    assert first["birth_date"] == datetime.date(1995, 3, 12)
    assert any("性别按身份证号确定" in note for note in result.notes)
    assert SocialWorker.objects.filter(name="王晓雯").count() == 0  # a preview saves nothing


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ((4, 12, "2026年13月1日"), "第4行“到岗日期”（L列）：“2026年13月1日”不是有效日期"),
        ((3, 3, id_number("19950312", "024")[:17] + "0"), "第3行“身份证”（C列）：身份证号校验位不正确"),
        ((5, 4, "12345"), "第5行“手机号”（D列）：请填写11位手机号码"),
    ],
)
def test_the_same_roster_with_one_bad_cell_imports_nothing_and_names_row_column_reason(
    demo_users, cell, expected
):
    before = counts()
    result = RosterResource().run(roster(bad_cell=cell), demo_users["org-a"], commit=True)
    assert not result.ok
    assert any(str(e).startswith(expected) for e in result.errors), [str(e) for e in result.errors]
    assert counts() == before


def test_a_posting_the_rules_refuse_refuses_the_whole_file(demo_users):
    """R-STAFF-3 through the service: an unqualified worker posted after the cycle's deadline is refused."""
    before = counts()
    content = roster(bad_cell=(5, 11, "张贵庄街道"))  # 孙悦, who holds no qualification, posted…
    content = RosterResource().run(content, demo_users["org-a"], commit=True)
    assert not content.ok
    assert any("第5行" in str(e) for e in content.errors), [str(e) for e in content.errors]
    assert counts() == before


def test_a_gender_column_that_contradicts_the_id_number_is_a_row_error(demo_users):
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "性别", "手机号码", "入职日期"])
    sheet.append(["王晓雯", WANG, "男", "13812345678", "2025-07-01"])
    buffer = io.BytesIO()
    book.save(buffer)
    result = RosterResource().run(buffer.getvalue(), demo_users["org-a"], commit=True)
    assert [str(e) for e in result.errors] == ["第2行“性别”（C列）：性别与身份证号不符：按身份证号应为“女”。"]


def test_the_import_engine_is_django_import_export():
    from import_export.resources import Resource

    assert all(issubclass(resource, Resource) for resource in IMPORTERS.values())
