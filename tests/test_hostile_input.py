"""Hostile input everywhere (hypothesis): very long text, control characters, full-width text, SQL and HTML
fragments fed to every form of the portal and to the import parsers — never a 500, never a partial save, never
unescaped output."""

import pytest
from django import forms
from django.urls import reverse
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from core.backups import _row_counts
from documents import cells
from documents.cells import CellError
from documents.imports import IMPORTERS, ImportRefused
from tests.test_portal_access import TABLE, demo_ids

MARK = "<script>alert('x')</script>"
HOSTILE = st.one_of(
    st.sampled_from(
        [
            MARK,
            '"><img src=x onerror=alert(1)>',
            "'; DROP TABLE stations_station; --",
            "1 OR 1=1",
            "{{ 7*7 }}{% debug %}",
            "\u202e\u0000\u0007\t\r\n",
            "ＡＢＣ１２３　全角文字",
            "张" * 5000,
            "%s%n%x",
            "../../../../etc/passwd",
            "-1",
            "9" * 40,
            "2021-02-30",
            "",
        ]
    ),
    st.text(max_size=200),
)


@pytest.fixture
def ids(db):
    return demo_ids()


# The forms of the portal, each by a role that owns it: (URL name, username).
FORMS = [
    ("contract-year-sign", "bureau"),
    ("procurement-new", "bureau"),
    ("procurement-award", "bureau"),
    ("evaluation-new", "bureau"),
    ("contract-year-decide", "bureau"),
    ("annual-plan-new", "bureau"),
    ("annual-plan-edit", "bureau"),
    ("annual-plan-review", "bureau"),
    ("report-review", "bureau"),
    ("contractor-new", "bureau"),
    ("contractor-detail", "bureau"),
    ("site-log-new", "zhangguizhuang"),
    ("report-new", "org-a"),
    ("report-edit", "org-a"),
    ("posting-new", "org-a"),
    ("worker-new", "org-a"),
    ("qualification-new", "org-a"),
    ("worker-leave", "org-a"),
    ("posting-end", "org-a"),
    ("supervision-new", "org-a"),
    ("volunteer-new", "org-a"),
    ("volunteer-hours-new", "org-a"),
    ("volunteer-incentive-new", "org-a"),
    ("volunteer-insurance-new", "org-a"),
    ("service-record-new", "org-a"),
]


def payload(form: forms.Form, text: str) -> dict:
    """Every field filled: choices with a valid option (so that the text reaches the service), the rest hostile."""
    data = {}
    for name, field in form.fields.items():
        if isinstance(field, forms.FileField):
            continue
        if isinstance(field, forms.BooleanField):
            data[name] = "on"
        elif isinstance(field, forms.ModelMultipleChoiceField):
            first = field.queryset.first()
            data[name] = [first.pk] if first else []
        elif isinstance(field, forms.ChoiceField):
            values = [str(v) for v, _ in field.choices if v not in ("", None)]
            data[name] = values[0] if values else text
        else:
            data[name] = text
    return data


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
@pytest.mark.parametrize(("name", "username"), FORMS)
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=HOSTILE)
def test_hostile_text_in_every_form(client_as, ids, name, username, text):
    url = reverse(name, kwargs=TABLE[name][0](ids))
    client = client_as(username)
    client.raise_request_exception = False
    page = client.get(url)
    assert page.status_code != 500, name
    # An earlier example may have completed the workflow (a report accepted, a worker gone): nothing left to try.
    assume(page.status_code == 200 and page.context and "form" in page.context)
    form = page.context["form"]
    before = _row_counts()
    response = client.post(url, payload(form, text))
    assert response.status_code in (200, 302), (name, response.status_code, text[:50])
    body = response.content.decode()
    assert MARK not in body and "<img src=x onerror" not in body
    if response.status_code == 200:
        changed = {t for t, n in _row_counts().items() if before.get(t) != n and not t.startswith("audit_")}
        assert not changed, (name, changed)  # a refused form saves nothing


@given(value=st.one_of(HOSTILE, st.integers(), st.floats(allow_nan=True), st.none(), st.dates()))
@settings(max_examples=200, deadline=None)
def test_cell_readers_only_refuse_with_a_reason(value):
    for reader in (
        cells.text,
        cells.name,
        cells.date,
        cells.id_number,
        cells.phone,
        cells.yes_no,
        cells.decimal,
    ):
        try:
            reader(value)
        except CellError as error:
            assert str(error)


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    rows=st.lists(st.lists(HOSTILE, min_size=1, max_size=8), max_size=6),
    kind=st.sampled_from(sorted(IMPORTERS)),
)
def test_import_parsers_take_hostile_sheets_without_crashing(demo_users, rows, kind):
    import csv
    import io

    importer = IMPORTERS[kind]()
    header = [c.label for c in importer.get_columns()]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([[cell.replace("\x00", "") for cell in row] for row in rows])
    owner = {"site-conditions": "zhangguizhuang", "training": "bureau", "contractors": "bureau"}
    user = demo_users[owner.get(kind, "org-a")]
    before = _row_counts()
    try:
        result = importer.run(buffer.getvalue().encode(), user, commit=True)
    except ImportRefused:
        return
    if not result.ok:
        changed = {t for t, n in _row_counts().items() if before.get(t) != n and not t.startswith("audit_")}
        assert not changed
