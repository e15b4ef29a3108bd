"""fleetcare's URLs plus ``/_test/slow`` (sleeps, then answers), for the shutdown test."""

import time

from django.http import HttpResponse
from django.urls import path

from fleetcare.config.urls import urlpatterns as fleetcare_urlpatterns


def slow(request):
    time.sleep(float(request.GET.get("seconds", "3")))
    return HttpResponse("finished", content_type="text/plain")


urlpatterns = [path("_test/slow", slow), *fleetcare_urlpatterns]
