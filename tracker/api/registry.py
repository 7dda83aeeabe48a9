"""The operation registry: one declaration per endpoint serves routing, checks, validation and the OpenAPI document.

:meth:`Api.operation` registers a view under ``/api/v1`` together with what it
needs (permission, scope), what it reads (query and body models) and what it
answers (response model, status, error statuses). The wrapper it installs:

* checks the permission the same way the web pages do (deny by default: the
  declared permission is also the ``required_permission`` that
  ``tests/test_access.py`` walks), answering 404 when it is not held;
* for ``scope="project"`` loads the project named by ``<slug>`` and passes it
  to the view; ``sensitive=True`` lets the rule's break-the-glass roles in only
  with an active grant (never a redirect: an API client gets 404);
  ``scope="object"`` is for records addressed by id alone (``/stories/<id>``):
  the view loads the record and must call :func:`project_access` on its project;
* validates the query string and the JSON body with the declared pydantic
  models (400/415/422 problem details with field errors) and passes them as
  ``query=`` and ``body=``;
* flushes the view's changes, turns ``ValidationFailed`` into 422 (with the
  service's field names renamed by ``field_names``, when the body names them
  otherwise) and edit conflicts into 409, and serialises the returned model
  with ``model_dump(mode="json", by_alias=True)``.

Views never commit: :mod:`tracker.web.transaction` commits a 2xx answer and
rolls back an error, so a 422 or 409 leaves nothing behind.

:mod:`tracker.api.openapi` builds the document from the same declarations and
models, so the document cannot drift from what the endpoints accept and return.
"""

import json
import re
from dataclasses import dataclass
from dataclasses import field
from functools import wraps

from flask import Response
from flask import g
from flask import request
from flask_login import current_user
from pydantic import BaseModel
from pydantic import ValidationError
from sqlalchemy.orm.exc import StaleDataError

from tracker.api.problems import ApiProblem
from tracker.auth import permissions
from tracker.breakglass import services as break_glass
from tracker.common.errors import EditConflict
from tracker.common.errors import ValidationFailed
from tracker.db import get_session
from tracker.portfolio.services import get_project
from tracker.web import transaction
from tracker.web.access import PUBLIC

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
COMMON_ERRORS = (401, 404, 429)


@dataclass
class Operation:
    """One endpoint as the OpenAPI document describes it."""

    method: str
    rule: str
    endpoint: str
    operation_id: str
    tag: str
    summary: str
    description: str
    permission: str
    scope: str
    query: type[BaseModel] | None
    body: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    errors: tuple = field(default_factory=tuple)
    headers: dict = field(default_factory=dict)
    media_types: tuple = field(default_factory=tuple)

    @property
    def public(self):
        return self.permission == PUBLIC

    @property
    def path_params(self):
        """``[(name, converter)]`` of the rule's variables, in order."""
        return [(name, converter or "string") for converter, name in CONVERTER.findall(self.rule)]

    def error_statuses(self):
        statuses = set(self.errors) | ({400} if self.query else set()) | ({400, 415, 422} if self.body else set())
        if not self.public:
            statuses |= set(COMMON_ERRORS)
        if self.path_params:
            statuses.add(404)
        return sorted(statuses)


def project_access(project, permission, *, sensitive=False):
    """Raise 404 unless the caller holds ``permission`` on ``project``.

    With ``sensitive``, a role the rule lets break the glass passes only with an
    active grant for this project, kept in ``g.break_glass_grant`` so that reads
    are audited with the grant's reason.
    """
    g.break_glass_grant = None
    if project is None:
        raise ApiProblem(404)
    if current_user.can(permission, project):
        return project
    if sensitive and permissions.may_break_glass(current_user.role, permission):
        g.break_glass_grant = break_glass.active_grant(get_session(), current_user.user, project)
        if g.break_glass_grant is not None:
            return project
    raise ApiProblem(404)


def field_name(location):
    return ".".join(str(part) for part in location) or None


