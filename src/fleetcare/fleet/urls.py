from django.urls import path

from . import compliance_views, import_views, views

app_name = "fleet"

urlpatterns = [
    path("", views.device_list, name="devices"),
    path("devices/<int:pk>/", views.device_detail, name="device_detail"),
    path("register/", views.register, name="register"),
    path("import/", import_views.import_upload, name="import"),
    path("import/confirm/", import_views.import_confirm, name="import_confirm"),
    path("import/template.csv", import_views.import_template, name="template"),
    path("imports/", import_views.import_list, name="imports"),
    path("imports/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", import_views.import_progress, name="import_progress"),
    path("import/errors/<int:pk>.csv", import_views.error_report, name="error_report"),
    path("export/", import_views.export, name="export"),
    path("compliance/", compliance_views.compliance, name="compliance"),
    path("compliance/chart.svg", compliance_views.compliance_chart, name="compliance_chart"),
]
