from django.urls import path

from . import views

app_name = "licences"

urlpatterns = [
    path("", views.licence_list, name="list"),
    path("import/", views.licence_import, name="import"),
    path("import/template.csv", views.licence_template, name="template"),
]
