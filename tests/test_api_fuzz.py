"""Schemathesis fuzzes every operation of the OpenAPI document through the WSGI app, with a real token.

It must find no server error and no response that breaks the document (status codes, content types,
headers, bodies), for valid (positive) and invalid (negative) input. The run is bounded
(``MAX_EXAMPLES`` per operation and mode) so that the suite stays fast; path parameters point at
seeded records so that the fuzzing reaches real data. Writes are exempt from one check,
"schema-valid input is accepted": input can fit the schema and still break a domain rule
(a harvest of another project, a dimension the indicator does not have), which answers 422
with field errors, as documented. Schemathesis's own pytest plugin
(``from_fixture``) does not run on pytest 9 yet, so each operation's Hypothesis test is built here
from ``APIOperation.as_strategy``.
"""

import importlib

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

import tracker.api
from tests.factories import TEST_ACTOR
from tracker.api.blueprint import api
from tracker.auth.models import User
from tracker.portfolio.models import Fund
from tracker.portfolio.services import get_project
from tracker.reports import jobs

MAX_EXAMPLES = 12

for _name in tracker.api.RESOURCES:
    importlib.import_module(f"tracker.api.{_name}")
OPERATIONS = sorted(operation.operation_id for operation in api.operations)


@pytest.fixture
def seeded(factory, session):
    """A project with a theory of change, an indicator with an approved actual, outcomes, stories and a traced claim."""
    project = factory.project()
    nodes = factory.toc_chain(project)
    factory.toc_link(project, nodes[0], nodes[2], assumptions=["Case workers stay in post after training."])
    indicator = factory.indicator(project, nodes[1], dimensions="sex: female, male")
    period = factory.period(indicator)
    factory.actual(indicator, period, value="80", breakdown_0="50", breakdown_1="30")
    outcome = factory.outcome(project, status="substantiated")
    cycle = factory.cycle(project)
    story = factory.story(project, cycle, safeguarding="approved")
    factory.story(project, cycle, safeguarding="restricted", consent={"scope_donor": False})
    claim, _links = factory.claim_with_chain(project)
    component = factory.component(project, claim)
    factory.ct_evidence(project, component)
    user = factory.user("me")
    token = factory.api_token(user)
    session.commit()
    return token, {"slug": project.slug, "indicator_id": indicator.id, "period_id": period.id,
                   "outcome_id": outcome.id, "story_id": story.id, "claim_id": claim.id,
                   "component_id": component.id, "user_id": user.id}


def leave_queued(_job_id):
    """The runner while reports are requested at random: a queued job answers the same 202, and building a dozen
    PDFs here would only take time (tests/test_api_reports.py builds them through the inline runner)."""


def built_report(app, session, ids):
    """The id of a report of the seeded project, built for the token's user (only for the report operations:
    building it takes seconds)."""
    user, project = session.get(User, ids["user_id"]), get_project(session, ids["slug"])
    report = jobs.create_job(session, TEST_ACTOR, user, fund=session.get(Fund, project.fund_id), project=project,
                             audience="donor", report_format="html")
    session.commit()
    jobs.run_job(app, report.id)
    return report.id


@pytest.fixture
def api_schema(app, seeded):
    """The document as Schemathesis loads it, with the seeded user's token for the ``bearer`` scheme.

    The token goes through Schemathesis's own auth configuration (not a forced header), so that its
    negative cases that leave the credentials out really arrive without them and must answer 401.
    """
    token, _ids = seeded
    # Its checks of invalid authentication send one same invalid token with every example; the throttle would
    # rightly answer 429 after API_AUTH_FAILURES_PER_TOKEN of them (tests/test_api_auth.py tests that).
    app.config["API_AUTH_FAILURES_PER_TOKEN"] = 1000
    config = schemathesis.Config.from_dict({"auth": {"openapi": {"bearer": {"bearer": token}}}})
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)


def find(schema, operation_id):
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.definition.raw.get("operationId") == operation_id:
            return operation
    raise LookupError(operation_id)


@pytest.mark.parametrize("operation_id", OPERATIONS)
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_every_operation_conforms_to_the_document(app, session, api_schema, seeded, operation_id, mode):
    _token, ids = seeded
    operation = find(api_schema, operation_id)
    if "report_id" in operation.path_parameters:
        ids = {**ids, "report_id": built_report(app, session, ids)}
    if operation_id == "requestReport":
        app.config["REPORT_JOB_RUNNER"] = f"{__name__}:leave_queued"
    fixed = {name: value for name, value in ids.items() if name in operation.path_parameters}
    excluded = [positive_data_acceptance] if operation.method.upper() != "GET" else []
    statuses = []

    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=fixed))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.filter_too_much])
    def check(case):
        statuses.append(case.call_and_validate(excluded_checks=excluded).status_code)

    check()
    if mode == GenerationMode.POSITIVE and operation.method.upper() == "GET":
        assert 200 in statuses, "the token never got through: every answer was " + str(sorted(set(statuses)))
