from django.contrib import admin

from . import services
from .models import (
    Category,
    FirmwareRelease,
    ProductDocument,
    ProductModel,
    ProductPrice,
    SparePart,
)

FILE_FACTS = ("file_name", "file_size", "sha256")


class FirmwareInline(admin.TabularInline):
    model = FirmwareRelease
    extra = 0
    exclude = ("file",)
    readonly_fields = FILE_FACTS


class StoredFileAdmin(admin.ModelAdmin):
    """The file goes through ``catalog.services.attach_file`` (storage API, size and
    SHA-256, change log), never straight into the field."""

    readonly_fields = FILE_FACTS

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        upload = form.cleaned_data.get("file")
        new_upload = upload is not None and upload is not False and "file" in form.changed_data
        if new_upload:
            obj.file = form.initial.get("file") or None
        super().save_model(request, obj, form, change)
        if new_upload:
            services.attach_file(actor=request.user, obj=obj, upload=upload)


@admin.register(FirmwareRelease)
class FirmwareReleaseAdmin(StoredFileAdmin):
    list_display = ["product_model", "version", "released_on", "file_name", "file_size"]
    list_filter = ["product_model__family"]
    search_fields = ["version", "product_model__sku", "product_model__name"]


@admin.register(ProductDocument)
class ProductDocumentAdmin(StoredFileAdmin):
    list_display = ["title", "product_model", "kind", "language", "file_name", "file_size"]
    list_filter = ["kind", "language"]
    search_fields = ["title", "product_model__sku"]


class PriceInline(admin.TabularInline):
    """R-CAT-1: one row per currency the vendor sells the model in."""

    model = ProductPrice
    extra = 0


class DocumentInline(admin.TabularInline):
    model = ProductDocument
    extra = 0
    exclude = ("file",)
    readonly_fields = FILE_FACTS


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
