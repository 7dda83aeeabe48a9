"""The theory-of-change graph module on its own: plain data in, plain data out, no app and no database."""

import pytest

from tracker.toc import graph
from tracker.toc.graph import Link
from tracker.toc.graph import Node
from tracker.toc.models import NodeLevel


def toc(nodes, links):
    """Build a graph from ``(id, level, title)`` and ``(id, cause, effect)`` tuples."""
    return graph.build([Node(*node) for node in nodes], [Link(*link) for link in links])


HELPLINE = [
    (1, "activity", "Train counsellors"),
    (2, "activity", "Open chat channels"),
    (3, "output", "Counsellors answer chats"),
    (4, "short_term_outcome", "Children disclose abuse"),
    (5, "intermediate_outcome", "Children are referred"),
    (6, "impact", "Children are safer"),
]
HELPLINE_LINKS = [(10, 1, 3), (11, 2, 3), (12, 3, 4), (13, 4, 5), (14, 5, 6)]


def kinds(findings):
    return sorted((finding.kind, finding.node_ids) for finding in findings)


def test_the_module_knows_the_same_levels_as_the_models():
    assert graph.LEVELS == tuple(level.value for level in NodeLevel)


def test_a_link_closing_a_loop_is_rejected_with_the_cycle_named():
    loop = toc([(1, "output", "Output A"), (2, "short_term_outcome", "Outcome B"), (3, "intermediate_outcome", "C")],
               [(10, 1, 2), (11, 2, 3)])

    with pytest.raises(graph.CycleError) as refused:
        graph.check_link(loop, 3, 1)

    assert refused.value.cycle == [3, 1, 2, 3]
    assert refused.value.description == "C → Output A → Outcome B → C"


def test_the_cycle_message_reads_like_the_example():
    loop = toc([(1, "output", "Output A"), (2, "short_term_outcome", "Outcome B")], [(10, 1, 2)])

    with pytest.raises(graph.CycleError, match="Outcome B → Output A → Outcome B"):
        graph.check_link(loop, 2, 1)


def test_a_node_linked_to_itself_is_a_cycle():
    assert graph.cycle_through(toc(HELPLINE, HELPLINE_LINKS), 3, 3) == [3, 3]


def test_a_forward_link_is_accepted():
    assert graph.cycle_through(toc(HELPLINE, HELPLINE_LINKS), 1, 4) is None


def test_editing_a_link_ignores_its_own_current_ends():
    chain = toc(HELPLINE, HELPLINE_LINKS)

    assert graph.cycle_through(chain, 4, 3, replacing=(3, 4)) is None
    assert graph.cycle_through(chain, 4, 3) == [4, 3, 4]


def test_a_sound_theory_of_change_has_no_warnings():
    assert graph.find_warnings(toc(HELPLINE, HELPLINE_LINKS)) == []


def test_orphan_nodes_are_reported_once_as_orphans():
    nodes = [*HELPLINE, (7, "short_term_outcome", "Parents talk with children"), (8, "activity", "Print leaflets")]

    findings = graph.find_warnings(toc(nodes, HELPLINE_LINKS))

    assert kinds(findings) == [(graph.ORPHAN, (7,)), (graph.ORPHAN, (8,))]


def test_outcomes_that_no_activity_reaches_are_reported():
    nodes = [*HELPLINE, (7, "output", "Campaign materials"), (8, "short_term_outcome", "Parents talk with children")]
    links = [*HELPLINE_LINKS, (15, 7, 8), (16, 8, 5)]

    findings = graph.find_warnings(toc(nodes, links))

    assert kinds(findings) == [(graph.UNREACHED_OUTCOME, (8,))]


def test_activities_without_a_path_to_the_impact_are_reported():
    nodes = [*HELPLINE, (7, "activity", "Print leaflets"), (8, "output", "Leaflets printed")]
    links = [*HELPLINE_LINKS, (15, 7, 8)]

    assert kinds(graph.find_warnings(toc(nodes, links))) == [(graph.NO_PATH_TO_IMPACT, (7,))]


def test_links_skipping_more_than_one_level_are_reported():
    links = [*HELPLINE_LINKS, (15, 2, 5)]

    findings = graph.find_warnings(toc(HELPLINE, links))

    assert findings == [graph.Finding(graph.SKIPS_LEVELS, (2, 5), (15,))]


def test_skipping_a_single_level_is_acceptable():
    assert graph.find_warnings(toc(HELPLINE, [*HELPLINE_LINKS, (15, 2, 4)])) == []


