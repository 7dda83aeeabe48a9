"""Evidence where people look for it: a project tab, "Attach evidence" on the records it stands for, readable sizes."""

import html
import io
from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import TEST_ACTOR
from tracker.evidence.models import EvidenceItem
from tracker.indicators import services as indicator_services

NOTE = b"Referral board photographed: 3 open, 1 closed case.\n"


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
    return f"/projects/{project.slug}/evidence{path}"


def text_of(response):
    return html.unescape(response.get_data(as_text=True))


def upload(submit, project, filename, data):
    return submit(url(project, "/new?kind=document"), {"title": "", "summary": "", "source": "", "collected_on": "",
                                                       "file": (io.BytesIO(data), filename)},
                  content_type="multipart/form-data")


# Sizes --------------------------------------------------------------------------------------------------------


def test_a_52_byte_note_shows_as_52_b_not_0_kb(client, session, submit, project, me):
    upload(submit, project, "board.txt", NOTE)
    item = session.scalar(sa.select(EvidenceItem))

    text = text_of(client.get(url(project, f"/{item.id}")))

    assert "(52 B; downloads are recorded in the audit log)" in text
    assert "0 kB" not in text


def test_the_upload_form_states_the_limit_in_megabytes(client, app, project, me):
    app.config["EVIDENCE_UPLOAD_MAX_BYTES"] = 10 * 1024 * 1024

    assert "up to 10 MB" in text_of(client.get(url(project, "/new?kind=document")))


# The Evidence tab ---------------------------------------------------------------------------------------------


def test_the_project_tabs_include_evidence_after_stories(client, project, me):
    text = client.get(f"/projects/{project.slug}").get_data(as_text=True)
    tabs = text.split('class="project-tabs"')[1].split("</nav>")[0]

    assert tabs.index("Stories") < tabs.index(">Evidence<") < tabs.index("Evidence map")
    assert url(project) in tabs


def test_a_donor_has_no_evidence_tab(client, factory, login, session, project):
    login(factory.user("donor"))
    session.commit()

    text = client.get(f"/projects/{project.slug}").get_data(as_text=True)

    assert url(project) not in text


def test_staff_find_the_notes_not_attached_yet(client, factory, session, project, me):
    claim, links = factory.claim_with_chain(project)
    factory.evidence(project, title="Supervisor interview", supports=[links[0]])
    factory.evidence(project, title="Night shift observation", kind="observation")
    session.commit()

    text = text_of(client.get(url(project, "?attached=no")))

    assert "Night shift observation" in text and "Supervisor interview" not in text


def test_staff_find_evidence_by_words_of_its_title_or_source(client, factory, session, project, me):
    factory.evidence(project, title="Supervisor interview", source="Provincial child-protection officer")
    factory.evidence(project, title="Night shift observation")
    factory.evidence(project, title="100% of chats answered")
    session.commit()

    assert "Supervisor interview" in text_of(client.get(url(project, "?words=CHILD-PROTECTION")))
    assert "Night shift" not in text_of(client.get(url(project, "?words=CHILD-PROTECTION")))
    by_percent = text_of(client.get(url(project, "?words=%25")))
    assert "100% of chats answered" in by_percent and "Supervisor interview" not in by_percent


def test_filters_that_match_nothing_say_so_and_offer_everything(client, factory, session, project, me):
    factory.evidence(project, title="Supervisor interview")
    session.commit()

    text = text_of(client.get(url(project, "?kind=web_link")))

    assert "No evidence matches these filters." in text and "Show all the evidence" in text


def test_the_evidence_tab_pages_through_many_items(client, app, factory, session, project, me):
    app.config["ITEMS_PER_PAGE"] = 5
    for number in range(7):
        factory.evidence(project, title=f"Interview {number}")
    session.commit()

    first, second = text_of(client.get(url(project))), text_of(client.get(url(project, "?page=2")))

    assert sum(f"Interview {number}<" in first for number in range(7)) == 5
    assert sum(f"Interview {number}<" in second for number in range(7)) == 2


def test_a_grantee_of_another_project_sees_no_evidence_copied_from_this_projects_stories(
        client, factory, login, session, project):
    story = factory.story(project, safeguarding="approved", title="The night I wrote to the helpline")
    factory.evidence(project, kind="story", story_id=story.id)
    factory.evidence(project, title="Supervisor interview")
    session.commit()

    login(factory.user("grantee", projects=[factory.project()]))
    session.commit()
    assert client.get(url(project)).status_code == 404

    login(factory.user("admin"))
    session.commit()
    text = text_of(client.get(url(project)))
    assert "Supervisor interview" in text and "The night I wrote to the helpline" not in text


