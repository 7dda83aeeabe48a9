"""Theory-of-change pages: diagram, editing through forms, deletion rules, conflicts, versions and permissions."""

import html
import re

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_from
from tracker.audit.models import AuditEntry
from tracker.toc.attachments import LINK_COUNTERS
from tracker.toc.models import Assumption
from tracker.toc.models import ExternalFactor
from tracker.toc.models import TocLink
from tracker.toc.models import TocNode
from tracker.toc.models import TocVersion


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
    return f"/projects/{project.slug}/toc{path}"


def page(client, address):
    response = client.get(address)
    assert response.status_code == 200, address
    return response.get_data(as_text=True)


def svg_of(text):
    return re.search(r"<svg.*?</svg>", text, flags=re.DOTALL).group(0)


def count(session, model):
    return session.scalar(sa.select(sa.func.count()).select_from(model))


def three_outcomes_per_link(_session, ids):
    """A stand-in for another area's attachment counter."""
    return {link_id: 3 for link_id in ids}


# The page ---------------------------------------------------------------------------------


def test_the_toc_page_shows_an_svg_with_every_node_title(client, factory, session, project, me):
    nodes = factory.toc_chain(project)
    session.commit()

    svg = svg_of(page(client, url(project)))

    assert 'role="img"' in svg
    assert all(html.escape(node.title, quote=False) in svg for node in nodes)


def test_the_page_lists_the_pathways_as_text_next_to_the_diagram(client, factory, session, project, me):
    nodes = factory.toc_chain(project)
    session.commit()

    text = page(client, url(project))
    pathways = re.search(r'<ol class="pathways">(.*?)</ol>', text, flags=re.DOTALL).group(1)

    positions = [pathways.index(node.title) for node in nodes]
    assert positions == sorted(positions)
    assert "1 pathway leads from the activities to the impact." in text


def test_assumptions_are_numbered_alike_in_the_diagram_and_the_text(client, factory, session, project, me):
    activity, output = factory.toc_node(project, "activity", "Train counsellors"), factory.toc_node(project)
    factory.toc_link(project, activity, output, assumptions=["Counsellors stay in post for a year"])
    session.commit()

    text = page(client, url(project))

    assert re.search(r"<title>1\. Train counsellors → .*Counsellors stay in post for a year \(Untested\)</title>", text)
    assert '<span class="badge-number">1</span>' in text


def test_warnings_name_the_nodes_they_are_about(client, factory, session, project, me):
    factory.toc_chain(project)
    factory.toc_node(project, "short_term_outcome", "Parents talk with children")
    session.commit()

    assert "“Parents talk with children” is not linked to anything." in page(client, url(project))


def test_a_project_without_a_theory_of_change_invites_editors_to_start(client, project, me):
    text = page(client, url(project))

    assert "This project has no theory of change yet." in text and "<svg" not in text


def test_the_diagram_downloads_as_an_svg_file(client, factory, session, project, me):
    factory.toc_chain(project)
    session.commit()

    response = client.get(url(project, "/diagram.svg"))

    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.get_data(as_text=True).startswith("<svg xmlns=")
    assert "attachment" in response.headers["Content-Disposition"]


@pytest.mark.both_backends
def test_the_toc_page_query_count_does_not_grow_with_the_graph(client, factory, session, project, me, count_queries):
    def queries_with(levels):
        factory.toc_chain(project, *levels)
        session.commit()
        with count_queries() as counter:
            assert client.get(url(project)).status_code == 200
        return counter.count

    small = queries_with(("activity", "output"))
    assert queries_with(("activity", "output", "short_term_outcome", "intermediate_outcome", "impact") * 4) == small


# Permissions --------------------------------------------------------------------------------


def test_donors_see_the_theory_of_change_but_cannot_edit_it(client, factory, login, session, project):
    node = factory.toc_chain(project)[0]
    login(factory.user("donor"))
    session.commit()

    text = page(client, url(project))

    assert "Add a result" not in text and "<svg" in text
    assert client.get(url(project, "/nodes/new")).status_code == 404
    assert client.get(url(project, f"/nodes/{node.id}/edit")).status_code == 404


def test_grantee_members_build_their_project_theory_of_change(client, factory, login, session, submit, project):
    login(factory.user("grantee", projects=[project]))
    session.commit()

    response = submit(url(project, "/nodes/new"), {"title": "Counsellors answer chats", "level": "output",
                                                   "sphere": "control", "position": "0", "description": ""})

    assert response.status_code == 302
    titles = session.scalars(sa.select(TocNode.title).where(TocNode.project_id == project.id)).all()
    assert titles == ["Counsellors answer chats"]


