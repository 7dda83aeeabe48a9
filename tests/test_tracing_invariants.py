"""Contribution tracing as the fund's methods annex states it (issue 13, finding 5): bands that float error cannot
flip, 0.5 as likely as not, figures printed with their band, disconfirming evidence named and confirmed, and an
append-only history of every probability and observation."""

import html
import random

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from sqlmodel import Session

from tests.factories import TEST_ACTOR
from tests.factories import Factory
from tracker import migrate
from tracker.audit.services import AppendOnlyViolation
from tracker.auth.permissions import Role
from tracker.common.errors import ValidationFailed
from tracker.contribution.models import CtEvidence
from tracker.contribution.models import CtRevision
from tracker.contribution.tracing import bayes as tracing
from tracker.contribution.tracing import services as tracing_services
from tracker.db import make_engine
from tracker.reports import render
from tracker.reports.project import project_report
from tracker.reports.scope import Requester

STAFF = Requester("M&E officer", Role.ME)


def found_and_not_found(pairs, sensitivity, type1_error, order=None):
    items = [tracing.EvidenceItem(index, sensitivity, type1_error, observed)
             for index in range(pairs) for observed in (tracing.Observation.FOUND, tracing.Observation.NOT_FOUND)]
    if order is not None:
        order.shuffle(items)
    return items


def text_of(response):
    return html.unescape(response.get_data(as_text=True))


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


# Bands --------------------------------------------------------------------------------------------------------


def test_a_component_with_no_evidence_yet_is_as_likely_as_not():
    result = tracing.trace_component([])

    assert tracing.verbal_band(result.confidence) == "as likely as not"


def test_fifteen_found_and_fifteen_not_found_on_the_same_item_type_are_exactly_as_likely_as_not():
    result = tracing.trace_component(found_and_not_found(15, 0.6, 0.4))

    assert tracing.verbal_band(result.confidence) == "as likely as not"
    assert tracing.rounded(result.confidence) == 0.5


@pytest.mark.parametrize("bound, label", [(0.3, "less confident than not"), (0.7, "reasonably confident"),
                                          (0.85, "very confident"), (0.95, "extremely confident"),
                                          (0.99, "practical certainty")])
def test_a_figure_a_rounding_error_away_from_a_bound_is_named_as_the_bound(bound, label):
    assert tracing.verbal_band(bound - 1e-13) == label
    assert tracing.verbal_band(bound + 1e-13) == label


def test_just_above_and_just_below_one_half_lean_either_way():
    assert tracing.verbal_band(0.500000001) == "more confident than not"
    assert tracing.verbal_band(0.499999999) == "less confident than not"


def test_the_scale_prints_the_midpoint_as_one_figure_and_the_next_band_from_above_it():
    rows = {row.band.label: row for row in tracing.scale_rows()}

    assert (rows["as likely as not"].lower, rows["as likely as not"].upper) == (0.5, 0.5)
    assert rows["more confident than not"].lower_included is False
    assert (rows["more confident than not"].lower, rows["more confident than not"].upper) == (0.5, 0.7)
    assert rows["practical certainty"].upper is None


def test_a_funds_own_scale_keeps_one_half_as_likely_as_not(factory, session, project):
    fund = factory.fund()
    tracing_services.save_bands(session, TEST_ACTOR, fund, "0 unlikely\n0.5 plausible", fund.version)
    bands = tracing_services.fund_bands(session, fund.id)

    assert tracing.verbal_band(0.5, bands) == "as likely as not"
    assert tracing.verbal_band(0.6, bands) == "plausible"
    assert "as likely as not" not in tracing_services.bands_as_text(bands)


@settings(max_examples=150, deadline=None)
@given(st.floats(0, 1), st.floats(0, 1))
def test_the_band_never_falls_as_confidence_rises(first, second):
    lower, higher = sorted((first, second))

    assert tracing.band_rank(lower) <= tracing.band_rank(higher)


@settings(max_examples=100, deadline=None)
@given(sensitivity=st.floats(0.01, 0.99), pairs=st.integers(1, 25), seed=st.integers(0, 1000),
       prior=st.sampled_from([0.5, 0.3, 0.7, 0.85, 0.15, 0.42, 0.9]), mirrored=st.booleans())
def test_found_and_not_found_pairs_that_cancel_return_exactly_to_the_priors_band(sensitivity, pairs, seed, prior,
                                                                                   mirrored):
    """Pairs of equal weight in opposite directions: Se = 1 − α (found and not found weigh the same), or Se = α."""
    type1_error = 1 - sensitivity if mirrored else sensitivity
    result = tracing.trace_component(found_and_not_found(pairs, sensitivity, type1_error, random.Random(seed)),
                                     prior=prior)

    assert tracing.verbal_band(result.confidence) == tracing.verbal_band(prior)


