"""``GET /api/v1/search?q=``: the portal's search box for integrations (same rules)."""

from __future__ import annotations

from ninja import Field, Query, Router, Schema

from . import search as service

router = Router(tags=["search"])
ROUTER_PREFIX = ""


class HitOut(Schema):
    kind: str = Field(..., description="case, replacement, device, document or organisation")
    id: int
    label: str
    detail: str
    url: str = Field(..., description="The record's portal page")
    exact: bool = Field(..., description="The reference, serial, number or name is q itself")


class SearchOut(Schema):
    query: str
    exact: HitOut | None = Field(None, description="The one exact match, if exactly one")
    results: list[HitOut]


@router.get(
    "/search", response=SearchOut, summary="Find a record by reference, serial, number, name"
)
def global_search(request, q: str = Query("", max_length=64)):
    """Cases and replacement orders by reference, devices by serial number, money
    documents by number (each exact or from its start), organisations by the start of
    their name: what you may see, at most 5 of each kind."""
    results = service.search(actor=request.user, q=q)
    return {"query": results.query, "exact": results.exact, "results": results.hits}
