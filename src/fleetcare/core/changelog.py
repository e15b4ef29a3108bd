"""The change log in one place: who changed what, when, with the state before and after.

A service wraps its change in ``changelog``::

    with changelog(order, "replacement.approved", actor=actor):
        order.status = OrderStatus.APPROVED
        order.save()

The before-snapshot is taken on entry (``None`` for an object not saved yet) and the
entry, with the after-snapshot, is written on exit, only if the block raised nothing
and changed something (a block that returns early without a change leaves no entry).
``bulk_changelog`` does the same for many objects with one ``bulk_create``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile

from fleetcare.core.models import ChangeLogEntry

M = TypeVar("M", bound=models.Model)

BATCH_SIZE = 1000


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """A JSON-able dict of an instance's concrete fields (file fields as their stored name)."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        value = field.value_from_object(instance)
        if isinstance(value, FieldFile):
            value = value.name or None
        data[field.attname] = value
    return data


def _saved(instance: models.Model) -> bool:
    return instance.pk is not None and not instance._state.adding


def _actor_or_none(actor: Any) -> Any:
    """Only a signed-in person is recorded; jobs and anonymous callers leave it empty."""
    return actor if getattr(actor, "is_authenticated", False) else None


def _entry(
    instance: models.Model,
    action: str,
    actor: Any,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    content_type: ContentType | None = None,
    object_repr: str | None = None,
) -> ChangeLogEntry:
    if instance.pk is None:
        raise ValueError(f"{action}: cannot log a change of an unsaved {type(instance).__name__}")
    return ChangeLogEntry(
        content_type=content_type
        or ContentType.objects.get_for_model(instance, for_concrete_model=False),
        object_id=str(instance.pk),
        object_repr=(str(instance) if object_repr is None else object_repr)[:200],
        action=action,
        actor=_actor_or_none(actor),
        before=before,
        after=snapshot(instance) if after is None else after,
    )


def log_change(
    instance: models.Model,
    action: str,
    *,
    actor: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> ChangeLogEntry:
    """Write one entry now (``after`` defaults to the instance as it is)."""
    entry = _entry(instance, action, actor, before, after)
    entry.save()
    return entry


def log_changes(
    instances: Sequence[models.Model],
    action: str,
    *,
    actor: Any = None,
    befores: dict[int, dict[str, Any] | None] | None = None,
    describe: Callable[[Any], str] = str,
) -> list[ChangeLogEntry]:
    """One entry per instance, written with one ``bulk_create`` (per batch of 1,000).

    ``befores`` maps ``id(instance)`` to its before-snapshot; ``describe`` gives each
    entry's ``object_repr`` (pass one that needs no query for large batches)."""
    if not instances:
        return []
    befores = befores or {}
    types: dict[type, ContentType] = {}
    entries = []
    for obj in instances:
        ct = types.get(type(obj))
        if ct is None:
            ct = types[type(obj)] = ContentType.objects.get_for_model(obj, for_concrete_model=False)
        entries.append(_entry(obj, action, actor, befores.get(id(obj)), None, ct, describe(obj)))
    return ChangeLogEntry.objects.bulk_create(entries, batch_size=BATCH_SIZE)


@contextmanager
def changelog(instance: M, action: str, *, actor: Any = None) -> Iterator[M]:
    """Log the change the block makes to ``instance`` (nothing if it raises or changes
    nothing)."""
    before = snapshot(instance) if _saved(instance) else None
    yield instance
    after = snapshot(instance)
    if before is not None and after == before:
        return
    log_change(instance, action, actor=actor, before=before, after=after)


@contextmanager
def bulk_changelog(
    instances: list[M],
    action: str,
    *,
    actor: Any = None,
    describe: Callable[[Any], str] = str,
) -> Iterator[list[M]]:
    """Log the change the block makes to each of ``instances``, in one insert.

    Before-snapshots are taken on entry for the saved ones; objects the block appends to
    the list (new ones it creates) are logged too, with no before. An object the block
    left as it was gets no entry."""
    befores = {id(obj): snapshot(obj) for obj in instances if _saved(obj)}
    yield instances
    changed = [obj for obj in instances if befores.get(id(obj)) != snapshot(obj)]
    log_changes(changed, action, actor=actor, befores=befores, describe=describe)
