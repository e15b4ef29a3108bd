"""``{% sort_th page "key" label %}``: a column header that sorts the list by that column
(ascending first, then the other way), with ``aria-sort`` for screen readers."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def sort_th(page: Any, key: str, label: Any) -> str:
    keys = page.sorts.keys
    up, down = key, f"-{key}"
    current = page.sort.key
    if up not in keys and down not in keys:
        return format_html('<th scope="col">{}</th>', label)
    if current == up:
        state, target = "ascending", down if down in keys else up
    elif current == down:
        state, target = "descending", up if up in keys else down
    else:
        state, target = "none", up if up in keys else down
    query = f"{page.base_query}&" if page.base_query else ""
    href = f"?{query}order={target}&page_size={page.size}"
    arrow = {"ascending": " ▲", "descending": " ▼", "none": ""}[state]
    title = _("Sort by %(column)s") % {"column": label}
    return format_html(
        '<th scope="col" aria-sort="{}"><a href="{}" class="sort-link" data-order="{}" '
        'title="{}">{}{}</a></th>',
        state,
        href,
        target,
        title,
        label,
        arrow,
    )
