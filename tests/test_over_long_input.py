"""Over-long input is refused with a message saying the limit, and the form keeps the user's text (issue 17)."""

import html

import pytest
import sqlalchemy as sa

from tests.test_contribution import chain
from tests.test_contribution import claim_form
from tests.test_outcomes import outcome_form
from tracker.common.errors import ValidationFailed
from tracker.common.text import over_length
from tracker.contribution import services
from tracker.contribution.models import ContributionClaim
from tracker.contribution.tracing import services as tracing_services
from tracker.indicators import services as indicator_services
from tracker.outcomes.models import Outcome

LONG_TITLE = "Chat channels brought children to counsellors " * 5
LONG_AREA = "Hòa Vang district, Đà Nẵng, " * 10


@pytest.fixture
def project(factory, session):
    project = factory.project("thailand-helpline", title="Aselo helpline platform")
    session.commit()
    return project


def page_text(response):
    return html.unescape(response.get_data(as_text=True))


def test_an_over_long_claim_title_is_refused_and_kept(client, factory, login, session, submit, project):
    nodes, links = chain(factory, project)
    login(factory.user("me"))
    session.commit()

    response = submit(f"/projects/{project.slug}/claims/new", claim_form(links, nodes[-1], title=LONG_TITLE))

    text = page_text(response)
    assert "Keep this under 200 characters." in text
    assert LONG_TITLE.strip() in text
    assert session.scalar(sa.select(ContributionClaim)) is None


def test_an_over_long_outcome_area_is_refused_and_kept(client, factory, login, session, submit, project):
    harvest = factory.harvest(project)
    login(factory.user("grantee", projects=[project]))
    session.commit()

    response = submit(f"/projects/{project.slug}/outcomes/new", outcome_form(harvest, area=LONG_AREA))

    text = page_text(response)
    assert "Keep this under 200 characters." in text
    assert LONG_AREA.strip() in text
    assert session.scalar(sa.select(Outcome)) is None


def test_form_fields_carry_no_maxlength_that_would_cut_pasted_text(client, factory, login, session, project):
    login(factory.user("grantee", projects=[project]))
    factory.harvest(project)
    session.commit()

    form = client.get(f"/projects/{project.slug}/outcomes/new").get_data(as_text=True)

    assert 'name="area"' in form and "maxlength" not in form


def test_the_claim_service_refuses_an_over_long_title_rather_than_cutting_it():
    with pytest.raises(ValidationFailed) as refused:
        services.clean_claim_values({"title": LONG_TITLE})

    assert [field for field, _message in refused.value.reasons] == ["title"]


def test_the_tracing_service_refuses_an_over_long_entity_rather_than_cutting_it():
    with pytest.raises(ValidationFailed) as refused:
        tracing_services.clean_component_values({"entity": "Provincial police cyber unit " * 10,
                                                 "activity": "Takes reports of online grooming by e-mail."})

    assert [field for field, _message in refused.value.reasons] == ["entity"]


def test_text_at_the_limit_is_accepted_and_one_character_more_is_not():
    assert over_length({"title": "x" * 200}, {"title": 200}) == []
    assert [field for field, _message in over_length({"title": "x" * 201}, {"title": 200})] == ["title"]




def test_an_over_long_confidence_band_label_is_refused_rather_than_cut():
    with pytest.raises(ValidationFailed) as refused:
        tracing_services.parse_bands("0 not confident\n0.5 " + "more confident than not " * 6)

    assert [str(message) for _field, message in refused.value.reasons] == [
        "Line 2: keep the words under 120 characters."]


def test_an_over_long_disaggregation_value_is_refused_rather_than_cut():
    with pytest.raises(ValidationFailed) as refused:
        indicator_services.parse_dimensions("sex: female, male\nprovince: " + "Khánh Hòa coastal districts " * 3)

    assert [str(message) for _field, message in refused.value.reasons] == [
        "Line 2: keep each dimension and value under 60 characters."]
