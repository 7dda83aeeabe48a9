"""Contribution claims: forms, pathway chaining, Mayne's step gate, confidence rule, conflicts, explanations, story."""

import html

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_from
from tests.factories import TEST_ACTOR
from tracker.audit.models import AuditEntry
from tracker.common.errors import EditConflict
from tracker.common.errors import ValidationFailed
from tracker.contribution import services
from tracker.contribution.models import ContributionClaim
from tracker.contribution.models import ContributionStory
from tracker.toc import services as toc_services
from tracker.toc.models import TocLink


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


def url(project, path=""):
    return f"/projects/{project.slug}{path}"


def text_of(response):
    return html.unescape(response.get_data(as_text=True))


def claim_form(links, outcome, **values):
    data = {"title": "Chat channels brought children to counsellors",
            "question": "Did the platform contribute to more children being referred?",
            "claim_text": "Children reached counsellors on chat and were referred.",
            "outcome_node_id": str(outcome.id), "level": "direct_influence", "causal_package": "",
            "necessity": "not_yet_known", "confidence": "not_assessed", **values}
    data.update({f"link_{number}": str(link.id) for number, link in enumerate(links, start=1)})
    return data


def chain(factory, project):
    nodes = factory.toc_chain(project, "activity", "output", "short_term_outcome", "intermediate_outcome")
    links = [factory.toc_link_between(project, cause, effect) for cause, effect in zip(nodes, nodes[1:],
                                                                                          strict=False)]
    return nodes, links


# Creating and editing ----------------------------------------------------------------------------


def test_staff_create_a_claim_with_an_ordered_pathway(client, factory, session, submit, project, me):
    nodes, links = chain(factory, project)
    session.commit()

    response = submit(url(project, "/claims/new"), claim_form(links, nodes[-1]))

    claim = session.scalar(sa.select(ContributionClaim))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/claims/{claim.id}")
    assert [item.link_id for item in claim.pathway] == [link.id for link in links]
    assert claim.step.value == "set_out_question"
    assert session.scalar(sa.select(AuditEntry).where(AuditEntry.object_type == "contribution_claim")).action == \
        "create"


def test_a_pathway_that_does_not_chain_names_the_break_and_keeps_the_input(client, factory, session, submit,
                                                                           project, me):
    nodes, links = chain(factory, project)
    stray = factory.toc_node(project, "activity", "Train police officers")
    stray_link = factory.toc_link(project, stray, nodes[2])
    session.commit()

    response = submit(url(project, "/claims/new"), claim_form([links[0], stray_link, links[2]], nodes[-1],
                                                              title="Chat channels: my draft title"))
    text = text_of(response)

    assert response.status_code == 200
    assert (f"The pathway breaks between link 1 and link 2: link 1 ends at “{nodes[1].title}”, but link 2 starts "
            f"from “Train police officers”.") in text
    assert 'id="link_2-error"' in text
    assert 'value="Chat channels: my draft title"' in text
    assert session.scalar(sa.select(sa.func.count()).select_from(ContributionClaim)) == 0


def test_a_pathway_must_end_at_the_claimed_result(client, factory, session, submit, project, me):
    nodes, links = chain(factory, project)
    session.commit()

    response = submit(url(project, "/claims/new"), claim_form(links[:2], nodes[-1]))

    assert f"its last link ends at “{nodes[2].title}”" in text_of(response)


def test_a_repeated_link_is_refused(factory, session, project):
    nodes, links = chain(factory, project)

    with pytest.raises(ValidationFailed) as error:
        factory.claim(project, [links[0], links[1], links[1]], outcome=nodes[2])

    assert error.value.reasons[0][0] == "link_3" and "repeats link 2" in error.value.reasons[0][1]


def test_links_and_results_of_another_project_are_refused(factory, session, project):
    nodes, links = chain(factory, project)
    other_nodes, other_links = chain(factory, factory.project())

    with pytest.raises(ValidationFailed) as error:
        factory.claim(project, [links[0], other_links[1]], outcome=other_nodes[-1])

    assert {field for field, _message in error.value.reasons} == {"outcome_node_id", "link_2"}


def test_an_activity_cannot_be_the_claimed_result(factory, session, project):
    nodes, links = chain(factory, project)

    with pytest.raises(ValidationFailed) as error:
        factory.claim(project, [], outcome=nodes[0])

    assert error.value.reasons[0][0] == "outcome_node_id"


def test_empty_pathway_slots_in_between_are_skipped(factory, session, project):
    nodes, links = chain(factory, project)

    claim = services.create_claim(session, TEST_ACTOR, project, {
        "title": "T", "question": "Q", "claim_text": "C", "outcome_node_id": nodes[-1].id,
        "pathway": [links[0].id, None, links[1].id, "", links[2].id]})

    assert [item.position for item in claim.pathway] == [0, 1, 2]


