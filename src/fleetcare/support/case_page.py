"""The case page and the forms on it. Thin: parse → one service call → redirect.

The page offers only the controls the reader's role may use (the same predicates as
the services, through ``{% can %}``). A refused form — bad input, or a refusal of the
service — re-renders the page with that form bound: everything typed is kept and the
error is shown beside it; nothing is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fleetcare.core.permissions import require
from fleetcare.core.tenancy import get_visible_or_404, scope_of

from . import clocks, permissions, pickers, services
from .forms import (
    AssignForm,
    AttachForm,
    DeescalateForm,
    EngineeringRefForm,
    EscalateForm,
    EscalationUpdateForm,
    IncidentForm,
    IncidentUpdateForm,
    ReplyForm,
    SeverityForm,
    StatusForm,
)
from .models import Case, EscalationStatus, PartnerIncident


def _load_case(user: Any, pk: int) -> Case:
    return get_visible_or_404(
        Case.objects.select_related(
            "account",
            "requester",
            "product_model",
            "device",
            "opened_by_partner",
            "owner",
            "enterprise_contract",
            "daas_device__subscription",
        ).prefetch_related(*clocks.calendar_prefetches()),
        user,
        pk=pk,
    )


def _open_escalation(case: Case) -> Any:
    return case.escalations.filter(status=EscalationStatus.OPEN).select_related("owner").first()


def _fresh_forms(user: Any, case: Case, esc: Any) -> dict[str, Form]:
    """Unbound forms for the controls the user may use (absent otherwise)."""
    forms: dict[str, Form] = {}
    if permissions.can_reply(user, case):
        forms["reply_form"] = ReplyForm(user=user, case=case)
        forms["attach_form"] = AttachForm()
        forms["status_form"] = StatusForm(user=user, case=case)
    if permissions.is_agent(user):
        forms.update(
            assign_form=AssignForm(user=user, initial={"owner": case.owner_id}),
            severity_form=SeverityForm(initial={"severity": case.severity}),
            escalate_form=EscalateForm(user=user),
            engref_form=EngineeringRefForm(),
            incident_form=IncidentForm(user=user),
        )
    if esc is not None and permissions.can_manage_escalations(user):
        fields = ("specialist", "actions", "workaround", "fix")
        forms["escalation_form"] = EscalationUpdateForm(
            initial={f: getattr(esc, f) for f in fields}
        )
        forms["deescalate_form"] = DeescalateForm()
    return forms


def render_case(
    request,  # type: ignore[no-untyped-def]
    case: Case,
    bound: dict[str, Form] | None = None,
    incident_form: tuple[int, Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The case page; ``bound`` replaces fresh forms by the refused ones, as typed."""
    user = request.user
    now = timezone.now()
    from .views import annotate_clock

    annotate_clock([case], now)
    esc = _open_escalation(case)
    incidents = list(
        PartnerIncident.objects.visible_to(user)
        .filter(case=case)
        .select_related("cloud_partner")
        .prefetch_related("updates")
        if scope_of(user).is_vendor
        else PartnerIncident.objects.none()
    )
    may_update_incidents = permissions.is_agent(user)
    for inc in incidents:
        inc.update_form = None
        if may_update_incidents:
            if incident_form is not None and incident_form[0] == inc.pk:
                inc.update_form = incident_form[1]
            else:
                inc.update_form = IncidentUpdateForm(prefix=f"inc{inc.pk}")
    context: dict[str, Any] = {
        "case": case,
        **services.case_replacements(case, user),
        "events": services.timeline(case, user),
        "is_agent": permissions.is_agent(user),
        "escalation": esc,
        "engineering_refs": case.engineering_refs.all(),
        "incidents": incidents,
        "now": now,
        **_fresh_forms(user, case, esc),
        **(bound or {}),
    }
    return render(request, "support/case_detail.html", context, status=status)


@login_required
def case_detail(request, pk: int):
    return render_case(request, _load_case(request.user, pk))


