"""The demo outcomes and MSC cycle are what the issue asks for, and loading them twice changes nothing.

The demo is loaded once for this module into its own SQLite file; the tests only read it.
"""

import pytest
import sqlalchemy as sa
from sqlmodel import select

from tracker.msc import selection as panels
from tracker.msc import services as story_services
from tracker.msc.models import Domain
from tracker.msc.models import MscCycle
from tracker.msc.models import SafeguardingStatus
from tracker.msc.models import SelectionDecision
from tracker.msc.models import Story
from tracker.msc.models import Verification
from tracker.msc.sharing import donor_visible_story_ids
from tracker.outcomes.models import Outcome
from tracker.outcomes.models import Substantiation
from tracker.portfolio.models import Fund
from tracker.portfolio.models import Project

FUND_CYCLE = "Safe Online fund-wide MSC cycle 2021–2023"


def seed(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output


@pytest.fixture
def engine(demo_engine):
    """Every test here runs on the loaded demo portfolio, inside a rolled-back transaction."""
    return demo_engine


def counts(session):
    return [session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Outcome, Substantiation, Story, SelectionDecision, Verification)]


def test_every_project_has_5_to_15_outcomes_with_a_negative_or_unintended_one_and_a_disagreement(session):

    for project in session.scalars(sa.select(Project)):
        outcomes = session.scalars(select(Outcome).where(Outcome.project_id == project.id)).all()
        assert 5 <= len(outcomes) <= 15, project.slug
        assert any(o.valence.value == "negative" or o.intention.value == "unintended" for o in outcomes), project.slug
        verdicts = [s for o in outcomes for s in o.substantiations]
        assert any("disagree" in (v.verdict_description, v.verdict_significance, v.verdict_contribution)
                   for v in verdicts), project.slug


def test_the_fund_cycle_has_20_stories_over_4_domains_and_any_other_change(session):
    cycle = session.scalar(select(MscCycle).where(MscCycle.title == FUND_CYCLE))
    stories = session.scalars(select(Story).where(Story.cycle_id == cycle.id)).all()
    domains = session.scalars(select(Domain).where(Domain.cycle_id == cycle.id)).all()

    assert cycle.project_id is None and len(stories) >= 20
    assert len([d for d in domains if not d.is_open]) == 4 and [d.name for d in domains if d.is_open] == [
        "Any other change"]
    assert {story.domain_id for story in stories} == {domain.id for domain in domains}


def test_the_fund_cycle_has_selections_at_two_levels_with_reasons_a_dissent_feedback_and_verification(session):
    fund_cycle = session.scalar(select(MscCycle).where(MscCycle.title == FUND_CYCLE))
    cycle = story_services.get_cycle(session, fund(session), fund_cycle.id)
    figures = panels.meta_monitoring(session, cycle)
    decisions = session.scalars(select(SelectionDecision)).all()

    assert [level.selected > 0 for level in figures.per_level] == [True, True]
    assert all(len(d.reasons.split()) >= 6 for d in decisions if d.selected)
    assert any(d.dissent for d in decisions)
    assert 0 < figures.feedback_owed and any(d.feedback for d in decisions)
    assert figures.verified_selected >= 1


def fund(session):
    return session.scalars(select(Fund)).first()


def test_the_demo_tells_the_viet_nam_case_and_stories_in_vietnamese_and_thai_with_english(session):
    stories = session.scalars(select(Story)).all()
    by_language = {story.language: story for story in stories}

    coffee = next(story for story in stories if story.title == "Ly cà phê hôm ấy")
    assert "cộng tác viên thôn" in coffee.what_happened and "công an" in coffee.what_happened
    for language in ("vi", "th"):
        assert [t.language for t in by_language[language].translations] == ["en"]


def test_the_demo_covers_every_consent_and_safeguarding_state(session):
    stories = session.scalars(select(Story)).all()
    shared = set(session.scalars(donor_visible_story_ids(fund(session).id)))
    states = {
        "shared": any(story.id in shared for story in stories),
        "needs consent": any(not story.consent.complete for story in stories),
        "withdrawn": any(story.consent.withdrawn_on for story in stories),
        "no donor scope": any(story.consent.complete and not story.consent.scope_donor for story in stories),
        "public": any(story.consent.scope_public for story in stories),
        "named": any(story.consent.named for story in stories),
        "child with guardian and assent": any(story.consent.guardian_consent and story.consent.child_assent
                                              for story in stories),
    }
    states.update({status.value: any(story.safeguarding_status is status for story in stories)
                   for status in SafeguardingStatus})

    assert all(states.values()), [name for name, present in states.items() if not present]


def test_loading_the_demo_twice_adds_no_outcomes_or_stories(app, session):
    before = counts(session)

    seed(app)

    assert counts(session) == before
