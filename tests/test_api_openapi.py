"""The OpenAPI 3.1 document, its docs page, and the token commands."""

import pytest
import sqlalchemy as sa
from openapi_spec_validator import validate

from tests.api_support import ApiClient
from tests.api_support import assert_problem
from tracker.api import tokens
from tracker.api.models import ApiToken


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def operations(document):
    return [(path, method, spec) for path, methods in document["paths"].items() for method, spec in methods.items()]


def test_the_document_is_valid_openapi_3_1(document):
    validate(document)

    assert document["openapi"].startswith("3.1")
    assert document["jsonSchemaDialect"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_document_loads_in_schemathesis(app):
    import schemathesis

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)

    assert len([result.ok() for result in schema.get_all_operations()]) == len(operations(app.test_client().get(
        "/api/v1/openapi.json").get_json()))


def test_every_operation_has_an_id_a_tag_and_documents_its_errors(document):
    ids = [spec["operationId"] for _path, _method, spec in operations(document)]

    assert len(ids) == len(set(ids)) >= 11
    for path, method, spec in operations(document):
        assert spec["tags"] and spec["summary"], (method, path)
        for status in ("401", "404", "429"):
            assert spec["responses"][status]["content"]["application/problem+json"], (method, path, status)
        if method in ("post", "put"):
            assert {"400", "415", "422"} <= set(spec["responses"]), (method, path)
            assert spec["requestBody"]["content"]["application/json"]["schema"]["$ref"]


def test_bearer_authentication_is_declared_for_every_operation(document):
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer", "description": document["components"]["securitySchemes"]["bearer"][
            "description"]}
    assert document["security"] == [{"bearer": []}]
    assert all("security" not in spec for _path, _method, spec in operations(document))


def test_lists_document_their_pagination_parameters(document):
    for path, _method, spec in operations(document):
        if spec["operationId"].startswith("list"):
            parameters = {parameter["name"]: parameter["schema"] for parameter in spec["parameters"]}
            assert parameters["per_page"]["maximum"] == 200, path
            assert parameters["page"]["minimum"] == 1, path
            schema = spec["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
            assert set(document["components"]["schemas"][schema]["properties"]) == {
                "items", "page", "per_page", "total", "next"}, path


def test_the_document_uses_the_schemas_the_endpoints_validate_with(document):
    from tracker.api.outcomes import OutcomeInput

    documented = document["components"]["schemas"]["OutcomeInput"]

    assert set(documented["properties"]) == set(OutcomeInput.model_fields)
    assert set(documented["required"]) == {"harvest_id", "description", "type_of_change"}
    assert documented["additionalProperties"] is False


def test_the_contract_names_appear_in_the_document(document):
    schemas = document["components"]["schemas"]

    assert {"from", "to", "assumptions"} <= set(schemas["TocLink"]["properties"])
    assert schemas["Outcome"]["properties"]["intended"]["type"] == "boolean"
    assert schemas["Verdict"]["enum"] == ["fully_agree", "partially_agree", "disagree"]
    assert "/api/v1/stories/{story_id}" in document["paths"]


def test_the_docs_page_renders_every_operation_without_script(client, document):
    response = client.get("/api/v1/docs")

    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "<script" not in html and 'style="' not in html
    for _path, _method, spec in operations(document):
        assert f'id="{spec["operationId"]}"' in html
    assert 'id="schema-Outcome"' in html and 'id="problem-not-found"' in html


def test_problem_types_lead_to_their_description_on_the_docs_page(api_as, factory, client):
    factory.project()
    body = assert_problem(api_as(factory.user("me")).get("/api/v1/projects/nope"), 404)

    assert body["type"] == "/api/v1/docs#problem-not-found"
    assert 'id="problem-not-found"' in client.get("/api/v1/docs").get_data(as_text=True)


def test_the_account_page_links_to_tokens_and_the_docs(client, factory, login):
    login(factory.user("donor"))

    html = client.get("/account").get_data(as_text=True)

    assert 'href="/account/api-tokens"' in html and 'href="/api/v1/docs"' in html


def test_create_token_prints_a_working_token_once(app, client, factory, session):
    user = factory.user("me", email="officer@example.org")
    factory.project()
    session.commit()

    result = app.test_cli_runner().invoke(args=["create-token", "officer@example.org", "--name", "Power BI"])

    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.startswith("et_") and ApiClient(client, token).get("/api/v1/projects").status_code == 200
    row = session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert row.name == "Power BI" and row.token_hash == tokens.hash_token(token)


def test_create_token_refuses_an_unknown_account(app):
    result = app.test_cli_runner().invoke(args=["create-token", "nobody@example.org"])

    assert result.exit_code != 0 and "No account" in result.output


def test_list_and_revoke_tokens_on_the_command_line(app, client, factory, session):
    user = factory.user("donor", email="donor@example.org")
    token = factory.api_token(user, name="Dashboard")
    token_id = factory.last_api_token.id
    session.commit()
    runner = app.test_cli_runner()

    listed = runner.invoke(args=["list-tokens", "donor@example.org"])
    revoked = runner.invoke(args=["revoke-token", str(token_id)])

    assert "Dashboard" in listed.output and "active" in listed.output and token not in listed.output
    assert revoked.exit_code == 0 and f"Revoked 1 token(s): {token_id}." in revoked.output
    assert "revoked" in runner.invoke(args=["list-tokens"]).output
    assert_problem(ApiClient(client, token).get("/api/v1/projects"), 401)


def test_revoke_every_token_of_a_user(app, client, factory, session):
    user = factory.user("grantee", email="grantee@example.org")
    first, second = factory.api_token(user, name="One"), factory.api_token(user, name="Two")
    session.commit()

    result = app.test_cli_runner().invoke(args=["revoke-token", "--user", "grantee@example.org"])

    assert result.exit_code == 0 and "Revoked 2 token(s)" in result.output
    for token in (first, second):
        assert_problem(ApiClient(client, token).get("/api/v1/projects"), 401)
