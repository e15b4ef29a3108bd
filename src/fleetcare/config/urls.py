"""URLs. Each fleetcare app with a ``urls.py`` is mounted at ``/<app label>/``."""

import importlib

from django.apps import apps
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt

from fleetcare.api.errors import unknown_path
from fleetcare.api.main import api

admin.site.site_header = "fleetcare administration"
admin.site.site_title = "fleetcare"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", csrf_exempt(unknown_path)),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="portal/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]

for _config in sorted(apps.get_app_configs(), key=lambda c: c.label):
    if not _config.name.startswith("fleetcare.") or _config.label in {"portal", "api", "core"}:
        continue
    try:
        importlib.import_module(f"{_config.name}.urls")
    except ModuleNotFoundError as exc:
        if exc.name != f"{_config.name}.urls":
            raise
        continue
    urlpatterns.append(path(f"{_config.label}/", include(f"{_config.name}.urls")))

urlpatterns.append(path("", include("fleetcare.portal.urls")))
