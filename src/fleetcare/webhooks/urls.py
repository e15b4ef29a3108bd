from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("", views.endpoint_list, name="list"),
    path("<int:pk>/", views.endpoint_detail, name="detail"),
    path("deliveries/<int:pk>/redeliver/", views.redeliver, name="redeliver"),
]
