from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    path("", views.document_list, name="documents"),
    path("export/", views.document_export, name="export"),
    path("<int:pk>/", views.document_detail, name="document_detail"),
    path("<int:pk>/pdf/", views.document_pdf, name="document_pdf"),
    path("<int:pk>/<slug:action>/", views.document_action, name="document_action"),
]
