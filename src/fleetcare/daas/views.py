"""DaaS pages: partners see their subscriptions, devices, threshold and invoices."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fleetcare.billing.models import Document
from fleetcare.core.lists import paginate
from fleetcare.core.permissions import require
from fleetcare.core.tenancy import get_visible_or_404, scope_of

from . import permissions, services
from .filters import SubscriptionFilter
from .forms import DeliveryForm, SubscriptionForm
from .models import SubscribedDevice, Subscription


def _subscriptions(user):
    return (
        Subscription.objects.visible_to(user)
        .select_related("partner", "customer", "site")
        .annotate(
            device_count=Count("devices", filter=Q(devices__replaced_by__isnull=True)),
            delivered_count=Count(
                "devices",
                filter=Q(devices__delivered_on__isnull=False, devices__replaced_by__isnull=True),
            ),
        )
    )


@login_required
def subscription_list(request):
    filters, errors = SubscriptionFilter.from_query(request.GET)
    for error in errors:
        messages.error(request, error)
    page = paginate(
        request, filters.filter(_subscriptions(request.user)).order_by("-created_at", "-id")
    )
    scope = scope_of(request.user)
    invoices = None
    if scope.is_partner:
        invoices = (
            Document.objects.visible_to(request.user)
            .filter(purpose="daas_monthly_invoice")
            .order_by("-period_start", "-id")[:12]
        )
    return render(
        request,
        "daas/list.html",
        {
            "page_obj": page,
            "is_partner": scope.is_partner,
            "may_create": permissions.can_create_subscription(request.user),
            "invoices": invoices,
        },
    )


@login_required
def subscription_detail(request, pk: int):
    sub = get_visible_or_404(_subscriptions(request.user), request.user, pk=pk)
    devices = (
        SubscribedDevice.objects.visible_to(request.user)
        .filter(subscription=sub)
        .select_related("product_model", "replaces")
        .order_by("id")
    )
    page = paginate(request, devices)
    threshold = services.threshold_overview(
        sub.customer_id, timezone.localdate(), sub.programme_code
    )
    return render(
        request,
        "daas/detail.html",
        {
            "sub": sub,
            "page_obj": page,
            "threshold": threshold,
            "delivery_form": DeliveryForm(initial={"delivered_on": timezone.localdate()}),
            "can_deliver": permissions.can_record_delivery(request.user, sub)
            and sub.delivered_count < sub.device_count,
        },
    )


@login_required
@require_POST
def record_delivery(request, pk: int):
    sub = get_visible_or_404(Subscription, request.user, pk=pk)
    form = DeliveryForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the delivery date."))
        return redirect("daas:detail", pk=pk)
    try:
        done = services.record_delivery(
            actor=request.user, subscription=sub, delivered_on=form.cleaned_data["delivered_on"]
        )
    except (ValidationError, PermissionDenied) as exc:
        for message in getattr(exc, "messages", [str(exc)]):
            messages.error(request, message)
    else:
        messages.success(
            request, _("%(n)s devices delivered: their terms start.") % {"n": len(done)}
        )
    return redirect("daas:detail", pk=pk)


@login_required
def subscription_create(request):
    require(
        request.user,
        permissions.can_create_subscription,
        None,
        _("Only a certified DaaS partner creates subscriptions."),
    )
    form = SubscriptionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sub = services.create_subscription(
                actor=request.user,
                customer=data["customer"],
                site=data["site"],
                items=form.items(),
                term_months=data["term_months"],
                distributor=data["distributor"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Subscription %(ref)s created.") % {"ref": sub.reference})
            return redirect("daas:detail", pk=sub.pk)
    return render(
        request, "daas/create.html", {"form": form}, status=422 if request.method == "POST" else 200
    )
