"""The OpenAPI 3.1 document, built from the operation registry and the pydantic models the endpoints use.

Pydantic writes JSON Schema 2020-12, the dialect of OpenAPI 3.1, so every
request and response schema in the document is the one the endpoint validates
or serialises with. Query models become query parameters, Flask rule variables
become path parameters, and every error status an operation can answer is
documented with the problem-details schema.
"""

from pydantic.json_schema import models_json_schema

from tracker.api.common import Problem
from tracker.api.problems import KINDS
from tracker.api.problems import PROBLEM_MEDIA_TYPE
from tracker.api.registry import SLUG
from tracker.db_types import MAX_ID

REF = "#/components/schemas/{model}"
PREFIX = "/api/v1"
TAGS = {
    "Projects": "The fund's projects; grantees see the projects they are members of.",
    "Theory of change": "Each project's results, causal links and their assumptions.",
    "Indicators": "Indicators with their periods, targets and reviewed actuals.",
    "Outcomes": "Outcome Harvesting: harvests, outcomes and their substantiation.",
    "Stories": "Most Significant Change stories; donors get only de-identified, consented, approved stories.",
    "Contribution claims": "Contribution analysis and contribution tracing: claims, mechanism components, "
                           "tracing evidence and the confidence they give (M&E staff write; project teams read).",
    "Reports": "Evidence reports (PDF or HTML) prepared in the background: request one, follow it, download its "
               "file while the link lasts, revoke it. Donors get only the donor report.",
}
DESCRIPTION = """\
The Evidence Tracker API gives integrators the data a user sees on the web, with the same permissions.

**Authentication.** Send `Authorization: Bearer <token>`. A token acts as its user, with the user's current
role and project memberships; it is created with `flask --app tracker create-token EMAIL` or on the account
page, shown once, and can be revoked at any time. Cookies are ignored.

**Errors** are RFC 9457 problem details (`application/problem+json`) with `type`, `title`, `status`,
`detail`, `instance` and, for invalid input, `errors: [{"field", "message"}]`. A record the token may not
see answers 404, exactly like one that does not exist.

**Lists** are paginated with `page` (from 1) and `per_page` (at most 200) and answer
`{"items", "page", "per_page", "total", "next"}`, where `next` is the path of the next page or null.

**Sensitive records.** Reading a story or an outcome's full text is recorded in the audit trail, as on the web.
Donor tokens see only substantiated outcomes (without sources or substantiator names) and only stories that
pass the donor rule, in their approved de-identified version.
"""
HEADERS = {
    401: {"WWW-Authenticate": {"description": "`Bearer realm=\"api\"`", "schema": {"type": "string"}}},
    429: {"Retry-After": {"description": "Seconds to wait before trying again.", "schema": {"type": "string"}}},
}


def openapi_path(rule):
    """``/projects/<slug>/outcomes/<int:outcome_id>`` → ``/api/v1/projects/{slug}/outcomes/{outcome_id}``."""
    parts = []
    for part in rule.split("/"):
        if part.startswith("<") and part.endswith(">"):
            part = "{" + part[1:-1].split(":")[-1] + "}"
        parts.append(part)
    return PREFIX + "/".join(parts)


def path_parameter(name, converter):
    if converter == "int":
        schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    else:
        schema = {"type": "string", "pattern": SLUG.pattern, "maxLength": 60}
    return {"name": name, "in": "path", "required": True, "schema": schema}


def without_null(schema):
    """Query parameters cannot be null: drop the ``null`` branch pydantic writes for optional fields."""
    branches = schema.get("anyOf")
    if not branches:
        return schema
    kept = [branch for branch in branches if branch != {"type": "null"}]
    if len(kept) != 1:
        return schema
    rest = {key: value for key, value in schema.items() if key not in ("anyOf", "default")}
    if schema.get("default") is not None:
        rest["default"] = schema["default"]
    return {**kept[0], **rest}


def query_parameters(schema):
    parameters = []
    required = set(schema.get("required", ()))
    for name, prop in schema.get("properties", {}).items():
        prop = without_null(dict(prop))
        description = prop.pop("description", None)
        prop.pop("title", None)
        parameter = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


def error_response(status):
    response = {"description": KINDS[status][1],
                "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": REF.format(model="Problem")}}}}
    if status in HEADERS:
        response["headers"] = HEADERS[status]
    return response


def operation_object(operation, refs, defs):
    result = {"operationId": operation.operation_id, "tags": [operation.tag], "summary": operation.summary,
              "description": operation.description + f"\n\nPermission: `{operation.permission}`."}
    parameters = [path_parameter(name, converter) for name, converter in operation.path_params]
    if operation.query is not None:
        name = refs[(operation.query, "validation")]["$ref"].rsplit("/", 1)[-1]
        parameters += query_parameters(defs[name])
    if parameters:
        result["parameters"] = parameters
    if operation.body is not None:
        result["requestBody"] = {"required": True,
                                 "content": {"application/json": {"schema": refs[(operation.body, "validation")]}}}
    responses = {}
    if operation.response is not None:
        responses[str(operation.status)] = {
            "description": "Success.",
            "content": {"application/json": {"schema": refs[(operation.response, "serialization")]}}}
    elif operation.media_types:
        responses[str(operation.status)] = {
            "description": "Success: the file.",
            "content": {media_type: {"schema": {"type": "string", "contentMediaType": media_type}}
                        for media_type in operation.media_types}}
    else:
        responses[str(operation.status)] = {"description": "Success."}
    if operation.headers:
        responses[str(operation.status)]["headers"] = {
            name: {"description": description, "schema": {"type": "string"}}
            for name, description in operation.headers.items()}
    for status in operation.error_statuses():
        responses[str(status)] = error_response(status)
    result["responses"] = responses
    if operation.public:
        result["security"] = []
    return result


def build_document(api, version):
    """The OpenAPI 3.1 document of every operation in ``api``."""
    models = [(Problem, "serialization")]
    for operation in api.operations:
        models += [(model, mode) for model, mode in ((operation.query, "validation"), (operation.body, "validation"),
                                                     (operation.response, "serialization")) if model is not None]
    refs, schema = models_json_schema(list(dict.fromkeys(models)), ref_template=REF)
    defs = schema.get("$defs", {})
    paths = {}
    for operation in sorted(api.operations, key=lambda item: (item.rule, item.method)):
        paths.setdefault(openapi_path(operation.rule), {})[operation.method] = operation_object(operation, refs, defs)
    for operation in api.operations:
        if operation.query is not None:
            defs.pop(refs[(operation.query, "validation")]["$ref"].rsplit("/", 1)[-1], None)
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {"title": "Evidence Tracker API", "version": version, "description": DESCRIPTION,
                 "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"}},
        "tags": [{"name": name, "description": description} for name, description in TAGS.items()],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(defs.items())),
            "securitySchemes": {"bearer": {
                "type": "http", "scheme": "bearer",
                "description": "An API token from `flask --app tracker create-token EMAIL` or the account page."}},
        },
        "security": [{"bearer": []}],
    }