# Printed figures -------------------------------------------------------------------------------------------


def test_0846_is_printed_to_three_decimals_beside_reasonably_confident():
    assert tracing.figure_decimals(0.846) == 3
    assert tracing.verbal_band(0.846) == "reasonably confident"


@pytest.mark.parametrize("value, decimals", [(0.8496, 4), (0.85, 3), (0.69996, 5), (0.7, 3), (0.98999, 5),
                                             (0.5000004, 7), (0.4999999999999976, 3)])
def test_a_figure_next_to_a_bound_is_printed_with_the_decimals_that_keep_it_in_its_band(value, decimals):
    assert tracing.figure_decimals(value) == decimals
    assert tracing.band_of(round(value, decimals)) == tracing.band_of(value)


def test_the_claim_page_prints_0846_beside_reasonably_confident(client, factory, session, project, me):
    claim, _links = factory.claim_with_chain(project)
    factory.component(project, claim, prior="0.846")
    session.commit()

    text = text_of(client.get(f"/projects/{project.slug}/claims/{claim.id}/tracing"))

    assert "0.846</strong> — <strong>reasonably confident" in text
    assert "0.85</strong>" not in text


def test_the_report_prints_0846_beside_reasonably_confident_and_never_085(app, factory, session, project):
    claim, _links = factory.claim_with_chain(project)
    factory.component(project, claim, prior="0.846")
    session.flush()

    with app.test_request_context():
        text = html.unescape(render.html_for(project_report(session, project, "internal", STAFF)))

    assert "0.846</strong>: reasonably confident" in text
    assert "0.85:" not in text and "0.85</strong>" not in text


def test_the_reports_methods_annex_prints_the_scale_with_one_half_as_likely_as_not(app, factory, session, project):
    with app.test_request_context():
        text = html.unescape(render.html_for(project_report(session, project, "donor", STAFF)))
    annex = text[text.index('id="annex-methods"'):]

    assert "exactly 0.50</td><th scope=\"row\">as likely as not" in annex
    assert "above 0.50 to under 0.70</td><th scope=\"row\">more confident than not" in annex
    assert "0.85 to under 0.95</td><th scope=\"row\">very confident" in annex


# Direction ------------------------------------------------------------------------------------------------


def test_a_smoking_gun_whose_finding_lowers_confidence_is_disconfirming_evidence():
    result = tracing.trace_component([tracing.EvidenceItem(1, 0.05, 0.10, tracing.Observation.FOUND)])

    assert result.confidence < 0.5
    assert tracing.disconfirming(0.05, 0.10) and not tracing.disconfirming(0.30, 0.05)
    assert result.steps[0].test_type == tracing.EvidenceTest.SMOKING_GUN  # against the component: Se, α swapped


def test_a_hoop_against_the_component_is_named_in_its_direction():
    assert tracing.classify(0.3, 0.9) == tracing.EvidenceTest.HOOP
    assert tracing.classify(0.9, 0.3) == tracing.EvidenceTest.HOOP
    assert tracing.classify(0.1, 0.95) == tracing.EvidenceTest.DOUBLY_DECISIVE


def test_the_form_warns_before_saving_disconfirming_evidence_and_keeps_the_input(client, factory, session, submit,
                                                                                 project, me):
    claim, _links = factory.claim_with_chain(project)
    component = factory.component(project, claim)
    session.commit()
    url = f"/projects/{project.slug}/claims/{claim.id}/tracing/components/{component.id}/evidence/new"
    data = {"description": "Moderators' logs mention the tool", "sensitivity": "0.05", "type1_error": "0.10",
            "observed": "found"}

    warned = submit(url, data)

    assert warned.status_code == 200
    assert "it is disconfirming evidence" in text_of(warned) and 'id="confirm_disconfirming-error"' in text_of(warned)
    assert 'value="0.05"' in text_of(warned) and "Moderators&#39; logs mention the tool" in warned.get_data(
        as_text=True)
    assert session.scalar(sa.select(sa.func.count()).select_from(CtEvidence)) == 0

    saved = submit(url, {**data, "confirm_disconfirming": "y"})

    assert saved.status_code == 302
    assert session.scalar(sa.select(sa.func.count()).select_from(CtEvidence)) == 1


def test_the_tracing_page_and_the_report_label_disconfirming_evidence(app, client, factory, session, project, me):
    claim, _links = factory.claim_with_chain(project)
    component = factory.component(project, claim)
    factory.ct_evidence(project, component, 0.05, 0.10, "found", description="Moderators' logs mention the tool")
    session.commit()

    page = text_of(client.get(f"/projects/{project.slug}/claims/{claim.id}/tracing"))
    with app.test_request_context():
        report = html.unescape(render.html_for(project_report(session, project, "internal", STAFF)))

    assert ('Smoking gun <span class="tag tag--disconfirming">disconfirming: finding it lowers confidence</span>'
            in page)
    assert "disconfirming: finding it lowers confidence" in report


