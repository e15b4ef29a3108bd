"""Replacement order pages: follow an order; work the shipping and returns queues."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fleetcare.core.keyset import BadListQuery, keyset_page
from fleetcare.core.list_exports import export_list
from fleetcare.core.tenancy import get_visible_or_404

from . import forms, permissions, services
from .filters import ORDER_SORTS, QUEUE_DEFAULT_SORT, ReplacementFilter
from .models import OrderStatus, ReplacementOrder, ThresholdDecision


def _order_list_qs(request):  # type: ignore[no-untyped-def]
    filters, errors = ReplacementFilter.from_query(request.GET)
    qs = filters.filter(ReplacementOrder.objects.visible_to(request.user).with_related())
    return qs, filters.queue or "", errors


@login_required
def order_export(request):
    """The order list as filtered and sorted (a queue in its own order), CSV or XLSX."""
    qs, queue, _errors = _order_list_qs(request)
    try:
        sort = ORDER_SORTS.get(request.GET.get("order") or QUEUE_DEFAULT_SORT.get(queue))
    except BadListQuery:
        sort = ORDER_SORTS.default
    columns = [
        (_("Reference"), lambda o: o.reference),
        (_("Account"), lambda o: o.account.name),
        (_("Model"), lambda o: o.product_model.name),
        (_("Status"), lambda o: o.get_status_display()),
        (_("Requested at"), lambda o: timezone.localtime(o.requested_at).replace(tzinfo=None)),
        (_("Delivery target"), lambda o: o.delivery_target),
        (_("Tracking"), lambda o: f"{o.carrier} {o.tracking_number}".strip()),
        (_("Return due"), lambda o: o.return_due),
        (_("Over the yearly threshold"), lambda o: _("yes") if o.threshold_flag else ""),
    ]
    return export_list(qs, sort, columns, name="replacements", fmt=request.GET.get("format"))


@login_required
def order_list(request):
    qs, queue, errors = _order_list_qs(request)
    page, problems = keyset_page(
        request, qs, ORDER_SORTS, default_order=QUEUE_DEFAULT_SORT.get(queue)
    )
    for error in [*errors, *problems]:
        messages.error(request, error)
    return render(
        request,
        "replacements/list.html",
        {
            "page_obj": page,
            "queue": queue,
        },
    )


ACTIONS = {
    "approve": None,
    "reject": forms.RejectForm,
    "ship": forms.ShipForm,
    "deliver": forms.DeliverForm,
    "return": forms.ReturnForm,
    "close": None,
    "destruction": forms.DestructionForm,
    "threshold": forms.ThresholdForm,
}


def _forms(order, data=None, files=None, failed=None):
    out = {}
    for name, cls in ACTIONS.items():
        if cls is None:
            continue
        initial = {}
        if name in ("deliver", "return") or name == "destruction":
            initial = {
                "delivered_on": timezone.localdate(),
                "returned_on": timezone.localdate(),
                "destroyed_on": timezone.localdate(),
            }
        out[name] = cls(data, files) if name == failed else cls(initial=initial)
    return out


@login_required
def order_detail(request, pk: int):
    order = get_visible_or_404(ReplacementOrder.objects.with_related(), request.user, pk=pk)
    return render(request, "replacements/detail.html", _context(request, order))


def _context(request, order, forms_=None):
    user = request.user
    return {
        "order": order,
        "forms": forms_ or _forms(order),
        "can_approve": permissions.can_approve_replacement(user, order)
        and order.status == OrderStatus.REQUESTED,
        "can_operate": permissions.can_operate_replacement(user, order),
        "can_decide": permissions.can_decide_threshold(user, order)
        and order.threshold_decision == ThresholdDecision.PENDING,
        "show_charge": permissions.can_see_charge(user, order),
    }


@login_required
@require_POST
def order_action(request, pk: int, action: str):
    order = get_visible_or_404(ReplacementOrder.objects.with_related(), request.user, pk=pk)
    if action not in ACTIONS:
        raise Http404(_("Unknown action."))
    cls = ACTIONS[action]
    form = cls(request.POST, request.FILES) if cls else None
    if form is not None and not form.is_valid():
        return render(
            request,
            "replacements/detail.html",
            _context(request, order, _forms(order, request.POST, request.FILES, action)),
            status=422,
        )
    data = form.cleaned_data if form is not None else {}
    user = request.user
    try:
        if action == "approve":
            services.approve(order, actor=user)
        elif action == "reject":
            services.reject(order, actor=user, reason=data["reason"])
        elif action == "ship":
            services.ship(order, actor=user, **data)
        elif action == "deliver":
            services.deliver(order, actor=user, delivered_on=data["delivered_on"])
        elif action == "return":
            services.receive_return(order, actor=user, returned_on=data["returned_on"])
        elif action == "close":
            services.close(order, actor=user)
        elif action == "destruction":
            services.record_destruction(order, actor=user, **data)
        elif action == "threshold":
            services.decide_threshold(
                order, actor=user, decision=data["decision"], note=data["note"]
            )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("replacements:detail", pk=order.pk)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this."))
        return redirect("replacements:detail", pk=order.pk)
    messages.success(request, _("%(ref)s updated.") % {"ref": order.reference})
    return redirect("replacements:detail", pk=order.pk)


@login_required
def certificate(request, pk: int):
    order = get_visible_or_404(ReplacementOrder, request.user, pk=pk)
    if not order.destruction_certificate:
        raise Http404(_("No certificate."))
    return FileResponse(
        order.destruction_certificate.open("rb"),
        as_attachment=True,
        filename=order.destruction_certificate.name.rsplit("/", 1)[-1],
    )


@login_required
def order_create(request, case_id: int):
    """Raise a replacement order from a case the user can see (agents, the DaaS partner)."""
    from fleetcare.support.models import Case

    case = get_visible_or_404(Case.objects.select_related("account"), request.user, pk=case_id)
    form = forms.RequestForm(request.POST or None, case=case, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = services.request_replacement(
                actor=request.user,
                case=case,
                cause=data["cause"],
                delivery_site=data["delivery_site"],
                fault_description=data["fault_description"],
                onsite_destruction=data["onsite_destruction"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You may not do this."))
        else:
            messages.success(request, _("%(ref)s raised.") % {"ref": order.reference})
            return redirect("replacements:detail", pk=order.pk)
    return render(
        request,
        "replacements/create.html",
        {"form": form, "case": case},
        status=422 if request.method == "POST" else 200,
    )
