from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("catalog/", views.catalog, name="catalog"),
    path("catalog/<int:pk>/", views.model_detail, name="model_detail"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("profile/", views.profile, name="profile"),
    path("search/", views.global_search, name="search"),
    path("language/", views.set_language, name="set_language"),
]
