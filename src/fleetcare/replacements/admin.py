from django.contrib import admin

from .models import ReplacementOrder


@admin.register(ReplacementOrder)
class ReplacementOrderAdmin(admin.ModelAdmin):
    list_display = (
        "reference",
        "account",
        "programme",
        "status",
        "delivery_target",
        "return_due",
        "threshold_flag",
    )
    list_filter = ("status", "programme", "threshold_flag", "onsite_destruction")
    search_fields = ("reference", "account__name", "tracking_number")
    raw_id_fields = (
        "case",
        "faulty_device",
        "replacement_device",
        "subscribed_device",
        "replacement_subscribed_device",
        "charge_document",
        "threshold_document",
        "enterprise_contract",
    )
    readonly_fields = ("status",)  # states move only through the services
