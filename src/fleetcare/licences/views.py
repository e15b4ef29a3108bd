"""Licence pages: the searchable list with used and free counts, the vendor's import."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fleetcare.core.lists import paginate
from fleetcare.core.permissions import require
from fleetcare.core.tenancy import scope_of
from fleetcare.organisations.models import Organisation, OrganisationKind

from . import permissions, services
from .filters import LicenceFilter
from .forms import LicenceImportForm
from .models import Licence, LicenceKind, LicenceState


@login_required
def licence_list(request):
    require(request.user, permissions.can_view_licences, None, _("You have no licences to see."))
    filters, errors = LicenceFilter.from_query(request.GET)
    for error in errors:
        messages.error(request, error)
    qs = filters.filter(
        Licence.objects.visible_to(request.user)
        .select_related("account", "product_model")
        .with_counts()
    )
    page = paginate(request, qs.order_by("account__name", "kind", "reference", "id"))
    today = timezone.localdate()
    for licence in page:
        licence.state_code = licence.state(today)
        licence.state_label = LicenceState(licence.state_code).label
    scope = scope_of(request.user)
    premium = (
        services.premium_status(request.user.organisation, today) if scope.is_customer else None
    )
    accounts = (
        Organisation.objects.visible_to(request.user)
        .filter(kind=OrganisationKind.CUSTOMER)
        .order_by("name")
        if not scope.is_customer
        else None
    )
    return render(
        request,
        "licences/list.html",
        {
            "page_obj": page,
            "filters": filters,
            "kinds": LicenceKind.choices,
            "states": LicenceState.choices,
            "accounts": accounts,
            "premium": premium,
            "may_manage": permissions.can_manage_licences(request.user),
            "show_account": not scope.is_customer,
        },
    )


@login_required
def licence_import(request):
    require(request.user, permissions.can_manage_licences, None, _("You may not manage licences."))
    form = LicenceImportForm(request.POST or None, request.FILES or None, user=request.user)
    errors: list[dict] = []
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.import_licences(
                actor=request.user,
                account=form.cleaned_data["account"],
                upload=form.cleaned_data["file"],
            )
        except services.LicenceImportRejected as exc:
            errors = exc.errors
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            messages.success(
                request,
                _(
                    "Licences imported: %(created)s added, %(updated)s updated, %(unchanged)s unchanged."
                )
                % {
                    "created": outcome.created,
                    "updated": outcome.updated,
                    "unchanged": outcome.unchanged,
                },
            )
            account_id = form.cleaned_data["account"].pk
            return redirect(f"{reverse('licences:list')}?account_id={account_id}")
    return render(
        request,
        "licences/import.html",
        {"form": form, "errors": errors},
        status=422 if errors else 200,
    )


def licence_template(request):
    response = HttpResponse(services.licences_template_csv(), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="licences-template.csv"'
    return response
