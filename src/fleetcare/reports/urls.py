from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("monthly/", views.monthly, name="monthly"),
    path("monthly/export.<str:fmt>", views.monthly_export, name="monthly_export"),
    path("chart/<int:contract_id>.svg", views.chart, name="chart"),
]
