"""Refuse an API request whose body is over the size limit before anything reads it.

JSON bodies are limited by ``API_MAX_BODY_BYTES`` and uploads (multipart/form-data, e.g.
a fleet import file) by ``API_MAX_UPLOAD_BYTES``. The answer is a 413 problem+json.
A body without Content-Length is caught when it is read (``RequestDataTooBig``, same
answer, see :mod:`fleetcare.api.errors`).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from fleetcare.api.errors import too_large

API_PREFIX = "/api/"


class BodySizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            multipart = request.content_type == "multipart/form-data"
            limit = settings.API_MAX_UPLOAD_BYTES if multipart else settings.API_MAX_BODY_BYTES
            if length > limit:
                return too_large(request, limit)
        return self.get_response(request)
