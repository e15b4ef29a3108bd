from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fleetcare.organisations.models import Organisation, OrganisationKind


class LicenceImportForm(forms.Form):
    account = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("Account"))
    file = forms.FileField(
        label=_("Licence file (CSV)"),
        help_text=_(
            "Columns: reference, kind, product, sku, quantity, valid_from, valid_until. "
            "A known licence number is updated."
        ),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = (
            Organisation.objects.visible_to(user)
            .filter(kind=OrganisationKind.CUSTOMER)
            .order_by("name")
        )
