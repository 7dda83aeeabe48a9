"""Indicators: definitions, periods, disaggregation, the review of actuals, progress charts and lists."""

import html
import re
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.api_support import assert_problem
from tests.conftest import csrf_from
from tests.factories import TEST_ACTOR
from tracker.common.errors import ValidationFailed
from tracker.indicators import chart
from tracker.indicators import rules
from tracker.indicators import services
from tracker.indicators.models import ActualStatus
from tracker.indicators.models import Indicator
from tracker.indicators.models import IndicatorPeriod
from tracker.indicators.models import PeriodActual
from tracker.indicators.rules import Reported
from tracker.toc.attachments import node_attachments


@pytest.fixture
def project(factory, session):
    project = factory.project("thailand-helpline", title="Aselo helpline platform")
    session.commit()
    return project


@pytest.fixture
def node(factory, session, project):
    node = factory.toc_node(project, "short_term_outcome", "Children reach counsellors on text channels")
    session.commit()
    return node


@pytest.fixture
def grantee(factory, session, project):
    user = factory.user("grantee", projects=[project], display_name="Helpline coordinator")
    session.commit()
    return user


@pytest.fixture
def reviewer(factory, session):
    user = factory.user("me", display_name="Fund M&E officer")
    session.commit()
    return user


def base(project, path=""):
    return f"/projects/{project.slug}/indicators{path}"


def indicator_form(node, **overrides):
    return {"node_id": str(node.id), "title": "Contacts answered on text channels", "definition": "",
            "means_of_verification": "Aselo contact records", "measure": "unit", "ascending": "True",
            "unit": "contacts", "baseline_year": "2021", "baseline_value": "3200", "baseline_comment": "",
            "dimensions": "", **overrides}


def period_form(**overrides):
    return {"start_date": "2022-01-01", "end_date": "2022-12-31", "target_value": "9000", "target_comment": "",
            **overrides}


def parse(svg):
    return ET.fromstring(svg)  # noqa: S314 - the chart renderer's own output


def errors(response, field):
    match = re.search(rf'id="{field}-error">(.*?)</p>', response.get_data(as_text=True), flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))) if match else ""


# Indicators and their bad input ---------------------------------------------------------------


def test_staff_add_an_indicator_to_a_toc_node(client, login, session, submit, project, node, reviewer):
    login(reviewer)

    response = submit(base(project, "/new"), indicator_form(node, dimensions="sex: girls, boys\nage band: 13-17"))

    assert response.status_code == 302
    indicator = session.scalar(sa.select(Indicator))
    assert indicator.node_id == node.id and indicator.iati_measure == "1"
    assert indicator.baseline_value == Decimal("3200")
    assert indicator.dimensions == [{"name": "sex", "categories": ["girls", "boys"]},
                                    {"name": "age band", "categories": ["13-17"]}]


def test_a_number_on_a_qualitative_indicator_is_refused_and_the_input_kept(client, login, session, submit, project,
                                                                           node, reviewer):
    login(reviewer)

    response = submit(base(project, "/new"), indicator_form(node, measure="qualitative", baseline_value="40",
                                                            title="Use of helpline data in advocacy"))

    assert response.status_code == 200
    assert "qualitative: it holds a narrative, not a number" in errors(response, "baseline_value")
    text = response.get_data(as_text=True)
    assert 'value="40"' in text and 'value="Use of helpline data in advocacy"' in text
    assert session.scalar(sa.select(sa.func.count()).select_from(Indicator)) == 0


def test_a_qualitative_period_refuses_a_numeric_target(factory, session, project, node):
    indicator = factory.indicator(project, node, measure="qualitative")

    with pytest.raises(ValidationFailed) as refused:
        factory.period(indicator, target="12")

    assert refused.value.reasons[0][0] == "target_value"


def test_a_qualitative_actual_refuses_a_number(factory, session, project, node):
    indicator = factory.indicator(project, node, measure="qualitative")
    period = factory.period(indicator, target="", target_comment="Dashboard used in planning")

    with pytest.raises(ValidationFailed) as refused:
        services.save_actual(session, TEST_ACTOR, project, indicator, period, {"value": "3", "comment": "x"},
                             submit=False)

    assert refused.value.reasons[0][0] == "value"


