"""OpenAPI with unique, accurate schema names: two different schemas never share a
component name (django-ninja would silently document one with the other's shape)."""

from __future__ import annotations

import typing

from pydantic import BaseModel

from fleetcare.api.main import api


def _models(annotation, out: set[type[BaseModel]]) -> None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in out:
            return
        out.add(annotation)
        for field in annotation.model_fields.values():
            _models(field.annotation, out)
        return
    for arg in typing.get_args(annotation):
        _models(arg, out)


def _operation_models() -> dict[str, set[type[BaseModel]]]:
    """Every pydantic model reachable from an operation's inputs and responses, by the
    name the OpenAPI gives it."""
    found: set[type[BaseModel]] = set()
    for _prefix, router in api._routers:
        for path_op in router.path_operations.values():
            for op in path_op.operations:
                for wrapper in op.response_models.values():
                    if wrapper is not None:
                        _models(wrapper, found)
                for model in op.models:
                    _models(model, found)
    by_name: dict[str, set[type[BaseModel]]] = {}
    for model in found:
        if model.__module__ == "abc" or model.__name__.startswith("Ninja"):
            continue  # ninja's per-operation wrappers (never components)
        by_name.setdefault(model.__name__, set()).add(model)
    return by_name


def test_no_two_schemas_share_a_component_name():
    duplicated = {
        name: sorted(f"{m.__module__}.{m.__qualname__}" for m in models)
        for name, models in _operation_models().items()
        if len(models) > 1
    }
    assert duplicated == {}


def test_each_component_documents_its_own_schema():
    components = api.get_openapi_schema()["components"]["schemas"]
    for name, models in _operation_models().items():
        (model,) = models
        if name not in components:
            continue  # inlined (e.g. query parameters)
        documented = set(components[name].get("properties", {}))
        declared = {f.alias or key for key, f in model.model_fields.items()}
        declared |= set(model.model_fields)
        assert documented <= declared, (name, documented - declared)


def test_billing_documents_are_documented_with_the_billing_shape():
    schema = api.get_openapi_schema()
    responses = schema["paths"]["/api/v1/billing/documents"]["get"]["responses"]
    ok = responses.get(200) or responses["200"]
    ref = ok["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    page = schema["components"]["schemas"][ref]
    item = page["properties"]["items"]["items"]["$ref"].rsplit("/", 1)[-1]
    assert item == "MoneyDocumentOut"
    assert {"currency", "total", "tax_rate"} <= set(
        schema["components"]["schemas"][item]["properties"]
    )
