"""The theory-of-change picker on the outcome and story forms: a list of checkboxes with a text filter that a
small static script adds; without the script the whole list works."""

import re

import pytest
import sqlalchemy as sa

from tests.test_outcomes import outcome_form
from tracker.outcomes.models import Outcome
from tracker.web.headers import CONTENT_SECURITY_POLICY

SCRIPT = "/static/js/checklist-filter.js"


@pytest.fixture
def project(factory, session):
    project = factory.project(countries=["VN"])
    session.commit()
    return project


@pytest.fixture
def nodes(factory, session, project):
    nodes = [factory.toc_node(project, level, title) for level, title in (
        ("output", "Commune officers trained"), ("short_term_outcome", "Cases referred within 48 hours"),
        ("intermediate_outcome", "Children report online abuse"))]
    session.commit()
    return nodes


def checked_ids(page):
    """The node ids ticked in the picker."""
    boxes = re.findall(r'<input[^>]*name="toc_node_ids"[^>]*>', page)
    return sorted(int(re.search(r'value="(\d+)"', box).group(1)) for box in boxes if "checked" in box)


def test_the_picker_is_a_fieldset_of_checkboxes_not_a_ctrl_click_list(client, factory, login, session, project,
                                                                       nodes):
    factory.harvest(project)
    login(factory.user("me"))
    page = client.get(f"/projects/{project.slug}/outcomes/new").get_data(as_text=True)
    picker = page.split('id="toc_node_ids"')[1].split("</fieldset>")[0]
    assert "<legend>Theory-of-change elements</legend>" in picker
    boxes = re.findall(r'<input[^>]*name="toc_node_ids"[^>]*>', picker)
    assert len(boxes) == 3 and all('type="checkbox"' in box for box in boxes)
    assert "<select" not in picker and "Ctrl" not in page
    for node in nodes:
        assert re.search(rf'<input[^>]*id="(toc_node_ids-\d+)"[^>]*value="{node.id}"', picker)


def test_the_filter_box_is_hidden_until_the_static_script_shows_it(client, factory, login, session, project, nodes):
    factory.harvest(project)
    login(factory.user("me"))
    response = client.get(f"/projects/{project.slug}/outcomes/new")
    page = response.get_data(as_text=True)
    assert re.search(r'<div class="checklist-filter" hidden data-checklist-filter="toc_node_ids-options">', page)
    assert f'<script src="{SCRIPT}" defer></script>' in page
    assert all('src="' in tag for tag in re.findall(r"<script[^>]*>", page)), "no inline script: the CSP forbids it"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    with client.get(SCRIPT) as script:
        assert script.status_code == 200 and "javascript" in script.mimetype
        assert "data-checklist-filter" in script.get_data(as_text=True)


def test_ticked_elements_are_saved(client, factory, login, session, submit, project, nodes):
    harvest = factory.harvest(project)
    login(factory.user("me"))
    data = {**outcome_form(harvest), "toc_node_ids": [str(nodes[0].id), str(nodes[2].id)]}
    assert submit(f"/projects/{project.slug}/outcomes/new", data).status_code == 302
    outcome = session.scalars(sa.select(Outcome)).one()
    assert sorted(node.id for node in outcome.toc_nodes) == sorted([nodes[0].id, nodes[2].id])


def test_ticks_and_errors_stay_when_the_form_comes_back(client, factory, login, session, submit, project, nodes):
    harvest = factory.harvest(project)
    login(factory.user("me"))
    data = {**outcome_form(harvest, description=""), "toc_node_ids": [str(nodes[1].id), str(nodes[2].id)]}
    page = submit(f"/projects/{project.slug}/outcomes/new", data).get_data(as_text=True)
    assert 'id="description-error"' in page
    assert checked_ids(page) == sorted([nodes[1].id, nodes[2].id])


def test_an_element_that_is_not_offered_is_refused_on_the_picker(client, factory, login, session, submit, project,
                                                                 nodes):
    harvest = factory.harvest(project)
    login(factory.user("me"))
    data = {**outcome_form(harvest), "toc_node_ids": [str(nodes[0].id), "999999"]}
    page = submit(f"/projects/{project.slug}/outcomes/new", data).get_data(as_text=True)
    picker = page.split('id="toc_node_ids"')[1].split("</fieldset>")[0]
    assert 'id="toc_node_ids-error"' in picker
    assert 'aria-describedby="toc_node_ids-hint toc_node_ids-error"' in page
    assert checked_ids(page) == [nodes[0].id]
    assert session.scalar(sa.select(sa.func.count()).select_from(Outcome)) == 0


def test_the_story_form_has_the_same_picker(client, factory, login, session, project, nodes):
    login(factory.user("me"))
    factory.cycle(project)
    session.commit()
    page = client.get(f"/projects/{project.slug}/stories/new").get_data(as_text=True)
    assert "<legend>Theory-of-change elements</legend>" in page
    assert len(re.findall(r'name="toc_node_ids"', page)) == 3
