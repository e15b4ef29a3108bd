"""Organisations use cases: API tokens and the directory (organisations, sites, users,
partner–customer links). One function per use case, one transaction each, who-may-act
from :mod:`fleetcare.organisations.permissions`, every change in the change log."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pycountry
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fleetcare.core.changelog import log_change, snapshot
from fleetcare.core.permissions import is_vendor_staff, require

from . import permissions
from .models import ApiToken, Organisation, PartnerCustomer, Site, User

TOKEN_FIELDS = ["name", "key_prefix", "scope", "expires_at", "revoked_at"]


# API tokens ------------------------------------------------------------------------


@transaction.atomic
def issue_token(
    user: User,
    *,
    name: str,
    scope: str = ApiToken.TokenScope.READ_WRITE,
    expires_in_days: int | None = ...,  # type: ignore[assignment]
) -> tuple[ApiToken, str]:
    """A new token for ``user`` (it acts with the user's permissions, limited by scope).

    ``expires_in_days=None``: it never expires; left out: ``API_TOKEN_DEFAULT_DAYS``."""
    if expires_in_days is ...:
        expires_at: Any = ...
    elif expires_in_days is None:
        expires_at = None
    else:
        expires_at = timezone.now() + timedelta(days=expires_in_days)
    token, raw = ApiToken.issue(user, name, scope=scope, expires_at=expires_at)
    log_change(token, "token.issued", actor=user, after=snapshot(token, TOKEN_FIELDS))
    return token, raw


@transaction.atomic
def revoke_token(user: User, token: ApiToken) -> ApiToken:
    """Revoke one of ``user``'s own tokens (callers fetch it through ``visible_to``)."""
    if token.user_id != user.pk:
        raise PermissionDenied(_("You may only revoke your own tokens."))
    before = snapshot(token, TOKEN_FIELDS)
    token.revoke()
    log_change(
        token, "token.revoked", actor=user, before=before, after=snapshot(token, TOKEN_FIELDS)
    )
    return token


# The directory ----------------------------------------------------------------------

ORGANISATION_FIELDS = ("name", "country", "currency", "language", "account_number")
SITE_FIELDS = ("name", "country", "subdivision", "city", "address", "time_zone")
USER_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "role",
    "language",
    "time_zone",
    "phone",
    "is_active",
)
OWN_SETTINGS = ("language", "time_zone")


def _validate_currency_and_language(org: Organisation, errors: dict[str, list[str]]) -> None:
    org.currency = (org.currency or "").upper()
    if pycountry.currencies.get(alpha_3=org.currency) is None:
        errors.setdefault("currency", []).append(
            _("%(code)s is not an ISO 4217 currency code.") % {"code": org.currency}
        )
    languages = [code for code, _label in settings.LANGUAGES]
    if org.language not in languages:
        errors.setdefault("language", []).append(
            _("%(code)s is not a language of fleetcare (%(languages)s).")
            % {"code": org.language, "languages": ", ".join(languages)}
        )


def _full_clean(instance: Any, extra: dict[str, list[str]] | None = None) -> None:
    """Every field error at once (model validators, clean(), unique constraints)."""
    errors: dict[str, list[str]] = dict(extra or {})
    try:
        instance.full_clean(exclude=["password"] if isinstance(instance, User) else None)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    # Organisation.clean() repeats the country validator's message without a field.
    named = {m for field, msgs in errors.items() if field != "__all__" for m in msgs}
    if "__all__" in errors:
        errors["__all__"] = [m for m in errors["__all__"] if m not in named]
        if not errors["__all__"]:
            del errors["__all__"]
    if errors:
        raise ValidationError(errors)


def _apply(instance: Any, fields: tuple[str, ...], changes: dict[str, Any]) -> None:
    for field, value in changes.items():
        if field not in fields:
            raise ValidationError({field: [_("This field cannot be changed here.")]})
        setattr(instance, field, value)


def _forget_served_customers(user: Any) -> None:
    user.__dict__.pop("_fleetcare_served_ids", None)
    user.__dict__.pop("_fleetcare_scope", None)


@transaction.atomic
def create_organisation(actor: User, *, kind: str, **fields: Any) -> Organisation:
    """Vendor admin: any kind. A partner: a customer, linked to the partner as its DaaS
    customer (so it sees it, its sites, and may subscribe it)."""
    require(
        actor,
        permissions.can_create_organisation,
        kind,
        _("Only the vendor administrator creates organisations (a partner creates customers)."),
    )
    org = Organisation(kind=kind)
    _apply(org, ORGANISATION_FIELDS, fields)
    org.account_number = org.account_number or None
    errors: dict[str, list[str]] = {}
    _validate_currency_and_language(org, errors)
    _full_clean(org, errors)
    org.save()
    log_change(org, "organisation.created", actor=actor)
    if not is_vendor_staff(actor) and actor.organisation_id:
        link = PartnerCustomer(partner_id=actor.organisation_id, customer=org)
        link.full_clean()
        link.save()
        log_change(link, "partner_customer.linked", actor=actor)
        _forget_served_customers(actor)
    return org


