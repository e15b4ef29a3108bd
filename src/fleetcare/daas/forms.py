from django import forms
from django.utils.translation import gettext_lazy as _

from fleetcare.catalog.models import ProductModel
from fleetcare.organisations.models import Organisation, Site


class DeliveryForm(forms.Form):
    delivered_on = forms.DateField(
        label=_("Delivered on"), widget=forms.DateInput(attrs={"type": "date"})
    )


class SubscriptionForm(forms.Form):
    """A partner's subscription request: up to three lines of model, quantity, cover."""

    LINES = 3

    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Organisation.objects.none())
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    distributor = forms.ModelChoiceField(
        label=_("Delivering distributor"), queryset=Organisation.objects.none(), required=False
    )
    term_months = forms.IntegerField(
        label=_("Term (months)"), min_value=1, max_value=120, initial=36
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Organisation.objects.visible_to(user).filter(
            kind="customer"
        )
        self.fields["site"].queryset = Site.objects.visible_to(user).select_related("organisation")
        self.fields["distributor"].queryset = Organisation.objects.filter(
            kind="distribution_partner"
        )
        models = (
            ProductModel.objects.visible_to(user)
            .filter(prices__daas_monthly_price__isnull=False)
            .distinct()
        )
        for i in range(self.LINES):
            self.fields[f"model_{i}"] = forms.ModelChoiceField(
                label=_("Model %(n)s") % {"n": i + 1}, queryset=models, required=i == 0
            )
            self.fields[f"quantity_{i}"] = forms.IntegerField(
                label=_("Quantity %(n)s") % {"n": i + 1}, min_value=1, required=i == 0
            )
            self.fields[f"extended_cover_{i}"] = forms.BooleanField(
                label=_("Extended cover %(n)s (voice only)") % {"n": i + 1}, required=False
            )

    def items(self):
        from .services import EnrolmentItem

        out = []
        for i in range(self.LINES):
            model = self.cleaned_data.get(f"model_{i}")
            if model is not None:
                out.append(
                    EnrolmentItem(
                        model,
                        self.cleaned_data.get(f"quantity_{i}") or 1,
                        bool(self.cleaned_data.get(f"extended_cover_{i}")),
                    )
                )
        return out
