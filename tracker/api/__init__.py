"""The JSON API v1 under ``/api/v1``: bearer tokens, problem details, pagination, OpenAPI 3.1.

Layout:

* ``registry.py``: :class:`~tracker.api.registry.Api`, the operation registry. One
  ``@api.operation(...)`` declaration per endpoint gives its route, permission,
  query/body/response models and error statuses; the wrapper enforces them.
* ``openapi.py`` builds ``/api/v1/openapi.json`` from those declarations and the
  pydantic models; ``docs.py`` + ``templates/api/docs.html`` render it at ``/api/v1/docs``.
* ``auth.py`` (bearer tokens, throttling), ``tokens.py`` (token services),
  ``models.py`` (``ApiToken``), ``cli.py`` (create/list/revoke commands),
  ``problems.py`` (RFC 9457 errors), ``common.py`` (pagination, shared schemas),
  ``account.py`` (the web page where people create and revoke their own tokens).
* One module per resource, holding its schemas and its routes: ``projects.py``,
  ``toc.py``, ``indicators.py``, ``outcomes.py``, ``stories.py``, ``claims.py``, ``reports.py``.

Adding a resource (e.g. contribution claims) is one new module, say
``tracker/api/claims.py``:

1. define its pydantic schemas by subclassing :class:`tracker.api.common.Schema`
   (``ClaimInput`` for the body, ``Claim`` for the answer; a ``Page[Claim]``
   subclass for lists);
2. declare each route with ``@api.operation("POST", "/projects/<slug>/claims",
   operation_id="createClaim", tag="Contribution claims", summary=...,
   permission="claim.edit", scope="project", body=ClaimInput, response=Claim,
   status=201)``; the view receives ``project`` and ``body``, calls the area's
   services with :func:`tracker.web.access.actor` and returns the model; it never
   commits (:mod:`tracker.web.transaction` commits a 2xx answer, rolls back an error)
   and never catches ``ValidationFailed`` (the registry answers it with a 422).
   Objects addressed by id alone (``/claims/<int:claim_id>``) load the record,
   then call :func:`tracker.api.registry.project_access` on its project;
3. add the module's name to ``RESOURCES`` below (and its tag to
   ``openapi.TAGS``). The OpenAPI document, the docs page, the deny-by-default
   test and the schemathesis run pick the new operations up by themselves.
"""

RESOURCES = ("projects", "toc", "indicators", "outcomes", "stories", "claims", "reports")


def init_app(app):
    import importlib

    from tracker.api import account
    from tracker.api import cli
    from tracker.api import problems
    from tracker.api import views  # noqa: F401  (registers the document and docs routes)
    from tracker.api.blueprint import bp
    from tracker.web import errors

    for name in RESOURCES:
        importlib.import_module(f"tracker.api.{name}")
    app.register_blueprint(bp)
    app.register_blueprint(account.bp)
    app.extensions["csrf"].exempt(bp)
    app.register_error_handler(problems.ApiProblem, problems.from_exception)
    errors.register_renderer(app, "/api/", problems.from_exception)
    cli.init_app(app)
