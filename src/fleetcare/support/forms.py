"""Portal forms of the support desk: they parse input only; rules live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fleetcare.catalog.models import ProductModel
from fleetcare.core.tenancy import scope_of
from fleetcare.fleet.models import Device
from fleetcare.organisations.models import Organisation, OrganisationKind, Role, User

from .models import (
    OPEN_STATUSES,
    CaseStatus,
    Channel,
    CloudPartner,
    EngineeringRefKind,
    PartnerIncidentStatus,
    PartnerIncidentUpdateKind,
    Severity,
)
from .permissions import AGENT_ROLES


class DeviceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Device) -> str:
        serial = obj.serial_number or f"#{obj.pk}"
        return f"{obj.account.name} · {obj.product_model.name} · {serial}"


class CaseForm(forms.Form):
    account = forms.ModelChoiceField(
        label=_("Account"), queryset=Organisation.objects.none(), required=False
    )
    product_model = forms.ModelChoiceField(
        label=_("Product model"), queryset=ProductModel.objects.none()
    )
    device = DeviceChoiceField(
        label=_("Device (optional)"), queryset=Device.objects.none(), required=False
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial="S3")
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 6}))
    attachment = forms.FileField(
        label=_("Attachment (pdf, png, jpeg, txt, log, zip; 10 MB)"), required=False
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[(Channel.PORTAL, _("Portal")), (Channel.PHONE, _("Phone"))],
        required=False,
    )
    requester = forms.ModelChoiceField(
        label=_("Requester (phone cases)"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = scope_of(user)
        self.user = user
        self.fields["product_model"].queryset = (
            ProductModel.objects.visible_to(user).select_related("category").order_by("name")
        )
        devices = (
            Device.objects.visible_to(user)
            .filter(status="active")
            .select_related("account", "product_model")
            .order_by("account__name", "product_model__name", "id")
        )
        self.fields["device"].queryset = devices
        if scope.is_vendor:
            self.fields["device"].widget = forms.NumberInput()
            self.fields["device"].label = _("Device ID (optional)")
        if scope.is_customer:
            del self.fields["account"]
        else:
            self.fields["account"].queryset = (
                Organisation.objects.visible_to(user)
                .filter(kind=OrganisationKind.CUSTOMER)
                .order_by("name")
            )
            self.fields["account"].required = True
        if scope.is_vendor:
            self.fields["requester"].queryset = (
                User.objects.visible_to(user)
                .exclude(organisation__kind=OrganisationKind.VENDOR)
                .select_related("organisation")
                .order_by("organisation__name", "username")
            )
            self.fields["requester"].widget = forms.NumberInput()
            self.fields["requester"].label = _("Requester user ID (phone cases)")
        else:
            del self.fields["requester"]
            del self.fields["channel"]


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}))
    internal = forms.BooleanField(label=_("Internal note (agents only)"), required=False)
    status = forms.ChoiceField(
        label=_("Then set status"),
        required=False,
        choices=[("", _("(unchanged)")), *CaseStatus.choices],
    )
    attachment = forms.FileField(label=_("Attachment"), required=False)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=CaseStatus.choices)
    note = forms.CharField(label=_("Note to the requester"), required=False)


class AssignForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = (
            User.objects.visible_to(user)
            .filter(
                organisation__kind=OrganisationKind.VENDOR,
                role__in=sorted(AGENT_ROLES),
                is_active=True,
            )
            .order_by("username")
        )


class SeverityForm(forms.Form):
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)


class EscalateForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("Level"), coerce=int, choices=[(1, "1"), (2, "2"), (3, "3")]
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(
        label=_("Escalation manager"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = (
            User.objects.visible_to(user)
            .filter(role=Role.ESCALATION_MANAGER, is_active=True)
            .order_by("username")
        )


class EscalationUpdateForm(forms.Form):
    specialist = forms.CharField(label=_("Specialist found"), required=False)
    actions = forms.CharField(
        label=_("Actions"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    workaround = forms.CharField(
        label=_("Workaround"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    fix = forms.CharField(label=_("Fix"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class EngineeringRefForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EngineeringRefKind.choices)
    reference = forms.CharField(label=_("Engineering reference"), max_length=64)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)


class IncidentForm(forms.Form):
    cloud_partner = forms.ModelChoiceField(
        label=_("Cloud partner"), queryset=CloudPartner.objects.none()
    )
    partner_ticket = forms.CharField(label=_("Partner's ticket number"), required=False)
    findings = forms.CharField(
        label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cloud_partner"].queryset = CloudPartner.objects.visible_to(user)


class IncidentUpdateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PartnerIncidentUpdateKind.choices)
    body = forms.CharField(label=_("Update"), widget=forms.Textarea(attrs={"rows": 2}))
    partner_ticket = forms.CharField(label=_("Partner's ticket number"), required=False)
    status = forms.ChoiceField(
        label=_("Incident status"),
        required=False,
        choices=[("", _("(automatic)")), *PartnerIncidentStatus.choices],
    )


class AttachForm(forms.Form):
    file = forms.FileField(label=_("File (pdf, png, jpeg, txt, log, zip; 10 MB)"))


class AuthorisationForm(forms.Form):
    account = forms.ModelChoiceField(label=_("Account"), queryset=Organisation.objects.none())
    cloud_partner = forms.ModelChoiceField(
        label=_("Cloud partner"), queryset=CloudPartner.objects.none()
    )
    document = forms.FileField(label=_("Signed authorisation (pdf)"))
    valid_from = forms.DateField(
        label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_to = forms.DateField(
        label=_("Valid to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    signed_by = forms.CharField(label=_("Signed by"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = (
            Organisation.objects.visible_to(user)
            .filter(kind=OrganisationKind.CUSTOMER)
            .order_by("name")
        )
        self.fields["cloud_partner"].queryset = CloudPartner.objects.visible_to(user)


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Open")), ("all", _("All")), *CaseStatus.choices],
    )
    q = forms.CharField(label=_("Search"), required=False)


class QueueFilterForm(forms.Form):
    """The agents' queue filters (all optional; the queue only holds open cases)."""

    severity = forms.ChoiceField(
        label=_("Severity"), required=False, choices=[("", _("All severities")), *Severity.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All open")), *[(s.value, s.label) for s in OPEN_STATUSES]],
    )
    mine = forms.ChoiceField(
        label=_("Cases"),
        required=False,
        choices=[("", _("All open cases")), ("1", _("My cases"))],
    )


class CloudPartnerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    contact = forms.CharField(
        label=_("Contact"),
        max_length=300,
        required=False,
        help_text=_("Who to reach at the partner: desk, e-mail, phone."),
    )
    escalation_procedure = forms.CharField(
        label=_("Escalation procedure notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
