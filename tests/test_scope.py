"""Least privilege follows the permission table in every query (issue 14 §2 and the donor counts of §8).

Lists, search, counts, exports and the API show exactly what the detail pages let through, per role: a membership
grants an administrator nothing, only a break-the-glass grant does, and only for its project. Every list, search
result page or export that shows story or outcome text is audited, naming the records shown, with the grant's reason
where one applies. Evidence that copies a story's (or an outcome's) text is protected like the story (the outcome).
"""

import io
import json
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa

from tracker.audit.models import AuditEntry
from tracker.auth.permissions import Role
from tracker.msc.models import Story

REASON = "The safeguarding lead asked me to check a reported story."


def text_of(response):
    return response.get_data(as_text=True)


def list_reads(session, actor, object_type):
    """The audit entries of list, search and export pages that showed ``object_type`` records to ``actor``."""
    entries = session.scalars(sa.select(AuditEntry).where(
        AuditEntry.actor_id == actor.id, AuditEntry.action == "read", AuditEntry.object_type == object_type)
        .order_by(AuditEntry.id)).all()
    return [entry for entry in entries if entry.details and "shown_in" in json.loads(entry.details)]


def shown_ids(entries):
    return sorted(int(entry.object_id) for entry in entries)


@pytest.fixture
def cycle(factory):
    return factory.cycle()


@pytest.fixture
def helpline(factory):
    return factory.project(title="Thailand helpline")


# 1. Membership grants an administrator nothing ---------------------------------------------------------------


def test_an_admin_who_joins_a_project_sees_none_of_its_stories_in_the_fund_list(client, factory, login, session,
                                                                               helpline, cycle):
    factory.story(helpline, cycle, title="Sentinel-joined-project-story")
    login(factory.user("admin", projects=[helpline]))

    html = text_of(client.get("/msc/stories"))

    assert "Sentinel-joined-project-story" not in html


def test_an_admin_who_joins_a_project_finds_no_story_snippet_in_search(client, factory, login, session, helpline,
                                                                      cycle):
    factory.story(helpline, cycle, title="Grooming on the game chat", what_happened="Sentinel-snippet in the chat.")
    login(factory.user("admin", projects=[helpline]))

    html = text_of(client.get("/search?q=chat&kind=story"))

    assert "Sentinel-snippet" not in html and "Grooming on the game chat" not in html


def test_an_admin_who_joins_a_project_is_asked_for_a_reason_before_its_story_list(client, factory, login, session,
                                                                                 helpline, cycle):
    factory.story(helpline, cycle, title="Sentinel-joined-project-story")
    login(factory.user("admin", projects=[helpline]))

    response = client.get(f"/projects/{helpline.slug}/stories")

    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/projects/{helpline.slug}/break-glass")


def test_an_admin_who_joins_a_project_reads_no_story_through_the_api(client, factory, session, api_as, helpline,
                                                                     cycle):
    factory.story(helpline, cycle, title="Sentinel-api-story")
    api = api_as(factory.user("admin", projects=[helpline]))

    assert api.get(f"/api/v1/projects/{helpline.slug}/stories").status_code == 404


def test_an_admins_grant_opens_the_stories_of_its_project_in_search(client, factory, login, session, helpline, cycle):
    other = factory.project()
    factory.story(helpline, cycle, title="Granted project story", what_happened="Sentinel-word in the granted one.")
    factory.story(other, cycle, title="Other project story", what_happened="Sentinel-word in the other one.")
    admin = factory.user("admin")
    factory.break_glass_grant(admin, helpline, reason=REASON)
    login(admin)

    html = text_of(client.get("/search?q=Sentinel-word&kind=story"))

    assert "Granted project story" in html and "Other project story" not in html


# Outcomes (sources included) need a grant too ---------------------------------------------------------------


