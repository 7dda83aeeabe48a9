"""Contribution claims as invariants: the confidence rule where a claim is saved and wherever it is shown, Mayne's
step 4 with alternative explanations, influencing factors, the sufficiency of the causal package, and claims in
progress in donor reports. Each test is a scenario an M&E officer, a grantee or a donor meets."""

import html

import pytest
import sqlalchemy as sa
from sqlmodel import select

from tests.api_support import assert_problem
from tests.factories import TEST_ACTOR
from tracker import migrate
from tracker.auth.permissions import Role
from tracker.common.errors import ValidationFailed
from tracker.contribution import services
from tracker.contribution.models import AlternativeExplanation
from tracker.contribution.models import ContributionClaim
from tracker.db import make_engine
from tracker.reports import render
from tracker.reports.models import Audience
from tracker.reports.portfolio import portfolio_report
from tracker.reports.project import project_report
from tracker.reports.scope import Requester
from tracker.toc import services as toc_services

pytestmark = pytest.mark.both_backends

STAFF = Requester("M&E officer", Role.ME)
LOWERED = "Stated strong; lowered to moderate because"


@pytest.fixture
def project(factory, session):
    project = factory.project("thailand-helpline", title="Aselo helpline platform")
    session.commit()
    return project


@pytest.fixture
def me(factory, login, session):
    user = factory.user("me")
    session.commit()
    login(user)
    return user


@pytest.fixture
def me_api(api_as, factory):
    return api_as(factory.user("me"))


def text_of(response):
    return html.unescape(response.get_data(as_text=True))


def strong_claim(factory, session, project):
    """A claim judged strong at step 4: its one assumption partly supported, its rival explanation ruled out."""
    claim, links = factory.claim_with_chain(project, assumptions=["Children trust a text channel"])
    assumption = links[1].assumptions[0]
    toc_services.update_assumption(session, TEST_ACTOR, project, assumption,
                                   {"text": assumption.text, "status": "partly_supported"}, assumption.version)
    rival = factory.explanation(project, claim, status="ruled_out")
    for step in ("postulate_toc", "gather_evidence", "assemble_story"):
        services.move_step(session, TEST_ACTOR, project, claim, step, claim.version)
    claim = services.get_claim(session, project, claim.id)
    values = edit_values(claim, confidence="strong")
    services.update_claim(session, TEST_ACTOR, project, claim, values, claim.version)
    session.commit()
    return claim, assumption, rival


def edit_values(claim, **changes):
    values = {name: getattr(claim, name) for name in services.CLAIM_FIELDS}
    values["pathway"] = [item.link_id for item in claim.pathway]
    return {**values, **changes}


def assumption_becomes(session, project, assumption, status):
    toc_services.update_assumption(session, TEST_ACTOR, project, assumption,
                                   {"text": assumption.text, "status": status}, assumption.version)
    session.commit()


def donor_report(session, project, **options):
    return project_report(session, project, Audience.DONOR, STAFF, **options)


def claim_entry(report, claim):
    (entry,) = [entry for entry in report.section.claims if entry.id == claim.id]
    return entry


# Strong, where it is saved ---------------------------------------------------------------------------------------


def test_strong_is_refused_at_step_3_while_every_pathway_assumption_is_untested(client, factory, session, submit,
                                                                                 project, me):
    claim, links = factory.claim_with_chain(project, assumptions=["Children trust a text channel"])
    session.commit()
    form = {**edit_values(claim, confidence="strong"), "version": str(claim.version)}
    form.update({f"link_{number}": str(link.id) for number, link in enumerate(links, start=1)})
    form = {name: str(value.value if hasattr(value, "value") else value) for name, value in form.items()
            if name != "pathway"}

    text = text_of(submit(f"/projects/{project.slug}/claims/{claim.id}/edit", form))

    assert 'id="confidence-error"' in text
    assert "Confidence cannot be strong: the assumption “Children trust a text channel” is still untested." in text
    assert f'value="{claim.title}"' in text