def test_nodes_of_another_project_answer_404(client, factory, session, project, me):
    other_node = factory.toc_node(factory.project())
    session.commit()

    assert client.get(url(project, f"/nodes/{other_node.id}")).status_code == 404
    assert client.get(url(project, f"/nodes/{other_node.id}/edit")).status_code == 404


# Nodes ----------------------------------------------------------------------------------------


def test_adding_a_node_is_audited(client, session, submit, project, me):
    submit(url(project, "/nodes/new"), {"title": "Train counsellors", "level": "activity", "sphere": "control",
                                        "position": "0"})

    entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.object_type == "toc_node"))
    assert entry.action == "create" and entry.project_id == project.id and entry.actor_id == me.id


def test_an_invalid_node_form_keeps_the_users_text(client, session, submit, project, me):
    response = submit(url(project, "/nodes/new"), {"title": "", "level": "output", "sphere": "control",
                                                   "description": "Counsellors reply within five minutes."})
    text = response.get_data(as_text=True)

    assert response.status_code == 200 and 'id="title-error"' in text
    assert "Counsellors reply within five minutes." in text
    assert count(session, TocNode) == 0


def test_a_stale_node_edit_shows_both_versions_and_keeps_the_users_text(client, factory, session, project, me):
    node = factory.toc_node(project, "output", "Counsellors answer chats")
    session.commit()
    form_page = page(client, url(project, f"/nodes/{node.id}/edit"))
    node.title = "Counsellors answer chats (renamed by a colleague)"
    session.commit()

    response = client.post(url(project, f"/nodes/{node.id}/edit"), data={
        "csrf_token": csrf_from(form_page), "version": "1", "title": "Counsellors answer chats within 5 minutes",
        "level": "output", "sphere": "influence", "position": "0", "description": ""})
    text = response.get_data(as_text=True)

    assert response.status_code == 409
    assert "Counsellors answer chats (renamed by a colleague)" in text
    assert 'value="Counsellors answer chats within 5 minutes"' in text
    assert 'name="version" type="hidden" value="2"' in text
    session.expire_all()
    assert session.get(TocNode, node.id).title == "Counsellors answer chats (renamed by a colleague)"


def test_deleting_a_node_asks_for_confirmation_first(client, factory, session, project, me):
    node = factory.toc_chain(project)[1]
    session.commit()

    text = page(client, url(project, f"/nodes/{node.id}/delete"))

    assert "Its 2 links, with their assumptions, are deleted too." in text
    assert '<button type="submit" class="button button--danger">Delete</button>' in text
    assert session.get(TocNode, node.id) is not None


def test_deleting_a_node_deletes_its_links(client, factory, session, submit, project, me):
    nodes = factory.toc_chain(project)
    session.commit()

    response = submit(url(project, f"/nodes/{nodes[1].id}/delete"), {})

    assert response.status_code == 302
    assert count(session, TocNode) == 3 and count(session, TocLink) == 1


def test_a_node_with_an_indicator_cannot_be_deleted_and_the_page_says_why(client, factory, session, submit, project,
                                                                          me):
    node = factory.toc_chain(project)[2]
    factory.indicator(project, node)
    factory.indicator(project, node)
    session.commit()

    confirm = page(client, url(project, f"/nodes/{node.id}/delete"))
    response = submit(url(project, f"/nodes/{node.id}/delete"), {}, page=url(project))

    assert "cannot be deleted: 2 indicators attached to it." in html.unescape(confirm)
    assert "button--danger" not in confirm
    assert response.status_code == 200
    assert "2 indicators attached to it" in html.unescape(response.get_data(as_text=True))
    assert session.get(TocNode, node.id) is not None


def test_a_node_whose_links_carry_records_cannot_be_deleted(client, factory, session, submit, project, me,
                                                            monkeypatch):
    monkeypatch.setitem(LINK_COUNTERS, "outcome", "tests.test_toc_views:three_outcomes_per_link")
    node = factory.toc_chain(project)[1]
    session.commit()

    response = submit(url(project, f"/nodes/{node.id}/delete"), {}, page=url(project))

    assert "its links carry 6 outcomes." in html.unescape(response.get_data(as_text=True))
    assert count(session, TocLink) == 3


def test_a_link_carrying_records_cannot_be_deleted(client, factory, session, submit, project, me, monkeypatch):
    monkeypatch.setitem(LINK_COUNTERS, "outcome", "tests.test_toc_views:three_outcomes_per_link")
    cause, effect = factory.toc_chain(project, "activity", "output")
    link = session.scalar(sa.select(TocLink))
    session.commit()

    response = submit(url(project, f"/links/{link.id}/delete"), {}, page=url(project))

    assert "This link cannot be deleted: 3 outcomes attached to it." in response.get_data(as_text=True)
    assert count(session, TocLink) == 1


