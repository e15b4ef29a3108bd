from django.urls import path

from . import views

app_name = "contracts"

urlpatterns = [
    path("", views.contract_list, name="list"),
    path("new/", views.contract_new, name="new"),
    path("<int:pk>/", views.contract_detail, name="detail"),
    path("<int:pk>/renewal/", views.renewal, name="renewal"),
    path("<int:pk>/options/", views.raise_options, name="raise_options"),
    path(
        "<int:pk>/professional-services/",
        views.raise_professional_services,
        name="raise_professional_services",
    ),
    path("<int:pk>/accept-renewal/", views.accept_renewal, name="accept_renewal"),
    path("adjustments/<int:pk>/<str:action>/", views.adjustment_action, name="adjustment_action"),
    path("documents/<int:pk>.pdf", views.document_pdf, name="document_pdf"),
]
