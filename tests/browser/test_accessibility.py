"""axe-core (the npm package, from the local copy `make install-test` puts in .venv/axe) over every page each
demo account can open, at 1366×768 and at 390×844 with touch. A serious or critical violation fails the test,
which lists every one it found by account, size, page and rule.

The pages walked are the HTML pages of the access table (tests/test_portal_access.py) that answer the account
with 200: a page added to the portal is walked as soon as the access table knows it."""

from pathlib import Path

import pytest
from django.urls import reverse

from tests.browser.conftest import log_in
from tests.conftest import DEMO_USERNAMES
from tests.test_portal_access import OK, TABLE, demo_ids

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / ".venv" / "axe" / "axe.min.js"
# Files, not pages: the workbook, the PDFs, the OCDS package, the import template, the download of an upload.
NOT_PAGES = {
    "export-rollout-xlsx",
    "export-rollout-pdf",
    "export-ocds",
    "export-evaluation-pdf",
    "export-annual-plan-pdf",
    "export-dossier-pdf",
    "import-template",
    "file-download",
    "export-job-file",
}
# The portal's content security policy forbids inline scripts; axe is injected by the test, so the context
# bypasses the policy (the pages themselves still carry it).
SIZES = {
    "desktop": {"viewport": {"width": 1366, "height": 768}, "bypass_csp": True},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "has_touch": True,
        "is_mobile": True,
        "bypass_csp": True,
    },
}
BLOCKING = {"serious", "critical"}


def pages_for(username: str, ids: dict) -> list[str]:
    paths = []
    for name, entry in TABLE.items():
        if entry is None or name in NOT_PAGES:
            continue
        kwargs, expected, method = entry
        if method == "get" and expected[username] == OK:
            paths.append(reverse(name, kwargs=kwargs(ids)))
    return paths


def violations_on(page) -> list[dict]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"],
                runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}});
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
        }"""
    )


@pytest.mark.parametrize("username", DEMO_USERNAMES)
def test_axe_finds_no_serious_violation_on_any_page(browser, portal, username):
    assert AXE.exists(), "axe-core is missing: run make install-test"
    ids = demo_ids()
    found = []
    for size, options in SIZES.items():
        context = browser.new_context(locale="zh-CN", **options)
        page = context.new_page()
        log_in(page, portal.url, username)
        page.wait_for_load_state()
        for path in (
            ["/accounts/login/", *pages_for(username, ids)] if size == "desktop" else pages_for(username, ids)
        ):
            if path == "/accounts/login/":
                anonymous = browser.new_context(locale="zh-CN", **options).new_page()
                anonymous.goto(f"{portal.url}{path}")
                target = anonymous
            else:
                page.goto(f"{portal.url}{path}")
                target = page
            for violation in violations_on(target):
                if violation["impact"] in BLOCKING:
                    found.append(
                        f"{username} {size} {path}: {violation['id']} ({violation['impact']}) "
                        f"{violation['help']} — {', '.join(violation['nodes'])}"
                    )
        context.close()
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)
