"""A small JSON Schema checker for the keywords schema.json uses.

The Lambda ships with the standard library only, so it cannot bring `jsonschema`; the tests
check that this and `jsonschema` agree on the committed schema.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


@cache
def contract() -> Mapping[str, Any]:
    """The committed decider schema."""
    text = resources.files(__package__).joinpath("schema.json").read_text(encoding="utf-8")
    loaded: Mapping[str, Any] = json.loads(text)
    return loaded


def errors(instance: object, definition: str) -> list[str]:
    """Every violation of $defs/<definition>, as 'path: problem' strings (empty when valid)."""
    found: list[str] = []
    _check(instance, contract()["$defs"][definition], "$", found)
    return found


def _is_type(value: object, name: str) -> bool:
    if isinstance(value, bool) and name in ("integer", "number"):
        return False
    return isinstance(value, _TYPES[name])


def _check(value: object, schema: Mapping[str, Any], path: str, found: list[str]) -> None:
    if "$ref" in schema:
        _check(value, contract()["$defs"][schema["$ref"].rsplit("/", 1)[-1]], path, found)
        return
    expected = schema.get("type")
    if expected is not None:
        names = expected if isinstance(expected, list) else [expected]
        if not any(_is_type(value, name) for name in names):
            found.append(f"{path}: expected {' or '.join(names)}, got {type(value).__name__}")
            return
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{path}: {value!r} is not one of {schema['enum']}")
    if "const" in schema and value != schema["const"]:
        found.append(f"{path}: must be {schema['const']!r}")
    if isinstance(value, str):
        _check_string(value, schema, path, found)
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if is_number and "minimum" in schema and value < schema["minimum"]:
        found.append(f"{path}: {value} is below {schema['minimum']}")
    if isinstance(value, dict):
        _check_object(value, schema, path, found)
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            _check(item, schema["items"], f"{path}[{index}]", found)


def _check_string(value: str, schema: Mapping[str, Any], path: str, found: list[str]) -> None:
    if len(value) < schema.get("minLength", 0):
        found.append(f"{path}: shorter than {schema['minLength']} characters")
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        found.append(f"{path}: longer than {schema['maxLength']} characters")
    if "pattern" in schema and not re.search(schema["pattern"], value):
        found.append(f"{path}: does not match {schema['pattern']}")


def _check_object(
    value: Mapping[str, Any], schema: Mapping[str, Any], path: str, found: list[str]
) -> None:
    properties: Mapping[str, Any] = schema.get("properties", {})
    for name in schema.get("required", []):
        if name not in value:
            found.append(f"{path}: missing required field {name!r}")
    for name, item in value.items():
        if name in properties:
            _check(item, properties[name], f"{path}.{name}", found)
        elif schema.get("additionalProperties") is False:
            found.append(f"{path}: unexpected field {name!r}")