def test_strong_is_refused_through_the_api_while_a_rival_explanation_is_still_plausible(me_api, factory, session,
                                                                                        project):
    claim, _assumption, rival = strong_claim(factory, session, project)
    services.save_explanation(session, TEST_ACTOR, project, claim, {
        "kind": "alternative_explanation", "text": rival.text, "status": "plausible"}, rival, rival.version)
    session.commit()
    body = me_api.get(f"/api/v1/claims/{claim.id}").get_json()

    problem = assert_problem(me_api.put(f"/api/v1/claims/{claim.id}", json={
        "title": body["title"], "cause_effect_question": body["cause_effect_question"],
        "claim_text": body["claim_text"], "outcome_node_id": body["outcome_node_id"], "pathway": body["pathway"],
        "qualitative_confidence": "strong", "version": body["version"]}), 422)

    (error,) = problem["errors"]
    assert error["field"] == "qualitative_confidence"
    assert "the alternative explanation “Children moved to chat during the pandemic anyway.” is still plausible" \
        in error["message"]


def test_strong_is_refused_while_tracing_puts_the_claim_at_0_15_unless_the_team_records_why(factory, session,
                                                                                          project):
    claim, _assumption, _rival = strong_claim(factory, session, project)
    factory.ct_evidence(project, factory.component(project, claim), sensitivity=0.15, type1_error=0.85)
    session.commit()
    claim = services.get_claim(session, project, claim.id)

    with pytest.raises(ValidationFailed) as refused:
        services.update_claim(session, TEST_ACTOR, project, claim, edit_values(claim), claim.version)
    reason = "Tracing covers only the first component so far; three interviews confirm the rest."
    services.update_claim(session, TEST_ACTOR, project, claim, edit_values(claim, low_tracing_reason=reason),
                          claim.version)
    session.commit()

    assert "contribution tracing puts the claim at 0.150, below 0.5" in refused.value.reasons[0][1]
    entry = claim_entry(donor_report(session, project), claim)
    assert entry.qualitative_confidence == "strong" and entry.lowered_because is None
    assert entry.low_tracing_reason == reason


def test_a_claim_created_through_the_api_as_strong_without_a_pathway_is_refused(me_api, project):
    problem = assert_problem(me_api.post(f"/api/v1/projects/{project.slug}/claims", json={
        "title": "Chat brought children to counsellors", "cause_effect_question": "Did the LINE channel help?",
        "qualitative_confidence": "strong"}), 422)

    assert [error["field"] for error in problem["errors"]] == ["qualitative_confidence"]


# Strong, wherever it is shown ------------------------------------------------------------------------------------


def test_a_strong_claim_is_lowered_on_the_claim_list_when_an_assumption_becomes_not_supported(
        client, factory, session, project, me):
    claim, assumption, _rival = strong_claim(factory, session, project)
    before = text_of(client.get(f"/projects/{project.slug}/claims"))

    assumption_becomes(session, project, assumption, "not_supported")
    after = text_of(client.get(f"/projects/{project.slug}/claims"))

    assert 'class="confidence confidence--strong"' in before and LOWERED not in before
    assert 'class="confidence confidence--strong"' not in after
    assert f"{LOWERED} the assumption “Children trust a text channel” is not supported." in after
    session.expire_all()
    assert session.get(ContributionClaim, claim.id).confidence.value == "strong"


def test_a_strong_claim_is_lowered_in_the_api_when_a_rival_explanation_becomes_plausible(me_api, factory, session,
                                                                                         project):
    claim, _assumption, rival = strong_claim(factory, session, project)
    services.save_explanation(session, TEST_ACTOR, project, claim, {
        "kind": "alternative_explanation", "text": rival.text, "status": "plausible"}, rival, rival.version)
    session.commit()

    one = me_api.get(f"/api/v1/claims/{claim.id}").get_json()
    (listed,) = me_api.get(f"/api/v1/projects/{project.slug}/claims").get_json()["items"]

    for body in (one, listed):
        assert body["qualitative_confidence"] == "moderate" and body["stated_qualitative_confidence"] == "strong"
        assert body["qualitative_confidence_lowered_because"] == [
            "the alternative explanation “Children moved to chat during the pandemic anyway.” is still plausible"]


