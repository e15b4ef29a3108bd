"""Portal forms of the support desk: they parse input only; rules live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from fleetcare.catalog.models import ProductModel
from fleetcare.core.tenancy import scope_of
from fleetcare.fleet.models import Device
from fleetcare.organisations.models import Organisation, OrganisationKind, Role, User

from . import pickers
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
from .permissions import (
    AGENT_ROLES,
    allowed_statuses,
    can_enter_phone_cases,
    can_write_internal_note,
    is_agent,
)
from .pickers import PickerWidget


class CaseForm(forms.Form):
    """Open a case. Agents enter phone cases for a person of the account (the
    requester, required: the customer is the one notified); the device is picked from
    the account's active devices of the chosen model, by serial number or site."""

    account = forms.ModelChoiceField(
        label=_("Account"), queryset=Organisation.objects.none(), required=False
    )
    product_model = forms.ModelChoiceField(
        label=_("Product model"), queryset=ProductModel.objects.none()
    )
    requester = forms.ModelChoiceField(
        label=_("Requester"),
        queryset=User.objects.none(),
        required=False,
        widget=PickerWidget("people", ["account"]),
        error_messages={
            "invalid_choice": _("Choose a person of the account."),
            "required": _("Choose the requester: the person of the account who called."),
        },
    )
    device = forms.ModelChoiceField(
        label=_("Device (optional)"),
        queryset=Device.objects.none(),
        required=False,
        widget=PickerWidget("devices", ["account", "product_model"]),
        error_messages={
            "invalid_choice": _("Choose an active device of the account and of the model.")
        },
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial="S3")
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 6}))
    attachment = forms.FileField(
        label=_("Attachment (pdf, png, jpeg, txt, log, zip; 10 MB)"), required=False
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[(Channel.PHONE, _("Phone")), (Channel.PORTAL, _("Portal"))],
        required=False,
        initial=Channel.PHONE,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = scope_of(user)
        self.user = user
        self.fields["product_model"].queryset = (
            ProductModel.objects.visible_to(user).select_related("category").order_by("name")
        )
        if scope.is_customer:
            del self.fields["account"]
        else:
            self.fields["account"].queryset = (
                Organisation.objects.visible_to(user)
                .filter(kind=OrganisationKind.CUSTOMER)
                .order_by("name")
            )
            self.fields["account"].required = True
            self.fields["device"].widget.depends = ["account", "product_model"]
        if scope.is_customer:
            self.fields["device"].widget.depends = ["product_model"]
        self.fields["device"].widget.legend = self.fields["device"].label
        if can_enter_phone_cases(user):
            self.fields["requester"].required = True
            self.fields["requester"].widget.legend = self.fields["requester"].label
        else:
            del self.fields["requester"]
            del self.fields["channel"]
        self._fill_pickers()

    def _value(self, name: str) -> Any:
        return self.data.get(name) if self.is_bound else self.initial.get(name)

    def _fill_pickers(self) -> None:
        """The choices the pickers accept (and first show): another tenant's are never
        among them; a bad account id is simply no account."""
        try:
            account = pickers.account_for(self.user, self._value("account"))
        except Http404:
            account = None
        devices = pickers.devices(self.user, account, self._value("product_model"))
        self.fields["device"].queryset = devices
        need = ""
        if account is None and "account" in self.fields:
            need = _("Choose the account and the product model first.")
        elif not self._value("product_model"):
            need = _("Choose the product model first.")
        pickers.fill(self.fields["device"].widget, devices, self._value("device"), need)
        if "requester" in self.fields:
            people = pickers.people(self.user, account)
            self.fields["requester"].queryset = people
            pickers.fill(
                self.fields["requester"].widget,
                people,
                self._value("requester"),
                _("Choose the account first.") if account is None else "",
            )

    def clean_requester(self) -> Any:
        requester = self.cleaned_data.get("requester")
        if "requester" in self.fields and requester is None:
            raise forms.ValidationError(
                _("Choose the requester: the person of the account who called.")
            )
        return requester


class ReplyForm(forms.Form):
    """A reply, or an agent's internal note. Only the controls the reader may use are
    fields; an agent-only value posted anyway is refused, the message kept."""

    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}))
    internal = forms.BooleanField(label=_("Internal note (agents only)"), required=False)
    status = forms.ChoiceField(label=_("Then set status"), required=False, choices=[])
    attachment = forms.FileField(label=_("Attachment"), required=False)

    def __init__(self, *args: Any, user: Any, case: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.may_note = can_write_internal_note(user, case)
        if not self.may_note:
            del self.fields["internal"]
        self.fields["status"].choices = [("", _("(unchanged)")), *_status_choices(user, case)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.may_note and self.data.get("internal") not in (None, "", "false", "0"):
            self.add_error(None, _("Only agents write internal notes; your message was not sent."))
        cleaned.setdefault("internal", False)
        return cleaned


def _status_choices(user: Any, case: Any) -> list[tuple[str, str]]:
    """Every status for agents; "close" or "reopen" for the requester's side."""
    allowed = allowed_statuses(user, case)
    if is_agent(user):
        return [(s.value, s.label) for s in CaseStatus if s.value in allowed]
    labels = {
        CaseStatus.CLOSED: _("Close the case"),
        CaseStatus.IN_PROGRESS: _("Reopen the case"),
    }
    return [(s, labels[s]) for s in allowed if s in labels]


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[])
    note = forms.CharField(label=_("Note to the requester"), required=False)

    def __init__(self, *args: Any, user: Any, case: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = _status_choices(user, case)
        if not is_agent(user):
            self.fields["status"].label = _("Your case")
            self.fields["note"].label = _("Note (optional)")


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


class DeescalateForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False)


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