def test_a_period_ending_before_it_starts_is_refused_and_the_input_kept(client, factory, login, session, submit,
                                                                       project, node, reviewer):
    indicator = factory.indicator(project, node)
    login(reviewer)
    session.commit()

    response = submit(base(project, f"/{indicator.id}/periods/new"),
                      period_form(start_date="2023-01-01", end_date="2022-06-30", target_comment="Second year"))

    assert response.status_code == 200
    assert "The period must end after it starts" in errors(response, "end_date")
    text = response.get_data(as_text=True)
    assert 'value="2022-06-30"' in text and 'value="9000"' in text and "Second year" in text
    assert session.scalar(sa.select(sa.func.count()).select_from(IndicatorPeriod)) == 0


def test_the_service_also_refuses_a_period_that_does_not_end_after_it_starts(factory, session, project, node):
    indicator = factory.indicator(project, node)

    with pytest.raises(ValidationFailed) as refused:
        factory.period(indicator, start=date(2022, 1, 1), end=date(2022, 1, 1))

    assert refused.value.reasons == [("end_date", refused.value.reasons[0][1])]


@pytest.mark.both_backends
def test_the_database_refuses_a_period_that_does_not_end_after_it_starts(factory, session, project, node):
    indicator = factory.indicator(project, node)
    session.add(IndicatorPeriod(indicator_id=indicator.id, start_date=date(2022, 5, 1), end_date=date(2022, 4, 1)))

    with pytest.raises(sa.exc.IntegrityError):
        with session.begin_nested():
            session.flush()


def test_overlapping_periods_are_refused(factory, session, project, node):
    indicator = factory.indicator(project, node)
    factory.period(indicator, date(2022, 1, 1), date(2022, 12, 31))

    with pytest.raises(ValidationFailed) as refused:
        factory.period(indicator, date(2022, 7, 1), date(2023, 6, 30))

    assert refused.value.reasons[0][0] == "start_date" and "overlaps" in refused.value.reasons[0][1]


def test_a_percentage_lies_between_0_and_100(factory, session, project, node):
    indicator = factory.indicator(project, node, measure="percentage", unit="%")

    with pytest.raises(ValidationFailed, match="between 0 and 100"):
        factory.period(indicator, target="120")


def test_values_must_be_numbers(factory, session, project, node):
    indicator = factory.indicator(project, node)

    with pytest.raises(ValidationFailed, match="Enter a number"):
        factory.period(indicator, target="about 200")


def test_thousands_separators_are_understood(factory, session, project, node):
    period = factory.period(factory.indicator(project, node), target="12,500")

    assert period.target_value == Decimal("12500")


@pytest.mark.parametrize("text", ["sex girls, boys", "sex:", "sex: girls, girls", "sex: a\nSEX: b"])
def test_malformed_disaggregation_lines_are_refused_with_a_field_message(factory, session, project, node, text):
    with pytest.raises(ValidationFailed) as refused:
        factory.indicator(project, node, dimensions=text)

    assert {field for field, _message in refused.value.reasons} == {"dimensions"}


def test_qualitative_indicators_are_not_disaggregated(factory, session, project, node):
    with pytest.raises(ValidationFailed, match="not disaggregated"):
        factory.indicator(project, node, measure="qualitative", dimensions="sex: girls, boys")


def test_an_indicator_cannot_turn_qualitative_while_its_periods_hold_numbers(factory, session, project, node):
    indicator = factory.indicator(project, node)
    factory.period(indicator, target="100")
    values = {name: getattr(indicator, name) for name in services.INDICATOR_FIELDS}

    with pytest.raises(ValidationFailed, match="hold numbers"):
        services.update_indicator(session, TEST_ACTOR, project, indicator,
                                  {**values, "measure": "qualitative", "baseline_value": "", "dimensions": ""}, 1)


def test_an_indicator_must_measure_a_node_of_its_own_project(factory, session, project):
    foreign = factory.toc_node(factory.project())

    with pytest.raises(ValidationFailed) as refused:
        factory.indicator(project, foreign)

    assert refused.value.reasons[0][0] == "node_id"


