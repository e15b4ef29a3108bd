"""The compliance table's rows, written in one pass (a vendor page has up to 10 accounts ×
every model: the template engine's per-cell cost is what the page would spend its time on)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from fleetcare.core.currency import format_count, format_percent

register = template.Library()


@register.simple_tag
def compliance_rows(rows: list[Any], show_account: bool) -> SafeString:
    base = reverse("portal:catalog")

    def cells(row: Any) -> tuple[Any, ...]:
        account = format_html("<td>{}</td>", row.account_name) if show_account else ""
        outdated = (
            format_html(
                '<span class="badge status status-end_of_support">{}</span>',
                format_count(row.outdated),
            )
            if row.outdated
            else "0"
        )
        return (
            account,
            f"{base}{row.product_model_id}/",
            row.model_name,
            row.sku,
            row.latest or "—",
            format_count(row.total),
            format_count(row.on_latest),
            format_percent(row.latest_share),
            outdated,
            format_count(row.unknown),
            row.older_text or "—",
        )

    return format_html_join(
        "\n",
        '<tr>{}<th scope="row"><a href="{}">{}</a> <span class="muted">{}</span></th>'
        '<td>{}</td><td class="numeric">{}</td>'
        '<td class="numeric">{} <span class="muted">({})</span></td>'
        '<td class="numeric">{}</td><td class="numeric">{}</td><td>{}</td></tr>',
        (cells(row) for row in rows),
    )
