from django.contrib import admin

from .models import WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "organisation", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["url", "organisation__name"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["event", "endpoint", "status", "response_code", "attempts", "created_at"]
    list_filter = ["status", "event"]
    readonly_fields = ["event_id", "payload"]