def test_a_stale_indicator_edit_answers_409_with_both_versions(client, factory, login, session, project, node,
                                                               reviewer):
    indicator = factory.indicator(project, node, title="Contacts answered")
    login(reviewer)
    session.commit()
    form_page = client.get(base(project, f"/{indicator.id}/edit")).get_data(as_text=True)
    indicator.title = "Contacts answered (renamed meanwhile)"
    session.commit()

    response = client.post(base(project, f"/{indicator.id}/edit"), data={
        **indicator_form(node, title="Chat contacts answered"), "version": "1", "csrf_token": csrf_from(form_page)})

    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "Contacts answered (renamed meanwhile)" in text and 'value="Chat contacts answered"' in text


def test_indicators_count_as_attachments_of_their_node(factory, session, project, node):
    factory.indicator(project, node)
    factory.indicator(project, node)

    assert node_attachments(session, [node.id]) == {node.id: {"indicator": 2}}


# Disaggregation ----------------------------------------------------------------------------------


def test_targets_and_actuals_are_disaggregated_by_the_indicators_dimensions(client, factory, login, session, submit,
                                                                            project, node, grantee):
    indicator = factory.indicator(project, node, dimensions="sex: girls, boys\ncountry: TH")
    login(grantee)
    session.commit()

    submit(base(project, f"/{indicator.id}/periods/new"),
           period_form(breakdown_0="6000", breakdown_1="3000", breakdown_2="9000"))
    period = session.scalar(sa.select(IndicatorPeriod))
    submit(base(project, f"/{indicator.id}/periods/{period.id}/actual"),
           {"value": "8420", "comment": "Sex not recorded at one school event.", "breakdown_0": "5190",
            "breakdown_1": "2870", "breakdown_2": "", "breakdown_partial": "y", "action": "save"})

    session.expire_all()
    assert session.get(IndicatorPeriod, period.id).target_breakdown == [
        {"dimension": "sex", "category": "girls", "value": "6000"},
        {"dimension": "sex", "category": "boys", "value": "3000"},
        {"dimension": "country", "category": "TH", "value": "9000"}]
    assert [item["value"] for item in session.scalar(sa.select(PeriodActual)).breakdown] == ["5190", "2870"]


def test_disaggregated_counts_cannot_add_up_to_more_than_the_total(factory, session, project, node):
    indicator = factory.indicator(project, node, dimensions="sex: girls, boys")

    with pytest.raises(ValidationFailed) as refused:
        factory.period(indicator, target="100", breakdown_0="70", breakdown_1="40")

    assert refused.value.reasons == [("breakdown_0", "The values for sex add up to 110, more than the total of 100.")]


# The review of actuals -----------------------------------------------------------------------------


@pytest.fixture
def period(factory, session, project, node):
    indicator = factory.indicator(project, node, title="Contacts answered on text channels")
    period = factory.period(indicator, target="9000")
    session.commit()
    return period


def actual_url(project, period):
    return base(project, f"/{period.indicator_id}/periods/{period.id}/actual")


def review_url(project, period):
    return actual_url(project, period) + "/review"


def enter(submit, project, period, value, action, comment=""):
    return submit(actual_url(project, period), {"value": value, "comment": comment, "action": action})


def review(client, project, period, action, note=""):
    token = csrf_from(client.get(actual_url(project, period)).get_data(as_text=True))
    return client.post(review_url(project, period), data={"csrf_token": token, "action": action, "note": note})


def current(session, period):
    session.expire_all()
    return session.scalar(sa.select(PeriodActual).where(PeriodActual.period_id == period.id))


def test_actuals_go_from_draft_to_submitted_to_returned_to_approved_and_the_history_is_kept(
        client, factory, login, session, submit, project, period, grantee, reviewer):
    login(grantee)
    enter(submit, project, period, "8000", "save")
    assert current(session, period).status == ActualStatus.DRAFT
    enter(submit, project, period, "8420", "submit")
    assert current(session, period).status == ActualStatus.SUBMITTED

    login(reviewer)
    review(client, project, period, "return", "Silent contacts are included; please exclude them.")
    assert current(session, period).status == ActualStatus.RETURNED

    login(grantee)
    assert "Silent contacts are included" in client.get(actual_url(project, period)).get_data(as_text=True)
    enter(submit, project, period, "8310", "submit")
    login(reviewer)
    review(client, project, period, "approve")

    actual = current(session, period)
    assert actual.status == ActualStatus.APPROVED and actual.approved_value == Decimal("8310")
    assert actual.approved_by_id == reviewer.id
    assert [(event.action, event.actor_id, event.value) for event in actual.events] == [
        ("saved", grantee.id, Decimal("8000")), ("submitted", grantee.id, Decimal("8420")),
        ("returned", reviewer.id, Decimal("8420")), ("submitted", grantee.id, Decimal("8310")),
        ("approved", reviewer.id, Decimal("8310"))]
    history = client.get(actual_url(project, period)).get_data(as_text=True)
    assert "Helpline coordinator" in history and "Fund M&amp;E officer" in history