def _add_errors(form: Form, exc: Exception) -> None:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    elif isinstance(exc, ValidationError):
        form.add_error(None, exc.messages)
    else:
        form.add_error(None, str(exc) or _("You may not do this."))


Handler = Callable[..., str]


def case_action(form_name: str, make_form: Callable[..., Form]) -> Callable[[Handler], Any]:
    """A POST from the case page: fetch the case (404 if not visible), bind the form,
    run the service; on success redirect with a message, else re-render the page with
    the form as typed and its errors (422 bad input, 403 refused)."""

    def decorator(handler: Handler) -> Any:
        @wraps(handler)
        def view(request, pk: int, **kwargs: Any) -> HttpResponse:
            case = get_visible_or_404(Case, request.user, pk=pk)
            target = handler.target(request, case, **kwargs) if hasattr(handler, "target") else None
            form = make_form(request, case, target)
            status = 422
            if form.is_valid():
                try:
                    done = handler(request, case, form.cleaned_data, target)
                except PermissionDenied as exc:
                    _add_errors(form, exc)
                    status = 403
                except ValidationError as exc:
                    _add_errors(form, exc)
                else:
                    messages.success(request, done)
                    return redirect("support:case_detail", pk=case.pk)
            messages.error(request, _("Nothing was saved: see the form below."))
            case = _load_case(request.user, case.pk)
            if form_name == "incident_update_form":
                return render_case(request, case, incident_form=(target.pk, form), status=status)
            return render_case(request, case, bound={form_name: form}, status=status)

        return login_required(require_POST(view))

    return decorator


def _post(form_class: type[Form], **extra: Any) -> Callable[..., Form]:
    def make(request, case: Case, target: Any) -> Form:  # type: ignore[no-untyped-def]
        kwargs = {key: value(request, case) for key, value in extra.items()}
        return form_class(request.POST, request.FILES, **kwargs)

    return make


def _user(request, case):  # type: ignore[no-untyped-def]
    return request.user


def _case(request, case):  # type: ignore[no-untyped-def]
    return case


@case_action("reply_form", _post(ReplyForm, user=_user, case=_case))
def case_reply(request, case: Case, cd: dict[str, Any], target: Any) -> str:
    services.add_reply(
        case,
        actor=request.user,
        body=cd["body"],
        internal=cd.get("internal", False),
        new_status=cd.get("status") or None,
        attachments=[cd["attachment"]] if cd.get("attachment") else [],
    )
    return _("Note added.") if cd.get("internal") else _("Reply sent.")


@case_action("status_form", _post(StatusForm, user=_user, case=_case))
def case_status(request, case: Case, cd: dict[str, Any], target: Any) -> str:
    services.change_status(case, actor=request.user, status=cd["status"], note=cd["note"])
    return _("Status updated.")


@case_action("assign_form", _post(AssignForm, user=_user))
def case_assign(request, case: Case, cd: dict[str, Any], target: Any) -> str:
    services.assign(case, actor=request.user, owner=cd["owner"])
    return _("Owner updated.")


@case_action("severity_form", _post(SeverityForm))
def case_severity(request, case: Case, cd: dict[str, Any], target: Any) -> str:
    services.change_severity(case, actor=request.user, severity=cd["severity"])
    return _("Severity updated; deadlines recomputed.")


@case_action("attach_form", _post(AttachForm))
def case_attach(request, case: Case, cd: dict[str, Any], target: Any) -> str:
    services.add_attachments(case, actor=request.user, uploads=[cd["file"]])
    return _("File attached.")


@case_action("escalate_form", _post(EscalateForm, user=_user))
def case_escalate(request, case: Case, cd: dict[str, Any], target: Any) -> str:
    esc = services.escalate(
        case, actor=request.user, level=cd["level"], reason=cd["reason"], owner=cd["owner"]
    )
    return _("Escalated to level %(l)s.") % {"l": esc.level}


