from django.contrib import admin

from .models import (
    Case,
    CaseEvent,
    CloudPartner,
    CloudPartnerAuthorisation,
    EngineeringReference,
    Escalation,
    PartnerIncident,
)


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    fields = ("at", "kind", "author", "internal", "body")
    readonly_fields = fields
    can_delete = False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = (
        "reference",
        "subject",
        "account",
        "severity",
        "status",
        "entitlement",
        "earliest_due",
    )
    list_filter = ("status", "severity", "entitlement", "channel")
    search_fields = ("reference", "subject", "account__name")
    raw_id_fields = (
        "account",
        "requester",
        "opened_by_partner",
        "product_model",
        "device",
        "owner",
        "enterprise_contract",
        "daas_device",
    )
    readonly_fields = (
        "first_response_due",
        "next_update_due",
        "solution_due",
        "earliest_due",
        "breached_milestones",
        "warned_milestones",
    )
    inlines = [CaseEventInline]


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin):
    list_display = ("case", "level", "owner", "status", "escalated_at")
    list_filter = ("status", "level")
    raw_id_fields = ("case", "owner")


@admin.register(CloudPartner)
class CloudPartnerAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "contact")
    search_fields = ("code", "name")


@admin.register(CloudPartnerAuthorisation)
class CloudPartnerAuthorisationAdmin(admin.ModelAdmin):
    list_display = ("account", "cloud_partner", "valid_from", "valid_to", "signed_by")
    raw_id_fields = ("account", "recorded_by")


@admin.register(PartnerIncident)
class PartnerIncidentAdmin(admin.ModelAdmin):
    list_display = ("case", "cloud_partner", "partner_ticket", "status")
    raw_id_fields = ("case", "authorisation", "opened_by")


@admin.register(EngineeringReference)
class EngineeringReferenceAdmin(admin.ModelAdmin):
    list_display = ("case", "kind", "reference", "title")
    raw_id_fields = ("case", "added_by")
