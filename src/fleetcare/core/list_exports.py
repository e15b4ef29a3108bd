"""A list exported as filtered and sorted: CSV streamed row by row, XLSX written in
openpyxl's write-only mode; headers in the reader's language, cells through
``core.exports`` (typed, formula text neutralised).

A list view calls :func:`export_list` with its filtered queryset, its sort and its
columns (a header and a function of the row each); ``?format=csv`` or ``xlsx``."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .exports import _csv_cell, neutralise, xlsx_bytes
from .keyset import Sort

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 2000

Column = tuple[Any, Callable[[Any], Any]]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([neutralise(str(h)) for h in header])
    for row in rows:
        yield writer.writerow([_csv_cell(v) for v in row])


def export_list(
    qs: QuerySet,
    sort: Sort,
    columns: Sequence[Column],
    *,
    name: str,
    fmt: str | None,
) -> HttpResponse | StreamingHttpResponse:
    """The whole list ``qs`` in ``sort`` order as ``fmt`` (csv or xlsx); a bad format
    answers 400 naming the ones offered."""
    if fmt not in FORMATS:
        return HttpResponse(
            _("format: “%(value)s” is not offered (csv or xlsx).") % {"value": fmt},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    header = [str(label) for label, _get in columns]
    rows = (
        [get(obj) for _label, get in columns]
        for obj in qs.order_by(*sort.fields).iterator(chunk_size=CHUNK)
    )
    stamp = timezone.localdate().isoformat()
    filename = f"{name}-{stamp}.{fmt}"
    response: HttpResponse | StreamingHttpResponse
    if fmt == "csv":
        response = StreamingHttpResponse(
            _csv_lines(header, rows), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(xlsx_bytes([(name, header, rows)]), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