def test_a_submitted_actual_is_locked_until_it_is_reviewed(client, login, session, submit, project, period, grantee):
    login(grantee)
    enter(submit, project, period, "8420", "submit")

    response = enter(submit, project, period, "9999", "save")

    assert current(session, period).value == Decimal("8420")
    assert "awaiting review" in response.get_data(as_text=True)


def test_returning_an_actual_needs_a_note(client, login, session, submit, project, period, grantee, reviewer):
    login(grantee)
    enter(submit, project, period, "8420", "submit")
    login(reviewer)

    response = review(client, project, period, "return")

    assert "Say what needs to change" in errors(response, "note")
    assert current(session, period).status == ActualStatus.SUBMITTED


def test_submitting_an_actual_needs_a_value(client, login, session, submit, project, period, grantee):
    login(grantee)

    response = enter(submit, project, period, "", "submit", comment="Figures come next week")

    assert "Enter the actual value before submitting." in errors(response, "value")
    assert "Figures come next week" in response.get_data(as_text=True)


def test_grantees_cannot_review_actuals(client, login, submit, session, project, period, grantee):
    login(grantee)
    enter(submit, project, period, "8420", "submit")
    token = csrf_from(client.get(actual_url(project, period)).get_data(as_text=True))

    response = client.post(review_url(project, period), data={"csrf_token": token, "action": "approve"})

    assert response.status_code == 404
    assert current(session, period).status == ActualStatus.SUBMITTED


def test_donors_cannot_open_the_actual_entry_page(client, factory, login, session, project, period):
    login(factory.user("donor"))
    session.commit()

    assert client.get(actual_url(project, period)).status_code == 404
    assert client.get(base(project, f"/{period.indicator_id}")).status_code == 200


def test_reports_use_approved_values_and_mark_submitted_ones_provisional(factory, session, project, period):
    indicator = session.get(Indicator, period.indicator_id)
    assert services.reported_actual(period.actual) is None

    services.save_actual(session, TEST_ACTOR, project, indicator, period, {"value": "100"}, submit=False)
    assert services.reported_actual(period.actual) is None

    services.save_actual(session, TEST_ACTOR, project, indicator, period, {"value": "120"}, submit=True,
                         version=period.actual.version)
    assert services.reported_actual(period.actual) == Reported(Decimal("120"), "", [], provisional=True)

    services.review_actual(session, TEST_ACTOR, project, period, approve=True)
    assert services.reported_actual(period.actual).provisional is False


def test_a_revision_after_approval_leaves_the_reported_value_alone(factory, session, project, period):
    indicator = session.get(Indicator, period.indicator_id)
    services.save_actual(session, TEST_ACTOR, project, indicator, period, {"value": "120"}, submit=True)
    services.review_actual(session, TEST_ACTOR, project, period, approve=True)

    services.save_actual(session, TEST_ACTOR, project, indicator, period, {"value": "135"}, submit=False,
                         version=period.actual.version)

    reported = services.reported_actual(period.actual)
    assert reported.value == Decimal("120") and reported.revision_pending and not reported.provisional


