"""Portal pages. Views stay thin: lists go through ``visible_to``, single records
through ``get_visible_or_404`` (R-TEN-1)."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import check_for_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from fleetcare.catalog.entitlement import download_decision
from fleetcare.catalog.entitlement import explain as explain_download
from fleetcare.catalog.models import ProductModel, SparePart
from fleetcare.core.lists import paginate
from fleetcare.core.tenancy import get_visible_or_404, scope_of
from fleetcare.licences.services import premium_status
from fleetcare.organisations import services as org_services
from fleetcare.organisations.models import (
    ApiToken,
    Organisation,
    OrganisationKind,
    PartnerCustomer,
    Role,
    Site,
)

from . import search
from . import work as work_lists
from .forms import CatalogFilterForm, TimeZoneForm, TokenCreateForm

logger = logging.getLogger("fleetcare.security")

CATALOG_PAGE_SIZE = 25
SPARE_PARTS_SHOWN = 25
ORGANISATIONS_PAGE_SIZE = 50

LIFECYCLE_LABELS = {
    "active": gettext_lazy("Active"),
    "end_of_sale_announced": gettext_lazy("End of sale announced"),
    "end_of_sale": gettext_lazy("End of sale"),
    "end_of_support": gettext_lazy("End of support"),
}


def _lifecycle(model: ProductModel, today) -> None:
    model.lifecycle = model.lifecycle_status(today)
    model.lifecycle_label = LIFECYCLE_LABELS[model.lifecycle]


@login_required
def home(request):
    """The reader's work first (``portal.work``: per role), then their organisation."""
    user = request.user
    scope = scope_of(user)
    context: dict = {
        "scope": scope,
        "organisation": None,
        "work": work_lists.work_for(user),
    }
    if scope.is_vendor:
        # A CSM's accounts, on request (the "My accounts" filter).
        mine = request.GET.get("mine") == "1"
        organisations = Organisation.objects.visible_to(user).exclude(kind=OrganisationKind.VENDOR)
        if mine:
            organisations = organisations.filter(csm=user)
        page = paginate(
            request,
            organisations.annotate(site_count=Count("sites")).order_by("name", "id"),
            per_page=ORGANISATIONS_PAGE_SIZE,
        )
        context.update(
            home_section="portal/home/_vendor.html",
            page_obj=page,
            organisation=user.organisation,
            mine=mine,
            has_accounts=user.csm_accounts.exists(),
        )
    elif user.role == Role.END_USER:
        partners = [
            link.partner
            for link in PartnerCustomer.objects.filter(
                customer_id=user.organisation_id
            ).select_related("partner")
        ]
        context.update(
            home_section="portal/home/_end_user.html",
            organisation=user.organisation,
            partners=partners,
        )
    elif scope.is_customer:
        context.update(
            home_section="portal/home/_customer.html",
            organisation=user.organisation,
            sites=Site.objects.visible_to(user).filter(organisation_id=user.organisation_id),
        )
    elif scope.is_partner:
        context.update(
            home_section="portal/home/_partner.html",
            organisation=user.organisation,
            daas_customers=Organisation.objects.visible_to(user)
            .filter(kind=OrganisationKind.CUSTOMER)
            .annotate(site_count=Count("sites")),
        )
    elif scope.is_distributor:
        context.update(home_section="portal/home/_distributor.html", organisation=user.organisation)
    else:
        context.update(home_section="portal/home/_none.html")
    return render(request, "portal/home.html", context)


def _reader_currency(user) -> str:
    """The currency a reader's prices are shown in: their organisation's."""
    org = getattr(user, "organisation", None)
    return (getattr(org, "currency", "") or "USD").upper()