def test_strong_confidence_is_refused_while_a_pathway_assumption_is_not_supported(client, factory, session, submit,
                                                                                  project, me):
    nodes, links = chain(factory, project)
    toc_services.add_assumption(session, TEST_ACTOR, project, links[1], {
        "text": "Children trust a text channel", "status": "not_supported"})
    session.commit()

    response = submit(url(project, "/claims/new"), claim_form(links, nodes[-1], confidence="strong"))
    text = text_of(response)

    assert 'id="confidence-error"' in text
    assert "Confidence cannot be strong: the assumption “Children trust a text channel” is not supported." in text


def test_a_stale_claim_edit_answers_409_with_both_versions(client, factory, session, project, me):
    claim, links = factory.claim_with_chain(project)
    session.commit()
    form_page = client.get(url(project, f"/claims/{claim.id}/edit")).get_data(as_text=True)
    claim.title = "Renamed by a colleague"
    session.commit()

    outcome = session.get(TocLink, links[-1].id).effect_id
    response = client.post(url(project, f"/claims/{claim.id}/edit"), data={
        "csrf_token": csrf_from(form_page), "version": "1",
        **claim_form(links, type("Node", (), {"id": outcome}), title="My wording of the claim")})
    text = text_of(response)

    assert response.status_code == 409
    assert "Renamed by a colleague" in text and 'value="My wording of the claim"' in text
    session.expire_all()
    assert session.get(ContributionClaim, claim.id).title == "Renamed by a colleague"


def test_the_service_refuses_a_stale_version(factory, session, project):
    claim, links = factory.claim_with_chain(project)

    with pytest.raises(EditConflict):
        services.update_claim(session, TEST_ACTOR, project, claim, {"title": "x"}, claim.version - 1)


def test_editing_the_pathway_replaces_it_in_order(factory, session, project):
    claim, links = factory.claim_with_chain(project)

    services.update_claim(session, TEST_ACTOR, project, claim, {
        "title": claim.title, "question": claim.question, "claim_text": claim.claim_text,
        "outcome_node_id": links[1].effect_id, "pathway": [links[0].id, links[1].id]}, claim.version)

    assert [item.link_id for item in claim.pathway] == [links[0].id, links[1].id]


# The step gate -------------------------------------------------------------------------------------


def walk(session, project, claim, *steps):
    for step in steps:
        services.move_step(session, TEST_ACTOR, project, claim, step, claim.version)


def test_moving_to_step_4_is_blocked_and_lists_exactly_what_is_missing(client, factory, session, submit, project,
                                                                       me):
    claim, links = factory.claim_with_chain(project, assumptions=["Children trust a text channel",
                                                                  "Counsellors answer at night"])
    walk(session, project, claim, "postulate_toc", "gather_evidence")
    session.commit()

    response = submit(url(project, f"/claims/{claim.id}/step"), {"step": "assemble_story",
                                                                 "version": str(claim.version)})
    text = text_of(response)

    assert response.status_code == 200
    assert "The claim cannot move to that step yet. Missing:" in text
    assert "Assess the assumption “Children trust a text channel”" in text
    assert "Assess the assumption “Counsellors answer at night”" in text
    assert "Assess at least one alternative explanation" in text
    session.expire_all()
    assert session.get(ContributionClaim, claim.id).step.value == "gather_evidence"


def test_the_gate_opens_once_assumptions_are_assessed_and_an_explanation_is_recorded(factory, session, project):
    claim, links = factory.claim_with_chain(project, assumptions=["Children trust a text channel"])
    walk(session, project, claim, "postulate_toc", "gather_evidence")
    assumption = links[1].assumptions[0]
    toc_services.update_assumption(session, TEST_ACTOR, project, assumption,
                                   {"text": assumption.text, "status": "partly_supported"}, assumption.version)
    factory.explanation(project, claim)
    session.refresh(claim)

    walk(session, project, claim, "assemble_story")

    assert claim.step.value == "assemble_story"
    assert session.scalar(sa.select(AuditEntry.details).where(AuditEntry.action == "step")
                          .order_by(AuditEntry.id.desc()).limit(1)) == \
        '{"from": "gather_evidence", "to": "assemble_story"}'


def test_a_claim_without_a_pathway_cannot_reach_step_3(factory, session, project):
    nodes, _links = chain(factory, project)
    claim = factory.claim(project, [], outcome=nodes[-1])
    walk(session, project, claim, "postulate_toc")

    with pytest.raises(ValidationFailed) as error:
        walk(session, project, claim, "gather_evidence")

    assert "Set out the causal pathway" in error.value.reasons[0][1]


