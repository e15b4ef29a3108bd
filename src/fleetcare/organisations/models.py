"""Organisations, sites and people (docs/programmes.md §1)."""

from __future__ import annotations

import hashlib
import secrets
import zoneinfo
from datetime import datetime, timedelta
from typing import Any

import pycountry
from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fleetcare.core.models import TimeStamped
from fleetcare.core.roles import ROLES_BY_KIND, VENDOR_ROLES, OrganisationKind, Role

__all__ = ["ROLES_BY_KIND", "VENDOR_ROLES", "OrganisationKind", "Role"]  # re-exported
from fleetcare.core.tenancy import Scope, TenantManager, TenantQuerySet


def validate_country(code: str) -> None:
    if not code or pycountry.countries.get(alpha_2=code.upper()) is None:
        raise ValidationError(
            _("%(code)s is not an ISO 3166-1 country code."), params={"code": code}
        )


def validate_subdivision(country: str, subdivision: str) -> None:
    if not subdivision:
        return
    full = subdivision if "-" in subdivision else f"{country}-{subdivision}"
    sub = pycountry.subdivisions.get(code=full.upper())
    if sub is None or sub.country_code != country.upper():
        raise ValidationError(
            _("%(sub)s is not a subdivision of %(country)s."),
            params={"sub": subdivision, "country": country},
        )


def validate_time_zone(name: str) -> None:
    if name not in zoneinfo.available_timezones():
        raise ValidationError(_("%(tz)s is not a known time zone."), params={"tz": name})


class OrganisationQuerySet(TenantQuerySet):
    def for_customer(self, scope: Scope) -> OrganisationQuerySet:
        return self.filter(pk=scope.organisation_id)

    def for_end_user(self, scope: Scope) -> OrganisationQuerySet:
        return self.filter(pk=scope.organisation_id)

    def for_partner(self, scope: Scope) -> OrganisationQuerySet:
        return self.filter(pk__in=[scope.organisation_id, *scope.served_customer_ids()])

    def for_distributor(self, scope: Scope) -> OrganisationQuerySet:
        return self.filter(pk=scope.organisation_id)


