"""The rules are pure Python: no module under ``fleetcare/rules`` imports Django or any
other part of fleetcare (they return plain values; the apps render and store them)."""

from __future__ import annotations

import ast
from pathlib import Path

import fleetcare.rules

RULES = Path(fleetcare.rules.__file__).resolve().parent


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def test_rules_import_neither_django_nor_the_apps():
    files = sorted(RULES.rglob("*.py"))
    assert any(f.name == "coverage.py" for f in files)
    bad = {
        f"{f.relative_to(RULES)}: {name}"
        for f in files
        for name in _imports(f)
        if name.split(".")[0] == "django"
        or (name.startswith("fleetcare.") and not name.startswith("fleetcare.rules"))
    }
    assert not bad, sorted(bad)
