from django.urls import path

from . import views

app_name = "replacements"

urlpatterns = [
    path("", views.order_list, name="list"),
    path("export/", views.order_export, name="export"),
    path("from-case/<int:case_id>/", views.order_create, name="create"),
    path("<int:pk>/", views.order_detail, name="detail"),
    path("<int:pk>/certificate/", views.certificate, name="certificate"),
    path("<int:pk>/<slug:action>/", views.order_action, name="action"),
]