def test_donors_see_only_approved_values_on_the_indicator_page_and_chart(client, factory, login, session, project,
                                                                         node):
    indicator = factory.indicator(project, node)
    values = {"approved": ("2021", "1111"), "submitted": ("2022", "2222"), "draft": ("2023", "3333")}
    for status, (year, value) in values.items():
        period = factory.period(indicator, date(int(year), 1, 1), date(int(year), 12, 31))
        services.save_actual(session, TEST_ACTOR, project, indicator, period, {"value": value},
                             submit=status != "draft")
        if status == "approved":
            services.review_actual(session, TEST_ACTOR, project, period, approve=True)
    login(factory.user("donor"))
    session.commit()

    text = client.get(base(project, f"/{indicator.id}")).get_data(as_text=True)
    chart = client.get(base(project, f"/{indicator.id}/chart.svg")).get_data(as_text=True)
    listed = client.get(base(project)).get_data(as_text=True)

    assert "1,111 contacts" in text and "2,222" not in text and "3,333" not in text
    assert "1,111" in chart and "2,222" not in chart and "3,333" not in chart
    assert "1,111 contacts" in listed and "2,222" not in listed
    assert "provisional</span>" not in text and "Review status" not in text


# Progress view ----------------------------------------------------------------------------------


def test_the_progress_page_shows_a_chart_with_its_data_table(client, factory, login, session, project, node,
                                                             reviewer):
    indicator = factory.indicator(project, node, baseline_year=2021, baseline_value="3200")
    for year, target in ((2022, "9000"), (2023, "14000")):
        period = factory.period(indicator, date(year, 1, 1), date(year, 12, 31), target=target)
        services.save_actual(session, TEST_ACTOR, project, indicator, period, {"value": str(int(target) - 500)},
                             submit=True)
    login(reviewer)
    session.commit()

    text = client.get(base(project, f"/{indicator.id}")).get_data(as_text=True)

    svg = re.search(r"<svg.*?</svg>", text, flags=re.DOTALL).group(0)
    root = parse(svg)
    assert root.get("role") == "img" and root.find("{http://www.w3.org/2000/svg}title").text.startswith("Progress")
    assert "Baseline 2021: 3,200" in svg
    table = re.search(r'<table class="data-table progress-table">.*?</table>', text, flags=re.DOTALL).group(0)
    assert "<caption>Baseline, targets and actuals of" in table
    for figure in ("3,200 contacts", "9,000 contacts", "8,500 contacts", "14,000 contacts", "13,500 contacts"):
        assert figure in table


def test_a_qualitative_indicator_shows_its_narratives_instead_of_a_chart(client, factory, login, session, project,
                                                                         node, reviewer):
    indicator = factory.indicator(project, node, measure="qualitative", baseline_comment="No routine analysis.")
    factory.period(indicator, target="", target_comment="Dashboard used in rota planning.")
    login(reviewer)
    session.commit()

    text = client.get(base(project, f"/{indicator.id}")).get_data(as_text=True)

    assert "<svg" not in text
    assert "No routine analysis." in text and "Dashboard used in rota planning." in text
    assert client.get(base(project, f"/{indicator.id}/chart.svg")).status_code == 404


def test_the_chart_downloads_as_an_svg_file(client, factory, login, session, project, node, reviewer):
    indicator = factory.indicator(project, node)
    factory.period(indicator)
    login(reviewer)
    session.commit()

    response = client.get(base(project, f"/{indicator.id}/chart.svg"))

    assert response.mimetype == "image/svg+xml" and response.get_data(as_text=True).startswith("<svg")


def test_the_chart_draws_provisional_actuals_dashed_and_explains_them():
    periods = [chart.ChartPeriod("2022", 90, 85), chart.ChartPeriod("2023", 100, 104, provisional=True)]

    svg = chart.render_progress_svg(periods, title="Progress", description="d", baseline=chart.Baseline("B", 40))

    root = parse(svg)
    dashed = [rect for rect in root.iter("{http://www.w3.org/2000/svg}rect") if rect.get("stroke-dasharray")]
    assert len(dashed) == 2
    assert "Actual (provisional: awaiting review)" in svg and "B: 40" in svg


def test_the_chart_escapes_its_text():
    svg = chart.render_progress_svg([chart.ChartPeriod("<b>2022</b>", 1, 2)], title="<script>", description="&",
                                    unit="<i>")

    assert "<script>" not in svg and "<b>" not in svg and "<i>" not in svg
    parse(svg)


@pytest.mark.parametrize("low, high, expected", [
    (0, 9000, [0, 2000, 4000, 6000, 8000, 10000]),
    (0, 100, [0, 20, 40, 60, 80, 100]),
    (-5, 12, [-5, 0, 5, 10, 15]),
])
def test_chart_axes_use_round_ticks(low, high, expected):
    assert chart.nice_ticks(low, high) == expected


