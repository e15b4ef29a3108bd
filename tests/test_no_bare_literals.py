"""No role or organisation-kind code is written as a bare string outside ``core/roles.py``.

Roles and kinds are compared through :class:`fleetcare.core.roles.Role` and
:class:`~fleetcare.core.roles.OrganisationKind`, and who may act is decided in each app's
``permissions.py``. This test reads every Python module of ``src/fleetcare`` (through its
syntax tree) and every template (with a regular expression) and names each ``file:line``
that still writes one of those codes where it is used as a role or a kind:

* compared: ``x == "billing"``, ``role in {"csm", …}``, ``kind != "customer"``;
* in a set of roles or kinds: ``{"csm", "vendor_admin"}`` (every element a code);
* as the value of a role/kind keyword, dict key or assignment: ``role="csm"``,
  ``organisation__kind="vendor"``, ``{"kind": "customer"}``, ``user.role = "partner"``,
  ``role__in=["csm"]``;
* as an argument of ``has_role``/``belongs_to``/``Role(…)``/``OrganisationKind(…)``.

The same words are also field names (``select_related("partner")``), URL namespaces,
app labels and router tags: those uses are not flagged. A line that genuinely needs one
(none today) says so with the comment ``# bare-literal: ok``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from fleetcare.core.roles import OrganisationKind, Role

SRC = Path(__file__).resolve().parents[1] / "src" / "fleetcare"
CODES = frozenset({r.value for r in Role} | {k.value for k in OrganisationKind})
EXCLUDED = {SRC / "core" / "roles.py"}
# Files another change converts (remove the entry once it has landed).
PENDING: dict[str, str] = {}
OK_MARK = "bare-literal: ok"
ROLE_KEYS = re.compile(r"(^|_)(role|kind|roles|kinds)(__in)?$")
CALLS = {"has_role", "belongs_to", "Role", "OrganisationKind"}


def _is_code(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in CODES


def _codes_in(node: ast.AST) -> list[ast.Constant]:
    """The code constants of ``node`` when it is one, or a collection made of them."""
    if _is_code(node):
        return [node]  # type: ignore[list-item]
    if isinstance(node, ast.Set | ast.List | ast.Tuple):
        return [e for e in node.elts if _is_code(e)]  # type: ignore[misc]
    if isinstance(node, ast.Call) and getattr(node.func, "id", "") in {"set", "frozenset"}:
        return [c for arg in node.args for c in _codes_in(arg)]
    return []


def _name_of(target: ast.AST) -> str:
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    return ""


class _Finder(ast.NodeVisitor):
    def __init__(self) -> None:
        self.hits: dict[tuple[int, int], tuple[int, str]] = {}

    def _flag(self, nodes: list[ast.Constant], why: str) -> None:
        for node in nodes:  # one report per constant: the first reason found
            self.hits.setdefault(
                (node.lineno, node.col_offset), (node.lineno, f"{node.value!r} {why}")
            )

    def visit_Compare(self, node: ast.Compare) -> None:
        for operand in [node.left, *node.comparators]:
            self._flag(_codes_in(operand), "compared")
        self.generic_visit(node)

    def visit_Set(self, node: ast.Set) -> None:
        strings = [e for e in node.elts if isinstance(e, ast.Constant)]
        if strings and all(_is_code(e) for e in strings):
            self._flag(strings, "in a set of roles/kinds")  # type: ignore[arg-type]
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        for kw in node.keywords:
            if kw.arg and ROLE_KEYS.search(kw.arg):
                self._flag(_codes_in(kw.value), f"as {kw.arg}=")
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name in CALLS:
            for arg in node.args:
                self._flag(_codes_in(arg), f"passed to {name}()")
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values, strict=True):
            is_text = isinstance(key, ast.Constant) and isinstance(key.value, str)
            if is_text and ROLE_KEYS.search(key.value):  # type: ignore[union-attr]
                self._flag(_codes_in(value), f"as the {key.value!r} value")  # type: ignore[union-attr]
        self.generic_visit(node)

    def _assigned(self, targets: list[ast.AST], value: ast.AST | None) -> None:
        if value is None:
            return
        for target in targets:
            name = _name_of(target)
            if name and (ROLE_KEYS.search(name.lower()) or name.endswith(("_ROLES", "_KINDS"))):
                self._flag(_codes_in(value), f"assigned to {name}")

    def visit_Assign(self, node: ast.Assign) -> None:
        self._assigned(node.targets, node.value)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._assigned([node.target], node.value)
        self.generic_visit(node)

    def _defaults(self, args: ast.arguments) -> None:
        positional = [*args.posonlyargs, *args.args]
        with_default = positional[len(positional) - len(args.defaults) :]
        pairs = list(zip(with_default, args.defaults, strict=True))
        pairs += [
            (a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None
        ]
        for arg, default in pairs:
            if ROLE_KEYS.search(arg.arg):
                self._flag(_codes_in(default), f"as the default of {arg.arg}")

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._defaults(node.args)
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]


def python_hits(text: str) -> list[tuple[int, str]]:
    finder = _Finder()
    finder.visit(ast.parse(text))
    lines = text.splitlines()
    return sorted(h for h in finder.hits.values() if OK_MARK not in lines[h[0] - 1])


_CODE_RE = "|".join(sorted(map(re.escape, CODES), key=len, reverse=True))
TEMPLATE_RE = re.compile(
    rf"""(?:==|!=|\bin)\s*["']({_CODE_RE})["']|["']({_CODE_RE})["']\s*(?:==|!=|\bin\b)"""
)


