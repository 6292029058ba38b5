"""Dependencies between our packages run one way (docs/architecture.md §1): the kernel
uses nothing of ours, the top (`regiobot_cli`) is used by nothing, and each package in
between imports only those below it. Imports inside functions count too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Package → the packages of ours it may import.
MAY_IMPORT: dict[str, set[str]] = {
    "regiobot": set(),
    "storage": {"regiobot"},
    "commands": {"storage", "regiobot"},
    "calendars": {"storage", "regiobot"},
    "scheduler": {"commands", "storage", "regiobot"},
    "bot": {"calendars", "commands", "scheduler", "storage", "regiobot"},
    "regiobot_cli": {"bot", "calendars", "commands", "scheduler", "storage", "regiobot"},
}
# `python -m regiobot` has to live in the kernel's folder; it only starts the top.
ENTRY_POINTS = {ROOT / "regiobot" / "__main__.py"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _modules(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py")
                  if "migrations" not in p.parts and p not in ENTRY_POINTS)


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_it_keeps_each_package_to_the_packages_below_it(package):
    wrong = []
    for path in _modules(package):
        for module in _imports(path):
            top = module.split(".")[0]
            if top in MAY_IMPORT and top != package and top not in MAY_IMPORT[package]:
                wrong.append(f"{path.relative_to(ROOT)} imports {module}")
    assert wrong == []


def test_it_finds_the_modules_it_checks():
    # A moved package would otherwise make the test above pass on nothing.
    assert all(_modules(package) for package in MAY_IMPORT)