# Lists ------------------------------------------------------------------------------------------


@pytest.mark.both_backends
def test_the_indicator_list_is_paginated_with_a_constant_query_count(app, client, factory, login, session, project,
                                                                     node, count_queries):
    login(factory.user("donor"))

    def queries_with(total):
        while session.scalar(sa.select(sa.func.count()).select_from(Indicator)) < total:
            indicator = factory.indicator(project, node)
            period = factory.period(indicator)
            services.save_actual(session, TEST_ACTOR, project, indicator, period, {"value": "5"}, submit=True)
        session.commit()
        with count_queries() as counter:
            response = client.get(base(project))
        assert response.status_code == 200
        return counter.count, response.get_data(as_text=True)

    small, _text = queries_with(2)
    large, text = queries_with(app.config["ITEMS_PER_PAGE"] + 3)
    assert small == large
    assert "Page 1 of 2" in text


@pytest.mark.both_backends
def test_the_review_queue_lists_submitted_actuals_across_projects(client, factory, login, session, reviewer,
                                                                  count_queries):
    def submitted(project_slug):
        project = factory.project(project_slug)
        indicator = factory.indicator(project)
        period = factory.period(indicator)
        services.save_actual(session, TEST_ACTOR, project, indicator, period, {"value": "5"}, submit=True)
        return indicator

    first = submitted("helpline-a")
    login(reviewer)
    session.commit()
    with count_queries() as few:
        client.get("/indicators/review")
    second, third = submitted("helpline-b"), submitted("helpline-c")
    session.commit()
    with count_queries() as more:
        text = client.get("/indicators/review").get_data(as_text=True)

    assert all(indicator.title in text for indicator in (first, second, third))
    assert few.count == more.count


def test_only_staff_see_the_review_queue(client, login, grantee):
    login(grantee)

    assert client.get("/indicators/review").status_code == 404


def test_indicators_of_another_project_answer_404(client, factory, login, session, project, reviewer):
    foreign = factory.indicator(factory.project())
    login(reviewer)
    session.commit()

    assert client.get(base(project, f"/{foreign.id}")).status_code == 404


def approve(session, project, indicator, period, value="120"):
    services.save_actual(session, TEST_ACTOR, project, indicator, period, {"value": value}, submit=True)
    services.review_actual(session, TEST_ACTOR, project, period, approve=True)


def test_grantees_cannot_delete_approved_results(client, factory, login, session, submit, project, node, grantee):
    indicator = factory.indicator(project, node)
    approve(session, project, indicator, factory.period(indicator))
    login(grantee)
    session.commit()

    confirm = client.get(base(project, f"/{indicator.id}/delete")).get_data(as_text=True)
    response = submit(base(project, f"/{indicator.id}/delete"), {}, page=base(project))

    assert "only M&amp;E staff can delete approved results" in confirm and "button--danger" not in confirm
    assert response.status_code == 200
    assert session.scalar(sa.select(sa.func.count()).select_from(Indicator)) == 1


def test_staff_delete_an_indicator_with_its_periods_after_confirming(client, factory, login, session, submit, project,
                                                                    node, reviewer):
    indicator = factory.indicator(project, node)
    approve(session, project, indicator, factory.period(indicator))
    login(reviewer)
    session.commit()

    response = submit(base(project, f"/{indicator.id}/delete"), {})

    assert response.status_code == 302
    assert session.scalar(sa.select(sa.func.count()).select_from(IndicatorPeriod)) == 0
    assert session.scalar(sa.select(sa.func.count()).select_from(PeriodActual)) == 0


def test_grantees_delete_periods_that_hold_no_approved_actual(client, factory, login, session, submit, project, node,
                                                             grantee):
    indicator = factory.indicator(project, node)
    period = factory.period(indicator)
    login(grantee)
    session.commit()

    response = submit(base(project, f"/{indicator.id}/periods/{period.id}/delete"), {})

    assert response.status_code == 302
    assert session.scalar(sa.select(sa.func.count()).select_from(IndicatorPeriod)) == 0


def test_staff_find_the_review_queue_in_the_main_navigation(client, login, reviewer):
    login(reviewer)

    assert 'href="/indicators/review"' in client.get("/").get_data(as_text=True)