@case_action("escalation_form", _post(EscalationUpdateForm))
def case_escalation_update(request, case: Case, cd: dict[str, Any], target: Any) -> str:
    esc = case.escalations.filter(status=EscalationStatus.OPEN).first()
    if esc is None:
        raise ValidationError(_("The case is not escalated."))
    services.update_escalation(esc, actor=request.user, **cd)
    return _("Escalation updated.")


@case_action("deescalate_form", _post(DeescalateForm))
def case_deescalate(request, case: Case, cd: dict[str, Any], target: Any) -> str:
    services.deescalate(case, actor=request.user, note=cd["note"])
    return _("De-escalated.")


@case_action("engref_form", _post(EngineeringRefForm))
def case_engref(request, case: Case, cd: dict[str, Any], target: Any) -> str:
    services.add_engineering_reference(
        case, actor=request.user, kind=cd["kind"], reference=cd["reference"], title=cd["title"]
    )
    return _("Engineering reference added.")


@case_action("incident_form", _post(IncidentForm, user=_user))
def case_incident(request, case: Case, cd: dict[str, Any], target: Any) -> str:
    services.open_partner_incident(
        case,
        actor=request.user,
        cloud_partner=cd["cloud_partner"],
        partner_ticket=cd["partner_ticket"],
        findings=cd["findings"],
    )
    return _("Cloud-partner incident opened.")


def _incident_form(request, case: Case, incident: PartnerIncident) -> Form:  # type: ignore[no-untyped-def]
    return IncidentUpdateForm(request.POST, prefix=f"inc{incident.pk}")


def _incident(request, case: Case, incident_id: int) -> PartnerIncident:  # type: ignore[no-untyped-def]
    """The incident of this case (another tenant's, or another case's: 404)."""
    return get_visible_or_404(PartnerIncident, request.user, pk=incident_id, case=case)


def _incident_update(request, case: Case, cd: dict[str, Any], target: PartnerIncident) -> str:  # type: ignore[no-untyped-def]
    services.update_partner_incident(
        target,
        actor=request.user,
        kind=cd["kind"],
        body=cd["body"],
        partner_ticket=cd["partner_ticket"] or None,
        status=cd["status"] or None,
    )
    return _("Incident updated.")


_incident_update.target = _incident  # type: ignore[attr-defined]
case_incident_update = case_action("incident_update_form", _incident_form)(_incident_update)


# --- pickers of the case form (htmx) ---------------------------------------------------


def _picker(request, kind: str, qs: Any, hint: str) -> HttpResponse:  # type: ignore[no-untyped-def]
    name = "requester" if kind == "people" else "device"
    text = request.GET.get(f"{name}_q", "")
    rows, more = pickers.options(qs, text, request.GET.get(name), kind)
    return render(
        request,
        "support/_picker_options.html",
        {
            "name": name,
            "options": rows,
            "selected": request.GET.get(name, ""),
            "more": more,
            "hint": hint,
            "limit": pickers.PICKER_LIMIT,
        },
    )


@login_required
@require_GET
def pick_people(request):
    """People of the chosen account (agents entering a phone case)."""
    require(request.user, permissions.can_enter_phone_cases, None, _("Only agents do this."))
    account = pickers.account_for(request.user, request.GET.get("account"))
    hint = _("Choose the account first.") if account is None else ""
    return _picker(request, "people", pickers.people(request.user, account), hint)


@login_required
@require_GET
def pick_devices(request):
    """Active devices of the account and model the user may see, by serial or site."""
    require(request.user, permissions.can_open_cases, None, _("You may not open cases."))
    account = pickers.account_for(request.user, request.GET.get("account"))
    qs = pickers.devices(request.user, account, request.GET.get("product_model"))
    hint = ""
    if account is None and not scope_of(request.user).is_customer:
        hint = _("Choose the account and the product model first.")
    elif not request.GET.get("product_model"):
        hint = _("Choose the product model first.")
    return _picker(request, "devices", qs, hint)
