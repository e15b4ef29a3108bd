from django import forms
from django.utils.translation import gettext_lazy as _


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ShipForm(forms.Form):
    carrier = forms.CharField(label=_("Carrier"), max_length=60)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=80)
    replacement_serial = forms.CharField(
        label=_("Replacement serial number (optional)"), max_length=64, required=False
    )


class DeliverForm(forms.Form):
    delivered_on = forms.DateField(
        label=_("Delivered on"), widget=forms.DateInput(attrs={"type": "date"})
    )


class ReturnForm(forms.Form):
    returned_on = forms.DateField(
        label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"})
    )


class DestructionForm(forms.Form):
    certificate = forms.FileField(label=_("Certificate of destruction"))
    certificate_number = forms.CharField(label=_("Certificate number"), max_length=80)
    destroyed_on = forms.DateField(
        label=_("Destroyed on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    destroyed_by = forms.CharField(label=_("Destroyed by"), max_length=200)


class ThresholdForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("charge", _("Charge at list price")), ("waive", _("Waive"))]
    )
    note = forms.CharField(label=_("Note"), required=False)


class RequestForm(forms.Form):
    """Raise a replacement from a case (R-RMA-1)."""

    cause = forms.ChoiceField(label=_("Cause"))
    delivery_site = forms.ModelChoiceField(label=_("Delivery site"), queryset=None)
    fault_description = forms.CharField(
        label=_("Fault found"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    onsite_destruction = forms.BooleanField(
        label=_("On-site destruction (needs the contract option)"), required=False
    )

    def __init__(self, *args, case=None, user=None, **kwargs):
        from fleetcare.organisations.models import Site

        from .models import Cause

        super().__init__(*args, **kwargs)
        self.fields["cause"].choices = Cause.choices
        self.fields["delivery_site"].queryset = Site.objects.visible_to(user).filter(
            organisation_id=case.account_id
        )
