"""The English switch is complete (ui.md): with English chosen, no page shows Chinese except the data itself
(names of streets, people, organisations, what users typed). Checked three ways: every message of the catalogue
has its translation, no page template holds Chinese outside a translation tag, and every page that each demo
account can open shows no Chinese that is not found in the stored data."""

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import reverse

from tests.test_portal_access import OK, TABLE, demo_ids

CJK = re.compile(r"[\u3400-\u9fff]+")
ROOT = Path(settings.BASE_DIR)
# Documents for the bureau's files (GB/T 9704 layouts) stay in Chinese, like the policy they cite.
CHINESE_DOCUMENTS = ROOT / "documents" / "templates" / "documents"


def _po_entries(path: Path):
    text = path.read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        msgid = "".join(
            re.findall(r'^(?:msgid )?"(.*)"$', block.split("msgstr")[0].split("msgid_plural")[0], re.M)
        )
        msgstr = "".join(
            re.findall(r'^(?:msgstr(?:\[\d\])? )?"(.*)"$', "msgstr" + block.split("msgstr", 1)[-1], re.M)
        )
        if msgid:
            yield msgid, msgstr, "#, fuzzy" in block


def test_every_message_of_the_english_catalogue_is_translated():
    entries = list(_po_entries(ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    assert len(entries) > 1000
    missing = [msgid for msgid, msgstr, fuzzy in entries if not msgstr or fuzzy]
    assert not missing, missing[:20]
    # The only Chinese an English message may hold: the language's own name on the switch, and what a user types
    # into an import file (是/否, 男/女, a date written 2021年7月1日).
    allowed = {"简体中文", "是", "否", "男", "女", "年", "月", "日"}
    chinese = [msgstr for _msgid, msgstr, _fuzzy in entries if set(CJK.findall(msgstr)) - allowed]
    assert not chinese, chinese[:10]


def _outside_translation(source: str) -> str:
    source = re.sub(r"\{%\s*blocktranslate.*?\{%\s*endblocktranslate\s*%\}", "", source, flags=re.S)
    source = re.sub(r"\{%\s*translate\s.*?%\}", "", source, flags=re.S)
    source = re.sub(r'_\("[^"]*"\)', "", source)
    return re.sub(r"\{#.*?#\}", "", source, flags=re.S)


def test_no_page_template_holds_chinese_outside_a_translation_tag():
    offenders = {}
    for path in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in path.parts or (CHINESE_DOCUMENTS in path.parents and path.name != "import.html"):
            continue
        found = CJK.findall(_outside_translation(path.read_text(encoding="utf-8")))
        if found:
            offenders[str(path.relative_to(ROOT))] = found[:5]
    assert not offenders, offenders


def _stored_text() -> str:
    """Every text value stored in the database: what a page may show in Chinese whatever the language."""
    values = []
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField))
        ]
        if fields:
            for row in model._default_manager.values_list(*fields):
                values.extend(str(v) for v in row if v)
    return "\n".join(values)


ROLES = ("bureau", "municipal", "zhangguizhuang", "org-a", "auditor")


@pytest.mark.django_db
def test_every_page_speaks_english_once_the_user_switches(client, demo_users):
    ids = demo_ids()
    stored = _stored_text()
    untranslated = {}
    for role in ROLES:
        client.force_login(demo_users[role])
        client.post(reverse("set_language"), {"language": "en", "next": "/"})
        for name, entry in TABLE.items():
            if entry is None:  # not a page (e.g. a URL of Django's own views)
                continue
            build, expected, method = entry
            if method != "get" or expected[role] != OK:
                continue
            response = client.get(reverse(name, kwargs=build(ids)))
            if response.status_code != OK or "text/html" not in response.get("Content-Type", ""):
                continue
            html = response.content.decode()
            assert 'lang="en"' in html, name
            text = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
            # Chinese marked as such (lang="zh-hans"): the headers an import file must have, the language's own name.
            text = re.sub(r'<(\w+)[^>]*\blang="zh-hans"[^>]*>.*?</\1>', "", text, flags=re.S)
            text = re.sub(r"<[^>]+>", " ", text)
            leftovers = {run for run in CJK.findall(text) if run not in stored}
            if leftovers:
                untranslated[f"{role} {name}"] = sorted(leftovers)
    assert not untranslated, json.dumps(untranslated, ensure_ascii=False)


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_a_refusal_names_its_rule_and_clause_in_english(client_as, demo_users):
    from tests.portal.test_workflows import award_dongli_lake, money

    cycle = award_dongli_lake(demo_users["bureau"])
    client = client_as("bureau")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    data = {
        "amount": "250000.01",
        "signed_on": "2026-11-25",
        "agreement_no": "X",
        **money(Decimal("250000.01")),
    }
    text = client.post(reverse("contract-year-sign", args=[cycle.pk]), data).content.decode()
    assert "annual budget cap" in text and "not that it be a ceiling" in text
    assert "R-FUND-1" in text and "should reach 250,000 yuan a year" in text
    stored = _stored_text()
    visible = re.sub(r'<(\w+)[^>]*\blang="zh-hans"[^>]*>.*?</\1>', "", text, flags=re.S)
    assert not [run for run in CJK.findall(re.sub(r"<[^>]+>", " ", visible)) if run not in stored]


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_the_bureaus_documents_stay_chinese_when_the_page_is_english(client_as):
    import io

    from openpyxl import load_workbook

    client = client_as("bureau")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("export-rollout-xlsx"))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames[0] == "建设计划"
    kinds = {row[3] for row in book["评估与续签"].iter_rows(min_row=3, values_only=True)}
    assert "年度评估" in kinds or "中期评估" in kinds, kinds
    findings = list(book["整改问题"].iter_rows(min_row=3, values_only=True))
    assert findings and all(CJK.search(str(row[4])) for row in findings)  # the explanation, in Chinese
