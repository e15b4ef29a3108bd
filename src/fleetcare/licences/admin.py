from django.contrib import admin

from fleetcare.core.changelog import changelog

from .models import Licence


@admin.register(Licence)
class LicenceAdmin(admin.ModelAdmin):
    list_display = ["reference", "account", "kind", "product_name", "quantity", "valid_until"]
    list_filter = ["kind", "source"]
    search_fields = ["reference", "product_name", "account__name", "product_model__sku"]
    autocomplete_fields = ["product_model"]
    raw_id_fields = ["account"]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        action = "licence.updated" if change else "licence.created"
        with changelog(obj, action, actor=request.user):
            super().save_model(request, obj, form, change)
