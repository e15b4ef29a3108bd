"""Mounted at /catalog/ before the portal's own catalogue pages (which keep /catalog/)."""

from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("firmware/<int:pk>/download/", views.firmware_download, name="firmware_download"),
    path("documents/<int:pk>/download/", views.document_download, name="document_download"),
]
