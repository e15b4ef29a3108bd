from django.contrib import admin

from .models import Document, DocumentLine


class LineInline(admin.TabularInline):
    model = DocumentLine
    extra = 0
    can_delete = False
    readonly_fields = (
        "position",
        "description",
        "sku",
        "quantity",
        "unit_price",
        "factor",
        "amount",
    )


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Read-only: documents change only through billing's services (never edited once issued)."""

    list_display = ("number", "kind", "purpose", "status", "account", "addressed_to", "total")
    list_filter = ("kind", "status", "purpose", "programme")
    search_fields = ("number", "title", "account__name")
    inlines = [LineInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
