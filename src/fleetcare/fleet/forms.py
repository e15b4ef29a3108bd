from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fleetcare.catalog.models import ProductModel
from fleetcare.organisations.models import Organisation, OrganisationKind, Site

from .models import ImportMode


class AccountChoiceMixin:
    """Vendor staff choose the account; a customer admin acts on its own."""

    def _setup_account(self, user) -> None:
        if user.organisation_id and user.organisation.kind == OrganisationKind.CUSTOMER:
            del self.fields["account"]
        else:
            self.fields["account"].queryset = Organisation.objects.visible_to(user).filter(
                kind=OrganisationKind.CUSTOMER
            )


class ImportForm(AccountChoiceMixin, forms.Form):
    account = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("Account"))
    file = forms.FileField(
        label=_("Inventory file (CSV or XLSX)"),
        help_text=_("Columns: sku, serial_number, site, firmware_version, first_seen."),
    )
    as_of = forms.DateField(
        label=_("Inventory as of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Default today; may be in the past to load history."),
    )
    mode = forms.ChoiceField(
        label=_("What the file is"),
        choices=[
            (
                ImportMode.FULL,
                _("Full inventory: the account's devices missing from the file are retired"),
            ),
            (
                ImportMode.ADD,
                _("Add or update: the devices in the file are added or updated, none is retired"),
            ),
        ],
        initial=ImportMode.FULL,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_account(user)
        if self.is_bound and not self.data.get("mode"):
            data = self.data.copy()  # a form sent without a mode: a full inventory, as before
            data["mode"] = ImportMode.FULL
            self.data = data


class RegisterForm(AccountChoiceMixin, forms.Form):
    account = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("Account"))
    product_model = forms.ModelChoiceField(
        queryset=ProductModel.objects.select_related("category").order_by("sku"),
        label=_("Product model"),
    )
    serial_number = forms.CharField(label=_("Serial number"), required=False, max_length=64)
    site = forms.ModelChoiceField(queryset=Site.objects.none(), label=_("Site"), required=False)
    firmware_version = forms.CharField(label=_("Firmware version"), required=False, max_length=40)
    first_seen_on = forms.DateField(
        label=_("First seen on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=timezone.localdate,
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_account(user)
        self.fields["site"].queryset = Site.objects.visible_to(user).order_by("name")


class DeviceFilterForm(forms.Form):
    q = forms.CharField(label=_("Serial or SKU"), required=False, max_length=64)
    product_model_id = forms.ChoiceField(label=_("Model"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, **kwargs):
        from fleetcare.catalog.models import CategoryCode

        from .models import DeviceStatus

        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All"))] + list(CategoryCode.choices)
        self.fields["product_model_id"].choices = [("", _("All"))] + [
            (str(pk), f"{name} ({sku})")
            for pk, name, sku in ProductModel.objects.order_by("name", "id").values_list(
                "id", "name", "sku"
            )
        ]
        self.fields["status"].choices = [("", _("All"))] + list(DeviceStatus.choices)
