"""Render the portal's pages as each demo role sees them, in English and in French.

:func:`crawl` signs in as one person of each role of the demo data (the browser suite's
people and records: Acme, Northwind, Maple, the vendor's staff), starts at the home page
and follows every portal link, one page per URL name and person (a case page, a
contract page, …), and returns the HTML of each, in both languages. :func:`visible_text`
gives the text a reader sees: text nodes and the attributes read aloud or shown
(``placeholder``, ``title``, ``aria-label``, button ``value``), one segment per node.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

from django.test import Client
from django.urls import Resolver404, resolve

#: One person per role (the demo's usernames).
PEOPLE = (
    "acme",  # customer IT admin (P+E)
    "northwind-admin",  # IT admin of a DaaS customer
    "northwind-user",  # end user of a DaaS customer
    "maple",  # certified DaaS partner
    "dist",  # distribution partner
    "agent",  # support agent
    "escalation",  # escalation manager
    "ops",  # service operations
    "billing",  # billing
    "csm",  # customer success manager
    "admin",  # vendor administrator
)

#: Paths never followed: they change state or leave the portal's pages.
SKIP = re.compile(
    r"^/(logout|i18n|admin|api|static|media|healthz|readyz)/|"
    r"\.(pdf|csv|xlsx|svg|png)$|/(pdf|download|export|attachment)s?/"
)
MAX_PAGES_PER_PERSON = 60


def data_texts() -> set[str]:
    """Names in the data (people, organisations, product models and families): a
    product family called "Immersive Telepresence" is a name, not a left-over label."""
    from fleetcare.catalog.models import ProductModel
    from fleetcare.organisations.models import Organisation, User

    names: set[str] = set()
    for name, family in ProductModel.objects.values_list("name", "family"):
        names.update({name, family})
    names.update(Organisation.objects.values_list("name", flat=True))
    for user in User.objects.all():
        names.update({user.username, user.get_full_name()})
    return {n for n in names if n}


@dataclass(frozen=True)
class Page:
    person: str
    url: str
    language: str
    html: str


class _Text(HTMLParser):
    """Text segments; content marked with a ``lang`` of its own (the language switch's
    names, a document's lines in its recipient's language) is left out: it declares
    its language."""

    SHOWN_ATTRS = ("placeholder", "title", "aria-label", "alt")
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.segments: list[str] = []
        self._skip = 0
        self._other: list[str] = []  # tags open since an element with its own lang

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        values = dict(attrs)
        if tag in self.VOID:
            if self._other:
                return
        elif self._other or values.get("lang") and tag != "html":
            self._other.append(tag)
            return
        if tag in ("script", "style", "template"):
            self._skip += 1
        for name in self.SHOWN_ATTRS:
            if values.get(name):
                self.segments.append(" ".join(values[name].split()))
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.segments.append(values["value"])

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if self._other:
            if tag in self._other:
                while self._other and self._other.pop() != tag:
                    pass
            return
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if not self._skip and not self._other:
            text = " ".join(data.split())
            if text:
                self.segments.append(text)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def visible_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.segments


def _links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    out = []
    for href in parser.hrefs:
        href = urldefrag(href)[0]
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        if SKIP.search(parts.path):
            continue
        out.append(href)
    return out


def _key(url: str) -> str:
    """One page per URL name (and, for lists, per query string's keys)."""
    parts = urlsplit(url)
    try:
        name = resolve(parts.path).view_name
    except Resolver404:
        return parts.path
    keys = ",".join(sorted({kv.split("=")[0] for kv in parts.query.split("&") if kv}))
    return f"{name}?{keys}"


def crawl(users: dict[str, object]) -> list[Page]:
    """Every page reachable by each person's links, in English and in French."""
    pages: list[Page] = []
    for username in PEOPLE:
        user = users[username]
        clients = {}
        for language in ("en", "fr"):
            c = Client()
            c.force_login(user)  # type: ignore[arg-type]
            c.cookies["django_language"] = language
            clients[language] = c
        seen: set[str] = set()
        todo = ["/"]
        while todo and len(seen) < MAX_PAGES_PER_PERSON:
            url = todo.pop(0)
            key = _key(url)
            if key in seen:
                continue
            seen.add(key)
            for language, c in clients.items():
                r = c.get(url)
                if r.status_code != 200 or "text/html" not in r.get("Content-Type", ""):
                    continue
                html = r.content.decode()
                pages.append(Page(username, url, language, html))
                if language == "en":
                    todo.extend(_links(html))
    return pages
