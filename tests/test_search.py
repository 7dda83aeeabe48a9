"""Full-text search on SQLite FTS5 and PostgreSQL: safe queries, highlighting, permissions, index upkeep."""

import re

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from tests.factories import TEST_ACTOR
from tracker import migrate
from tracker.common.highlight import START
from tracker.common.highlight import STOP
from tracker.common.highlight import segments
from tracker.db_search import SEARCHED_COLUMNS
from tracker.db_search import sqlite_fts_triggers
from tracker.db_search import vector_sql
from tracker.msc import services as story_services
from tracker.msc.sharing import stories_visible_to
from tracker.outcomes import services as outcome_services
from tracker.outcomes.sharing import outcomes_visible_to
from tracker.search import query as parsing
from tracker.search import services as search


def visible(role, project_ids, fund_id):
    return {"outcome": outcomes_visible_to(role, project_ids, fund_id),
            "story": stories_visible_to(role, project_ids, fund_id)}


def run(session, fund_id, text, kind, role="me", project_ids=()):
    return search.search(session, visible(role, set(project_ids), fund_id), text, kind, 1, 25)


def found(results):
    return [hit.record.id for hit in results.hits]


@pytest.mark.parametrize("text, expected", [
    ("peer leader", '("peer") AND "leader"'),
    ('"child club" -police', '("child club") NOT "police"'),
    ("grooming OR sextortion", '"grooming" OR "sextortion"'),
    ("counsel*", '"counsel"*'),
    ('say "hi', '("say") AND "hi"'),
    ("-only -exclusions", None),
    ("   ", None),
])
def test_user_queries_become_quoted_fts5_expressions(text, expected):
    assert parsing.fts5_query(text) == expected


def test_highlight_markers_become_plain_segments():
    assert segments(f"a {START}peer{STOP} leader") == [("a ", False), ("peer", True), (" leader", False)]
    assert segments(f"<b>{START}x{STOP}") == [("<b>", False), ("x", True)]


@pytest.fixture
def project(factory, session):
    project = factory.project("viet-nam-networks", countries=["VN"])
    session.commit()
    return project


@pytest.mark.both_backends
def test_outcomes_and_stories_are_found_and_highlighted(factory, session, project):
    outcome = factory.outcome(project, description="Commune officers referred online grooming cases in 48 hours.")
    factory.outcome(project, description="Teachers ran a session on privacy settings.")
    story = factory.story(project, factory.cycle(), what_happened="He told the club peer leader over coffee.")

    outcomes = run(session, project.fund_id, "grooming", "outcome")
    stories = run(session, project.fund_id, "peer leader", "story")

    assert found(outcomes) == [outcome.id] and outcomes.counts == {"outcome": 1, "story": 0}
    assert found(stories) == [story.id]
    assert ("grooming", True) in outcomes.hits[0].snippet
    assert ("peer", True) in stories.hits[0].snippet and ("leader", True) in stories.hits[0].snippet


@pytest.mark.both_backends
def test_stories_are_found_through_their_translations(factory, session, project):
    story = factory.story(project, factory.cycle(), language="vi", title="Ly cà phê hôm ấy",
                          what_happened="Em đã kể với bạn trưởng nhóm câu lạc bộ.")
    story_services.save_translation(session, TEST_ACTOR, story, {
        "language": "en", "title": "That cup of coffee", "what_happened": "I told the club's peer leader.",
        "why_significant": "He knew where to go."})

    by_translation = run(session, project.fund_id, "coffee", "story")
    by_original = run(session, project.fund_id, "trưởng nhóm", "story")

    assert found(by_translation) == [story.id] and found(by_original) == [story.id]
    assert ("coffee", True) in by_translation.hits[0].snippet


@pytest.mark.both_backends
def test_the_index_follows_edits(factory, session, project):
    outcome = factory.outcome(project, description="Officers referred cases of sextortion quickly.")
    values = {name: getattr(outcome, name) for name in ("harvest_id", "social_actor", "change_date", "country_code",
                                                        "area", "sources", "change_agent", "significance",
                                                        "contribution")}

    outcome_services.update_outcome(session, TEST_ACTOR, project, outcome, {
        **values, "change_type": "practice", "description": "Officers referred cases of grooming quickly."},
        outcome.version)

    assert found(run(session, project.fund_id, "grooming", "outcome")) == [outcome.id]
    assert found(run(session, project.fund_id, "sextortion", "outcome")) == []


@pytest.mark.both_backends
def test_grantees_find_only_their_own_projects(factory, session, project):
    other = factory.project()
    mine = factory.outcome(project, description="Our officers refer grooming cases.")
    factory.outcome(other, description="Their officers refer grooming cases.")

    results = run(session, project.fund_id, "grooming", "outcome", role="grantee", project_ids=[project.id])

    assert found(results) == [mine.id] and results.counts["outcome"] == 1