def test_reports_get_every_indicator_with_final_and_provisional_values(factory, session, project, node):
    indicator = factory.indicator(project, node)
    first, second, third = (factory.period(indicator, date(year, 1, 1), date(year, 12, 31))
                            for year in (2021, 2022, 2023))
    approve(session, project, indicator, first, "100")
    services.save_actual(session, TEST_ACTOR, project, indicator, second, {"value": "150"}, submit=True)
    services.save_actual(session, TEST_ACTOR, project, indicator, third, {"value": "175"}, submit=False)

    ((reported_indicator, rows),) = services.project_results(session, project)

    assert reported_indicator.id == indicator.id
    shown = [(period.start_date.year, reported and (reported.value, reported.provisional)) for period, reported in rows]
    assert shown == [(2021, (Decimal("100"), False)), (2022, (Decimal("150"), True)), (2023, None)]


@pytest.mark.parametrize("level, code", [("output", "1"), ("intermediate_outcome", "2"), ("impact", "3"),
                                         ("activity", "9")])
def test_indicators_map_their_node_level_to_the_iati_result_type(level, code):
    assert services.iati_result_type(level) == code


def test_reviewing_an_actual_is_audited(factory, session, project, node):
    from tracker.audit.models import AuditEntry

    indicator = factory.indicator(project, node)
    approve(session, project, indicator, factory.period(indicator))

    actions = session.scalars(sa.select(AuditEntry.action).where(AuditEntry.object_type == "period_actual")).all()
    assert actions == ["submit", "approve"]


# The rules as a user meets them ------------------------------------------------------------------


def test_the_person_who_submitted_an_actual_cannot_approve_it(client, login, session, submit, project, period,
                                                              reviewer):
    login(reviewer)
    enter(submit, project, period, "8420", "submit")

    page = client.get(actual_url(project, period)).get_data(as_text=True)
    response = review(client, project, period, "approve")

    assert "someone else must approve it (four eyes)" in page and 'value="approve"' not in page
    assert response.status_code == 200 and "someone else must approve it" in response.get_data(as_text=True)
    assert current(session, period).status == ActualStatus.SUBMITTED


@pytest.mark.both_backends
def test_the_approval_records_and_shows_who_submitted_and_who_approved(client, factory, login, session, submit,
                                                                        project, period, grantee, reviewer):
    login(grantee)
    enter(submit, project, period, "8420", "submit")
    login(reviewer)

    review(client, project, period, "approve")

    actual = current(session, period)
    assert (actual.approved_submitted_by_id, actual.approved_by_id) == (grantee.id, reviewer.id)
    page = client.get(actual_url(project, period)).get_data(as_text=True)
    assert "Submitted by Helpline coordinator, approved by Fund M&amp;E officer" in page


def test_a_fund_whose_setting_allows_it_lets_the_submitter_approve(app, client, login, session, submit, project,
                                                                   period, reviewer):
    app.config["ACTUALS_SELF_APPROVAL"] = True
    login(reviewer)
    enter(submit, project, period, "8420", "submit")

    review(client, project, period, "approve")

    actual = current(session, period)
    assert actual.status == ActualStatus.APPROVED
    assert actual.approved_submitted_by_id == actual.approved_by_id == reviewer.id


def test_a_breakdown_that_does_not_add_up_to_the_total_is_refused_unless_marked_partial(
        client, factory, login, session, submit, project, node, grantee):
    indicator = factory.indicator(project, node, dimensions="sex: girls, boys")
    period = factory.period(indicator, target="9000", breakdown_0="6000", breakdown_1="3000")
    login(grantee)
    entry = {"value": "8420", "comment": "", "breakdown_0": "5190", "breakdown_1": "2870", "action": "submit"}

    refused = submit(actual_url(project, period), entry)
    accepted = submit(actual_url(project, period), {**entry, "breakdown_partial": "y",
                                                    "comment": "Sex not recorded at one school event."})

    assert refused.status_code == 200
    assert "add up to 8060, not the total of 8420" in refused.get_data(as_text=True)
    assert 'value="5190"' in refused.get_data(as_text=True)
    assert accepted.status_code == 302 and current(session, period).breakdown_partial


