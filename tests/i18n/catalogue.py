"""What a page in one language must not show: the other language's strings of the
catalogue, and raw enum codes.

The catalogue is ``locale/fr/LC_MESSAGES/django.po``. For a French page the forbidden
strings are the English ``msgid``\\ s whose French differs; for an English page, the
French ``msgstr``\\ s that differ from their English. A string without placeholders is
matched as a whole text segment (or inside one when four words or longer); one with
placeholders as a pattern, when three words or more are fixed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po
from django.apps import apps

PO = Path(__file__).resolve().parents[2] / "src/fleetcare/locale/fr/LC_MESSAGES/django.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")
WORD = re.compile(r"[^\W\d_]{2,}")


def _norm(text: str) -> str:
    return " ".join(text.split())


@cache
def forbidden(language: str) -> tuple[frozenset[str], tuple[re.Pattern[str], ...]]:
    """The other language's strings, for a page in ``language`` ("en" or "fr")."""
    with PO.open("rb") as f:
        catalog = read_po(f)
    plain: set[str] = set()
    patterns: list[re.Pattern[str]] = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strs = message.string if isinstance(message.string, tuple) else (message.string,)
        ids_n = {_norm(i) for i in ids}
        strs_n = {_norm(s) for s in strs if s}
        if not strs_n:
            continue
        others = ids_n - strs_n if language == "fr" else strs_n - ids_n
        for text in others:
            if "<" in text:  # markup: checked by its pieces' own entries
                continue
            if PLACEHOLDER.search(text):
                if len(WORD.findall(PLACEHOLDER.sub(" ", text))) < 3:
                    continue
                # split() keeps the group's value between pieces: every other item.
                pieces = re.split(PLACEHOLDER.pattern, text)[::2]
                patterns.append(re.compile(".+?".join(re.escape(p) for p in pieces)))
            elif WORD.search(text):
                plain.add(text)
    return frozenset(plain), tuple(patterns)


def other_language(segments: Iterable[str], language: str) -> list[str]:
    """The segments that are (or hold) a string of the other language."""
    plain, patterns = forbidden(language)
    long_ones = [s for s in plain if len(s.split()) >= 4]
    found = []
    for segment in segments:
        if (
            segment in plain
            or any(s in segment for s in long_ones)
            or any(p.search(segment) for p in patterns)
        ):
            found.append(segment)
    return found


@cache
def enum_codes() -> frozenset[str]:
    """Every stored choice value that reads as a code (snake_case)."""
    codes: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "flatchoices", None) or ():
                if isinstance(value, str) and "_" in value and value.islower():
                    codes.add(value)
    return frozenset(codes)


@cache
def _code_pattern() -> re.Pattern[str]:
    alternatives = "|".join(sorted(enum_codes(), key=len, reverse=True))
    return re.compile(r"(?<![\w/.-])(" + alternatives + r")(?![\w/-])")


def raw_codes(segments: Iterable[str]) -> list[str]:
    """The segments showing a raw enum value."""
    pattern = _code_pattern()
    return [s for s in segments if pattern.search(s)]