def test_links_from_a_higher_level_to_a_lower_one_are_reported():
    findings = graph.find_warnings(toc(HELPLINE, [*HELPLINE_LINKS, (15, 4, 3)]))

    assert findings == [graph.Finding(graph.RUNS_BACKWARDS, (4, 3), (15,))]


def test_a_missing_impact_is_one_warning_not_one_per_activity():
    nodes = [node for node in HELPLINE if node[1] != "impact"]
    links = [link for link in HELPLINE_LINKS if link[2] != 6]

    assert kinds(graph.find_warnings(toc(nodes, links))) == [(graph.NO_IMPACT, ())]


def test_a_missing_activity_is_one_warning_not_one_per_outcome():
    nodes = [node for node in HELPLINE if node[1] != "activity"]
    links = [link for link in HELPLINE_LINKS if link[1] not in (1, 2)]

    assert kinds(graph.find_warnings(toc(nodes, links))) == [(graph.NO_ACTIVITY, ())]


def test_pathways_lead_from_each_activity_to_the_impact():
    found = graph.pathways(toc(HELPLINE, HELPLINE_LINKS))

    assert found.paths == [[1, 3, 4, 5, 6], [2, 3, 4, 5, 6]]
    assert found.total == 2 and not found.truncated


def test_branching_pathways_are_all_listed():
    nodes = [*HELPLINE, (7, "short_term_outcome", "Counsellors refer reports to the hotline")]
    links = [*HELPLINE_LINKS, (15, 3, 7), (16, 7, 5)]

    found = graph.pathways(toc(nodes, links))

    assert sorted(found.paths) == [[1, 3, 4, 5, 6], [1, 3, 7, 5, 6], [2, 3, 4, 5, 6], [2, 3, 7, 5, 6]]


def test_pathways_are_capped_but_still_counted():
    nodes = [(1, "activity", "A")] + [(index, "output", f"O{index}") for index in range(2, 12)] + [(99, "impact", "I")]
    links = [(index, 1, index) for index in range(2, 12)] + [(100 + index, index, 99) for index in range(2, 12)]

    found = graph.pathways(toc(nodes, links), limit=4)

    assert len(found.paths) == 4 and found.total == 10 and found.truncated


def test_path_descriptions_use_titles():
    chain = toc(HELPLINE, HELPLINE_LINKS)

    described = graph.describe_path(chain, [1, 3, 4])

    assert described == "Train counsellors → Counsellors answer chats → Children disclose abuse"
    assert graph.links_along(chain, [1, 3, 4]) == [10, 12]


# Evidence-coverage hooks ------------------------------------------------------------------


def test_link_strengths_aggregate_onto_the_nodes_they_lead_to():
    chain = toc(HELPLINE, HELPLINE_LINKS)

    summary = graph.summarise_links_by_node(chain, {10: "strong", 11: "weak"})

    assert summary[3] == graph.NodeSummary(links=2, covered=2, weakest="weak", strongest="strong")
    assert summary[4] == graph.NodeSummary(links=1, covered=0)
    assert summary[4].uncovered == 1


def test_outgoing_links_can_be_summarised_too():
    chain = toc(HELPLINE, HELPLINE_LINKS)

    summary = graph.summarise_links_by_node(chain, {12: "moderate"}, direction="outgoing")

    assert summary[3].weakest == "moderate" and summary[1].covered == 0


def test_per_node_numbers_combine_onto_links():
    chain = toc(HELPLINE, HELPLINE_LINKS)

    combined = graph.combine_nodes_onto_links(chain, {3: 4, 4: 1}, combine=min)

    assert combined[12] == 1 and combined[10] == 4 and combined[14] is None


def test_per_node_numbers_total_by_level():
    assert graph.totals_by_level(toc(HELPLINE, HELPLINE_LINKS), {4: 3, 5: 2, 3: 1}) == {
        "activity": 0, "output": 1, "short_term_outcome": 3, "intermediate_outcome": 2, "impact": 0}


def test_a_pathway_is_as_strong_as_its_weakest_link():
    chain = toc(HELPLINE, HELPLINE_LINKS)
    strengths = {10: "strong", 11: "moderate", 12: "strong", 13: "weak", 14: "strong"}

    first, second = graph.pathway_strengths(chain, strengths, graph.pathways(chain).paths)

    assert first.weakest == "weak" and first.links == (10, 12, 13, 14) and first.uncovered_links == ()
    assert second.weakest == "weak"


def test_a_pathway_with_an_unassessed_link_has_no_strength():
    chain = toc(HELPLINE, HELPLINE_LINKS)

    (result, _other) = graph.pathway_strengths(chain, {10: "strong", 12: "strong"}, graph.pathways(chain).paths)

    assert result.weakest is None and result.uncovered_links == (13, 14)