# Links ---------------------------------------------------------------------------------------


def link_form(cause, effect, rationale=""):
    return {"cause_id": str(cause.id), "effect_id": str(effect.id), "rationale": rationale}


def test_a_link_that_would_close_a_loop_is_refused_with_the_cycle_named(client, factory, session, submit, project,
                                                                         me):
    output = factory.toc_node(project, "output", "Output A")
    outcome = factory.toc_node(project, "short_term_outcome", "Outcome B")
    factory.toc_link(project, output, outcome)
    session.commit()

    response = submit(url(project, "/links/new"), link_form(outcome, output, "Outcomes feed back into outputs."))
    text = html.unescape(response.get_data(as_text=True))

    assert response.status_code == 200
    error = re.search(r'id="effect_id-error">(.*?)</p>', text, flags=re.DOTALL).group(1)
    assert "This link would create a cycle: Outcome B → Output A → Outcome B." in error
    assert "Outcomes feed back into outputs." in text
    assert re.search(rf'<option selected value="{outcome.id}">Outcome B</option>', text)
    assert count(session, TocLink) == 1


def test_the_same_link_cannot_be_added_twice(client, factory, session, submit, project, me):
    cause, effect = factory.toc_chain(project, "activity", "output")
    session.commit()

    response = submit(url(project, "/links/new"), link_form(cause, effect))

    assert "already leads to" in response.get_data(as_text=True)
    assert count(session, TocLink) == 1


def test_a_link_to_a_node_of_another_project_is_refused(client, factory, session, submit, project, me):
    cause = factory.toc_node(project, "activity")
    foreign = factory.toc_node(factory.project(), "output")
    session.commit()

    response = submit(url(project, "/links/new"), link_form(cause, foreign))

    assert response.status_code == 200 and count(session, TocLink) == 0


def test_a_stale_link_edit_answers_409(client, factory, session, project, me):
    cause, effect = factory.toc_chain(project, "activity", "output")
    link = session.scalar(sa.select(TocLink))
    session.commit()
    form_page = page(client, url(project, f"/links/{link.id}/edit"))
    link.rationale = "Changed meanwhile."
    session.commit()

    response = client.post(url(project, f"/links/{link.id}/edit"), data={
        "csrf_token": csrf_from(form_page), "version": "1", **link_form(cause, effect, "My rationale")})

    assert response.status_code == 409 and "Changed meanwhile." in response.get_data(as_text=True)


def test_assumptions_are_added_edited_and_deleted_on_a_link(client, factory, session, submit, project, me):
    factory.toc_chain(project, "activity", "output")
    link = session.scalar(sa.select(TocLink))
    session.commit()

    submit(url(project, f"/links/{link.id}/assumptions/new"),
           {"text": "Counsellors stay in post", "status": "untested", "note": ""})
    assumption = session.scalar(sa.select(Assumption))
    submit(url(project, f"/assumptions/{assumption.id}/edit"),
           {"text": "Counsellors stay in post", "status": "partly_supported", "note": "Turnover 20%"})
    session.expire_all()
    assert session.get(Assumption, assumption.id).status == "partly_supported"
    assert "Partly supported" in page(client, url(project, f"/links/{link.id}"))

    submit(url(project, f"/assumptions/{assumption.id}/delete"), {})
    assert count(session, Assumption) == 0


def test_external_factors_are_recorded_against_a_node(client, factory, session, submit, project, me):
    node = factory.toc_chain(project)[2]
    session.commit()

    submit(url(project, f"/nodes/{node.id}/factors/new"), {"text": "Platform pricing changes"})

    assert session.scalar(sa.select(ExternalFactor.text)) == "Platform pricing changes"
    assert "External factor:</span> Platform pricing changes" in page(client, url(project))


# Versions ------------------------------------------------------------------------------------


def freeze(submit, project, label):
    return submit(url(project, "/freeze"), {"label": label})


def test_a_frozen_version_and_later_edits_show_up_in_the_comparison(client, factory, session, submit, project, me):
    activity, output, outcome, impact = factory.toc_chain(project)
    session.commit()
    assert freeze(submit, project, "Baseline").status_code == 302

    submit(url(project, "/nodes/new"), {"title": "Route repeat contacts", "level": "activity",
                                        "sphere": "control", "position": "0"})
    submit(url(project, f"/nodes/{output.id}/edit"), {"title": "Counsellors answer within 5 minutes",
                                                      "level": "output", "sphere": "influence", "position": "0",
                                                      "version": "1"})
    text = html.unescape(page(client, url(project, "/compare?old=1&new=working")))

    assert "From version 1 “Baseline” to the working version" in text
    assert "<ins>Route repeat contacts</ins>" in text
    assert f"<del>{output.title}</del>" in text and "<ins>Counsellors answer within 5 minutes</ins>" in text