@transaction.atomic
def change_organisation(actor: User, org: Organisation, **changes: Any) -> Organisation:
    require(
        actor, permissions.can_change_organisation, org, _("You may not change this organisation.")
    )
    assign_csm = "csm_id" in changes
    csm_id = changes.pop("csm_id", None)
    if assign_csm:
        require(
            actor,
            permissions.can_assign_csm,
            org,
            _("Only the vendor administrator assigns customer success managers."),
        )
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    before = snapshot(org)
    _apply(org, ORGANISATION_FIELDS, changes)
    if assign_csm:
        org.csm = None if csm_id is None else User.objects.filter(pk=csm_id).first()
        if csm_id is not None and org.csm is None:
            raise ValidationError(
                {"csm_id": [_("There is no user with id %(id)s.") % {"id": csm_id}]}
            )
    org.account_number = org.account_number or None
    errors: dict[str, list[str]] = {}
    _validate_currency_and_language(org, errors)
    _full_clean(org, errors)
    org.save()
    log_change(org, "organisation.changed", actor=actor, before=before)
    return org


@transaction.atomic
def create_site(actor: User, organisation: Organisation, **fields: Any) -> Site:
    require(
        actor,
        permissions.can_manage_sites,
        organisation,
        _("You may not add sites to this organisation."),
    )
    site = Site(organisation=organisation)
    _apply(site, SITE_FIELDS, fields)
    _full_clean(site)
    site.save()
    log_change(site, "site.created", actor=actor)
    return site


@transaction.atomic
def change_site(actor: User, site: Site, **changes: Any) -> Site:
    require(
        actor, permissions.can_manage_sites, site.organisation, _("You may not change this site.")
    )
    site = Site.objects.select_for_update().get(pk=site.pk)
    before = snapshot(site)
    _apply(site, SITE_FIELDS, changes)
    _full_clean(site)
    site.save()
    log_change(site, "site.changed", actor=actor, before=before)
    return site


def _check_role(actor: User, organisation: Organisation, role: str) -> None:
    allowed = permissions.assignable_roles(actor, organisation)
    if role not in allowed:
        raise ValidationError(
            {
                "role": [
                    _("You may give only these roles here: %(roles)s.")
                    % {"roles": ", ".join(allowed) or "-"}
                ]
            }
        )


def _user_snapshot(user: User) -> dict[str, Any]:
    return snapshot(user, ["username", "organisation", *USER_FIELDS])


@transaction.atomic
def create_user(
    actor: User,
    organisation: Organisation,
    *,
    username: str,
    role: str,
    password: str | None = None,
    **fields: Any,
) -> User:
    """A member of ``organisation``. Without a password the account cannot log in until
    a password is set (an administrator, or the password-reset flow)."""
    require(
        actor,
        permissions.can_manage_users,
        organisation,
        _("You may not add users to this organisation."),
    )
    _check_role(actor, organisation, role)
    user = User(organisation=organisation, username=username, role=role)
    _apply(user, USER_FIELDS, fields)
    errors: dict[str, list[str]] = {}
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
        user.set_password(password)
    else:
        user.set_unusable_password()
    _full_clean(user, errors)
    user.save()
    log_change(user, "user.created", actor=actor, after=_user_snapshot(user))
    return user


@transaction.atomic
def change_user(actor: User, user: User, **changes: Any) -> User:
    organisation = user.organisation
    if organisation is None:
        raise PermissionDenied(_("You may not change this user."))
    require(actor, permissions.can_manage_users, organisation, _("You may not change this user."))
    # A customer admin never touches an account ranked above its own.
    if user.role and user.role not in permissions.assignable_roles(actor, organisation):
        raise PermissionDenied(_("You may not change a user whose role is above yours."))
    if "role" in changes:
        _check_role(actor, organisation, changes["role"])
    user = User.objects.select_for_update().get(pk=user.pk)
    before = _user_snapshot(user)
    _apply(user, USER_FIELDS, changes)
    _full_clean(user)
    user.save()
    log_change(user, "user.changed", actor=actor, before=before, after=_user_snapshot(user))
    return user


@transaction.atomic
def change_own_settings(user: User, *, actor: User, **changes: Any) -> User:
    """A person's own settings: language and time zone (blank time zone = the zone of
    the organisation's main site). Only the person themself changes them here."""
    if actor.pk != user.pk:
        raise PermissionDenied(_("You may only change your own settings."))
    unknown = sorted(set(changes) - set(OWN_SETTINGS))
    if unknown:
        raise ValidationError({k: [_("This setting cannot be changed here.")] for k in unknown})
    if "language" in changes and changes["language"] not in {c for c, _n in settings.LANGUAGES}:
        raise ValidationError(
            {"language": [_("%(v)s is not a language of the site.") % {"v": changes["language"]}]}
        )
    user = User.objects.select_for_update().get(pk=user.pk)
    before = _user_snapshot(user)
    for field, value in changes.items():
        setattr(user, field, (value or "").strip())
    _full_clean(user)
    user.save(update_fields=list(changes))
    log_change(user, "user.settings", actor=actor, before=before, after=_user_snapshot(user))
    return user


@transaction.atomic
def link_partner(
    actor: User, partner: Organisation, customer: Organisation, since: Any = None
) -> PartnerCustomer:
    require(actor, permissions.can_link_partner, None, _("Only the vendor administrator links."))
    link = PartnerCustomer(partner=partner, customer=customer)
    if since is not None:
        link.since = since
    _full_clean(link)
    link.save()
    log_change(link, "partner_customer.linked", actor=actor)
    return link


@transaction.atomic
def unlink_partner(actor: User, link: PartnerCustomer) -> None:
    require(actor, permissions.can_link_partner, None, _("Only the vendor administrator links."))
    log_change(link, "partner_customer.unlinked", actor=actor, before=snapshot(link), after={})
    link.delete()
