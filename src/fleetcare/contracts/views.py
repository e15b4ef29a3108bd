"""Poly+ Enterprise pages: contracts, creation with proposal, adjustments, renewal."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fleetcare.billing.models import Document
from fleetcare.billing.pdf import render_document_pdf
from fleetcare.billing.permissions import can_bill
from fleetcare.core import programmes
from fleetcare.core.lists import paginate
from fleetcare.core.programmes import ProgrammeKind
from fleetcare.core.tenancy import get_visible_or_404
from fleetcare.organisations.models import Organisation, OrganisationKind

from . import options as contract_options
from . import permissions, services
from .filters import ContractFilter
from .forms import CategoryFormSet, ContractForm, ProfessionalServicesForm
from .models import Adjustment, ContractCategory, EnterpriseContract


def _errors_to_messages(request, exc: ValidationError) -> None:
    for msg in exc.messages:
        messages.error(request, msg)


def _is_billing(user) -> bool:
    return can_bill(user)


def _is_csm(user) -> bool:
    return permissions.can_manage_contracts(user)


@login_required
def contract_list(request):
    filters, errors = ContractFilter.from_query(request.GET)
    for error in errors:
        messages.error(request, error)
    qs = filters.filter(
        EnterpriseContract.objects.visible_to(request.user).select_related("account")
    )
    # "My accounts": the contracts of the accounts the reader is the CSM of.
    mine = request.GET.get("mine") == "1"
    if mine:
        qs = qs.filter(account__csm=request.user)
    page = paginate(request, qs.order_by("-start_date", "id"))
    adjustments = (
        Adjustment.objects.visible_to(request.user)
        .open()
        .select_related("contract__account", "contract_category__category")
        .order_by("month", "id")[:100]
    )
    return render(
        request,
        "contracts/list.html",
        {
            "page_obj": page,
            "adjustments": adjustments,
            "is_csm": _is_csm(request.user),
            "mine": mine,
            "has_accounts": request.user.csm_accounts.exists(),
        },
    )


def _category_inputs(formset) -> list[services.CategoryInput]:
    return [
        services.CategoryInput(
            f.cleaned_data["code"],
            f.cleaned_data["installed"],
            f.cleaned_data["growth"],
            f.cleaned_data["unit_price"],
        )
        for f in formset.forms
        if f.cleaned_data.get("include")
    ]


def _proposal_or_error(request, form, **kw):
    """The proposal, or None with the refusal (e.g. a model not priced in the currency)
    shown on the form."""
    try:
        return services.propose_contract(actor=request.user, **kw)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"currency": exc.messages}
        for field, errs in errors.items():
            if not form.is_bound:
                for e in errs:
                    messages.error(request, e)
            elif not any(e in form.errors.get(field, []) for e in errs):
                form.add_error(field if field in form.fields else None, errs)
        return None


@login_required
def contract_new(request):
    services.require_csm(request.user)
    proposal = None
    if request.method == "POST":
        form = ContractForm(request.POST, user=request.user)
        formset = CategoryFormSet(request.POST, prefix="cat")
        if form.is_valid() and formset.is_valid():
            cd = form.cleaned_data
            try:
                contract = services.create_contract(
                    actor=request.user,
                    account=cd["account"],
                    start_date=cd["start_date"],
                    end_date=cd["end_date"],
                    currency=cd["currency"],
                    categories=_category_inputs(formset),
                    distribution_partner=cd["distribution_partner"],
                    professional_services_discount=cd["professional_services_discount"],
                    extra_csm_blocks=cd["extra_csm_blocks"],
                    technical_account_management=cd["technical_account_management"],
                    onsite_destruction=cd["onsite_destruction"],
                    proration_basis=cd["proration_basis"],
                )
            except ValidationError as exc:
                for field, errs in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errs)
            else:
                messages.success(
                    request, _("The contract is created and its upfront order issued.")
                )
                return redirect("contracts:detail", pk=contract.pk)
        account = form.cleaned_data.get("account") if hasattr(form, "cleaned_data") else None
        if account is not None and form.cleaned_data.get("start_date"):
            proposal = _proposal_or_error(
                request,
                form,
                account=account,
                start_date=form.cleaned_data["start_date"],
                currency=form.cleaned_data.get("currency") or account.currency,
            )
    else:
        initial = {"start_date": request.GET.get("start_date") or None}
        account = None
        if request.GET.get("account"):
            account = get_visible_or_404(
                Organisation.objects.filter(kind=OrganisationKind.CUSTOMER),
                request.user,
                pk=request.GET["account"],
            )
            initial.update(
                account=account, currency=request.GET.get("currency") or account.currency
            )
        form = ContractForm(initial=initial, user=request.user)
        formset = CategoryFormSet(prefix="cat")
        if account is not None and initial["start_date"]:
            try:
                start = date.fromisoformat(initial["start_date"])
            except ValueError:
                start = None
            proposal = (
                _proposal_or_error(
                    request,
                    form,
                    account=account,
                    start_date=start,
                    currency=request.GET.get("currency") or account.currency,
                )
                if start is not None
                else None
            )
            if proposal is not None:
                formset = CategoryFormSet(
                    prefix="cat",
                    initial=[
                        {
                            "code": c.code,
                            "include": True,
                            "installed": c.installed,
                            "growth": c.growth,
                            "unit_price": c.unit_price,
                        }
                        for c in proposal.categories
                    ],
                )
    rows = []
    by_code = {c.code: c for c in proposal.categories} if proposal else {}
    for f in formset.forms:
        code = f.initial.get("code") or f.data.get(f"{f.prefix}-code")
        rows.append((f, by_code.get(code)))
    return render(
        request,
        "contracts/new.html",
        {"form": form, "formset": formset, "rows": rows, "proposal": proposal},
    )


def _contract(request, pk: int) -> EnterpriseContract:
    return get_visible_or_404(
        EnterpriseContract.objects.select_related(
            "account", "distribution_partner", "upfront_order", "renewal_quote", "previous", "csm"
        ).prefetch_related(
            Prefetch(
                "categories",
                ContractCategory.objects.select_related("category").prefetch_related(
                    "baseline_changes"
                ),
            )
        ),
        request.user,
        pk=pk,
    )


@login_required
def contract_detail(request, pk: int, ps_form=None, status=200):
    contract = _contract(request, pk)
    is_billing = _is_billing(request.user)
    adjustments = contract.adjustments.select_related(
        "contract_category__category", "quote"
    ).order_by("-month", "id")
    next_term = (
        EnterpriseContract.objects.filter(previous=contract).exclude(status="cancelled").first()
    )
    return render(
        request,
        "contracts/detail.html",
        {
            "contract": contract,
            "adjustments": adjustments,
            "next_term": next_term,
            "is_csm": _is_csm(request.user),
            "is_billing": is_billing,
            "ps_form": ps_form or (ProfessionalServicesForm() if is_billing else None),
            "billed": contract_options.contract_documents(contract, request.user),
            # The order and quote on the contract link to their PDF only for a reader
            # who may open it (a distributor sees the contract, not the customer's order).
            "readable_documents": set(
                Document.objects.visible_to(request.user)
                .filter(pk__in=[contract.upfront_order_id, contract.renewal_quote_id])
                .values_list("pk", flat=True)
            ),
        },
        status=status,
    )


@login_required
@require_POST
def raise_options(request, pk: int):
    """Billing raises the draft order of the contract's paid options (R-PE-8)."""
    contract = _contract(request, pk)
    try:
        doc = contract_options.raise_options_order(contract, actor=request.user)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, _("%(doc)s is raised for the paid options.") % {"doc": doc.label})
    return redirect("contracts:detail", pk=contract.pk)


