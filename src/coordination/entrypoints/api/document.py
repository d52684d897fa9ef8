"""The OpenAPI document as FastAPI makes it, with the nulls of its examples kept.

FastAPI encodes the document leaving out every null, inside examples too (fastapi#5559),
so an example answer with `"retired_at": null` would lose a required key and no longer
fit its own schema. Each component's examples are put back as its model declares them.
"""

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel
from pydantic_core import to_jsonable_python

OURS = ("coordination.", "projections.")


def keep_example_nulls(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """`app.openapi`, with each model's examples as declared."""
    made = app.openapi

    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            declared = _declared_examples()
            for schema in made().get("components", {}).get("schemas", {}).values():
                if "examples" in schema and schema.get("title") in declared:
                    schema["examples"] = declared[schema["title"]]
        return made()

    return document


def _declared_examples() -> dict[str, list[Any]]:
    """The examples our models declare, by the title their schemas carry."""
    found: dict[str, list[Any]] = {}
    for model in _models(BaseModel):
        extra = model.model_config.get("json_schema_extra")
        if model.__module__.startswith(OURS) and isinstance(extra, dict) and "examples" in extra:
            title = model.model_config.get("title") or model.__name__
            found[title] = to_jsonable_python(extra["examples"])
    return found


def _models(base: type[BaseModel]) -> Iterator[type[BaseModel]]:
    for model in base.__subclasses__():
        yield model
        yield from _models(model)
