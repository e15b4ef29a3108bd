from django.urls import path

from . import views

app_name = "daas"

urlpatterns = [
    path("", views.subscription_list, name="list"),
    path("new/", views.subscription_create, name="create"),
    path("<int:pk>/", views.subscription_detail, name="detail"),
    path("<int:pk>/delivery/", views.record_delivery, name="delivery"),
]