def template_hits(text: str) -> list[tuple[int, str]]:
    hits = []
    for number, line in enumerate(text.splitlines(), 1):
        if OK_MARK in line:
            continue
        for match in TEMPLATE_RE.finditer(line):
            hits.append((number, f"{match.group(1) or match.group(2)!r} compared"))
    return hits


def _files(pattern: str) -> list[Path]:
    return sorted(
        p
        for p in SRC.rglob(pattern)
        if "migrations" not in p.parts
        and p not in EXCLUDED
        and str(p.relative_to(SRC)) not in PENDING
    )


def test_no_bare_role_or_kind_literals_in_python() -> None:
    found = [
        f"{path.relative_to(SRC)}:{line}: {why}"
        for path in _files("*.py")
        for line, why in python_hits(path.read_text())
    ]
    assert not found, "bare role/kind codes (use Role / OrganisationKind):\n" + "\n".join(found)


def test_no_bare_role_or_kind_literals_in_templates() -> None:
    found = [
        f"{path.relative_to(SRC)}:{line}: {why}"
        for path in _files("*.html")
        for line, why in template_hits(path.read_text())
    ]
    assert not found, "bare role/kind codes in templates:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "source",
    [
        'ok = user.role == "billing"',
        'ok = "csm" != user.role',
        'ok = role in {"csm", "vendor_admin"}',
        'ok = role not in ("customer_admin", "partner")',
        'ROLES = {"support_agent", "escalation_manager"}',
        'APPROVE_ROLES = frozenset({"support_agent"})',
        'qs = Organisation.objects.filter(kind="customer")',
        'qs = User.objects.filter(organisation__kind="vendor", role="vendor_admin")',
        'qs = User.objects.filter(role__in=["csm", "billing"])',
        'Organisation(defaults={"kind": "certified_partner"})',
        'user.role = "partner"',
        'ok = has_role(user, "csm")',
        'def f(user, role="end_user"): pass',
        'register("x:y", "X", roles={"partner", "distributor"})',
    ],
)
def test_the_scan_finds_bare_codes(source: str) -> None:
    assert python_hits(source), source


@pytest.mark.parametrize(
    "source",
    [
        'qs.select_related("partner", "customer", "site")',
        'router = Router(tags=["billing"])',
        'app_name = "billing"',
        'label = "billing"',
        'list_display = ("reference", "partner", "customer")',
        'through_fields = ("partner", "customer")',
        'raise ValidationError({"partner": "Only a certified partner sells DaaS."})',
        'csm = ctx.users["csm"]',
        'org.save(update_fields=["csm"])',
        'APP_ORDER = ["fleet", "contracts", "daas", "billing"]',
        'tenant_field = "customer"',
        "ok = user.role == Role.BILLING",
        'ok = user.role == "billing"  # bare-literal: ok',
    ],
)
def test_the_scan_leaves_field_names_and_labels_alone(source: str) -> None:
    assert not python_hits(source), source


def test_the_template_scan() -> None:
    assert template_hits('{% if role == "service_operations" or user.is_superuser %}')
    assert template_hits("{% if 'billing' == role %}")
    assert not template_hits('{% if queue == "shipping" %}{% url "billing:documents" %}')
    assert not template_hits('{% can "billing.manage" as ok %}<div role="alert">')