def test_a_strong_claim_is_lowered_in_the_donor_report_when_tracing_drops_below_0_5(app, factory, session,
                                                                                    project):
    claim, _assumption, _rival = strong_claim(factory, session, project)
    component = factory.component(project, claim)
    factory.ct_evidence(project, component, sensitivity=0.7, type1_error=0.1, observed="found")
    session.commit()
    before = claim_entry(donor_report(session, project), claim)

    factory.ct_evidence(project, component, sensitivity=0.95, type1_error=0.3, observed="not_found")
    factory.ct_evidence(project, component, sensitivity=0.95, type1_error=0.3, observed="not_found")
    session.commit()
    report = donor_report(session, project)
    entry = claim_entry(report, claim)
    with app.test_request_context():
        page = html.unescape(render.project_html(report))

    assert before.qualitative_confidence == "strong" and before.lowered_because is None
    assert entry.confidence < 0.5 and entry.qualitative_confidence == "moderate"
    assert entry.lowered_because.startswith(f"{LOWERED} contribution tracing puts the claim at")
    assert LOWERED in page


def test_no_donor_report_shows_a_bare_strong_beside_a_not_supported_assumption(app, factory, session, project):
    claim, assumption, _rival = strong_claim(factory, session, project)
    assumption_becomes(session, project, assumption, "not_supported")

    with app.test_request_context():
        page = html.unescape(render.project_html(donor_report(session, project)))
        portfolio = portfolio_report(session, factory.fund(), Audience.DONOR, STAFF)
        summary = html.unescape(render.portfolio_html(portfolio))

    assert f"{LOWERED} the assumption “Children trust a text channel” is not supported." in page
    assert "Team's own judgement: Moderate." in page and "Team's own judgement: Strong." not in page
    assert LOWERED in summary


def test_the_claim_list_judges_every_claim_in_a_constant_number_of_queries(client, factory, session, project, me,
                                                                          count_queries):
    def queries_with(total):
        while session.exec(select(ContributionClaim).where(ContributionClaim.project_id == project.id)).all() \
                .__len__() < total:
            strong_claim(factory, session, project)
        with count_queries() as counter:
            assert client.get(f"/projects/{project.slug}/claims").status_code == 200
        return counter.count

    assert queries_with(2) == queries_with(5)


# Step 4: alternative explanations; influencing factors are their own kind -----------------------------------------


def test_step_4_is_refused_when_only_an_influencing_factor_is_recorded(factory, session, project):
    claim, _links = factory.claim_with_chain(project)
    factory.explanation(project, claim, kind="influencing_factor", influence="hindered",
                        accounted_for="The claim stops at referral.", status=None)
    for step in ("postulate_toc", "gather_evidence"):
        services.move_step(session, TEST_ACTOR, project, claim, step, claim.version)

    with pytest.raises(ValidationFailed) as refused:
        services.move_step(session, TEST_ACTOR, project, claim, "assemble_story", claim.version)

    assert [reason for _field, reason in refused.value.reasons] == [
        "Assess at least one alternative explanation: another cause that could explain the result (an influencing "
        "factor does not count)."]


def test_an_influencing_factor_says_whether_it_enabled_or_hindered_the_result_and_how_it_was_taken_into_account(
        client, factory, session, submit, project, me):
    claim, _links = factory.claim_with_chain(project)
    session.commit()
    url = f"/projects/{project.slug}/claims/{claim.id}/explanations/new"

    refused = text_of(submit(url, {"kind": "influencing_factor", "text": "Thin provincial social-welfare services",
                                   "status": "plausible", "accounted_for": ""}))
    submit(url, {"kind": "influencing_factor", "text": "Thin provincial social-welfare services",
                 "influence": "hindered", "accounted_for": "The claim stops at referral; follow-up is reported "
                                                           "separately."})
    page = text_of(client.get(f"/projects/{project.slug}/claims/{claim.id}"))

    assert "Say whether the factor enabled the result, hindered it, or both." in refused
    assert "Thin provincial social-welfare services" in refused
    factor = session.exec(select(AlternativeExplanation).where(AlternativeExplanation.claim_id == claim.id)).one()
    assert factor.influence.value == "hindered" and factor.status is None
    assert "Hindered the result" in page and "The claim stops at referral; follow-up is reported separately." in page
    evidence_page = client.get(f"/projects/{project.slug}/claims/{claim.id}/explanations/{factor.id}/evidence")
    assert evidence_page.status_code == 200 and "Hindered the result" in text_of(evidence_page)