def test_a_target_breakdown_must_add_up_too(factory, session, project, node):
    indicator = factory.indicator(project, node, dimensions="sex: girls, boys")

    with pytest.raises(ValidationFailed) as refused:
        factory.period(indicator, target="100", breakdown_0="50", breakdown_1="40")
    factory.period(indicator, target="100", breakdown_0="50", breakdown_1="40", target_breakdown_partial=True)

    assert [field for field, _message in refused.value.reasons] == ["breakdown_0"]


def test_the_api_refuses_a_breakdown_that_does_not_add_up(api_as, factory, session, project, node, grantee):
    indicator = factory.indicator(project, node, dimensions="sex: girls, boys")
    period = factory.period(indicator, target="100", breakdown_0="60", breakdown_1="40")
    api = api_as(grantee)
    url = f"/api/v1/projects/{project.slug}/indicators/{indicator.id}/periods/{period.id}/actual"
    body = {"value": "90", "breakdown": [{"dimension": "sex", "category": "girls", "value": "50"},
                                         {"dimension": "sex", "category": "boys", "value": "30"}]}

    refused = assert_problem(api.put(url, json=body), 422)
    accepted = api.put(url, json={**body, "breakdown_partial": True})

    assert [error["field"] for error in refused["errors"]] == ["breakdown_0"]
    assert accepted.status_code == 200 and accepted.get_json()["working"]["breakdown_partial"] is True


@pytest.mark.both_backends
def test_the_api_gives_donors_approved_actuals_only(api_as, factory, session, project, node):
    indicator = factory.indicator(project, node)
    approved = factory.period(indicator, date(2022, 1, 1), date(2022, 12, 31), target="100")
    factory.actual(indicator, approved, "80")
    submitted = factory.period(indicator, date(2023, 1, 1), date(2023, 12, 31), target="100")
    factory.actual(indicator, submitted, "95", approve=False)
    api = api_as(factory.user("donor"))

    body = api.get(f"/api/v1/projects/{project.slug}/indicators/{indicator.id}").get_json()

    assert [period["actual"] and period["actual"]["value"] for period in body["periods"]] == ["80", None]
    assert [period["percent_of_target"] for period in body["periods"]] == ["80", None]


def test_the_list_compares_target_and_actual_of_the_same_period(client, factory, login, session, project, node,
                                                               reviewer):
    indicator = factory.indicator(project, node)
    reported = factory.period(indicator, date(2022, 1, 1), date(2022, 12, 31), target="200")
    factory.actual(indicator, reported, "150")
    factory.period(indicator, date(2023, 1, 1), date(2023, 12, 31), target="9000")
    login(reviewer)
    session.commit()

    row = re.search(r"<tbody>.*?</tr>", client.get(base(project)).get_data(as_text=True), flags=re.DOTALL).group(0)

    assert "200 contacts" in row and "150 contacts" in row and "75 %" in row and "9,000" not in row


@pytest.mark.parametrize("target, actual, ascending, baseline, percent, met, note", [
    ("200", "150", True, None, Decimal("75"), False, ""),
    ("200", "250", True, None, Decimal("125"), True, ""),
    (None, "150", True, None, None, None, rules.NO_TARGET),
    ("0", "3", True, None, None, True, rules.ZERO_TARGET),
    ("200", None, True, None, None, None, rules.NOT_REPORTED),
    ("20", "30", False, "40", Decimal("50"), False, ""),
    ("20", "15", False, "40", Decimal("125"), True, ""),
    ("20", "15", False, None, None, True, rules.NO_BASELINE),
])
def test_progress_against_the_target_of_the_same_period(target, actual, ascending, baseline, percent, met, note):
    result = rules.progress(target, actual, ascending=ascending, baseline=baseline)

    assert (result.percent, result.met, result.note) == (percent, met, note)


def test_a_period_without_a_target_says_so_instead_of_a_percentage(client, factory, login, session, project, node,
                                                                   reviewer):
    indicator = factory.indicator(project, node)
    period = factory.period(indicator, target=None)
    factory.actual(indicator, period, "150")
    login(reviewer)
    session.commit()

    text = client.get(base(project, f"/{indicator.id}")).get_data(as_text=True)

    assert "no target for this period" in text
