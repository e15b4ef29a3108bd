"""application/problem+json everywhere (RFC 9457)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

PROBLEM = "application/problem+json"


class ProblemError(Exception):
    """Raised by endpoints and services: becomes a problem+json answer.

    ``errors`` carries a list of details (e.g. every bad row of an import).
    """

    def __init__(
        self,
        status: int,
        detail: str,
        title: str | None = None,
        errors: list[Any] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title
        self.errors = errors
        self.extra = extra


TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Too large",
    422: "Unprocessable content",
    500: "Server error",
}


def problem(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    detail: str,
    title: str | None = None,
    errors: list[Any] | None = None,
    **extra: Any,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    if errors is not None:
        body["errors"] = errors
    body.update(extra)
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM
    return response


def _validation_errors(exc: NinjaValidationError) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "payload", "form")]
        out.append({"field": ".".join(loc), "reason": err.get("msg", "invalid")})
    return out


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ProblemError)
    def _problem(request: HttpRequest, exc: ProblemError) -> HttpResponse:
        return problem(api, request, exc.status, exc.detail, exc.title, exc.errors, **exc.extra)

    @api.exception_handler(NinjaValidationError)
    def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = _validation_errors(exc)
        detail = "; ".join(f"{e['field'] or 'request'}: {e['reason']}" for e in errors)
        return problem(api, request, 422, f"Invalid request: {detail}", errors=errors)

    @api.exception_handler(ValidationError)
    def _django_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            errors = [
                {"field": field, "reason": msg}
                for field, msgs in exc.message_dict.items()
                for msg in msgs
            ]
        else:
            errors = [{"field": "", "reason": m} for m in exc.messages]
        detail = "; ".join(
            f"{e['field']}: {e['reason']}" if e["field"] else e["reason"] for e in errors
        )
        return problem(api, request, 422, detail, errors=errors)

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem(api, request, 404, str(exc) or "Not found.")

    @api.exception_handler(PermissionDenied)
    def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return problem(api, request, 403, str(exc) or "You may not do this.")

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = problem(
            api,
            request,
            401,
            "Authentication required: send `Authorization: Bearer <token>` with a valid, unrevoked token.",
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(ArithmeticError)
    def _out_of_range(request: HttpRequest, exc: ArithmeticError) -> HttpResponse:
        # OverflowError (an id or page beyond 64 bits) and decimal errors (an amount too
        # large to compute): the request asked for a number the system cannot hold.
        return problem(api, request, 422, "A number in the request is out of range.")

    @api.exception_handler(DataError)
    def _data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
        return problem(
            api,
            request,
            422,
            "A value in the request does not fit the database: it is out of range.",
        )

    @api.exception_handler(RequestDataTooBig)
    def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return too_large(request)

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        detail = str(exc)
        if exc.status_code == 400 and detail == "Cannot parse request body":
            detail = (
                "The request body cannot be read: send well-formed JSON with "
                "`Content-Type: application/json` (or multipart/form-data where a file "
                "is expected)."
            )
        return problem(api, request, exc.status_code, detail)


def too_large(request: HttpRequest, limit: int | None = None) -> HttpResponse:
    """413 problem+json for a body over the limit (built without the API object, so the
    body-size middleware can answer before anything reads the body)."""
    from django.conf import settings
    from django.http import JsonResponse

    limit = limit or settings.API_MAX_BODY_BYTES
    body = {
        "type": "about:blank",
        "title": TITLES[413],
        "status": 413,
        "detail": (
            f"The request body is too large: at most {limit // (1024 * 1024)} MB "
            f"({limit} bytes) is accepted."
        ),
        "instance": request.path,
        "max_bytes": limit,
    }
    return JsonResponse(body, status=413, content_type=PROBLEM)


def unknown_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any /api/ path that no endpoint serves: 404 problem+json, not Django's HTML page."""
    from django.http import JsonResponse

    body = {
        "type": "about:blank",
        "title": TITLES[404],
        "status": 404,
        "detail": f"No API endpoint at {request.path}. The endpoints are listed at /api/v1/docs.",
        "instance": request.path,
    }
    return JsonResponse(body, status=404, content_type=PROBLEM)


PROBLEM_SCHEMA = {
    "type": "object",
    "title": "Problem",
    "description": "RFC 9457 problem details",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "reason": {"type": "string"}},
            },
        },
    },
    "required": ["title", "status", "detail"],
}
# Every operation may answer these (auth, tenancy, validation, limits).
COMMON_PROBLEMS = {
    "400": "Malformed request (e.g. a body that is not JSON)",
    "401": "No valid bearer token or session",
    "403": "Your role (or a read-only token) may not do this",
    "404": "Not found, or another tenant's record",
    "405": "Method not allowed",
    "409": "Conflict with the record's current state",
    "413": "Request body too large",
    "422": "Invalid input: each bad field is listed",
}
PUBLIC_PROBLEMS = {"400", "404", "405", "413", "422"}


def document_problems(schema: Any) -> Any:
    """Add the problem+json answers to every operation of an OpenAPI document."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    ref = {"$ref": "#/components/schemas/Problem"}
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            public = not operation.get("security")
            for code, description in COMMON_PROBLEMS.items():
                if public and code not in PUBLIC_PROBLEMS:
                    continue
                responses = operation["responses"]
                if code not in responses and int(code) not in responses:
                    responses[int(code)] = {
                        "description": description,
                        "content": {PROBLEM: {"schema": ref}},
                    }
    return schema
