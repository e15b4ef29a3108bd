"""What every list shares, page and API: one filter definition and one paginator.

A list that exists both as a portal page and as an API endpoint defines its filters once,
as a django-ninja ``FilterSchema`` (``<app>/filters.py``). The endpoint takes it as
``filters: Query[XFilter]`` (a bad value answers 422 problem+json); the page reads it
from ``request.GET`` with ``filters_from_query`` (a bad value is left out and named in
a message on the page). Both then call ``filters.filter(queryset)``.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Self

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext as _
from ninja import FilterSchema
from pydantic import Field, ValidationError, field_validator

PAGE_SIZE = 50

# An id a filter may compare with: what the database's 64-bit keys can hold.
DbId = Annotated[int, Field(ge=1, le=2**63 - 1)]


def paginate(request: HttpRequest, qs: QuerySet | list, *, per_page: int = PAGE_SIZE) -> Page:
    """The requested page of ``qs`` (a bad or too-large ``page`` gives a valid page).

    ``page.query`` is the request's other (non-empty) parameters, url-encoded, for the
    links to the previous and next pages (``portal/_pagination.html``)."""
    page = Paginator(qs, per_page).get_page(request.GET.get("page"))
    page.query = query_without_page(request.GET)  # type: ignore[attr-defined]
    return page


def query_without_page(get: QueryDict) -> str:
    """The request's other (non-empty) parameters, url-encoded: for page links."""
    query = get.copy()
    query.pop("page", None)
    for key in [k for k, values in query.lists() if not any(values)]:
        del query[key]
    return query.urlencode()


def counted_page(qs: QuerySet, number: Any, *, per_page: int = PAGE_SIZE) -> Page:
    """Page ``number`` of ``qs`` with the list's total, in one query: the total rides
    on the rows (``COUNT(*) OVER ()``). For a list whose filter is costly per row (the
    accounts with an active device: one index probe each), a separate ``COUNT(*)``
    would pay that cost twice. A bad ``number`` gives the first page, one past the end
    the last (as ``Paginator.get_page``); the returned page's ``paginator.count`` is set.
    """
    from django.db.models import Count, Window

    try:
        number = max(1, int(number))
    except (TypeError, ValueError):
        number = 1
    paginator = Paginator(qs, per_page)
    offset = (number - 1) * per_page
    rows = list(qs.annotate(list_total=Window(Count("pk")))[offset : offset + per_page])
    if rows:
        paginator.count = rows[0].list_total  # type: ignore[misc]
    else:
        paginator.count = qs.count()  # type: ignore[misc]
        if paginator.count and number > paginator.num_pages:
            number = paginator.num_pages
            offset = (number - 1) * per_page
            rows = list(qs[offset : offset + per_page])
        else:
            number = 1
    return paginator._get_page(rows, number, paginator)


class ListFilter(FilterSchema):
    """Base of the shared list filters: an empty value (an "All" choice) means no filter.

    ``labels`` names each field for the page's error message, in the reader's language."""

    labels: ClassVar[dict[str, Any]] = {}

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_no_filter(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    @classmethod
    def from_query(
        cls, query: QueryDict | dict[str, Any], defaults: dict[str, Any] | None = None
    ) -> tuple[Self, list[str]]:
        """The filter the page's query asks for, and a message per value left out.

        ``defaults`` fill the fields the query leaves out or blank (a page's own default,
        e.g. open cases only)."""
        defaults = defaults or {}
        data = {
            name: query.get(name)
            for name in cls.model_fields
            if name in query and str(query.get(name) or "").strip()
        }
        for name, value in defaults.items():
            if data.get(name) in (None, ""):
                data[name] = value
        errors: list[str] = []
        while True:
            try:
                return cls.model_validate(data), errors
            except ValidationError as exc:
                bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
                if not bad & data.keys():  # a whole-filter error: no filter at all
                    errors.append(_("The filters are not valid; all records are listed."))
                    return cls.model_validate({}), errors
                for name in sorted(bad & data.keys()):
                    value = data.pop(name)
                    if name in defaults and value != defaults[name]:
                        data[name] = defaults[name]
                    errors.append(
                        _("%(field)s: “%(value)s” is not a valid value; it was not applied.")
                        % {"field": cls.labels.get(name, name), "value": value}
                    )
