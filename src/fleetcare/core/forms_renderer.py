"""The form renderer: Django's templates, with the commonest widgets written in Python.

Django renders every ``<select>`` option and every ``<input>`` through a template
include of its own (``django/forms/widgets/*.html``): a list page's filter form with a
few selects costs 3–4 ms that way, on every request. :class:`FastTemplates` writes the
same HTML as those templates for inputs and selects, straight from the widget's context
(``Widget.get_context``, so attributes, ids, ``required``, ``multiple`` and option
groups all come from Django), and leaves every other template (a project override, a
custom widget, textarea, radio lists) to the template engine.

``FORM_RENDERER = "fleetcare.core.forms_renderer.FastTemplates"`` in settings;
``tests/core/test_forms_renderer.py`` checks the output is the templates' own.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

_INPUTS = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "tel",
        "search",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "color",
        "file",
        "checkbox",
    )
)
_SELECT = "django/forms/widgets/select.html"
_OPTION = "django/forms/widgets/select_option.html"


def _attrs(attrs: dict[str, Any]) -> str:
    # django/forms/widgets/attrs.html: False leaves the attribute out, True writes its
    # name alone, anything else name="value" (escaped). None is written as "None", as
    # the template does.
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {conditional_escape(name)}")
        else:
            out.append(f' {conditional_escape(name)}="{escape(value)}"')
    return "".join(out)


def _input(widget: dict[str, Any]) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{escape(value)}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'
    )


def _option(option: dict[str, Any]) -> str:
    return (
        f'<option value="{escape(option["value"])}"'
        f"{_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>"
    )


def _select(widget: dict[str, Any]) -> str | None:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            if option.get("template_name") != _OPTION:
                return None  # a custom option template: the engine renders it
            parts.append(f"\n  {_option(option)}\n")  # the include ends in a newline
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class FastTemplates(DjangoTemplates):
    """Django's template renderer; inputs and selects written without a template."""

    def render(
        self, template_name: str, context: dict[str, Any], request: Any = None
    ) -> SafeString:
        widget = context.get("widget")
        if isinstance(widget, dict):
            if template_name in _INPUTS:
                return mark_safe(_input(widget))
            if template_name == _SELECT:
                html = _select(widget)
                if html is not None:
                    return mark_safe(html)
        return super().render(template_name, context, request)
