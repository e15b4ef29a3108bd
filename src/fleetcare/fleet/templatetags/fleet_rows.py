"""``{% device_rows rows show_account %}``: the fleet list's rows in one pass (as the
compliance table's): a page of 200 devices spent most of its rendering in the template
engine's per-cell look-ups. ``rows`` come from :func:`fleetcare.fleet.presenters.device_rows`."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()

_ROW = (
    '<tr>{}<td><a href="{}">{}</a> <span class="muted">{}</span></td><td>{}</td><td>{}</td>'
    "<td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"
)


@register.simple_tag
def device_rows(rows: list[dict[str, Any]], show_account: bool) -> SafeString:
    covered = format_html('<span class="badge status status-active">{}</span>', _("Covered"))
    not_covered = format_html(
        '<span class="badge status status-end_of_support">{}</span>', _("Not covered")
    )

    def cells(d: dict[str, Any]) -> tuple[Any, ...]:
        return (
            format_html("<td>{}</td>", d["account"]) if show_account else "",
            d["url"],
            d["model"],
            d["sku"],
            d["category"],
            d["serial"],
            d["site"],
            d["first_seen"],
            d["last_seen"],
            format_html("{} {}", covered, d["programme"]) if d["covered"] else not_covered,
        )

    return format_html_join("\n", _ROW, (cells(d) for d in rows))