@pytest.mark.both_backends
def test_donors_find_only_what_the_donor_rules_allow(factory, session, project):
    cycle = factory.cycle()
    shared = factory.story(project, cycle, what_happened="A grooming attempt was reported.", safeguarding="approved")
    factory.story(project, cycle, what_happened="A restricted grooming account.", safeguarding="restricted")
    factory.story(project, cycle, what_happened="A pending grooming account.")
    substantiated = factory.outcome(project, description="Grooming cases referred.", status="substantiated")
    factory.outcome(project, description="Grooming cases in draft.")

    stories = run(session, project.fund_id, "grooming", "story", role="donor")
    outcomes = run(session, project.fund_id, "grooming", "outcome", role="donor")

    assert found(stories) == [shared.id] and stories.counts == {"story": 1, "outcome": 1}
    assert found(outcomes) == [substantiated.id]


@pytest.mark.both_backends
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60))
def test_no_user_query_breaks_the_search(factory, session, project, text):
    results = run(session, project.fund_id, text, "story")

    assert results is None or results.page.total >= 0


def test_the_search_page_escapes_text_and_marks_matches(client, factory, login, session, project):
    factory.outcome(project, description='Officers <script>alert("x")</script> handled grooming reports.')
    login(factory.user("me"))
    session.commit()

    html = client.get("/search?q=grooming").get_data(as_text=True)

    assert "<mark>grooming</mark>" in html
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_the_search_page_switches_between_outcomes_and_stories(client, factory, login, session, project):
    factory.story(project, factory.cycle(), title="Safe to tell", what_happened="She used the sign for grooming.")
    login(factory.user("me"))
    session.commit()

    html = client.get("/search?q=grooming&kind=story").get_data(as_text=True)

    assert re.findall(r'<span class="count">(\d+)</span>', html) == ["0", "1"]
    assert "Safe to tell" in html


@pytest.mark.both_backends
def test_the_search_page_query_count_does_not_grow_with_results(client, factory, login, session, count_queries,
                                                                  project):
    cycle = factory.cycle()
    login(factory.user("me"))

    def queries_with(total):
        while len(session.scalars(stories_visible_to("me", set(), project.fund_id)).all()) < total:
            factory.story(project, cycle, what_happened="A story about grooming and help.")
            factory.outcome(project, description="Officers refer grooming cases within two days.")
        session.commit()
        with count_queries() as counter:
            assert client.get("/search?q=grooming&kind=story").status_code == 200
        return counter.count

    assert queries_with(3) == queries_with(20)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_fts_triggers_exist_at_head(engine):
    assert migrate.current_revision(engine) == migrate.heads()[0]
    with engine.connect() as connection:
        triggers = set(connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").scalars())
        tables = set(connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'").scalars())

    for table in SEARCHED_COLUMNS:
        assert set(sqlite_fts_triggers(table)) <= triggers
        assert f"{table}_fts" in tables


@pytest.mark.parametrize("backend", ["postgresql"])
def test_postgresql_uses_the_gin_index(engine, connection):
    connection.exec_driver_sql("SET enable_seqscan = off")
    condition = f"{vector_sql('outcome')} @@ websearch_to_tsquery('english'::regconfig, 'grooming')"
    plan = "\n".join(connection.exec_driver_sql(f"EXPLAIN SELECT id FROM outcome WHERE {condition}").scalars())  # noqa: S608 - constants only

    assert "ix_outcome_search" in plan


@pytest.mark.both_backends
@pytest.mark.parametrize("language, text, word", [
    ("th", "คืนหนึ่งฉันเห็นโพสต์ของสายเด็กในไลน์", "สายเด็ก"),
    ("km", "ក្មេងស្រីម្នាក់បានប្រាប់គ្រូរបស់នាង", "គ្រូ"),
])
def test_words_inside_scripts_without_spaces_are_found(factory, session, project, language, text, word):
    story = factory.story(project, factory.cycle(), language=language, what_happened=text)
    factory.story(project, factory.cycle(), what_happened="An English story about the club.")

    results = run(session, project.fund_id, word, "story")

    assert found(results) == [story.id]
    assert (word, True) in results.hits[0].snippet


@pytest.mark.both_backends
def test_substring_search_keeps_to_the_visible_set_and_honours_exclusions(factory, session, project):
    cycle = factory.cycle()
    shared = factory.story(project, cycle, language="th", what_happened="เด็กทักแชทสายเด็กตอนดึก",
                           safeguarding="approved")
    factory.story(project, cycle, language="th", what_happened="เด็กทักแชทสายเด็กตอนเช้า", safeguarding="restricted")
    factory.story(project, cycle, language="th", what_happened="สายเด็กตอบเร็ว", safeguarding="approved")

    donor = run(session, project.fund_id, "สายเด็ก -ตอบ", "story", role="donor")

    assert found(donor) == [shared.id]
    assert found(run(session, project.fund_id, "สาย%เด็ก", "story")) == []  # LIKE wildcards are plain text


def test_python_snippets_mark_every_term_and_keep_the_text():
    from tracker.common.highlight import window

    assert window("The Line and LINE", ["line"]) == [("The ", False), ("Line", True), (" and ", False),
                                                     ("LINE", True)]
    assert window("no match here", ["absent"]) == [("no match here", False)]