def test_steps_cannot_be_skipped_but_step_6_can_loop_back_to_4(factory, session, project):
    claim, _links = factory.claim_with_chain(project)
    factory.explanation(project, claim)
    session.refresh(claim)

    with pytest.raises(ValidationFailed):
        walk(session, project, claim, "gather_evidence")
    walk(session, project, claim, "postulate_toc", "gather_evidence", "assemble_story", "seek_evidence",
         "revise_story", "assemble_story")

    assert claim.step.value == "assemble_story"


def test_the_claim_page_shows_the_gate_checklist(client, factory, session, project, me):
    claim, links = factory.claim_with_chain(project, assumptions=["Children trust a text channel"])
    session.commit()

    text = text_of(client.get(url(project, f"/claims/{claim.id}")))

    assert "Missing:✗ Assess the assumption “Children trust a text channel”" in text.replace("</span>", "")
    before_the_gate = text.split("Ready for step 4?")[0]
    assert "Record at least one influencing factor or alternative explanation." not in before_the_gate


def test_a_strong_claim_whose_assumption_later_fails_is_shown_lowered_on_its_page(client, factory, session, project,
                                                                                  me):
    claim, links = factory.claim_with_chain(project, assumptions=["Children trust a text channel"])
    claim.confidence = "strong"
    assumption = links[1].assumptions[0]
    toc_services.update_assumption(session, TEST_ACTOR, project, assumption,
                                   {"text": assumption.text, "status": "not_supported"}, assumption.version)
    session.commit()

    text = text_of(client.get(url(project, f"/claims/{claim.id}")))

    assert "Stated strong; lowered to moderate because the assumption “Children trust a text channel” is not " \
           "supported." in text
    assert 'class="confidence confidence--moderate"' in text and "confidence--strong" not in text


# Explanations ---------------------------------------------------------------------------------------


def test_staff_record_an_alternative_explanation_with_its_own_evidence(client, factory, session, submit, project,
                                                                       me):
    claim, links = factory.claim_with_chain(project)
    item = factory.evidence(project, title="Contact statistics 2020–2022")
    session.commit()

    submit(url(project, f"/claims/{claim.id}/explanations/new"), {
        "kind": "alternative_explanation", "status": "ruled_out", "note": "The rise follows the LINE go-live.",
        "text": "Children moved to chat during the pandemic anyway.", "external_factor_id": ""})
    explanation = session.get(ContributionClaim, claim.id).explanations[0]
    submit(url(project, f"/claims/{claim.id}/explanations/{explanation.id}/evidence"), {
        "evidence_id": str(item.id), "strength": "strong", "note": "Timing of the rise."})
    text = text_of(client.get(url(project, f"/claims/{claim.id}")))

    assert "Children moved to chat during the pandemic anyway." in text and "Ruled out" in text
    assert "Contact statistics 2020–2022" in text and "Timing of the rise." in text


def test_an_explanation_needs_a_description(factory, session, project):
    claim, _links = factory.claim_with_chain(project)

    with pytest.raises(ValidationFailed) as error:
        factory.explanation(project, claim, text="  ")

    assert error.value.reasons == [("text", "Describe the factor or explanation.")]


# The contribution story ------------------------------------------------------------------------------


def ready_for_story(factory, session, project):
    claim, links = factory.claim_with_chain(project)
    factory.explanation(project, claim)
    session.refresh(claim)
    walk(session, project, claim, "postulate_toc", "gather_evidence", "assemble_story")
    return claim


def test_every_story_revision_is_kept_with_author_and_time_and_older_ones_stay_readable(client, factory, session,
                                                                                         submit, project, me):
    claim = ready_for_story(factory, session, project)
    session.commit()

    submit(url(project, f"/claims/{claim.id}/story/edit"), {"based_on": "0", "narrative": "First story."})
    submit(url(project, f"/claims/{claim.id}/story/edit"), {"based_on": "1", "narrative": "Revised story.",
                                                            "change_note": "Added the referral review"})
    revisions = session.scalars(sa.select(ContributionStory).order_by(ContributionStory.number)).all()

    assert [(item.number, item.narrative) for item in revisions] == [(1, "First story."), (2, "Revised story.")]
    assert revisions[1].author_name == "Test me" and revisions[1].created_at is not None
    assert "First story." in text_of(client.get(url(project, f"/claims/{claim.id}/story/1")))
    assert "This is an earlier revision" in text_of(client.get(url(project, f"/claims/{claim.id}/story/1")))
    assert "Added the referral review" in text_of(client.get(url(project, f"/claims/{claim.id}/story")))


