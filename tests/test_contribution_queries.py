"""Contribution and evidence pages run a constant number of SQL queries, however much data they show."""

import pytest
import sqlalchemy as sa

from tests.factories import TEST_ACTOR
from tracker.contribution import coverage
from tracker.contribution import services
from tracker.contribution.models import ContributionClaim
from tracker.toc.models import TocLink


@pytest.fixture
def project(factory, session):
    project = factory.project("thailand-helpline")
    session.commit()
    return project


@pytest.fixture
def me(factory, login, session):
    user = factory.user("me")
    session.commit()
    login(user)
    return user


def claim_with_everything(factory, session, project):
    claim, links = factory.claim_with_chain(project, assumptions=["Children trust chat"])
    factory.evidence(project, supports=links, strength="strong")
    explanation = factory.explanation(project, claim)
    services.attach_explanation_evidence(session, TEST_ACTOR, project, explanation, {
        "evidence_id": factory.evidence(project).id, "strength": "weak"})
    component = factory.component(project, claim)
    factory.ct_evidence(project, component)
    factory.ct_evidence(project, component, 0.9, 0.4, "not_found")
    return claim


def queries_for(client, session, count_queries, address, grow, sizes=(2, 6)):
    """The number of queries ``address`` runs after ``grow(n)`` for each size; the caller compares them."""
    counts = []
    for size in sizes:
        grow(size)
        session.commit()
        with count_queries() as counter:
            assert client.get(address).status_code == 200
        counts.append(counter.count)
    return counts


def test_the_claim_list_query_count_does_not_grow_with_claims(client, factory, session, project, me, count_queries):
    def grow(total):
        while session.scalar(sa.select(sa.func.count()).select_from(ContributionClaim)) < total:
            claim_with_everything(factory, session, project)

    first, second = queries_for(client, session, count_queries, f"/projects/{project.slug}/claims", grow)

    assert first == second


def test_the_evidence_list_query_count_does_not_grow_with_items(client, factory, session, project, me,
                                                               count_queries):
    links = factory.claim_with_chain(project)[1]

    def grow(total):
        for _ in range(total):
            factory.evidence(project, supports=links)

    first, second = queries_for(client, session, count_queries, f"/projects/{project.slug}/evidence", grow)

    assert first == second


def test_the_claim_page_query_count_does_not_grow_with_the_chain(client, factory, session, project, me,
                                                                count_queries):
    claim = claim_with_everything(factory, session, project)
    links = [item.link for item in claim.pathway]

    def grow(total):
        for _ in range(total):
            factory.evidence(project, supports=links)
            factory.explanation(project, claim)
            factory.ct_evidence(project, factory.component(project, claim))

    address = f"/projects/{project.slug}/claims/{claim.id}"
    first, second = queries_for(client, session, count_queries, address, grow)

    assert first == second


@pytest.mark.parametrize("page", ["tracing", "story"])
def test_the_tracing_and_story_pages_query_counts_do_not_grow(client, factory, session, project, me, count_queries,
                                                              page):
    claim = claim_with_everything(factory, session, project)
    for step in ("postulate_toc", "gather_evidence"):
        services.move_step(session, TEST_ACTOR, project, claim, step, claim.version)
    assumption = claim.pathway[1].link.assumptions[0]
    from tracker.toc import services as toc_services

    toc_services.update_assumption(session, TEST_ACTOR, project, assumption, {"text": assumption.text,
                                                                             "status": "supported"},
                                   assumption.version)
    services.move_step(session, TEST_ACTOR, project, claim, "assemble_story", claim.version)

    def grow(total):
        for number in range(total):
            component = factory.component(project, claim)
            factory.ct_evidence(project, component)
            latest = services.latest_story(session, claim)
            services.save_story(session, TEST_ACTOR, project, claim, {"narrative": f"Story {total}-{number}"},
                                latest.number if latest else 0)

    first, second = queries_for(client, session, count_queries,
                                f"/projects/{project.slug}/claims/{claim.id}/{page}", grow)

    assert first == second


def test_the_evidence_map_query_count_does_not_grow_with_the_toc(client, factory, session, project, me,
                                                                count_queries):
    def grow(total):
        for _ in range(total):
            claim, links = factory.claim_with_chain(project, assumptions=["Children trust chat"])
            factory.evidence(project, supports=links[:1])

    first, second = queries_for(client, session, count_queries, f"/projects/{project.slug}/evidence-map", grow)

    assert first == second


def test_the_coverage_page_query_count_does_not_grow_with_projects(client, factory, session, me, count_queries):
    def grow(total):
        for _ in range(total):
            project = factory.project()
            claim, links = factory.claim_with_chain(project)
            factory.evidence(project, supports=links[:2])

    first, second = queries_for(client, session, count_queries, "/evidence-coverage", grow)

    assert first == second


@pytest.mark.both_backends
def test_coverage_counts_links_by_level_strongest_evidence_and_gaps(factory, session, project):
    claim, links = factory.claim_with_chain(project)
    factory.evidence(project, supports=[links[0]], strength="weak")
    factory.evidence(project, supports=[links[0]], strength="strong")
    factory.evidence(project, supports=[links[1]], strength="moderate")
    spare = factory.toc_chain(project, "activity", "output")
    other = factory.project()
    factory.evidence(other, supports=factory.claim_with_chain(other)[1][:1], strength="weak")

    levels = {row.level: row for row in coverage.coverage_by_level(session, project.fund_id)}

    assert (levels["output"].links, levels["output"].strong, levels["output"].weak) == (3, 1, 1)
    assert (levels["short_term_outcome"].moderate, levels["short_term_outcome"].claimed) == (1, 2)
    assert (levels["intermediate_outcome"].links, levels["intermediate_outcome"].gaps) == (2, 2)
    assert sum(row.links for row in levels.values()) == session.scalar(
        sa.select(sa.func.count()).select_from(TocLink)) == 7
    assert spare


@pytest.mark.both_backends
def test_projects_with_most_gaps_come_first(factory, session, project):
    factory.claim_with_chain(project)
    covered = factory.project(title="Fully evidenced project")
    factory.evidence(covered, supports=factory.claim_with_chain(covered)[1], strength="strong")

    page = coverage.project_coverage_page(session, project.fund_id, 1, 10)

    assert [(row.slug, row.gaps, row.strong) for row in page.items] == [(project.slug, 3, 0), (covered.slug, 0, 3)]
    assert page.total == 2