class Organisation(TimeStamped):
    """A vendor, customer, certified partner or distribution partner."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    account_number = models.CharField(
        _("main account identifier"),
        max_length=32,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The customer's main account identifier (P+E)."),
    )
    country = models.CharField(_("country"), max_length=2, validators=[validate_country])
    language = models.CharField(_("language"), max_length=8, default="en")
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    # The customer success manager assigned to a customer account ("my accounts" on the
    # CSM's home and lists); set by the vendor administrator (admin, directory API).
    csm = models.ForeignKey(
        "organisations.User",
        verbose_name=_("customer success manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="csm_accounts",
        limit_choices_to={"role": Role.CSM, "organisation__kind": OrganisationKind.VENDOR},
    )
    daas_customers = models.ManyToManyField(
        "self",
        through="PartnerCustomer",
        symmetrical=False,
        related_name="daas_partners",
        through_fields=("partner", "customer"),
        blank=True,
    )

    objects = TenantManager.from_queryset(OrganisationQuerySet)()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.country = (self.country or "").upper()
        validate_country(self.country)
        if self.csm_id is not None:
            if self.kind != OrganisationKind.CUSTOMER:
                raise ValidationError(
                    {"csm": _("Only a customer account has a customer success manager.")}
                )
            csm = self.csm
            if (
                csm.role != Role.CSM
                or csm.organisation is None
                or (csm.organisation.kind != OrganisationKind.VENDOR)
            ):
                raise ValidationError(
                    {
                        "csm": _("%(user)s is not one of the vendor's customer success managers.")
                        % {"user": csm.get_username()}
                    }
                )

    @property
    def country_name(self) -> str:
        c = pycountry.countries.get(alpha_2=self.country)
        return c.name if c else self.country


class PartnerCustomerQuerySet(TenantQuerySet):
    def for_customer(self, scope: Scope) -> PartnerCustomerQuerySet:
        return self.filter(customer_id=scope.organisation_id)

    def for_end_user(self, scope: Scope) -> PartnerCustomerQuerySet:
        return self.filter(customer_id=scope.organisation_id)

    def for_partner(self, scope: Scope) -> PartnerCustomerQuerySet:
        return self.filter(partner_id=scope.organisation_id)

    def for_distributor(self, scope: Scope) -> PartnerCustomerQuerySet:
        return self.none()


class PartnerCustomer(models.Model):
    """A certified partner sold DaaS to this customer: the relation tenancy uses."""

    partner = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="partner_links",
        limit_choices_to={"kind": OrganisationKind.CERTIFIED_PARTNER},
    )
    customer = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="customer_links",
        limit_choices_to={"kind": OrganisationKind.CUSTOMER},
    )
    since = models.DateField(default=timezone.localdate)

    objects = TenantManager.from_queryset(PartnerCustomerQuerySet)()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "customer"], name="uniq_partner_customer")
        ]
        verbose_name = _("DaaS customer of a partner")
        verbose_name_plural = _("DaaS customers of partners")

    def __str__(self) -> str:
        return f"{self.partner} → {self.customer}"

    def clean(self) -> None:
        if self.partner_id and self.partner.kind != OrganisationKind.CERTIFIED_PARTNER:
            raise ValidationError({"partner": _("Only a certified partner sells DaaS.")})
        if self.customer_id and self.customer.kind != OrganisationKind.CUSTOMER:
            raise ValidationError({"customer": _("A DaaS customer must be a customer.")})


class SiteQuerySet(TenantQuerySet):
    pass


class Site(TimeStamped):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country"), max_length=2, validators=[validate_country])
    subdivision = models.CharField(
        _("subdivision"),
        max_length=10,
        blank=True,
        help_text=_("ISO 3166-2 code, e.g. DE-BY or CA-QC."),
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    address = models.TextField(_("address"), blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])

    tenant_field = "organisation"
    partner_scope = "daas"
    objects = TenantManager.from_queryset(SiteQuerySet)()

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="uniq_site_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"

    def clean(self) -> None:
        self.country = (self.country or "").upper()
        errors = {}
        try:
            validate_country(self.country)
        except ValidationError as exc:
            errors["country"] = exc.messages
        if self.subdivision and "country" not in errors:
            if "-" not in self.subdivision:
                self.subdivision = f"{self.country}-{self.subdivision}"
            self.subdivision = self.subdivision.upper()
            try:
                validate_subdivision(self.country, self.subdivision)
            except ValidationError as exc:
                errors["subdivision"] = exc.messages
        try:
            validate_time_zone(self.time_zone)
        except ValidationError as exc:
            errors["time_zone"] = exc.messages
        if errors:
            raise ValidationError(errors)

    @property
    def subdivision_code(self) -> str | None:
        """The part after the dash (``BY`` for ``DE-BY``), as the holidays library wants."""
        if not self.subdivision:
            return None
        return self.subdivision.split("-", 1)[1]


class UserQuerySet(TenantQuerySet):
    def for_customer(self, scope: Scope) -> UserQuerySet:
        return self.filter(organisation_id=scope.organisation_id)

    def for_end_user(self, scope: Scope) -> UserQuerySet:
        return self.filter(pk=scope.user.pk)

    def for_partner(self, scope: Scope) -> UserQuerySet:
        return self.filter(organisation_id=scope.organisation_id)

    def for_distributor(self, scope: Scope) -> UserQuerySet:
        return self.filter(organisation_id=scope.organisation_id)


class FleetcareUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """A person, with their membership: one organisation and one role in it."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    # The zone times are shown in; blank = the organisation's main (first) site's zone.
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_(
            "Times are shown in this zone. Blank: the zone of your organisation's main site."
        ),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    objects = FleetcareUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def clean(self) -> None:
        super().clean()
        if self.organisation_id and self.role:
            allowed = ROLES_BY_KIND.get(self.organisation.kind, set())
            if self.role not in allowed:
                raise ValidationError(
                    {
                        "role": _("Role %(role)s does not exist in a %(kind)s organisation.")
                        % {
                            "role": self.get_role_display(),
                            "kind": self.organisation.get_kind_display(),
                        }
                    }
                )

    @staticmethod
    def _site_zones(organisation_id: Any) -> models.QuerySet:
        return (
            Site.objects.filter(organisation_id=organisation_id)
            .exclude(time_zone="")
            .order_by("pk")
            .values_list("time_zone", flat=True)
        )

    @classmethod
    def with_site_zone(cls, users: models.QuerySet) -> models.QuerySet:
        """``users`` with ``site_zone``: the zone of their organisation's main site, read
        in the same query (the session's user is read this way on every request)."""
        return users.annotate(
            site_zone=models.Subquery(cls._site_zones(models.OuterRef("organisation_id"))[:1])
        )

    @property
    def effective_time_zone(self) -> str:
        """The zone this person reads times in: their own setting, else the zone of
        their organisation's main site (its first), else the server's (UTC). Cached on
        the user, so once per request."""
        cached = getattr(self, "_fleetcare_zone", None)
        if cached is None:
            cached = self.time_zone
            if not cached and self.organisation_id:
                if hasattr(self, "site_zone"):  # read with the user (with_site_zone)
                    cached = self.site_zone or ""
                else:
                    cached = self._site_zones(self.organisation_id).first() or ""
            cached = cached or settings.TIME_ZONE
            self._fleetcare_zone = cached
        return cached

    @property
    def is_vendor_staff(self) -> bool:
        return bool(self.organisation_id) and self.organisation.kind == OrganisationKind.VENDOR

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    def served_customer_ids(self) -> list[int]:
        """The DaaS customers this user's partner organisation sold to (cached on the user,
        so once per request); asked by ``core.tenancy`` for a partner's scope."""
        cache = getattr(self, "_fleetcare_served_ids", None)
        if cache is None:
            cache = list(
                PartnerCustomer.objects.filter(partner_id=self.organisation_id).values_list(
                    "customer_id", flat=True
                )
            )
            self._fleetcare_served_ids = cache
        return cache


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(TenantQuerySet):
    def visible_to(self, user):  # a token is only ever its owner's
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user=user)


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token is shown once.

    A token has a scope (read-only tokens may only read: GET, HEAD, OPTIONS) and an
    expiry; an expired or revoked token authenticates nobody.
    """

    PREFIX = "fc_"
    # last_used_at is written at most this often (a busy integration would otherwise
    # write the token row on every request).
    LAST_USED_RESOLUTION = timedelta(minutes=1)

    class TokenScope(models.TextChoices):
        READ_WRITE = "read_write", _("Read and write")
        READ_ONLY = "read_only", _("Read only")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, default="API token")
    key_prefix = models.CharField(
        max_length=12, help_text=_("First characters, to tell tokens apart.")
    )
    key_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(
        _("scope"), max_length=16, choices=TokenScope.choices, default=TokenScope.READ_WRITE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(
        _("expires at"), null=True, blank=True, help_text=_("Empty: never expires.")
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager.from_queryset(ApiTokenQuerySet)()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @classmethod
    def default_expiry(cls) -> datetime:
        from django.conf import settings

        return timezone.now() + timedelta(days=settings.API_TOKEN_DEFAULT_DAYS)

    @classmethod
    def issue(
        cls,
        user: User,
        name: str = "API token",
        *,
        scope: str = TokenScope.READ_WRITE,
        expires_at: datetime | None | object = ...,
    ) -> tuple[ApiToken, str]:
        """A new token and its raw value (shown once). ``expires_at=None``: never expires;
        left out: the default lifetime (``API_TOKEN_DEFAULT_DAYS``)."""
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            key_prefix=raw[:10],
            key_hash=hash_token(raw),
            scope=scope,
            expires_at=cls.default_expiry() if expires_at is ... else expires_at,
        )
        return token, raw

    @classmethod
    def find(cls, raw: str) -> ApiToken | None:
        """The live token (unrevoked, unexpired, active user) for ``raw``, or None.

        Marks it used (at most once per :attr:`LAST_USED_RESOLUTION`)."""
        if not raw:
            return None
        now = timezone.now()
        token = (
            cls.objects.select_related("user", "user__organisation")
            .filter(key_hash=hash_token(raw), revoked_at__isnull=True)
            .first()
        )
        if token is None or not token.user.is_active:
            return None
        if token.expires_at is not None and token.expires_at <= now:
            return None
        if token.last_used_at is None or token.last_used_at <= now - cls.LAST_USED_RESOLUTION:
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token

    @classmethod
    def authenticate(cls, raw: str) -> User | None:
        token = cls.find(raw)
        return token.user if token is not None else None

    @property
    def read_only(self) -> bool:
        return self.scope == self.TokenScope.READ_ONLY

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def active(self) -> bool:
        return self.revoked_at is None and not self.expired

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
