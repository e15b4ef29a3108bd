"""Webhook pages: an organisation's endpoints, each with its delivery log and "send again"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fleetcare.core.permissions import can
from fleetcare.core.tenancy import get_visible_or_404

from . import services
from .forms import EndpointForm
from .models import WebhookDelivery, WebhookEndpoint

PAGE_SIZE = 25


def _add_errors(form, exc: ValidationError) -> None:
    for field, msgs in exc.message_dict.items():
        for msg in msgs:
            form.add_error(field if field in form.fields else None, msg)


@login_required
def endpoint_list(request):
    user = request.user
    may_manage = user.organisation_id is not None and can(
        user, "webhooks.manage", user.organisation
    )
    form = EndpointForm(request.POST or None) if may_manage else None
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                endpoint = services.create_endpoint(user, user.organisation, **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("The endpoint was registered."))
                return redirect("webhooks:detail", pk=endpoint.pk)
    endpoints = WebhookEndpoint.objects.visible_to(user).select_related("organisation")
    return render(
        request,
        "webhooks/endpoints.html",
        {"endpoints": endpoints, "form": form, "may_manage": may_manage},
    )


@login_required
def endpoint_detail(request, pk: int):
    user = request.user
    endpoint = get_visible_or_404(
        WebhookEndpoint.objects.select_related("organisation"), user, pk=pk
    )
    may_manage = can(user, "webhooks.manage", endpoint.organisation)
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        action = request.POST.get("action")
        if action == "delete":
            services.delete_endpoint(user, endpoint)
            messages.success(request, _("The endpoint was removed."))
            return redirect("webhooks:list")
        if action in ("enable", "disable"):
            services.change_endpoint(user, endpoint, active=action == "enable")
            return redirect("webhooks:detail", pk=endpoint.pk)
    deliveries = WebhookDelivery.objects.visible_to(user).filter(endpoint=endpoint)
    page = Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "webhooks/endpoint_detail.html",
        {"endpoint": endpoint, "page_obj": page, "may_manage": may_manage},
    )


@login_required
@require_POST
def redeliver(request, pk: int):
    item = get_visible_or_404(
        WebhookDelivery.objects.select_related("endpoint__organisation"), request.user, pk=pk
    )
    item = services.redeliver(request.user, item)
    messages.success(
        request,
        _("Sent again: %(status)s.") % {"status": item.get_status_display()},
    )
    return redirect("webhooks:detail", pk=item.endpoint_id)