def test_an_admin_is_asked_for_a_reason_before_reading_a_projects_outcomes(client, factory, login, session,
                                                                          helpline):
    outcome = factory.outcome(helpline, sources="Sentinel-informant interview")
    login(factory.user("admin", projects=[helpline]))

    for url in (f"/projects/{helpline.slug}/outcomes", f"/projects/{helpline.slug}/outcomes/{outcome.id}"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith(f"/projects/{helpline.slug}/break-glass"), url


def test_an_admin_finds_no_outcome_in_search_without_a_grant(client, factory, login, session, helpline):
    factory.outcome(helpline, description="The district police opened a Sentinel-desk for online abuse reports.")
    login(factory.user("admin"))

    assert "Sentinel-desk" not in text_of(client.get("/search?q=police&kind=outcome"))


def test_an_admin_reads_no_outcome_through_the_api_without_a_grant(client, factory, session, api_as, helpline):
    outcome = factory.outcome(helpline)
    api = api_as(factory.user("admin"))

    assert api.get(f"/api/v1/projects/{helpline.slug}/outcomes").status_code == 404
    assert api.get(f"/api/v1/projects/{helpline.slug}/outcomes/{outcome.id}").status_code == 404


def test_under_a_grant_the_admin_reads_an_outcome_with_its_sources_and_the_read_carries_the_reason(
        client, factory, login, session, helpline):
    outcome = factory.outcome(helpline, sources="Sentinel-informant interview")
    admin = factory.user("admin")
    factory.break_glass_grant(admin, helpline, reason=REASON)
    login(admin)

    response = client.get(f"/projects/{helpline.slug}/outcomes/{outcome.id}")

    assert response.status_code == 200 and "Sentinel-informant interview" in text_of(response)
    entry = session.scalars(sa.select(AuditEntry).where(
        AuditEntry.actor_id == admin.id, AuditEntry.action == "read", AuditEntry.object_type == "outcome",
        AuditEntry.object_id == str(outcome.id))).one()
    assert entry.reason == REASON


def test_an_admin_may_no_longer_edit_or_substantiate_outcomes(client, factory, login, session, helpline):
    outcome = factory.outcome(helpline)
    admin = factory.user("admin")
    factory.break_glass_grant(admin, helpline)
    login(admin)

    assert client.get(f"/projects/{helpline.slug}/outcomes/{outcome.id}/edit").status_code == 404
    assert client.get(f"/projects/{helpline.slug}/harvests").status_code == 404


# 2. Lists, search and exports are audited ------------------------------------------------------------------


def test_the_fund_story_list_audits_the_stories_it_shows(client, factory, login, session, helpline, cycle):
    stories = [factory.story(helpline, cycle) for _ in range(3)]
    officer = factory.user("me")
    login(officer)

    client.get("/msc/stories")

    entries = list_reads(session, officer, "story")
    assert shown_ids(entries) == sorted(story.id for story in stories)
    assert {(entry.project_id, entry.reason) for entry in entries} == {(helpline.id, None)}


def test_a_project_story_list_read_under_a_grant_carries_the_grants_reason(client, factory, login, session,
                                                                          helpline, cycle):
    story = factory.story(helpline, cycle)
    admin = factory.user("admin")
    grant = factory.break_glass_grant(admin, helpline, reason=REASON)
    login(admin)

    client.get(f"/projects/{helpline.slug}/stories")

    entry, = list_reads(session, admin, "story")
    assert entry.object_id == str(story.id)
    assert entry.reason == REASON and json.loads(entry.details)["break_glass_grant"] == grant.id


def test_a_search_result_page_audits_each_story_it_shows_with_its_project(client, factory, login, session,
                                                                          helpline, cycle):
    other = factory.project()
    mine = [factory.story(helpline, cycle, what_happened="She kept the Sentinel-search screenshots.")
            for _ in range(2)]
    theirs = factory.story(other, cycle, what_happened="He kept the Sentinel-search screenshots.")
    officer = factory.user("me")
    login(officer)

    client.get("/search?q=Sentinel-search&kind=story")

    entries = list_reads(session, officer, "story")
    assert shown_ids(entries) == sorted([theirs.id, *(story.id for story in mine)])
    assert {int(entry.object_id): entry.project_id for entry in entries}[theirs.id] == other.id


def test_a_search_for_outcomes_audits_the_outcomes_it_shows(client, factory, login, session, helpline):
    outcome = factory.outcome(helpline, description="Teachers began a Sentinel-circle on online safety.")
    officer = factory.user("me")
    login(officer)

    client.get("/search?q=Sentinel-circle&kind=outcome")

    assert shown_ids(list_reads(session, officer, "outcome")) == [outcome.id]


def test_a_grantees_outcome_list_audits_the_outcomes_it_shows(client, factory, login, session, helpline):
    outcomes = [factory.outcome(helpline) for _ in range(2)]
    grantee = factory.user("grantee", projects=[helpline])
    login(grantee)

    client.get(f"/projects/{helpline.slug}/outcomes")

    assert shown_ids(list_reads(session, grantee, "outcome")) == sorted(outcome.id for outcome in outcomes)


def test_the_api_story_list_audits_the_stories_it_returns(client, factory, session, api_as, helpline, cycle):
    story = factory.story(helpline, cycle)
    officer = factory.user("me")
    api = api_as(officer)

    assert api.get(f"/api/v1/projects/{helpline.slug}/stories").status_code == 200

    assert shown_ids(list_reads(session, officer, "story")) == [story.id]


def test_an_empty_search_writes_no_read_entry(client, factory, login, session, helpline):
    officer = factory.user("me")
    login(officer)

    client.get("/search?q=nothing-matches-this&kind=story")

    assert list_reads(session, officer, "story") == []


def test_the_audited_fund_story_list_query_count_does_not_grow(client, factory, login, session, count_queries,
                                                              helpline, cycle):
    other = factory.project()
    admin = factory.user("admin")
    factory.break_glass_grant(admin, helpline)
    factory.break_glass_grant(admin, other)
    login(admin)

    def queries_with(total):
        while (count := session.scalar(sa.select(sa.func.count()).select_from(Story))) < total:
            factory.story((helpline, other)[count % 2], cycle)
        session.commit()
        with count_queries() as counter:
            assert client.get("/msc/stories").status_code == 200
        return counter.count

    assert queries_with(4) == queries_with(20)


def test_an_admins_export_under_a_grant_holds_the_projects_stories_and_carries_the_reason(
        client, factory, login, session, submit, helpline, cycle):
    story = factory.story(helpline, cycle, title="Sentinel-exported-story")
    admin = factory.user("admin")
    factory.break_glass_grant(admin, helpline, reason=REASON)
    login(admin)

    response = submit(f"/projects/{helpline.slug}/export", {
        "audience": "internal", "file_format": "xlsx", "sheets": ["stories"]})

    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    assert "Sentinel-exported-story" in [cell.value for row in workbook.worksheets[0].iter_rows() for cell in row]
    entry = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "export",
                                                        AuditEntry.actor_id == admin.id)).one()
    assert entry.reason == REASON and json.loads(entry.details)["stories_ids"] == [story.id]