def test_an_influencing_factor_recorded_before_it_had_its_own_fields_still_shows(client, factory, session, project,
                                                                                  me):
    claim, _links = factory.assessed_claim(project)
    session.add(AlternativeExplanation(claim_id=claim.id, kind="influencing_factor", status="partly",
                                       text="Pandemic lockdowns kept children at home"))
    session.commit()

    page = text_of(client.get(f"/projects/{project.slug}/claims/{claim.id}"))
    session.expire_all()
    entry = claim_entry(donor_report(session, project), claim)

    assert "Pandemic lockdowns kept children at home" in page and "Effect on the result not recorded yet" in page
    assert [(item.kind, item.influence) for item in entry.explanations][-1] == ("influencing_factor", "")


# INUS: sufficiency as well as necessity -------------------------------------------------------------------------


def test_the_team_records_whether_the_causal_package_was_sufficient_on_the_form_the_api_and_in_reports(
        client, factory, session, submit, me_api, project, me):
    claim, links = factory.assessed_claim(project)
    session.commit()
    form = {name: str(value.value if hasattr(value, "value") else value)
            for name, value in edit_values(claim, sufficiency="sufficient").items() if name != "pathway"}
    form.update({f"link_{number}": str(link.id) for number, link in enumerate(links, start=1)},
                version=str(claim.version))

    submit(f"/projects/{project.slug}/claims/{claim.id}/edit", form)
    page = text_of(client.get(f"/projects/{project.slug}/claims/{claim.id}"))
    body = me_api.get(f"/api/v1/claims/{claim.id}").get_json()
    session.expire_all()
    entry = claim_entry(donor_report(session, project), claim)

    assert "Yes: the package, the project included, was enough for the result" in page
    assert body["sufficiency"] == "sufficient" and body["necessity"] == "necessary"
    assert entry.sufficiency == "sufficient" and entry.necessity == "necessary"


# Claims below step 4 in donor reports -------------------------------------------------------------------------------


def test_a_donor_report_leaves_out_a_claim_still_at_step_1_and_says_how_many(app, factory, session, project):
    stated, _links = factory.assessed_claim(project)
    early, _links = factory.claim_with_chain(project)
    session.commit()

    report = donor_report(session, project)
    internal = project_report(session, project, Audience.INTERNAL, STAFF)

    assert [entry.id for entry in report.section.claims] == [stated.id]
    assert report.section.claims_in_progress == [] and report.section.claims_left_out == 1
    assert [entry.id for entry in report.section.figures.claims] == [stated.id]
    with app.test_request_context():
        assert early.title not in html.unescape(render.project_html(report))
    assert {entry.id for entry in internal.section.claims} == {stated.id, early.id}


def test_a_donor_report_lists_claims_in_progress_as_work_in_progress_when_asked(app, factory, session, project):
    stated, _links = factory.assessed_claim(project)
    early, _links = factory.claim_with_chain(project)
    session.commit()

    report = donor_report(session, project, claims_in_progress=True)
    with app.test_request_context():
        page = html.unescape(render.project_html(report))

    assert [entry.id for entry in report.section.claims] == [stated.id]
    assert [entry.title for entry in report.section.claims_in_progress] == [early.title]
    assert report.section.claims_left_out == 0
    assert "Work in progress: claims not yet assessed" in page
    conclusions, work_in_progress = page.split("Work in progress: claims not yet assessed")
    assert early.title not in conclusions and early.title in work_in_progress