def test_the_api_marks_disconfirming_evidence(api_as, factory, session, project):
    claim, _links = factory.claim_with_chain(project)
    component = factory.component(project, claim)
    factory.ct_evidence(project, component, 0.05, 0.10, "found")
    session.commit()

    body = api_as(factory.user("me")).get(f"/api/v1/claims/{claim.id}").get_json()

    assert body["components"][0]["steps"][0]["disconfirming"] is True


# Revisions ------------------------------------------------------------------------------------------------


def revisions(session):
    return session.scalars(sa.select(CtRevision).order_by(CtRevision.id)).all()


def test_evidence_is_recorded_with_its_first_values(factory, session, project):
    claim, _links = factory.claim_with_chain(project)
    component = factory.component(project, claim)
    item = factory.ct_evidence(project, component, 0.3, 0.05, "pending")

    assert [(row.ct_evidence_id, row.field, row.old_value, row.new_value) for row in revisions(session)] == [
        (None, "prior", None, "0.5"), (item.id, "sensitivity", None, "0.3"), (item.id, "type1_error", None, "0.05"),
        (item.id, "observed", None, "pending")]


def test_changing_se_after_the_fact_needs_a_reason(factory, session, project):
    claim, _links = factory.claim_with_chain(project)
    component = factory.component(project, claim)
    item = factory.ct_evidence(project, component, 0.3, 0.05, "pending")
    before = len(revisions(session))

    with pytest.raises(ValidationFailed) as error:
        tracing_services.update_ct_evidence(session, TEST_ACTOR, project, item, {
            "description": item.description, "sensitivity": "0.6", "type1_error": "0.05", "observed": "pending"},
            item.version)

    assert [field for field, _message in error.value.reasons] == ["reason"]
    assert len(revisions(session)) == before


def test_a_change_to_se_and_the_observation_is_kept_with_who_when_and_why(factory, session, project):
    claim, _links = factory.claim_with_chain(project)
    component = factory.component(project, claim)
    item = factory.ct_evidence(project, component, 0.3, 0.05, "pending")

    tracing_services.update_ct_evidence(session, TEST_ACTOR, project, item, {
        "description": item.description, "sensitivity": "0.6", "type1_error": "0.05", "observed": "found",
        "reason": "Found in the March referral register."}, item.version)

    changed = [row for row in revisions(session) if row.old_value is not None]
    assert [(row.field, row.old_value, row.new_value) for row in changed] == [
        ("sensitivity", "0.3", "0.6"), ("observed", "pending", "found")]
    assert {(row.reason, row.changed_by) for row in changed} == {("Found in the March referral register.",
                                                                  TEST_ACTOR.email)}
    assert all(row.changed_at is not None for row in changed)


def test_editing_only_the_description_needs_no_reason_and_adds_no_revision(factory, session, project):
    claim, _links = factory.claim_with_chain(project)
    component = factory.component(project, claim)
    item = factory.ct_evidence(project, component, 0.3, 0.05, "pending")
    before = len(revisions(session))

    tracing_services.update_ct_evidence(session, TEST_ACTOR, project, item, {
        "description": "Same-day referrals in the register", "sensitivity": "0.3", "type1_error": "0.05",
        "observed": "pending"}, item.version)

    assert len(revisions(session)) == before


def test_a_new_prior_needs_a_reason_and_is_kept(factory, session, project):
    claim, _links = factory.claim_with_chain(project)
    component = factory.component(project, claim)
    values = {"entity": component.entity, "activity": component.activity, "prior": "0.3"}

    with pytest.raises(ValidationFailed):
        tracing_services.update_component(session, TEST_ACTOR, project, component, values, component.version)
    tracing_services.update_component(session, TEST_ACTOR, project, component,
                                      {**values, "reason": "Peer review: the starting point was too generous."},
                                      component.version)

    assert [(row.field, row.old_value, row.new_value) for row in revisions(session)][-1] == ("prior", "0.5", "0.3")