def test_numeric_link_values_order_as_numbers():
    chain = toc(HELPLINE, HELPLINE_LINKS)

    summary = graph.summarise_links_by_node(chain, {10: 0.9, 11: 0.55})

    assert summary[3].weakest == 0.55 and summary[3].strongest == 0.9


def test_coverage_counts_links_with_data_and_nodes_without():
    report = graph.coverage(toc(HELPLINE, HELPLINE_LINKS), {10: "strong", 12: "weak"})

    assert report["links"] == 5 and report["covered_links"] == 2
    assert report["uncovered_link_ids"] == [11, 13, 14]
    assert report["nodes_without_data"] == [2, 5, 6]


# Version comparison -------------------------------------------------------------------------


def snapshot_node(node_id, level, title, **extra):
    return {"id": node_id, "level": level, "title": title, "description": "", "sphere": "influence",
            "is_precondition": False, "position": 0, "external_factors": [], **extra}


def snapshot_link(link_id, cause, effect, **extra):
    return {"id": link_id, "cause": cause, "effect": effect, "rationale": "", "assumptions": [], **extra}


@pytest.fixture
def baseline():
    return {
        "nodes": [snapshot_node(1, "activity", "Train counsellors"),
                  snapshot_node(2, "output", "Counsellors answer chats",
                                external_factors=[{"id": 50, "text": "Staff turnover"}]),
                  snapshot_node(3, "short_term_outcome", "Children disclose")],
        "links": [snapshot_link(10, 1, 2),
                  snapshot_link(11, 2, 3, assumptions=[{"id": 40, "text": "Children trust chat", "status": "untested",
                                                        "note": ""}])],
    }


def test_identical_snapshots_have_no_differences(baseline):
    assert graph.diff_snapshots(baseline, baseline).is_empty


def test_the_diff_lists_added_and_removed_nodes_and_links(baseline):
    later = {
        "nodes": [*baseline["nodes"][:2], snapshot_node(4, "short_term_outcome", "Children are referred")],
        "links": [baseline["links"][0], snapshot_link(12, 2, 4)],
    }

    diff = graph.diff_snapshots(baseline, later)

    assert [node["title"] for node in diff.added_nodes] == ["Children are referred"]
    assert [node["title"] for node in diff.removed_nodes] == ["Children disclose"]
    assert [link["id"] for link in diff.added_links] == [12]
    assert [link["id"] for link in diff.removed_links] == [11]
    assert [(item["text"], link["id"]) for item, link in diff.removed_assumptions] == [("Children trust chat", 11)]


def test_the_diff_names_changed_titles_and_levels(baseline):
    later = {**baseline, "nodes": [baseline["nodes"][0],
                                   {**baseline["nodes"][1], "title": "Counsellors answer chats within 5 minutes",
                                    "level": "short_term_outcome"},
                                   baseline["nodes"][2]]}

    (change,) = graph.diff_snapshots(baseline, later).changed_nodes

    assert change.fields == {"title": ("Counsellors answer chats", "Counsellors answer chats within 5 minutes"),
                             "level": ("output", "short_term_outcome")}


def test_the_diff_shows_assumption_status_changes_with_their_link(baseline):
    link = baseline["links"][1]
    supported = {**link["assumptions"][0], "status": "supported", "note": "Chat disclosures doubled"}
    later = {**baseline, "links": [baseline["links"][0], {**link, "assumptions": [supported]}]}

    (change,) = graph.diff_snapshots(baseline, later).changed_assumptions

    assert change.fields["status"] == ("untested", "supported")
    assert change.parent["id"] == 11


def test_the_diff_lists_external_factor_changes(baseline):
    node = baseline["nodes"][1]
    later = {**baseline, "nodes": [baseline["nodes"][0], {**node, "external_factors": [
        {"id": 51, "text": "Platform pricing changes"}]}, baseline["nodes"][2]]}

    diff = graph.diff_snapshots(baseline, later)

    assert [(item["text"], owner["id"]) for item, owner in diff.added_factors] == [("Platform pricing changes", 2)]
    assert [(item["text"], owner["id"]) for item, owner in diff.removed_factors] == [("Staff turnover", 2)]


def test_a_snapshot_rebuilds_its_graph(baseline):
    rebuilt = graph.from_snapshot(baseline)

    assert sorted(rebuilt.edges(data="id")) == [(1, 2, 10), (2, 3, 11)]
    assert rebuilt.nodes[3]["title"] == "Children disclose"