# 3. Story-derived evidence inherits the story's protection ---------------------------------------------------


def story_evidence(factory, project, story):
    return factory.evidence(project, "story", story_id=story.id, title="")


def test_an_admin_sees_no_evidence_copied_from_a_story_without_a_grant(client, factory, login, session, helpline,
                                                                      cycle):
    story = factory.story(helpline, cycle, title="Sentinel-evidence-story")
    item = story_evidence(factory, helpline, story)
    note = factory.evidence(helpline, title="Interview with the shift supervisor")
    login(factory.user("admin", projects=[helpline]))

    html = text_of(client.get(f"/projects/{helpline.slug}/evidence"))
    detail = client.get(f"/projects/{helpline.slug}/evidence/{item.id}")

    assert note.title in html and "Sentinel-evidence-story" not in html
    assert detail.status_code == 302 and detail.headers["Location"].startswith(f"/projects/{helpline.slug}/break-glass")


def test_under_a_grant_the_admin_reads_story_evidence_and_the_read_carries_the_reason(client, factory, login,
                                                                                     session, helpline, cycle):
    story = factory.story(helpline, cycle, title="Sentinel-evidence-story")
    item = story_evidence(factory, helpline, story)
    admin = factory.user("admin")
    factory.break_glass_grant(admin, helpline, reason=REASON)
    login(admin)

    assert "Sentinel-evidence-story" in text_of(client.get(f"/projects/{helpline.slug}/evidence"))
    assert "Sentinel-evidence-story" in text_of(client.get(f"/projects/{helpline.slug}/evidence/{item.id}"))

    entries = list_reads(session, admin, "evidence_item")
    assert shown_ids(entries) == [item.id, item.id]
    assert {entry.reason for entry in entries} == {REASON}


def test_an_admin_without_a_grant_cannot_list_a_projects_stories_as_evidence_sources(client, factory, login, session,
                                                                                    helpline, cycle):
    factory.story(helpline, cycle, title="Sentinel-source-story")
    login(factory.user("admin"))

    response = client.get(f"/projects/{helpline.slug}/evidence/new?kind=story")

    assert response.status_code == 302 and "Sentinel-source-story" not in text_of(response)


def test_evidence_copied_from_an_outcome_needs_the_outcome_grant_too(client, factory, login, session, helpline):
    outcome = factory.outcome(helpline, description="Sentinel-outcome-evidence: the police opened a desk.")
    factory.evidence(helpline, "outcome", outcome_id=outcome.id, title="Sentinel-outcome-evidence")
    login(factory.user("admin"))

    assert "Sentinel-outcome-evidence" not in text_of(client.get(f"/projects/{helpline.slug}/evidence"))


def test_a_claim_page_names_story_evidence_to_an_admin_only_under_a_grant(client, factory, login, session, helpline,
                                                                         cycle):
    story = factory.story(helpline, cycle, title="Sentinel-claim-evidence-story")
    claim, links = factory.claim_with_chain(helpline)
    factory.evidence(helpline, "story", story_id=story.id, title="", supports=[links[0]], strength="strong")
    admin = factory.user("admin")
    login(admin)
    page = f"/projects/{helpline.slug}/claims/{claim.id}"

    without = text_of(client.get(page))
    factory.break_glass_grant(admin, helpline)
    session.commit()
    under_grant = text_of(client.get(page))

    assert "Sentinel-claim-evidence-story" not in without
    assert "Evidence from a story or outcome outside your access" in without
    assert "Sentinel-claim-evidence-story" in under_grant


