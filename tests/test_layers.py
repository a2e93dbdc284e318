"""The floors of the house (README, "Layout") are kept by import-linter's contracts in pyproject.toml: `make test`
runs them, and here they are shown to hold on the tree and to fail on a deliberately added upward import."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = [
    "config", "demo", "api", "documents", "reports", "staffing", "evaluations", "contracts", "stations", "accounts",
    "audit", "core",
]  # fmt: skip
LINT = str(Path(sys.executable).with_name("lint-imports"))


def lint(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [LINT, "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def tree(tmp_path) -> Path:
    """A copy of the project's packages and its contracts."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_floors_hold_on_the_tree(tree):
    result = lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("stations/upward.py", "import reports.selectors\n", "stations is not allowed to import reports"),
        ("core/upward.py", "import accounts.models\n", "core is not allowed to import accounts"),
        ("accounts/sideways.py", "import audit.models\n", "accounts is not allowed to import audit"),
        (
            "staffing/sideways.py",
            "import evaluations.models\n",
            "staffing is not allowed to import evaluations",
        ),
        ("contracts/rules.py", "import contracts.services\n", "contracts.rules is not allowed to import"),
    ],
)
def test_an_upward_or_sideways_import_breaks_the_contract(tree, module, line, broken):
    path = tree / module
    path.write_text((path.read_text() if path.exists() else "") + line)
    result = lint(tree)
    assert result.returncode != 0 and broken in result.stdout, result.stdout


def test_the_readme_table_of_floors_is_the_contract():
    """README's layout is checked, not hand-kept: its floors are the contract's layers, in order, and every app of
    the project is on one floor."""
    import re
    import tomllib

    contract = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"][0]
    layers = [sorted(name.strip() for name in layer.split("|")) for layer in contract["layers"]]
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Layout") : readme.index("## Configuration")]
    rows = re.findall(r"^\| (\d) \| ([^|]+) \|", section, re.M)
    floors = [sorted(re.findall(r"`(\w+)/`", apps)) for _floor, apps in rows]
    assert [int(floor) for floor, _apps in rows] == list(range(len(layers) - 1, -1, -1))
    assert floors == layers
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists() and p.name != "tests"}
    assert packages == {app for floor in floors for app in floor}
