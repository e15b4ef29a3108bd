"""Portal pages of the support desk. Thin: parse → one service call → render.

Lists go through ``visible_to``; a case is fetched with ``get_visible_or_404``
(R-TEN-1). End users of DaaS customers see no cases (their partner serves them).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from fleetcare.core.keyset import BadListQuery, keyset_page
from fleetcare.core.list_exports import export_list
from fleetcare.core.lists import paginate
from fleetcare.core.messages import format_when
from fleetcare.core.permissions import require
from fleetcare.core.tenancy import get_visible_or_404, scope_of
from fleetcare.organisations.models import PartnerCustomer, Role

from . import clocks, permissions, services
from .filters import CASE_SORTS, CaseFilter, QueueFilter
from .forms import (
    AuthorisationForm,
    CaseFilterForm,
    CaseForm,
    CloudPartnerForm,
    QueueFilterForm,
)
from .models import (
    Case,
    CloudPartner,
    CloudPartnerAuthorisation,
    Escalation,
    EscalationStatus,
)


def _errors_to_messages(request, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.error(request, str(exc) or _("You may not do this."))


def annotate_clock(cases: list[Case], now) -> None:  # type: ignore[no-untyped-def]
    """Time left on each case's own clock (a DaaS case's on the partner's business
    calendar, a P+E case's 24x7); the deadlines it gives are shown in the reader's time
    zone, the zone named (core.messages.format_when)."""
    for case in cases:
        clock = clocks.clock_of(case)
        left = clocks.time_left_minutes(case, now)
        case.time_left = left
        case.time_left_text = clocks.format_minutes(left)
        case.clock_label = clocks.label(clock)
        case.clock_zone = clocks.clock_zone(clock).key
        case.local_clock = case.clock_zone != "UTC"
        case.breached_now = services.is_breached_now(case, now)
        for field in ("earliest_due", "first_response_due", "next_update_due", "solution_due"):
            setattr(case, f"{field}_local", format_when(getattr(case, field)))


def _partner_names(user) -> list[str]:  # type: ignore[no-untyped-def]
    return list(
        PartnerCustomer.objects.filter(customer_id=user.organisation_id)
        .order_by("partner__name")
        .values_list("partner__name", flat=True)
    )


def _case_list_qs(request):  # type: ignore[no-untyped-def]
    filters, errors = CaseFilter.from_query(request.GET, defaults={"status": "open"})
    qs = filters.filter(
        Case.objects.visible_to(request.user)
        .select_related("account", "product_model", "opened_by_partner", "owner")
        .prefetch_related(*clocks.calendar_prefetches())
    )
    return qs, errors


@login_required
def case_export(request):
    """The case list as filtered and sorted, as CSV or XLSX."""
    if request.user.role == Role.END_USER:
        raise PermissionDenied(_("Your partner serves your cases."))
    qs, _errors = _case_list_qs(request)
    try:
        sort = CASE_SORTS.get(request.GET.get("order"))
    except BadListQuery:
        sort = CASE_SORTS.default
    columns = [
        (_("Case"), lambda c: c.reference),
        (_("Subject"), lambda c: c.subject),
        (_("Account"), lambda c: c.account.name if c.account_id else ""),
        (_("Model"), lambda c: c.product_model.name if c.product_model_id else ""),
        (_("Severity"), lambda c: c.severity),
        (_("Status"), lambda c: c.get_status_display()),
        (_("Opened at"), lambda c: timezone.localtime(c.opened_at).replace(tzinfo=None)),
        (_("Owner"), lambda c: c.owner.username if c.owner_id else ""),
    ]
    return export_list(
        qs.prefetch_related(None), sort, columns, name="cases", fmt=request.GET.get("format")
    )


@login_required
def case_list(request):
    """Customers and partners follow their cases; agents see all (with filters)."""
    user = request.user
    if user.role == Role.END_USER:
        return render(
            request, "support/end_user.html", {"partners": _partner_names(user)}, status=200
        )
    form = CaseFilterForm(request.GET or None)
    qs, sort_problems = _case_list_qs(request)
    page, problems = keyset_page(request, qs, CASE_SORTS)
    for problem in [*sort_problems, *problems]:
        messages.error(request, problem)
    annotate_clock(list(page.object_list), timezone.now())
    return render(
        request,
        "support/case_list.html",
        {
            "form": form,
            "page_obj": page,
            "is_agent": permissions.is_agent(user),
            "may_open": permissions.can_open_cases(user),
        },
    )


def agent_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request, *args: Any, **kwargs: Any) -> HttpResponse:
        if not permissions.is_agent(request.user):
            raise PermissionDenied(_("Only support agents have a queue."))
        return view(request, *args, **kwargs)

    return login_required(wrapped)


@agent_required
def queue(request):
    """Agents' queue: earliest open deadline first, time left on each case's clock.

    Filters (severity, status, mine) and the 60-second refresh go through htmx, which
    asks for the table partial only; without JavaScript the form reloads the page."""
    form = QueueFilterForm(request.GET or None)
    filters, errors = QueueFilter.from_query(request.GET)
    for error in errors:
        messages.error(request, error)
    mine = filters.mine
    page = paginate(
        request,
        services.queue_queryset(
            request.user, mine=mine, severity=filters.severity, status=filters.status
        ),
    )
    annotate_clock(list(page.object_list), timezone.now())
    query = QueryDict(page.query, mutable=True)
    if page.number > 1:
        query["page"] = str(page.number)
    context = {
        "form": form,
        "page_obj": page,
        "mine": mine,
        "query": page.query,
        "refresh_query": query.urlencode(),
        "updated_at": timezone.now(),
    }
    template = "support/queue.html"
    if request.htmx and not request.htmx.boosted:
        template = "support/_queue_table.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@agent_required
def escalations(request):
    mine = request.GET.get("mine") == "1"
    qs = (
        Escalation.objects.visible_to(request.user)
        .filter(status=EscalationStatus.OPEN)
        .select_related("case__account", "owner")
        .order_by("-level", "escalated_at", "id")
    )
    if mine:
        qs = qs.filter(owner=request.user)
    page = paginate(request, qs)
    return render(request, "support/escalations.html", {"page_obj": page, "mine": mine})


@login_required
def case_new(request):
    user = request.user
    if user.role == Role.END_USER or (
        scope_of(user).is_customer and permissions.served_by_partner_only(user.organisation_id)
    ):
        # R-DS-6: sent to the partner before any form is shown, not refused after it.
        return render(request, "support/end_user.html", {"partners": _partner_names(user)})
    initial = _case_initial(request) if request.method != "POST" else {}
    form = CaseForm(request.POST or None, request.FILES or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            case = services.open_case(
                actor=user,
                data=services.OpenCaseInput(
                    product_model=cd["product_model"],
                    severity=cd["severity"],
                    subject=cd["subject"],
                    description=cd["description"],
                    account=cd.get("account"),
                    device=cd.get("device"),
                    channel=cd.get("channel") or "portal",
                    requester=cd.get("requester"),
                ),
                attachments=[cd["attachment"]] if cd.get("attachment") else [],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errs in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errs)
            else:
                form.add_error(None, exc.messages)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Case %(ref)s opened.") % {"ref": case.reference})
            return redirect("support:case_detail", pk=case.pk)
    return render(request, "support/case_new.html", {"form": form})


def _case_initial(request) -> dict[str, Any]:
    """``?device=ID`` (the device page's "Open a case about this device"): the form starts
    with that device, its model and its account, when the reader sees it and it is active;
    otherwise a message says the device was not filled in."""
    from fleetcare.fleet.models import Device, DeviceStatus

    raw = request.GET.get("device")
    if not raw:
        return {}
    device = (
        Device.objects.visible_to(request.user)
        .filter(pk=int(raw), status=DeviceStatus.ACTIVE)
        .only("pk", "account_id", "product_model_id")
        .first()
        if raw.isdigit() and len(raw) < 19
        else None
    )
    if device is None:
        messages.warning(
            request, _("That device cannot be chosen for a case: choose the device in the form.")
        )
        return {}
    return {
        "account": device.account_id,
        "product_model": device.product_model_id,
        "device": device.pk,
    }


@login_required
def attachment_download(request, pk: int):
    att = services.visible_attachment(request.user, pk)
    response = FileResponse(
        att.file.open("rb"),
        as_attachment=True,
        filename=att.original_name,
        content_type=att.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def authorisations(request):
    """Cloud-partner authorisations on file (R-SUP-4): agents and customers' admins."""
    user = request.user
    scope = scope_of(user)
    may_record = permissions.can_record_authorisation(user)
    require(
        user,
        permissions.can_view_authorisations,
        None,
        _("Only agents and customers' administrators see authorisations."),
    )
    form = AuthorisationForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and may_record and form.is_valid():
        cd = form.cleaned_data
        try:
            services.record_authorisation(
                actor=user,
                account=cd["account"],
                cloud_partner=cd["cloud_partner"],
                document=cd["document"],
                valid_from=cd["valid_from"],
                valid_to=cd["valid_to"],
                signed_by=cd["signed_by"],
            )
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Authorisation recorded."))
            return redirect("support:authorisations")
    qs = (
        CloudPartnerAuthorisation.objects.visible_to(user)
        .select_related("account", "cloud_partner")
        .order_by("account__name", "cloud_partner__name", "-valid_from")
    )
    page = paginate(request, qs)
    today = timezone.localdate()
    partners = list(CloudPartner.objects.visible_to(user).order_by("name", "id"))
    if scope.is_customer:
        # R-SUP-4: the customer sees which cloud partners it has authorised today.
        on_file = services.authorised_cloud_partner_ids(scope.organisation_id, today)
        for partner in partners:
            partner.authorised = partner.pk in on_file
            partner.authorised_until = on_file.get(partner.pk)
    return render(
        request,
        "support/authorisations.html",
        {
            "page_obj": page,
            "form": form,
            "may_record": may_record,
            "today": today,
            "cloud_partners": partners,
            "is_vendor": scope.is_vendor,
            "may_manage_partners": permissions.can_manage_cloud_partners(user),
        },
    )


def _cloud_partner_form(request, partner: CloudPartner | None):  # type: ignore[no-untyped-def]
    """Create (``partner`` None) or edit a cloud partner (R-SUP-4): vendor support staff."""
    user = request.user
    services.require_cloud_partner_manager(user)
    initial = {f: getattr(partner, f) for f in services.CLOUD_PARTNER_FIELDS} if partner else None
    form = CloudPartnerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            if partner is None:
                partner = services.create_cloud_partner(actor=user, **cd)
                messages.success(request, _("Cloud partner %(n)s added.") % {"n": partner.name})
            else:
                partner = services.update_cloud_partner(partner, actor=user, **cd)
                messages.success(request, _("Cloud partner %(n)s updated.") % {"n": partner.name})
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            return redirect(f"{reverse('support:authorisations')}#cloud-partners")
    return render(
        request,
        "support/cloud_partner_form.html",
        {"form": form, "partner": partner},
        status=422 if request.method == "POST" else 200,
    )


@login_required
def cloud_partner_new(request):
    return _cloud_partner_form(request, None)


@login_required
def cloud_partner_edit(request, pk: int):
    return _cloud_partner_form(request, get_visible_or_404(CloudPartner, request.user, pk=pk))


@login_required
def authorisation_document(request, pk: int):
    auth = get_visible_or_404(CloudPartnerAuthorisation, request.user, pk=pk)
    response = FileResponse(
        auth.document.open("rb"), as_attachment=True, filename=auth.document_name or "authorisation"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