# 4. Donor counts go through the donor rule -----------------------------------------------------------------


def test_a_donor_counts_only_the_stories_they_may_see_on_a_theory_of_change_result(client, factory, login, session,
                                                                                  helpline, cycle):
    node = factory.toc_node(helpline, level="short_term_outcome", title="Children report grooming earlier")
    factory.story(helpline, cycle, safeguarding="approved", toc_node_ids=[node.id])
    factory.story(helpline, cycle, toc_node_ids=[node.id])  # safeguarding pending: never a donor's
    factory.story(helpline, cycle, safeguarding="approved", consent={"scope_donor": False}, toc_node_ids=[node.id])
    login(factory.user("donor"))

    html = text_of(client.get(f"/projects/{helpline.slug}/toc/nodes/{node.id}"))

    assert "1 story" in html and "3 stories" not in html


def test_a_donor_counts_only_substantiated_outcomes_on_a_theory_of_change_result(client, factory, login, session,
                                                                                helpline):
    node = factory.toc_node(helpline, level="short_term_outcome", title="Police act on online abuse")
    factory.outcome(helpline, status="substantiated", toc_node_ids=[node.id])
    factory.outcome(helpline, toc_node_ids=[node.id])
    login(factory.user("donor"))

    html = text_of(client.get(f"/projects/{helpline.slug}/toc/nodes/{node.id}"))

    assert "1 outcome" in html and "2 outcomes" not in html


def test_me_staff_count_every_story_on_a_theory_of_change_result(client, factory, login, session, helpline, cycle):
    node = factory.toc_node(helpline, level="short_term_outcome", title="Children report grooming earlier")
    for _ in range(2):
        factory.story(helpline, cycle, toc_node_ids=[node.id])
    login(factory.user("me"))

    assert "2 stories" in text_of(client.get(f"/projects/{helpline.slug}/toc/nodes/{node.id}"))


def test_an_admin_counts_no_story_of_a_project_they_joined(client, factory, login, session, helpline, cycle):
    node = factory.toc_node(helpline, level="short_term_outcome", title="Children report grooming earlier")
    factory.story(helpline, cycle, toc_node_ids=[node.id])
    login(factory.user("admin", projects=[helpline]))

    assert "1 story" not in text_of(client.get(f"/projects/{helpline.slug}/toc/nodes/{node.id}"))


def test_the_story_count_of_a_result_asks_the_donor_rule_itself(factory, session, helpline, cycle):
    """The count and the donor list ask the same SELECT, so they cannot disagree."""
    from tracker.msc.services import count_by_node
    from tracker.msc.sharing import donor_visible_story_ids

    node = factory.toc_node(helpline, level="short_term_outcome")
    factory.story(helpline, cycle, safeguarding="approved", toc_node_ids=[node.id], collected_on=date(2020, 1, 1))
    factory.story(helpline, cycle, toc_node_ids=[node.id])

    assert count_by_node(session, [node.id], donor_visible_story_ids(helpline.fund_id)) == {node.id: 1}


def test_an_admins_api_outcome_list_under_a_grant_carries_the_reason(client, factory, session, api_as, helpline):
    outcome = factory.outcome(helpline)
    admin = factory.user("admin")
    factory.break_glass_grant(admin, helpline, reason=REASON)
    api = api_as(admin)

    assert api.get(f"/api/v1/projects/{helpline.slug}/outcomes").status_code == 200

    entry, = list_reads(session, admin, "outcome")
    assert entry.object_id == str(outcome.id) and entry.reason == REASON


def test_an_admins_internal_report_withholds_outcomes_outside_a_grant_and_says_why(factory, session, helpline):
    from tracker.reports import audience
    from tracker.reports.models import Audience
    from tracker.reports.scope import Period
    from tracker.reports.scope import Requester

    factory.outcome(helpline)
    admin = Requester("Administrator", Role.ADMIN, member_project_ids=frozenset({helpline.id}))
    granted = Requester("Administrator", Role.ADMIN, break_glass_project_ids=frozenset({helpline.id}))

    without = audience.outcomes(session, helpline.fund_id, [helpline.id], Audience.INTERNAL, admin, Period())
    under_grant = audience.outcomes(session, helpline.fund_id, [helpline.id], Audience.INTERNAL, granted, Period())

    assert not without.shown and without.withheld_for(helpline.id) == {"outside_access": 1}
    assert len(under_grant.shown[helpline.id]) == 1 and not under_grant.withheld
