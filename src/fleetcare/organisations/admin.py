from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import ApiToken, Organisation, PartnerCustomer, Site, User


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "account_number", "country", "csm"]
    list_filter = ["kind", "country", "csm"]
    search_fields = ["name", "account_number"]
    inlines = [SiteInline]


@admin.register(PartnerCustomer)
class PartnerCustomerAdmin(admin.ModelAdmin):
    list_display = ["partner", "customer", "since"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "organisation", "role", "is_active"]
    list_filter = ["role", "organisation__kind", "is_active"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("fleetcare", {"fields": ("organisation", "role", "language", "phone")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "key_prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["key_prefix", "key_hash", "created_at", "last_used_at"]
