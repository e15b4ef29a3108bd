from django.urls import path

from . import compliance_views, views

app_name = "fleet"

urlpatterns = [
    path("", views.device_list, name="devices"),
    path("devices/<int:pk>/", views.device_detail, name="device_detail"),
    path("register/", views.register, name="register"),
    path("import/", views.import_upload, name="import"),
    path("import/confirm/", views.import_confirm, name="import_confirm"),
    path("import/template.csv", views.import_template, name="template"),
    path("imports/", views.import_list, name="imports"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("compliance/", compliance_views.compliance, name="compliance"),
    path("compliance/chart.svg", compliance_views.compliance_chart, name="compliance_chart"),
]
