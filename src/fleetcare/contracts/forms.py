from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fleetcare.core.currency import currency_choices
from fleetcare.organisations.models import Organisation


class ContractForm(forms.Form):
    account = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("Account"))
    start_date = forms.DateField(
        label=_("Term start"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.DateField(
        label=_("Term end"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Default: 12 months."),
    )
    currency = forms.ChoiceField(
        label=_("Currency"),
        choices=(),
        help_text=_("The contract's documents are in it, priced from its price list."),
    )
    distribution_partner = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(kind="distribution_partner"),
        label=_("Distribution partner (receives the quotes)"),
        required=False,
    )
    professional_services_discount = forms.DecimalField(
        label=_("Professional-services discount (%)"), min_value=0, max_value=100, initial=0
    )
    extra_csm_blocks = forms.IntegerField(
        label=_("Extra CSM blocks (8 h a month each)"), min_value=0, initial=0
    )
    technical_account_management = forms.BooleanField(
        label=_("Technical account management"), required=False
    )
    onsite_destruction = forms.BooleanField(
        label=_("On-site destruction of replaced units"), required=False
    )
    proration_basis = forms.ChoiceField(
        label=_("Adjustment proration"),
        required=False,
        choices=[("", _("Programme setting")), ("monthly", _("Monthly")), ("daily", _("Daily"))],
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = Organisation.objects.visible_to(user).filter(
            kind="customer"
        )
        self.fields["currency"].choices = currency_choices()


class CategoryForm(forms.Form):
    code = forms.CharField(widget=forms.HiddenInput)
    include = forms.BooleanField(label=_("Include"), required=False, initial=True)
    installed = forms.IntegerField(label=_("Installed"), min_value=0)
    growth = forms.IntegerField(label=_("Agreed growth"), min_value=0)
    unit_price = forms.DecimalField(label=_("Yearly unit price"), min_value=0, decimal_places=2)


CategoryFormSet = forms.formset_factory(CategoryForm, extra=0)


class ProfessionalServicesForm(forms.Form):
    """R-PE-8: professional services quoted at the contract's discount (billing)."""

    description = forms.CharField(label=_("Professional services"), max_length=200)
    hours = forms.DecimalField(label=_("Hours"), min_value=0, max_digits=8, decimal_places=2)
    hourly_rate = forms.DecimalField(
        label=_("Hourly rate"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text=_("Empty: the price list's rate in the contract's currency."),
    )
