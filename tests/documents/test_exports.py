"""The rollout workbook and PDF: what the bureau sends up the chain, checked as the municipal bureau would open it."""

import datetime
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from evaluations.models import Evaluation
from stations.annex import STREETS
from stations.models import AnnualPlan, Station

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("story_day")]


def test_export_rollout_xlsx_lists_the_annex_streets_with_typed_cells(tmp_path):
    out = tmp_path / "rollout.xlsx"
    call_command("export_rollout", "--format", "xlsx", "-o", str(out))
    book = load_workbook(out)
    assert book.sheetnames == [
        "建设计划",
        "年度汇总",
        "社工站与合同",
        "驻站社工与资质",
        "月度简报",
        "评估与续签",
        "整改问题",
    ]
    plan = book["建设计划"]
    assert plan.freeze_panes == "A3" and plan.auto_filter.ref.startswith("A2:")
    header = [c.value for c in plan[2]]
    assert header[:4] == ["街道", "计划建设年度", "建成日期", "建成情况"]
    rows = [[c.value for c in row] for row in plan.iter_rows(min_row=3)]
    assert sorted((r[0], r[1]) for r in rows) == sorted(STREETS)
    built = {r[0]: (r[2], r[3]) for r in rows}
    assert (
        built["张贵庄街道"][0].date() == datetime.date(2021, 7, 11) and built["张贵庄街道"][1] == "按期建成"
    )
    assert built["东丽湖街道"] == (None, "滞后未建")
    assert plan["C3"].number_format == "yyyy-mm-dd"

    contracts = book["社工站与合同"]
    header = [c.value for c in contracts[2]]
    amount = header.index("合同金额（元）")
    first = next(contracts.iter_rows(min_row=3, max_row=3))
    assert (
        isinstance(first[amount].value, int | float | Decimal) and first[amount].number_format == "#,##0.00"
    )
    assert isinstance(first[header.index("签订日期")].value, datetime.datetime)
    assert contracts.column_dimensions["A"].width == 30
    workers = book["驻站社工与资质"]
    text = " ".join(str(c.value) for row in workers.iter_rows() for c in row if c.value)
    assert "120110" not in text  # no ID numbers in a workbook that travels
    assert book["整改问题"].max_row > 3


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils not installed (make system-deps)")
def test_export_rollout_pdf_embeds_a_chinese_font_and_its_text_is_chinese(tmp_path):
    out = tmp_path / "rollout.pdf"
    call_command("export_rollout", "--format", "pdf", "-o", str(out))
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    assert "Noto-Sans-SC" in fonts and " yes " in fonts.split("Noto-Sans-SC", 1)[1].splitlines()[0]
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert (
        "张贵庄街道" in text
        and "东丽区街道社会工作服务站建设进展情况" in text
        and "—1—" in text.replace(" ", "")
    )


def test_the_bureau_downloads_the_workbook_and_the_report_others_get_403(client_as):
    response = client_as("bureau").get(reverse("export-rollout-xlsx"))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client_as("bureau").get(reverse("export-rollout-pdf"))["Content-Type"] == "application/pdf"
    for username in ("org-a", "zhangguizhuang", "auditor"):
        assert client_as(username).get(reverse("export-rollout-xlsx")).status_code == 403
        assert client_as(username).get(reverse("export-rollout-pdf")).status_code == 403


@pytest.mark.parametrize(
    ("name", "username", "present", "absent"),
    [
        ("station-list", "org-b", "丰年村街道社会工作服务站", "张贵庄街道社会工作服务站"),
        ("finding-list", "zhangguizhuang", "张贵庄", "金桥街道"),
        ("report-list", "org-b", "丰年村街道社会工作服务站", "张贵庄街道社会工作服务站"),
        ("worker-list", "org-a", "张贵庄街道社会工作服务站", "丰年村街道社会工作服务站"),
        ("volunteer-list", "org-b", "丰年村街道社会工作服务站", "张贵庄街道社会工作服务站"),
        ("service-record-list", "zhangguizhuang", "张贵庄街道社会工作服务站", "丰年村街道社会工作服务站"),
    ],
)
def test_every_list_exports_what_it_shows_within_scope(client_as, name, username, present, absent):
    import io

    response = client_as(username).get(reverse(name) + "?export=xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    text = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)
    assert present in text and absent not in text
    assert sheet.freeze_panes == "A3"


def test_a_list_export_keeps_the_filters(client_as):
    import io

    response = client_as("bureau").get(reverse("station-list") + "?year=2023&export=xlsx")
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    years = {row[2].value for row in sheet.iter_rows(min_row=3)}
    assert years == {2023}


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed (make system-deps)")
@pytest.mark.parametrize(
    ("name", "lookup", "expected"),
    [
        (
            "export-dossier-pdf",
            lambda: Station.objects.get(street__name="张贵庄街道").pk,
            "张贵庄街道社会工作服务站档案",
        ),
        (
            "export-evaluation-pdf",
            lambda: (
                Evaluation.objects.filter(contract_year__station__street__name="华明街道", kind="final")
                .order_by("-contract_year__start_date")
                .first()
                .pk
            ),
            "区民政局",
        ),
        ("export-annual-plan-pdf", lambda: AnnualPlan.objects.get(year=2027).pk, "目标任务"),
    ],
)
def test_documents_for_signature_and_filing_are_chinese_pdfs(client_as, tmp_path, name, lookup, expected):
    response = client_as("bureau").get(reverse(name, args=[lookup()]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    out = tmp_path / "doc.pdf"
    out.write_bytes(response.getvalue())
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert expected in text
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    assert "Noto-Sans-SC" in fonts