@pytest.mark.both_backends
def test_the_evidence_tab_query_count_does_not_grow_with_items(client, factory, session, count_queries, project, me):
    claim, links = factory.claim_with_chain(project)

    def queries_with(total):
        while session.scalar(sa.select(sa.func.count()).select_from(EvidenceItem)) < total:
            number = session.scalar(sa.select(sa.func.count()).select_from(EvidenceItem))
            factory.evidence(project, title=f"Interview {number}", supports=links[:1 + number % 3])
        session.commit()
        with count_queries() as counter:
            assert client.get(url(project, "?attached=yes")).status_code == 200
        return counter.count

    assert queries_with(3) == queries_with(20)


# Attach evidence from the record ------------------------------------------------------------------------------


def test_an_outcome_page_offers_to_attach_evidence_prefilled_with_the_outcome(client, factory, session, submit,
                                                                             project, me):
    outcome = factory.outcome(project)
    session.commit()
    outcome_page = text_of(client.get(f"/projects/{project.slug}/outcomes/{outcome.id}"))
    link = url(project, f"/new?kind=outcome&outcome_id={outcome.id}")
    assert f'href="{link}"' in outcome_page

    form = text_of(client.get(link))
    assert f'<option selected value="{outcome.id}">' in form

    response = submit(link, {"outcome_id": outcome.id, "title": "", "summary": "", "strength": "moderate"})
    item = session.scalar(sa.select(EvidenceItem))
    assert response.status_code == 302 and item.outcome_id == outcome.id


def test_a_story_page_offers_to_attach_it_as_evidence_and_the_web_form_saves_it(client, factory, session, submit,
                                                                                project, me):
    claim, links = factory.claim_with_chain(project)
    story = factory.story(project, safeguarding="approved", title="The night I wrote to the helpline")
    session.commit()
    link = url(project, f"/new?kind=story&story_id={story.id}")
    assert f'href="{link}"' in text_of(client.get(f"/projects/{project.slug}/stories/{story.id}"))
    assert f'<option selected value="{story.id}">' in text_of(client.get(link))

    response = submit(link, {"story_id": story.id, "title": "", "summary": "A counsellor answered within minutes.",
                             "target": f"link-{links[2].id}", "strength": "strong", "note": "In her own words."})

    item = session.scalar(sa.select(EvidenceItem))
    assert response.status_code == 302
    assert item.kind.value == "story" and item.story_id == story.id and item.title == story.title
    assert [(row.link_id, row.strength.value) for row in item.attachments] == [(links[2].id, "strong")]
    assert story.title in text_of(client.get(url(project)))


def test_an_indicator_page_offers_its_latest_reported_result_as_evidence(client, factory, session, project, me):
    indicator = factory.indicator(project, title="Contacts answered on text channels")
    for year, value in ((2022, "8420"), (2023, "9100")):
        period = factory.period(indicator, start=date(year, 1, 1), end=date(year, 12, 31))
        indicator_services.save_actual(session, TEST_ACTOR, project, indicator, period, {"value": value}, submit=True)
    session.commit()
    link = url(project, f"/new?kind=indicator_result&indicator_id={indicator.id}")

    assert f'href="{link}"' in text_of(client.get(f"/projects/{project.slug}/indicators/{indicator.id}"))
    assert f'<option selected value="{period.id}">' in text_of(client.get(link))


def test_a_claim_page_offers_to_attach_evidence_to_the_link_into_its_outcome(client, factory, session, project, me):
    claim, links = factory.claim_with_chain(project)
    session.commit()
    link = url(project, f"?target=link-{links[-1].id}").replace("?", "/new?")

    assert f'href="{link}"' in text_of(client.get(f"/projects/{project.slug}/claims/{claim.id}"))
    choose = text_of(client.get(link))
    assert url(project, f"/new?kind=interview&target=link-{links[-1].id}") in choose
    form = text_of(client.get(url(project, f"/new?kind=interview&target=link-{links[-1].id}")))
    assert f'<option selected value="link-{links[-1].id}">' in form


def test_a_donor_sees_no_attach_evidence_on_a_shared_story(client, factory, login, session, project):
    story = factory.story(project, safeguarding="approved")
    login(factory.user("donor"))
    session.commit()

    assert "Attach evidence" not in text_of(client.get(f"/projects/{project.slug}/stories/{story.id}"))


def test_a_story_whose_storyteller_refused_internal_use_offers_no_attach_evidence(client, factory, session, project,
                                                                                  me):
    story = factory.story(project, consent={"scope_internal": False})
    session.commit()

    text = text_of(client.get(f"/projects/{project.slug}/stories/{story.id}"))

    assert "Attach evidence" not in text