@login_required
def catalog(request):
    form = CatalogFilterForm(request.GET or None, user=request.user)
    models = (
        ProductModel.objects.visible_to(request.user)
        .select_related("category")
        .prefetch_related("prices")
    )
    today = timezone.localdate()
    parts = None
    if form.is_valid():
        data = form.cleaned_data
        q = data["q"].strip()
        models = models.search(q)
        if q:
            parts = (
                SparePart.objects.visible_to(request.user)
                .search(q)
                .prefetch_related("compatible_models")
                .order_by("part_number")[:SPARE_PARTS_SHOWN]
            )
        if data["category"]:
            models = models.filter(category=data["category"])
        if data["lifecycle"]:
            models = models.lifecycle(data["lifecycle"], today)
    page = paginate(request, models.order_by("family", "name", "pk"), per_page=CATALOG_PAGE_SIZE)
    for model in page:
        _lifecycle(model, today)
    currency = _reader_currency(request.user)
    for model in page:
        model.price_here = next((p for p in model.prices.all() if p.currency == currency), None)
    context = {"form": form, "page_obj": page, "currency": currency, "spare_parts": parts}
    if request.htmx and not request.htmx.boosted:
        response = render(request, "portal/catalog_results.html", context)
    else:
        response = render(request, "portal/catalog.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def model_detail(request, pk: int):
    model = get_visible_or_404(ProductModel.objects.select_related("category"), request.user, pk=pk)
    _lifecycle(model, timezone.localdate())
    firmware = list(model.firmware_releases.visible_to(request.user))
    decision = download_decision(request.user, model)
    context = {
        "may_download": decision.entitled,
        "download_reason": explain_download(decision),
        "model": model,
        "prices": list(model.prices.all()),
        "currency": _reader_currency(request.user),
        "firmware": firmware,
        "latest_firmware": firmware[0] if firmware else None,
        "documents": model.documents.visible_to(request.user),
        "spare_parts": SparePart.objects.visible_to(request.user).filter(compatible_models=model),
    }
    return render(request, "portal/model_detail.html", context)


@login_required
def organisation_detail(request, pk: int):
    organisation = get_visible_or_404(Organisation, request.user, pk=pk)
    context = {
        "organisation": organisation,
        # R-PE-8: the customer sees whether its premium device-management features are on.
        "premium": premium_status(organisation)
        if organisation.kind == OrganisationKind.CUSTOMER
        else None,
        "sites": Site.objects.visible_to(request.user).filter(organisation=organisation),
        "daas_customers": (
            Organisation.objects.visible_to(request.user).filter(daas_partners=organisation)
            if organisation.kind == OrganisationKind.CERTIFIED_PARTNER
            else None
        ),
        "partners": (
            Organisation.objects.visible_to(request.user).filter(daas_customers=organisation)
            if organisation.kind == OrganisationKind.CUSTOMER
            else None
        ),
    }
    return render(request, "portal/organisation_detail.html", context)


@login_required
def profile(request):
    user = request.user
    form = TokenCreateForm()
    zone_form = TimeZoneForm(initial={"time_zone": user.time_zone})
    new_token = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            form = TokenCreateForm(request.POST)
            if form.is_valid():
                token, raw = org_services.issue_token(
                    user,
                    name=form.cleaned_data["name"],
                    scope=form.cleaned_data["scope"],
                    expires_in_days=form.cleaned_data["expires_in_days"],
                )
                # The raw token is rendered in this response only, never stored.
                new_token = {"token": token, "raw": raw}
                form = TokenCreateForm()
        elif action == "time_zone":
            zone_form = TimeZoneForm(request.POST)
            if zone_form.is_valid():
                org_services.change_own_settings(
                    user, actor=user, time_zone=zone_form.cleaned_data["time_zone"]
                )
                messages.success(request, _("Your time zone was saved."))
                return redirect("portal:profile")
        elif action == "revoke":
            token = get_visible_or_404(ApiToken, user, pk=request.POST.get("token"))
            org_services.revoke_token(user, token)
            messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
            return redirect("portal:profile")
        else:
            return redirect("portal:profile")
    context = {
        "form": form,
        "zone_form": zone_form,
        "effective_zone": user.effective_time_zone,
        "new_token": new_token,
        "tokens": ApiToken.objects.visible_to(user),
    }
    response = render(request, "portal/profile.html", context)
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def set_language(request):
    """Save the choice on the user, then do what Django's ``set_language`` does."""
    language = request.POST.get("language", "")
    if language and check_for_language(language):
        request.user.language = language
        request.user.save(update_fields=["language"])
    return django_set_language(request)


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out login (AXES_LOCKOUT_CALLABLE): a page that says
    why and for how long, in the reader's language, with status 429."""
    from axes.helpers import get_cool_off, get_failure_limit

    cool_off = get_cool_off(request)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": max(1, round(cool_off.total_seconds() / 60)) if cool_off else None,
    }
    logger.warning(
        "Login locked out after too many failed attempts: username=%r ip=%s",
        (credentials or {}).get("username"),
        getattr(request, "axes_ip_address", request.META.get("REMOTE_ADDR")),
    )
    return render(request, "portal/locked_out.html", context, status=429)


@login_required
def global_search(request):
    """The header's search box: an exact reference, serial or number opens its record;
    otherwise the matches of each kind the user may see."""
    results = search.search(actor=request.user, q=request.GET.get("q", ""))
    if results.exact is not None and request.GET.get("list") != "1":
        return redirect(results.exact.url)
    return render(request, "portal/search.html", {"results": results})