def test_a_story_saved_meanwhile_answers_409_and_keeps_the_authors_text(client, factory, session, submit, project,
                                                                        me):
    claim = ready_for_story(factory, session, project)
    services.save_story(session, TEST_ACTOR, project, claim, {"narrative": "A colleague's story."}, 0)
    session.commit()

    response = submit(url(project, f"/claims/{claim.id}/story/edit"), {"based_on": "0",
                                                                        "narrative": "My own story."})
    text = text_of(response)

    assert response.status_code == 409
    assert "A colleague's story." in text and "My own story." in text
    assert 'name="based_on" type="hidden" value="1"' in text
    assert session.scalar(sa.select(sa.func.count()).select_from(ContributionStory)) == 1


def test_a_story_saved_in_the_same_instant_answers_409_too(client, factory, session, submit, project, me,
                                                           monkeypatch):
    claim = ready_for_story(factory, session, project)
    services.save_story(session, TEST_ACTOR, project, claim, {"narrative": "A colleague's story."}, 0)
    session.commit()
    latest_story = services.latest_story
    calls = []

    def not_yet_committed_for_the_save(session, claim):
        """The form page and the view see the colleague's revision; the save itself does not (yet)."""
        calls.append(claim.id)
        return None if len(calls) == 3 else latest_story(session, claim)

    monkeypatch.setattr(services, "latest_story", not_yet_committed_for_the_save)
    response = submit(url(project, f"/claims/{claim.id}/story/edit"), {"based_on": "0", "narrative": "My own story."})
    text = text_of(response)

    assert response.status_code == 409
    assert "A colleague's story." in text and "My own story." in text
    assert session.scalar(sa.select(sa.func.count()).select_from(ContributionStory)) == 1


def test_the_story_is_written_from_step_4(factory, session, project):
    claim, _links = factory.claim_with_chain(project)

    with pytest.raises(ValidationFailed) as error:
        services.save_story(session, TEST_ACTOR, project, claim, {"narrative": "Too early."}, 0)

    assert "assembled at step 4" in error.value.reasons[0][1]


def test_the_story_page_outlines_the_chain_link_by_link(client, factory, session, project, me):
    claim, links = factory.claim_with_chain(project, assumptions=["Children trust a text channel"])
    factory.evidence(project, title="Supervisor interview", supports=[links[1]], strength="strong")
    factory.explanation(project, claim, text="The pandemic pushed children online.")
    component = factory.component(project, claim)
    factory.ct_evidence(project, component)
    session.commit()

    text = text_of(client.get(url(project, f"/claims/{claim.id}/story")))
    outline = text.split("Outline generated from the chain")[1]

    assert outline.index("Link 1:") < outline.index("Link 2:") < outline.index("Link 3:")
    assert "Supervisor interview" in outline and "Children trust a text channel" in outline
    assert "Untested" in outline and "The pandemic pushed children online." in outline
    assert "Partly explains the result" in outline and "0.875" in outline


# Deleting, and what deletion protects -------------------------------------------------------------------


def test_a_link_on_a_claimed_pathway_cannot_be_deleted_from_the_toc(client, factory, session, submit, project, me):
    claim, links = factory.claim_with_chain(project)
    session.commit()

    response = submit(url(project, f"/toc/links/{links[1].id}/delete"), {}, page=url(project, "/toc"))

    assert "This link cannot be deleted: 1 contribution claim attached to it." in text_of(response)
    assert session.get(TocLink, links[1].id) is not None


def test_a_link_with_evidence_cannot_be_deleted(factory, session, project):
    nodes, links = chain(factory, project)
    factory.evidence(project, supports=[links[0]])

    with pytest.raises(ValidationFailed, match="1 piece of evidence"):
        toc_services.delete_link(session, TEST_ACTOR, project, links[0])


def test_the_claimed_result_cannot_be_deleted(factory, session, project):
    nodes, links = chain(factory, project)
    factory.claim(project, links)

    reasons = toc_services.node_deletion_blockers(session, nodes[-1], toc_services.links_of(session, nodes[-1]))

    assert "1 contribution claim attached to it" in reasons[0]


def test_deleting_a_claim_keeps_the_evidence(client, factory, session, submit, project, me):
    claim, links = factory.claim_with_chain(project)
    item = factory.evidence(project, supports=[links[0]])
    session.commit()

    submit(url(project, f"/claims/{claim.id}/delete"), {})

    session.expire_all()
    assert session.scalar(sa.select(sa.func.count()).select_from(ContributionClaim)) == 0
    assert len(session.get(type(item), item.id).attachments) == 1
