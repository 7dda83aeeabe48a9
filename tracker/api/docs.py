"""Turn the OpenAPI document into plain data for the server-rendered docs page (no Flask, no HTML here).

Descriptions use a small subset of Markdown: paragraphs, ``**bold**`` and
```code```; :func:`segments` splits a paragraph into ``(kind, text)`` pieces the
template escapes and wraps, so nothing from the document is ever marked safe.
"""

import re
from dataclasses import dataclass

INLINE = re.compile(r"(\*\*[^*]+\*\*|`[^`]+`)")
REF_PREFIX = "#/components/schemas/"


def segments(paragraph):
    pieces = []
    for piece in INLINE.split(paragraph):
        if not piece:
            continue
        if piece.startswith("**"):
            pieces.append(("strong", piece[2:-2]))
        elif piece.startswith("`"):
            pieces.append(("code", piece[1:-1]))
        else:
            pieces.append(("text", piece))
    return pieces


def paragraphs(text):
    return [segments(" ".join(block.split())) for block in (text or "").split("\n\n") if block.strip()]


def ref_name(schema):
    ref = schema.get("$ref", "")
    return ref[len(REF_PREFIX):] if ref.startswith(REF_PREFIX) else None


def type_text(schema):
    """A short human description of a JSON schema, e.g. "list of Outcome", "date or null", "one of: a, b"."""
    if not schema:
        return "any"
    name = ref_name(schema)
    if name:
        return name
    if "enum" in schema:
        return "one of: " + ", ".join(str(value) for value in schema["enum"])
    if "const" in schema:
        return repr(schema["const"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return " or ".join(type_text(branch) for branch in schema[key])
    kind = schema.get("type", "any")
    if kind == "array":
        return "list of " + type_text(schema.get("items", {}))
    if kind == "object" and "additionalProperties" in schema and isinstance(schema["additionalProperties"], dict):
        return "map of " + type_text(schema["additionalProperties"])
    if "format" in schema:
        return f"{kind} ({schema['format']})"
    return str(kind)


def limits(schema):
    parts = []
    for key, label in (("minimum", "≥ {}"), ("maximum", "≤ {}"), ("minLength", "at least {} characters"),
                       ("maxLength", "at most {} characters"), ("default", "default {}")):
        if key in schema and schema[key] is not None:
            parts.append(label.format(schema[key]))
    return ", ".join(parts)


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    required: bool
    description: list
    limits: str
    link: str | None


@dataclass(frozen=True)
class Response:
    status: str
    description: str
    media_type: str | None
    schema: str | None


@dataclass(frozen=True)
class Operation:
    anchor: str
    method: str
    path: str
    summary: str
    description: list
    parameters: list
    body: str | None
    responses: list
    public: bool


@dataclass(frozen=True)
class Schema:
    name: str
    description: list
    fields: list
    kind: str


def field_from(name, schema, required):
    return Field(name=name, type=type_text(schema), required=required,
                 description=paragraphs(schema.get("description", "")), limits=limits(schema),
                 link=ref_name(schema) or ref_name(schema.get("items", {})) or next(
                     (ref_name(branch) for branch in schema.get("anyOf", ()) if ref_name(branch)), None))


def operation_from(path, method, spec):
    parameters = [field_from(f"{item['name']} ({item['in']})", {**item["schema"], "description":
                                                                  item.get("description", "")}, item["required"])
                  for item in spec.get("parameters", ())]
    body = spec.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    responses = []
    for status, response in spec["responses"].items():
        media_type, content = next(iter(response.get("content", {}).items()), (None, {}))
        responses.append(Response(status, response["description"], media_type,
                                  ref_name(content.get("schema", {})) if content else None))
    return Operation(anchor=spec["operationId"], method=method.upper(), path=path, summary=spec["summary"],
                     description=paragraphs(spec.get("description", "")), parameters=parameters,
                     body=ref_name(body) if body else None, responses=responses,
                     public=spec.get("security") == [])


def schema_from(name, schema):
    required = set(schema.get("required", ()))
    fields = [field_from(field, spec, field in required) for field, spec in schema.get("properties", {}).items()]
    kind = "enum" if "enum" in schema else "object"
    return Schema(name=name, description=paragraphs(schema.get("description", "")), fields=fields,
                  kind=type_text(schema) if kind == "enum" else kind)


def describe(document):
    """``{"info", "description", "tags": [(name, description, [Operation])], "schemas": [Schema]}``."""
    by_tag = {tag["name"]: [] for tag in document.get("tags", ())}
    for path, methods in document["paths"].items():
        for method, spec in methods.items():
            by_tag.setdefault(spec["tags"][0], []).append(operation_from(path, method, spec))
    descriptions = {tag["name"]: tag.get("description", "") for tag in document.get("tags", ())}
    return {
        "info": document["info"],
        "description": paragraphs(document["info"].get("description", "")),
        "tags": [(name, descriptions.get(name, ""), operations) for name, operations in by_tag.items() if operations],
        "schemas": [schema_from(name, schema) for name, schema in document["components"]["schemas"].items()],
    }
