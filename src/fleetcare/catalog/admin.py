from django.contrib import admin

from .models import (
    Category,
    FirmwareRelease,
    ProductDocument,
    ProductModel,
    ProductPrice,
    SparePart,
)


class FirmwareInline(admin.TabularInline):
    model = FirmwareRelease
    extra = 0


class PriceInline(admin.TabularInline):
    """R-CAT-1: one row per currency the vendor sells the model in."""

    model = ProductPrice
    extra = 0


class DocumentInline(admin.TabularInline):
    model = ProductDocument
    extra = 0


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "quote_only"]


@admin.register(ProductModel)
class ProductModelAdmin(admin.ModelAdmin):
    list_display = [
        "sku",
        "name",
        "family",
        "category",
        "end_of_sale_effective_on",
        "end_of_support_on",
    ]
    list_filter = ["category", "family"]
    search_fields = ["sku", "name", "family"]
    inlines = [PriceInline, FirmwareInline, DocumentInline]


@admin.register(SparePart)
class SparePartAdmin(admin.ModelAdmin):
    list_display = ["part_number", "name", "list_price"]
    search_fields = ["part_number", "name"]
    filter_horizontal = ["compatible_models"]
