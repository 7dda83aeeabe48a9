"""The demo portfolio's theories of change and indicators, loaded through the services by ``seed-demo``."""

import html
import re

import pytest
import sqlalchemy as sa

from tracker.indicators.models import Indicator
from tracker.indicators.models import PeriodActual
from tracker.portfolio.models import Project
from tracker.toc import graph
from tracker.toc import services as toc_services
from tracker.toc.models import Assumption
from tracker.toc.models import ExternalFactor
from tracker.toc.models import TocLink
from tracker.toc.models import TocNode
from tracker.toc.models import TocVersion


@pytest.fixture
def engine(demo_engine):
    """Every test here runs on the loaded demo portfolio, inside a rolled-back transaction."""
    return demo_engine


@pytest.fixture
def demo(session):
    return {project.slug: project for project in session.scalars(sa.select(Project))}


def per_project(session, statement):
    return dict(session.execute(statement).all())


def test_every_demo_project_has_a_plausible_theory_of_change(demo, session):
    nodes = per_project(session, sa.select(TocNode.project_id, sa.func.count()).group_by(TocNode.project_id))
    assumptions = per_project(session, sa.select(TocLink.project_id, sa.func.count()).join(
        Assumption, Assumption.link_id == TocLink.id).group_by(TocLink.project_id))
    factors = per_project(session, sa.select(TocNode.project_id, sa.func.count()).join(
        ExternalFactor, ExternalFactor.node_id == TocNode.id).group_by(TocNode.project_id))

    assert len(demo) == 10
    for slug, project in demo.items():
        assert 8 <= nodes.get(project.id, 0) <= 20, slug
        assert assumptions.get(project.id, 0) >= 3, slug
        assert factors.get(project.id, 0) >= 1, slug
        toc = toc_services.working_graph(session, project)
        assert graph.pathways(toc).paths, slug
        assert {level for _node, level in toc.nodes(data="level")} >= {"activity", "output", "impact"}, slug


def test_every_demo_project_has_3_to_6_indicators_with_reviewed_and_pending_actuals(demo, session):
    for slug, project in demo.items():
        indicators = session.scalars(sa.select(Indicator).where(Indicator.project_id == project.id)).all()
        statuses = {period.actual.status for indicator in indicators for period in indicator.periods
                    if period.actual is not None}
        assert 3 <= len(indicators) <= 6, slug
        assert all(len(indicator.periods) >= 2 for indicator in indicators), slug
        assert any(indicator.is_qualitative for indicator in indicators), slug
        assert "approved" in statuses and statuses & {"submitted", "draft"}, slug
    returned = session.scalar(sa.select(sa.func.count()).select_from(PeriodActual)
                              .where(PeriodActual.status == "returned"))
    assert returned >= 1


def test_the_toc_page_of_every_demo_project_renders_an_svg_with_every_node_title(demo, client, factory, login,
                                                                                  session):
    login(factory.user("me"))
    session.commit()

    for slug, project in demo.items():
        response = client.get(f"/projects/{slug}/toc")
        assert response.status_code == 200, slug
        svg = re.search(r"<svg.*?</svg>", response.get_data(as_text=True), flags=re.DOTALL).group(0)
        titles = session.scalars(sa.select(TocNode.title).where(TocNode.project_id == project.id)).all()
        assert all(html.escape(title, quote=False) in svg for title in titles), slug


def test_the_thailand_helpline_has_a_frozen_baseline_followed_by_later_edits(demo, client, factory, login, session):
    project = demo["thailand-helpline"]
    baseline = session.scalar(sa.select(TocVersion).where(TocVersion.project_id == project.id))
    login(factory.user("donor"))
    session.commit()

    diff = graph.diff_snapshots(baseline.snapshot, toc_services.snapshot(session, project))
    text = html.unescape(client.get(f"/projects/{project.slug}/toc/compare").get_data(as_text=True))

    assert baseline.label == "Baseline"
    assert diff.added_nodes and diff.removed_links and diff.changed_nodes and diff.changed_assumptions
    assert "From version 1 “Baseline” to the working version" in text
    assert "<ins>Route repeat and abusive contacts automatically" in text


def test_every_demo_indicator_shows_its_progress_chart_and_data_table(demo, client, factory, login, session):
    login(factory.user("me"))
    session.commit()

    for indicator in session.scalars(sa.select(Indicator)).all():
        slug = session.get(Project, indicator.project_id).slug
        text = client.get(f"/projects/{slug}/indicators/{indicator.id}").get_data(as_text=True)
        assert '<table class="data-table progress-table">' in text, indicator.title
        assert ("<svg" in text) is not indicator.is_qualitative, indicator.title


def test_loading_the_demo_again_adds_no_theory_of_change_or_indicator_twice(demo, app, session):
    def totals():
        return [session.scalar(sa.select(sa.func.count()).select_from(model))
                for model in (TocNode, TocLink, Assumption, TocVersion, Indicator, PeriodActual)]

    before = totals()
    result = app.test_cli_runner().invoke(args=["seed-demo"])

    assert result.exit_code == 0 and totals() == before
