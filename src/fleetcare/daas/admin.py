from django.contrib import admin

from .models import SubscribedDevice, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("reference", "partner", "customer", "term_months", "status")
    list_filter = ("status",)
    search_fields = ("reference", "customer__name", "partner__name")


@admin.register(SubscribedDevice)
class SubscribedDeviceAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "subscription",
        "product_model",
        "extended_cover",
        "term_start",
        "term_end",
    )
    raw_id_fields = ("subscription", "device", "replaces")
