"""The API's own pages: the OpenAPI document and its human-readable rendering. Both are public: they
describe the software (which is open source) and hold no data."""

import json
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version

from flask import Response
from flask import current_app
from flask import render_template

from tracker.api.blueprint import api
from tracker.api.blueprint import bp
from tracker.api.docs import describe
from tracker.api.openapi import build_document
from tracker.api.problems import DETAILS
from tracker.api.problems import KINDS
from tracker.web.access import public

DOCUMENT = "tracker.api.openapi"


def software_version():
    try:
        return version("evidence-tracker")
    except PackageNotFoundError:
        return "0"


def document():
    """The document, built once per app (the registry does not change after start-up)."""
    if DOCUMENT not in current_app.extensions:
        current_app.extensions[DOCUMENT] = build_document(api, software_version())
    return current_app.extensions[DOCUMENT]


@bp.get("/openapi.json")
@public
def openapi_document():
    return Response(json.dumps(document(), ensure_ascii=False, indent=1), mimetype="application/json")


@bp.get("/docs")
@public
def docs():
    problems = [(slug, title, status, DETAILS[status]) for status, (slug, title) in sorted(KINDS.items())]
    return render_template("api/docs.html", api=describe(document()), problems=problems)