def test_the_fund_wide_donor_report_never_states_a_claim_below_step_4_as_a_conclusion(app, factory, session,
                                                                                     project):
    stated, _links = factory.assessed_claim(project)
    early, _links = factory.claim_with_chain(project)
    session.commit()

    left_out = portfolio_report(session, factory.fund(), Audience.DONOR, STAFF)
    listed = portfolio_report(session, factory.fund(), Audience.DONOR, STAFF, claims_in_progress=True)

    banded = [claim.id for _band, claims in left_out.synthesis.claims_by_band for claim, _project in claims]
    assert banded == [stated.id] and left_out.totals["claims"] == 1 and left_out.claims_left_out == 1
    assert [entry.id for entry in listed.claims_in_progress] == [early.id] and listed.claims_left_out == 0
    with app.test_request_context():
        assert early.title not in html.unescape(render.portfolio_html(left_out))


def test_the_report_form_offers_the_work_in_progress_list_and_the_preview_follows_it(client, factory, login,
                                                                                    session, submit, project):
    early, _links = factory.claim_with_chain(project)
    session.commit()
    login(factory.user("donor"))

    response = submit(f"/projects/{project.slug}/reports", {"audience": "donor", "claims_in_progress": "y",
                                                            "action": "preview"})
    listed = text_of(client.get(response.headers["Location"]))
    left_out = text_of(client.get(f"/projects/{project.slug}/reports/preview?audience=donor&language=en"))

    assert "claims_in_progress=y" in response.headers["Location"]
    assert "Work in progress: claims not yet assessed" in listed and early.title in listed
    assert early.title not in left_out
    assert "1 claim still below step 4 of contribution analysis is left out of this report" in left_out


def insert_filled(sqlite, table, now):
    """Row 1 of ``table`` with a plain value in every required column (references point at row 1)."""
    columns = [(name, kind.upper()) for _cid, name, kind, not_null, default, _pk
               in sqlite.execute(f"PRAGMA table_info({table})") if not_null and default is None]
    filler = {"INTEGER": 1, "BOOLEAN": 0, "FLOAT": 0, "DATE": "2024-01-01", "DATETIME": now}
    values = [filler.get(kind.split("(")[0], 1 if name == "id" else "x") for name, kind in columns]
    names, marks = ", ".join(name for name, _kind in columns), ", ".join("?" for _ in columns)
    sqlite.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", values)  # noqa: S608 - names from the schema


def test_influencing_factors_recorded_before_the_migration_keep_their_status_and_stay_valid(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/before-0018.sqlite")
    migrate.upgrade(engine, "0017")
    now = "2024-05-01 10:00:00.000000"
    raw = engine.raw_connection()
    sqlite = raw.driver_connection
    for table in ("fund", "organisation", "pillar", "project"):
        insert_filled(sqlite, table, now)
    sqlite.execute(
        "INSERT INTO contribution_claim (id, project_id, title, question, claim_text, level, causal_package, "
        "necessity, step, confidence, created_at, updated_at, version) VALUES (1, 1, 'Chat', 'Did it?', '', "
        "'direct_influence', '', 'necessary', 'revise_story', 'moderate', ?, ?, 1)", (now, now))
    sqlite.execute(
        "INSERT INTO alternative_explanation (id, claim_id, kind, text, status, note, created_at, updated_at, "
        "version) VALUES (1, 1, 'influencing_factor', 'Lockdowns kept children at home', 'partly', '', ?, ?, 1)",
        (now, now))
    sqlite.commit()
    raw.close()

    migrate.upgrade(engine)
    with engine.connect() as connection:
        claim = connection.execute(sa.text("SELECT sufficiency, low_tracing_reason FROM contribution_claim")).one()
        factor = connection.execute(sa.text("SELECT kind, status, influence, accounted_for "
                                            "FROM alternative_explanation")).one()
        job_columns = {column["name"] for column in sa.inspect(connection).get_columns("report_job")}
    engine.dispose()

    assert tuple(claim) == ("not_yet_known", "")
    assert tuple(factor) == ("influencing_factor", "partly", None, "")
    assert "claims_in_progress" in job_columns