def test_comparison_shows_assumption_status_changes(client, factory, session, submit, project, me):
    cause, effect = factory.toc_node(project, "activity"), factory.toc_node(project, "output")
    factory.toc_link(project, cause, effect, assumptions=["Children trust chat"])
    assumption = session.scalar(sa.select(Assumption))
    session.commit()
    freeze(submit, project, "Baseline")

    submit(url(project, f"/assumptions/{assumption.id}/edit"),
           {"text": "Children trust chat", "status": "supported", "note": "Disclosures doubled"})
    text = page(client, url(project, "/compare"))

    assert "<del>Untested</del>" in text and "<ins>Supported</ins>" in text


def test_a_frozen_version_keeps_what_was_later_deleted(client, factory, session, submit, project, me):
    nodes = factory.toc_chain(project)
    session.commit()
    freeze(submit, project, "Baseline")

    submit(url(project, f"/nodes/{nodes[1].id}/delete"), {})

    assert nodes[1].title not in svg_of(page(client, url(project)))
    assert html.escape(nodes[1].title, quote=False) in svg_of(page(client, url(project, "/versions/1")))


def test_the_toc_page_says_whether_the_working_version_changed_since_the_freeze(client, factory, session, submit,
                                                                               project, me):
    factory.toc_chain(project)
    session.commit()
    freeze(submit, project, "Baseline")

    assert "Nothing has changed since." in page(client, url(project))
    submit(url(project, "/nodes/new"), {"title": "Route repeat contacts", "level": "activity", "sphere": "control",
                                        "position": "0"})
    assert "See what changed since" in page(client, url(project))


def test_a_version_needs_a_name(client, factory, session, submit, project, me):
    factory.toc_chain(project)
    session.commit()

    response = freeze(submit, project, "  ")

    assert response.status_code == 200 and count(session, TocVersion) == 0


def test_versions_are_numbered_and_listed_newest_first(client, factory, session, submit, project, me):
    factory.toc_chain(project)
    session.commit()
    for label in ("Baseline", "Midline"):
        freeze(submit, project, label)

    text = html.unescape(page(client, url(project, "/versions")))

    assert text.index("Version 2 “Midline”") < text.index("Version 1 “Baseline”")
    assert "Working version 3" in text


@pytest.mark.both_backends
def test_the_versions_list_is_paginated_with_a_constant_query_count(app, client, factory, session, project, me,
                                                                    count_queries):
    from tracker.audit.services import Actor
    from tracker.toc import services

    factory.toc_chain(project)
    actor = Actor(user_id=me.id, email=me.email, role="me")

    def queries_with(total):
        while session.scalar(sa.select(sa.func.count()).select_from(TocVersion)) < total:
            services.freeze_version(session, actor, project, "Review")
        session.commit()
        with count_queries() as counter:
            text = page(client, url(project, "/versions"))
        return counter.count, text

    small, _text = queries_with(3)
    large, text = queries_with(app.config["ITEMS_PER_PAGE"] + 5)
    assert small == large
    assert "Page 1 of 2" in text


def test_an_unknown_version_answers_404(client, project, me):
    assert client.get(url(project, "/versions/9")).status_code == 404
    assert client.get(url(project, "/compare?old=9&new=working")).status_code == 404


# Level labels ------------------------------------------------------------------------------------


def test_the_fund_names_its_own_levels_and_diagrams_use_them(client, factory, login, session, submit, project):
    factory.toc_chain(project)
    login(factory.user("admin"))
    session.commit()

    response = submit("/fund/toc-levels", {"short_term_outcome": "Immediate outcome", "activity": ""})

    assert response.status_code == 302
    svg = svg_of(page(client, url(project)))
    assert "Immediate outcome" in svg and "Short-term outcome" not in svg and "Activity" in svg


def test_only_administrators_rename_levels(client, project, me):
    assert client.get("/fund/toc-levels").status_code == 404


def test_node_titles_are_escaped_in_the_page_and_the_diagram(client, factory, session, project, me):
    factory.toc_node(project, "activity", '<script>alert("x")</script> Train counsellors')
    session.commit()

    text = page(client, url(project))

    assert "<script>alert" not in text
    assert "&lt;script&gt;alert" in svg_of(text)


def test_new_activities_and_outputs_default_to_the_sphere_of_control(client, project, me):
    activity = page(client, url(project, "/nodes/new?level=output"))
    outcome = page(client, url(project, "/nodes/new?level=intermediate_outcome"))

    assert re.search(r'<option selected value="control">', activity)
    assert re.search(r'<option selected value="influence">', outcome)