def validation_problem(status, error):
    return ApiProblem(status, errors=[(field_name(item["loc"]), item["msg"]) for item in error.errors()])


def parse_query(model):
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as error:
        raise validation_problem(400, error) from None


def parse_body(model):
    if not request.is_json:
        raise ApiProblem(415)
    try:
        data = json.loads(request.get_data(as_text=True))
    except (ValueError, UnicodeDecodeError):
        raise ApiProblem(400, "The request body is not valid JSON.") from None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise validation_problem(422, error) from None


def check_path(kwargs):
    """Refuse (404) a slug that cannot name a project, before it reaches the database.

    Numbers that no record can have never get here: the ``int`` converter
    (:mod:`tracker.web.routing`) does not match them.
    """
    slug = kwargs.get("slug")
    if slug is not None and not (isinstance(slug, str) and len(slug) <= 60 and SLUG.match(slug)):
        raise ApiProblem(404)


def json_response(model, status):
    """The model as JSON; never stored by caches, since answers hold what only this token may see."""
    body = model.model_dump(mode="json", by_alias=True) if model is not None else None
    response = Response(status=status) if body is None else Response(
        json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


class Api:
    """A blueprint's operations; :meth:`operation` is the only way to add an API endpoint."""

    def __init__(self, blueprint):
        self.blueprint = blueprint
        self.operations = []

    def operation(self, method, rule, *, operation_id, tag, summary, permission, response, description="",
                  scope="portfolio", sensitive=False, query=None, body=None, status=200, errors=(),
                  field_names=None, headers=None, media_types=()):
        """Register ``view`` at ``rule``. ``field_names`` renames a ValidationFailed's field to the body's name.

        ``headers`` (``{name: description}``) documents the headers of a successful answer; ``media_types``
        documents a file answer (the view returns a Flask response, and ``response`` is None).
        """
        if permission != PUBLIC:
            permissions.RULES[permission]  # fail at import time on a typo

        def decorate(view):
            guarded = self._guard(view, permission, scope, sensitive, query, body, response, status,
                                  field_names or (lambda name: name))
            self.blueprint.add_url_rule(rule, endpoint=view.__name__, view_func=guarded, methods=[method])
            self.operations.append(Operation(
                method=method.lower(), rule=rule, endpoint=view.__name__, operation_id=operation_id, tag=tag,
                summary=summary, description=description or (view.__doc__ or "").strip(), permission=permission,
                scope=scope, query=query, body=body, response=response, status=status, errors=tuple(errors),
                headers=dict(headers or {}), media_types=tuple(media_types)))
            return view

        return decorate

    def _guard(self, view, permission, scope, sensitive, query, body, response, status, field_names):
        @wraps(view)
        def guarded(**kwargs):
            check_path(kwargs)
            if permission != PUBLIC:
                if scope == "project":
                    slug = kwargs.pop("slug")
                    kwargs["project"] = project_access(get_project(get_session(), slug), permission,
                                                       sensitive=sensitive)
                elif scope == "portfolio" and not current_user.can(permission):
                    raise ApiProblem(404)
            if query is not None:
                kwargs["query"] = parse_query(query)
            if body is not None:
                kwargs["body"] = parse_body(body)
            try:
                result = view(**kwargs)
                transaction.flush()
            except ValidationFailed as error:
                reasons = [(field_names(name), message) for name, message in error.reasons]
                raise ApiProblem(422, errors=reasons) from None
            except (EditConflict, StaleDataError):
                raise ApiProblem(409, "The record changed after you read it: read it again, then send your change "
                                      "with its current version.") from None
            if isinstance(result, Response):
                return result
            model, code = result if isinstance(result, tuple) else (result, status)
            if response is not None and not isinstance(model, response):
                raise TypeError(f"{view.__name__} returned {type(model).__name__}, not {response.__name__}")
            return json_response(model, code)

        guarded.required_permission = permission
        guarded.api = True
        if scope == "project":
            guarded.project_scoped = True
        if sensitive:
            guarded.sensitive = True
        return guarded
