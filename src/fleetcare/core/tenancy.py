"""Tenancy in one place (R-TEN-1).

Every model's manager is built from :class:`TenantQuerySet`, whose ``visible_to(user)``
returns only what that user may see. Views, exports and API endpoints list through
it, never through ``objects.all()``; a record outside it answers 404
(:func:`get_visible_or_404`).

A model says how it belongs to organisations with two class attributes:

``tenant_field``
    the lookup path to the owning customer/partner organisation (e.g. ``"account"``,
    ``"case__account"``). A customer user sees rows whose tenant is its organisation.
``partner_scope``
    how a certified partner sees it: ``"own"`` (rows of its own organisation only),
    ``"daas"`` (its own rows plus the rows of the DaaS customers it sold to), or a
    callable ``(queryset, user) -> queryset`` for models that refine it (for example
    cases, where only the DaaS cases of those customers are visible).

Which roles see a kind of record at all is the role × record-kind table of
:mod:`fleetcare.core.visibility` (docs/visibility.md): a ``none`` cell gives an
empty queryset before any hook runs. Vendor staff whose cell is ``all`` see every row
(:meth:`TenantQuerySet.for_vendor`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.http import Http404

from fleetcare.core import visibility
from fleetcare.core.roles import OrganisationKind, Role

if TYPE_CHECKING:  # pragma: no cover
    from fleetcare.organisations.models import User


class Scope:
    """What a user is, for tenancy decisions. Cached on the user object.

    ``core`` imports nothing above it: the user object answers for its own
    organisation (``organisation.kind``) and for the DaaS customers its partner
    organisation sold to (``user.served_customer_ids()``).
    """

    def __init__(self, user: Any) -> None:
        self.user = user
        self.authenticated = bool(user and user.is_authenticated)
        self.organisation_id = (
            getattr(user, "organisation_id", None) if self.authenticated else None
        )
        org = getattr(user, "organisation", None) if self.organisation_id else None
        self.kind = org.kind if org is not None else None
        self.role = getattr(user, "role", None)
        self.is_vendor = self.authenticated and (
            self.kind == OrganisationKind.VENDOR or bool(getattr(user, "is_superuser", False))
        )

    @property
    def is_customer(self) -> bool:
        return self.kind == OrganisationKind.CUSTOMER

    @property
    def is_partner(self) -> bool:
        return self.kind == OrganisationKind.CERTIFIED_PARTNER

    @property
    def is_distributor(self) -> bool:
        return self.kind == OrganisationKind.DISTRIBUTION_PARTNER

    @property
    def is_end_user(self) -> bool:
        return self.role == Role.END_USER

    def served_customer_ids(self) -> list[int]:
        """DaaS customers this partner sold to (the user caches them per request)."""
        served = getattr(self.user, "served_customer_ids", None)
        return list(served()) if callable(served) else []


def scope_of(user: Any) -> Scope:
    scope = getattr(user, "_fleetcare_scope", None) if user is not None else None
    if scope is None:
        scope = Scope(user)
        if user is not None and getattr(user, "is_authenticated", False):
            user._fleetcare_scope = scope
    return scope


class TenantQuerySet(models.QuerySet):
    """A queryset that knows who may see which rows."""

    def visible_to(self, user: User | Any) -> TenantQuerySet:
        scope = scope_of(user)
        if not scope.authenticated or not getattr(user, "is_active", False):
            return self.none()
        # The role × record-kind table first (core.visibility): a "none" cell is final.
        if visibility.sees(self.model._meta.label, scope) == visibility.Sees.NONE:
            return self.none()
        if scope.is_vendor:
            return self.for_vendor(scope)
        if scope.is_end_user:
            return self.for_end_user(scope)
        if scope.is_customer:
            return self.for_customer(scope)
        if scope.is_partner:
            return self.for_partner(scope)
        if scope.is_distributor:
            return self.for_distributor(scope)
        return self.none()

    # Hooks a model's queryset overrides where its rule differs ------------------

    def _tenant_field(self) -> str | None:
        return getattr(self.model, "tenant_field", None)

    def for_vendor(self, scope: Scope) -> TenantQuerySet:
        return self.all()

    def for_end_user(self, scope: Scope) -> TenantQuerySet:
        """End users of a DaaS customer are served by their partner, not the vendor."""
        return self.none()

    def for_customer(self, scope: Scope) -> TenantQuerySet:
        field = self._tenant_field()
        if field is None:
            return self.none()
        return self.filter(**{field: scope.organisation_id})

    def for_partner(self, scope: Scope) -> TenantQuerySet:
        field = self._tenant_field()
        if field is None:
            return self.none()
        mode = getattr(self.model, "partner_scope", "own")
        if mode == "daas":
            ids = [scope.organisation_id, *scope.served_customer_ids()]
            return self.filter(**{f"{field}__in": ids})
        return self.filter(**{field: scope.organisation_id})

    def for_distributor(self, scope: Scope) -> TenantQuerySet:
        field = self._tenant_field()
        if field is None:
            return self.none()
        return self.filter(**{field: scope.organisation_id})


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):  # type: ignore[misc]
    pass


def get_visible_or_404(queryset_or_model: Any, user: Any, **lookup: Any) -> Any:
    """The one way to fetch a single record for a user: another tenant's is a 404."""
    qs = (
        queryset_or_model
        if isinstance(queryset_or_model, models.QuerySet)
        else queryset_or_model.objects.all()
    )
    try:
        return qs.visible_to(user).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404(f"No {qs.model._meta.verbose_name} matches the given query.") from exc