@login_required
@require_POST
def raise_professional_services(request, pk: int):
    """Billing quotes professional services at the contract discount; a refused form
    comes back with what was typed."""
    contract = _contract(request, pk)
    if not _is_billing(request.user):
        raise PermissionDenied(_("Only billing may do this."))
    form = ProfessionalServicesForm(request.POST)
    if form.is_valid():
        cd = form.cleaned_data
        try:
            doc = contract_options.raise_professional_services_quote(
                contract,
                actor=request.user,
                description=cd["description"],
                hours=cd["hours"],
                hourly_rate=cd["hourly_rate"],
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
            for field, errs in errors.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            messages.success(request, _("%(doc)s is raised.") % {"doc": doc.label})
            return redirect("contracts:detail", pk=contract.pk)
    return contract_detail(request, pk, ps_form=form, status=422)


@login_required
@require_POST
def adjustment_action(request, pk: int, action: str):
    adj = get_visible_or_404(Adjustment, request.user, pk=pk)
    try:
        if action == "quote":
            services.quote_adjustment(actor=request.user, adjustment=adj)
            messages.success(request, _("The quote is issued."))
        elif action == "purchase-order":
            services.record_purchase_order(
                actor=request.user,
                adjustment=adj,
                number=request.POST.get("purchase_order_number", ""),
            )
            messages.success(request, _("The purchase order is recorded."))
        elif action == "apply":
            services.apply_adjustment(actor=request.user, adjustment=adj)
            messages.success(request, _("The adjustment is applied."))
        elif action == "cancel":
            services.cancel_adjustment(
                actor=request.user, adjustment=adj, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("The adjustment is cancelled."))
        else:
            raise Http404(_("No such action."))
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    return redirect("contracts:detail", pk=adj.contract_id)


@login_required
def renewal(request, pk: int):
    contract = _contract(request, pk)
    lines = services.propose_renewal(actor=request.user, contract=contract)
    if request.method == "POST":
        formset = CategoryFormSet(request.POST, prefix="cat")
        if formset.is_valid():
            try:
                nxt = services.create_renewal_quote(
                    actor=request.user, contract=contract, categories=_category_inputs(formset)
                )
            except ValidationError as exc:
                _errors_to_messages(request, exc)
            else:
                messages.success(request, _("The renewal quote is issued."))
                return redirect("contracts:detail", pk=nxt.pk)
    else:
        formset = CategoryFormSet(
            prefix="cat",
            initial=[
                {
                    "code": r.code,
                    "include": True,
                    "installed": r.count,
                    "growth": r.growth,
                    "unit_price": r.unit_price,
                }
                for r in lines
            ],
        )
    by_code = {r.code: r for r in lines}
    rows = [
        (f, by_code.get(f.initial.get("code") or f.data.get(f"{f.prefix}-code")))
        for f in formset.forms
    ]
    return render(
        request, "contracts/renewal.html", {"contract": contract, "formset": formset, "rows": rows}
    )


@login_required
@require_POST
def accept_renewal(request, pk: int):
    contract = get_visible_or_404(EnterpriseContract, request.user, pk=pk)
    try:
        services.accept_renewal(actor=request.user, contract=contract)
        messages.success(request, _("The renewal is accepted: the new term is active."))
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    return redirect("contracts:detail", pk=contract.pk)


@login_required
def document_pdf(request, pk: int):
    doc = get_visible_or_404(Document, request.user, pk=pk)
    if doc.programme not in programmes.codes(ProgrammeKind.ACCOUNT_WIDE):
        raise Http404(_("Not a Poly+ Enterprise document."))
    response = HttpResponse(
        render_document_pdf(doc),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'attachment; filename="{doc.number or "draft"}.pdf"'
    return response