@pytest.mark.both_backends
def test_revisions_cannot_be_changed_or_deleted_in_the_database(factory, session, project):
    claim, _links = factory.claim_with_chain(project)
    factory.component(project, claim)
    session.commit()

    for statement in ("UPDATE ct_revision SET new_value = '0.9'", "DELETE FROM ct_revision"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            session.execute(sa.text(statement))
        session.rollback()


def test_the_app_refuses_to_change_or_delete_a_revision(factory, session, project):
    claim, _links = factory.claim_with_chain(project)
    factory.component(project, claim)
    session.commit()
    (revision,) = revisions(session)

    revision.reason = "Rewritten afterwards"
    with pytest.raises(AppendOnlyViolation):
        session.flush()
    session.rollback()
    with pytest.raises(AppendOnlyViolation):
        session.execute(sa.delete(CtRevision))
    session.rollback()


def test_the_history_outlives_a_deleted_item(factory, session, project):
    claim, _links = factory.claim_with_chain(project)
    component = factory.component(project, claim)
    item = factory.ct_evidence(project, component, 0.3, 0.05, "found")

    tracing_services.delete_ct_evidence(session, TEST_ACTOR, project, item)

    assert {row.ct_evidence_id for row in revisions(session)} == {None, item.id}


def test_the_item_page_and_the_tracing_page_show_the_history(client, factory, session, submit, project, me):
    claim, _links = factory.claim_with_chain(project)
    component = factory.component(project, claim)
    item = factory.ct_evidence(project, component, 0.3, 0.05, "pending")
    session.commit()
    url = f"/projects/{project.slug}/claims/{claim.id}/tracing/evidence/{item.id}/edit"

    refused = submit(url, {"description": item.description, "sensitivity": "0.3", "type1_error": "0.05",
                           "observed": "found", "version": item.version})
    assert refused.status_code == 200 and 'id="reason-error"' in refused.get_data(as_text=True)
    submit(url, {"description": item.description, "sensitivity": "0.3", "type1_error": "0.05", "observed": "found",
                 "reason": "Found in the March referral register.", "version": item.version})

    item_page = text_of(client.get(url))
    tracing_page = text_of(client.get(f"/projects/{project.slug}/claims/{claim.id}/tracing"))
    for text in (item_page, tracing_page):
        assert "Found in the March referral register." in text and "first set" in text


def test_the_internal_report_shows_the_history_and_the_donor_report_does_not(app, factory, session, project):
    claim, _links = factory.claim_with_chain(project)
    component = factory.component(project, claim)
    item = factory.ct_evidence(project, component, 0.3, 0.05, "pending")
    tracing_services.update_ct_evidence(session, TEST_ACTOR, project, item, {
        "description": item.description, "sensitivity": "0.3", "type1_error": "0.05", "observed": "found",
        "reason": "Found in the March referral register."}, item.version)
    session.flush()

    internal = project_report(session, project, "internal", STAFF)
    donor = project_report(session, project, "donor", STAFF)
    with app.test_request_context():
        internal_html = html.unescape(render.html_for(internal))
        donor_html = html.unescape(render.html_for(donor))

    assert "Found in the March referral register." in internal_html and "History of the inputs" in internal_html
    assert "Found in the March referral register." not in donor_html and "History of the inputs" not in donor_html
    assert all(not component.revisions for claim in donor.section.claims or [] for component in claim.components)


def test_the_api_lists_revisions_read_only(api_as, factory, session, project):
    claim, _links = factory.claim_with_chain(project)
    component = factory.component(project, claim)
    factory.ct_evidence(project, component, 0.3, 0.05, "found")
    session.commit()
    api = api_as(factory.user("me"))

    body = api.get(f"/api/v1/claims/{claim.id}/tracing-revisions").get_json()

    assert [(row["field"], row["new_value"]) for row in body["items"]] == [
        ("prior", "0.5"), ("sensitivity", "0.3"), ("type1_error", "0.05"), ("observed", "found")]
    assert api.put(f"/api/v1/claims/{claim.id}/tracing-revisions", json={"items": []}).status_code == 405


def test_the_migration_starts_every_existing_items_history_and_names_its_test_in_its_direction(app, tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/revisions.sqlite")
    try:
        migrate.upgrade(engine)
        with Session(engine) as session:
            factory = Factory(session, app.extensions["tracker.hasher"])
            project = factory.project()
            claim, _links = factory.claim_with_chain(project)
            component = factory.component(project, claim)
            factory.ct_evidence(project, component, 0.3, 0.9, "found")
            session.commit()
        migrate.downgrade(engine, "0017")
        with engine.begin() as connection:
            assert connection.scalar(sa.text("SELECT test_type FROM ct_step")) == "straw_in_the_wind"
        migrate.upgrade(engine)
        with engine.begin() as connection:
            first = connection.execute(sa.text("SELECT field, old_value, reason FROM ct_revision ORDER BY id")).all()
            test_type = connection.scalar(sa.text("SELECT test_type FROM ct_step"))
    finally:
        engine.dispose()

    assert sorted(field for field, _old, _reason in first) == ["observed", "prior", "sensitivity", "type1_error"]
    assert {(old, reason) for _field, old, reason in first} == {(None, "Value when revisions started to be kept")}
    assert test_type == "hoop"
