"""The IATI export from the database: what is published, the refusals, the command, the downloads and settings."""

import html
import re
from datetime import UTC
from datetime import date
from datetime import datetime

import pytest
import sqlalchemy as sa
from lxml import etree

from tests.conftest import csrf_from
from tests.factories import TEST_ACTOR
from tests.test_iati_validation import SCHEMA_DIR
from tests.test_iati_validation import official_schema
from tracker.audit.models import AuditEntry
from tracker.iati import services as services
from tracker.iati.models import IatiSettings
from tracker.indicators import services as indicator_services
from tracker.indicators.models import Indicator
from tracker.portfolio.models import Project

NOW = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def publisher(factory, session):
    settings = factory.iati_settings()
    session.commit()
    return settings


@pytest.fixture
def project(factory, session, publisher):
    project = factory.project("thailand-helpline", title="Aselo helpline platform", countries=("TH", "KH"),
                              iati_identifier="XI-IATI-TEST-TH01",
                              organisation=factory.organisation("Childline Thailand Foundation", org_type="22"))
    session.commit()
    return project


@pytest.fixture
def outcome(factory, session, project):
    node = factory.toc_node(project, "short_term_outcome", "Children reach counsellors on text channels",
                            description="Chat, SMS and LINE answered by trained counsellors.")
    session.commit()
    return node


def public_indicator(factory, project, node, **values):
    return factory.indicator(project, node, public=True, baseline_year=2021, baseline_value="3200", **values)


def export_of(session, fund, **kwargs):
    return services.prepare_export(session, fund, now=NOW, **kwargs)


def parse(xml):
    return etree.fromstring(xml)


def text(response):
    """The page's text, without tags, blanks collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


# What is published ---------------------------------------------------------------------------------------


@pytest.mark.both_backends
def test_only_public_indicators_with_their_approved_actuals_are_published(factory, session, project, outcome):
    published = public_indicator(factory, project, outcome, title="Contacts answered on text channels")
    private = factory.indicator(project, outcome, title="Counsellor overtime hours")
    approved = factory.period(published, date(2022, 1, 1), date(2022, 12, 31), target="9000")
    submitted = factory.period(published, date(2023, 1, 1), date(2023, 12, 31), target="14000")
    factory.actual(published, approved, "8420", "LINE went live late.")
    factory.actual(published, submitted, "15310", approve=False)
    factory.actual(private, factory.period(private), "40")

    export = export_of(session, factory.fund())
    root = parse(export.xml)

    assert [title.text for title in root.iterfind(".//indicator/title/narrative")] == [
        "Contacts answered on text channels"]
    assert [actual.get("value") for actual in root.iterfind(".//actual")] == ["8420"]
    assert [target.get("value") for target in root.iterfind(".//target")] == ["9000", "14000"]
    assert "15310" not in export.xml.decode() and "Counsellor overtime" not in export.xml.decode()


def test_a_revision_in_progress_publishes_the_last_approved_copy(factory, session, project, outcome):
    indicator = public_indicator(factory, project, outcome)
    period = factory.period(indicator)
    factory.actual(indicator, period, "8420")
    indicator_services.save_actual(session, TEST_ACTOR, project, indicator, period, {"value": "9999"}, submit=False,
                                   version=period.actual.version)

    root = parse(export_of(session, factory.fund()).xml)

    assert [actual.get("value") for actual in root.iterfind(".//actual")] == ["8420"]


def test_the_activity_holds_the_project_the_publisher_and_the_grantee(factory, session, project, outcome):
    public_indicator(factory, project, outcome)

    activity = parse(export_of(session, factory.fund()).xml).find("iati-activity")

    assert activity.findtext("iati-identifier") == "XI-IATI-TEST-TH01"
    assert activity.findtext("title/narrative") == "Aselo helpline platform"
    assert activity.findtext("description/narrative") == "Counsellors answer children by chat and SMS."
    assert activity.find("reporting-org").get("ref") == "XI-IATI-TEST"
    assert [(org.get("role"), org.findtext("narrative")) for org in activity.iterfind("participating-org")] == [
        ("1", "Safe Online (test publisher)"), ("4", "Childline Thailand Foundation")]
    assert [(country.get("code"), country.get("percentage")) for country in activity.iterfind(
        "recipient-country")] == [("KH", "50"), ("TH", "50")]
    assert activity.find("activity-status").get("code") == "2"
    assert activity.find("sector").get("code") == "15160"


def test_results_follow_the_toc_levels_and_carry_the_node_text(factory, session, project, outcome):
    output = factory.toc_node(project, "output", "Counsellors trained on Aselo")
    impact = factory.toc_node(project, "impact", "Children are safer online")
    for node in (impact, output, outcome):
        public_indicator(factory, project, node)

    results = parse(export_of(session, factory.fund()).xml).findall(".//result")

    assert [(result.get("type"), result.findtext("title/narrative")) for result in results] == [
        ("1", "Counsellors trained on Aselo"), ("2", "Children reach counsellors on text channels"),
        ("3", "Children are safer online")]
    assert results[1].findtext("description/narrative") == "Chat, SMS and LINE answered by trained counsellors."


def test_indicators_on_activities_are_left_out_because_activities_have_no_iati_result(factory, session, project):
    activity_node = factory.toc_node(project, "activity", "Train counsellors")
    public_indicator(factory, project, activity_node, title="Training sessions held")

    export = export_of(session, factory.fund())

    assert parse(export.xml).find(".//result") is None
    assert [(left.indicator.title, left.reason) for left in export.left_out] == [
        ("Training sessions held", "It measures an activity; IATI results start at outputs.")]


def test_projects_without_an_iati_identifier_are_left_out_with_a_reason(factory, session, project):
    factory.project("dragon-s", title="DRAGON-S")

    export = export_of(session, factory.fund())

    assert [activity.identifier for _project, activity in export.activities] == ["XI-IATI-TEST-TH01"]
    assert [(left.project.slug, left.reason) for left in export.left_out] == [
        ("dragon-s", "It has no IATI identifier.")]


def test_qualitative_indicators_carry_no_value_and_keep_their_narratives(factory, session, project, outcome):
    indicator = factory.indicator(project, outcome, measure="qualitative", public=True, baseline_year=2021,
                                  baseline_comment="Contact data kept in spreadsheets.")
    period = factory.period(indicator, target="", target_comment="Data used in rota planning.")
    factory.actual(indicator, period, "", "Used in rota planning and in evidence to government.")

    element = parse(export_of(session, factory.fund()).xml).find(".//indicator")

    assert element.get("measure") == "5"
    assert [item.get("value") for item in element.iter("baseline", "target", "actual")] == [None, None, None]
    assert element.findtext("baseline/comment/narrative") == "Contact data kept in spreadsheets."
    assert element.findtext("period/target/comment/narrative") == "Data used in rota planning."
    assert element.findtext("period/actual/comment/narrative") == \
        "Used in rota planning and in evidence to government."


def test_disaggregated_targets_and_actuals_become_dimension_elements(factory, session, project, outcome):
    indicator = public_indicator(factory, project, outcome, dimensions="sex: girls, boys")
    period = factory.period(indicator, target="9000", breakdown_0="5400", breakdown_1="3600")
    factory.actual(indicator, period, "8420", breakdown_0="5190", breakdown_1="3230")

    period_element = parse(export_of(session, factory.fund()).xml).find(".//period")

    def values(tag):
        return [(item.get("value"), tuple((d.get("name"), d.get("value")) for d in item.iterfind("dimension")))
                for item in period_element.iterfind(tag)]

    assert values("target") == [("9000", ()), ("5400", (("sex", "girls"),)), ("3600", (("sex", "boys"),))]
    assert values("actual") == [("8420", ()), ("5190", (("sex", "girls"),)), ("3230", (("sex", "boys"),))]


def test_an_exported_project_passes_the_official_schema(factory, session, project, outcome):
    indicator = public_indicator(factory, project, outcome, baseline_date=date(2021, 12, 31),
                                 dimensions="sex: girls, boys")
    factory.actual(indicator, factory.period(indicator, breakdown_0="50", breakdown_1="50"), "90",
                   "Reported from Aselo.", breakdown_0="60", breakdown_1="30")

    schema = official_schema()

    export = services.prepare_export(session, factory.fund(), now=NOW, schema_dir=SCHEMA_DIR)

    assert export.problems == []
    assert schema.validate(etree.ElementTree(parse(export.xml)))


# Refusals --------------------------------------------------------------------------------------------------


def test_an_export_without_publishing_settings_is_refused(factory, session):
    factory.project(iati_identifier="XI-IATI-TEST-TH01")

    export = export_of(session, factory.fund())

    assert export.refused and export.xml is None
    assert [problem.message for problem in export.problems] == [
        "The fund has no IATI publishing settings yet: an administrator enters the reporting organisation under "
        "Fund settings."]


def test_a_baseline_year_without_value_refuses_the_export_with_the_rule_broken(factory, session, project, outcome):
    factory.indicator(project, outcome, public=True, baseline_year=2021, title="Contacts answered")

    export = export_of(session, factory.fund())

    assert export.refused
    assert [(problem.message.split(":")[0], problem.where.split(" › ")[-1]) for problem in export.problems] == [
        ("The baseline has no @value", "indicator “Contacts answered”")]
    assert str(export.problems[0].rule) == "IATI rule 8.8.1"


def test_a_baseline_comment_without_a_year_refuses_the_export_asking_for_the_year(factory, session, project,
                                                                                 outcome):
    factory.indicator(project, outcome, public=True, measure="qualitative",
                      baseline_comment="No routine analysis of contact data.")

    assert [problem.message for problem in export_of(session, factory.fund()).problems] == [
        "The baseline has no @year: IATI requires the year in which the baseline was measured. Give the indicator "
        "a baseline year."]


def test_a_target_comment_without_value_on_a_numeric_indicator_is_refused(factory, session, project, outcome):
    indicator = public_indicator(factory, project, outcome)
    factory.period(indicator, target="", target_comment="To be agreed with the ministry.")

    assert [problem.message.split(":")[0] for problem in export_of(session, factory.fund()).problems] == [
        "The target has no @value"]


def test_a_project_without_summary_is_refused_until_it_has_one(factory, session, publisher):
    factory.project(iati_identifier="XI-IATI-TEST-TH01", summary="")

    assert [problem.message for problem in export_of(session, factory.fund()).problems] == [
        "The activity has no description: give the project a summary."]


def test_a_missing_schema_folder_refuses_the_export_with_the_reason(factory, session, project, tmp_path):
    export = services.prepare_export(session, factory.fund(), now=NOW, schema_dir=tmp_path)

    assert export.refused
    assert export.problems[0].message.startswith("The IATI schema could not be loaded")


# The command -------------------------------------------------------------------------------------------


def test_the_command_writes_the_file_and_audits_the_export(app, factory, session, project, outcome, tmp_path):
    public_indicator(factory, project, outcome)
    session.commit()
    target = tmp_path / "iati.xml"

    result = app.test_cli_runner().invoke(args=["export", "iati", "-o", str(target)])

    assert result.exit_code == 0, result.output
    assert "Wrote 1 activity with 1 public indicator(s)" in result.output
    assert parse(target.read_bytes()).findtext("iati-activity/iati-identifier") == "XI-IATI-TEST-TH01"
    entry = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "export")).one()
    assert (entry.object_type, entry.actor_email) == ("iati_activities", "cli")
    assert "XI-IATI-TEST-TH01" in entry.details


def test_the_command_exports_one_project_with_project_and_checks_the_schema(app, factory, session, project,
                                                                           tmp_path):
    factory.project("other", iati_identifier="XI-IATI-TEST-KH01")
    session.commit()
    official_schema()
    target = tmp_path / "one.xml"

    result = app.test_cli_runner().invoke(args=["export", "iati", "--project", project.slug, "-o", str(target),
                                                "--schema-dir", str(SCHEMA_DIR)])

    assert result.exit_code == 0, result.output
    assert [item.text for item in parse(target.read_bytes()).iter("iati-identifier")] == ["XI-IATI-TEST-TH01"]


def test_a_refused_export_prints_every_problem_exits_non_zero_and_writes_nothing(app, factory, session, project,
                                                                                 outcome, tmp_path):
    factory.indicator(project, outcome, public=True, baseline_year=2021)
    session.commit()
    target = tmp_path / "iati.xml"
    target.write_text("the previous, valid file")

    result = app.test_cli_runner().invoke(args=["export", "iati", "-o", str(target)])

    assert result.exit_code == 1
    assert "/iati-activities/iati-activity/result/indicator/baseline: The baseline has no @value" in result.output
    assert "Export refused: 1 problem(s) listed above. Nothing was written" in result.output
    assert target.read_text() == "the previous, valid file"
    assert [path.name for path in tmp_path.iterdir() if path.is_file()] == ["iati.xml"]
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                          .where(AuditEntry.action == "export")) == 0


def test_the_command_refuses_an_unknown_project(app, project, tmp_path):
    result = app.test_cli_runner().invoke(args=["export", "iati", "--project", "nope", "-o", str(tmp_path / "x")])

    assert result.exit_code == 2 and "no project with slug 'nope'" in result.output


# Downloads ---------------------------------------------------------------------------------------------


def test_a_donor_downloads_the_portfolio_file_and_the_download_is_audited(client, factory, login, session,
                                                                          project, outcome):
    public_indicator(factory, project, outcome)
    donor = factory.user("donor")
    session.commit()
    login(donor)

    response = client.get("/iati.xml")

    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    assert re.match(r'attachment; filename="iati-portfolio-\d{8}\.xml"', response.headers["Content-Disposition"])
    assert parse(response.data).findtext("iati-activity/iati-identifier") == "XI-IATI-TEST-TH01"
    entry = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "export")).one()
    assert (entry.actor_email, entry.object_type, entry.project_id) == (donor.email, "iati_activities", None)


def test_a_grantee_downloads_their_own_projects_activity(client, factory, login, session, project):
    login(factory.user("grantee", projects=[project]))

    response = client.get(f"/projects/{project.slug}/iati.xml")

    assert response.status_code == 200
    assert 'filename="iati-thailand-helpline-' in response.headers["Content-Disposition"]
    assert session.scalars(sa.select(AuditEntry.project_id).where(AuditEntry.action == "export")).one() == project.id


def test_a_grantee_cannot_download_the_portfolio_or_other_projects(client, factory, login, session, project):
    other = factory.project(iati_identifier="XI-IATI-TEST-KH01")
    login(factory.user("grantee", projects=[project]))

    assert client.get("/iati.xml").status_code == 404
    assert client.get("/iati").status_code == 404
    assert client.get(f"/projects/{other.slug}/iati.xml").status_code == 404


def test_a_refused_download_lists_the_problems_instead_of_a_file(client, factory, login, session, project,
                                                                 outcome):
    factory.indicator(project, outcome, public=True, baseline_year=2021, title="Contacts answered")
    login(factory.user("me"))

    response = client.get(f"/projects/{project.slug}/iati.xml")

    assert response.status_code == 422
    assert response.mimetype == "text/html"
    page = text(response)
    assert "The IATI file was not produced" in page
    assert "The baseline has no @value" in page and "indicator “Contacts answered”" in page
    assert "/iati-activities/iati-activity/result/indicator/baseline" in page
    assert "IATI rule 8.8.1" in page
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                          .where(AuditEntry.action == "export")) == 0


def test_the_publication_page_shows_activities_and_what_is_left_out(client, factory, login, session, project,
                                                                     outcome):
    public_indicator(factory, project, outcome)
    factory.project("dragon-s", title="DRAGON-S")
    login(factory.user("donor"))

    page = text(client.get("/iati"))

    assert "XI-IATI-TEST-TH01" in page and "Download the IATI 2.03 file (XML)" in page
    assert "DRAGON-S : It has no IATI identifier." in page


def test_a_refused_portfolio_download_shows_the_publication_page_with_its_problems(client, factory, login,
                                                                                   session):
    factory.project(iati_identifier="XI-IATI-TEST-TH01")
    login(factory.user("donor"))

    response = client.get("/iati.xml")

    assert response.status_code == 422
    assert "The fund has no IATI publishing settings yet" in text(response)
    assert "Download the IATI 2.03 file" not in text(response)


def test_a_project_without_identifier_says_it_is_not_published(client, factory, login, session, publisher):
    bare = factory.project()
    login(factory.user("donor"))

    page = text(client.get(f"/projects/{bare.slug}"))

    assert "This project has no IATI identifier, so it is not published" in page


def test_the_configured_schema_folder_checks_every_download(app, client, factory, login, session, project,
                                                            tmp_path):
    app.config["IATI_SCHEMA_DIR"] = str(tmp_path)
    login(factory.user("me"))

    response = client.get(f"/projects/{project.slug}/iati.xml")

    assert response.status_code == 422
    assert "The IATI schema could not be loaded" in text(response)


@pytest.mark.both_backends
def test_the_export_query_count_does_not_grow_with_projects_and_indicators(client, factory, login, session,
                                                                            publisher, count_queries):
    login(factory.user("me"))

    def queries_with(total):
        while (count := session.scalar(sa.select(sa.func.count()).select_from(Project))) < total:
            project = factory.project(iati_identifier=f"XI-IATI-TEST-{count + 1:03d}")
            node = factory.toc_node(project, "output", "Counsellors trained")
            indicator = public_indicator(factory, project, node, dimensions="sex: girls, boys")
            factory.actual(indicator, factory.period(indicator), "90", breakdown_0="50", breakdown_1="40")
        session.commit()
        with count_queries() as counter:
            assert client.get("/iati.xml").status_code == 200
        return counter.count

    assert queries_with(2) == queries_with(8)


# Marking indicators public ----------------------------------------------------------------------------------


def indicator_form(node, **overrides):
    return {"node_id": str(node.id), "title": "Contacts answered on text channels", "measure": "unit",
            "ascending": "True", "unit": "contacts", "baseline_year": "2021", "baseline_value": "3200",
            **overrides}


def test_me_staff_mark_an_indicator_public_on_its_form(client, factory, login, session, submit, project, outcome):
    login(factory.user("me"))

    response = submit(f"/projects/{project.slug}/indicators/new", indicator_form(outcome, public="y"))

    assert response.status_code == 302
    assert session.scalars(sa.select(Indicator.public)).one() is True


def test_indicators_are_not_public_unless_someone_says_so(client, factory, login, session, submit, project,
                                                          outcome):
    login(factory.user("me"))

    submit(f"/projects/{project.slug}/indicators/new", indicator_form(outcome))

    assert session.scalars(sa.select(Indicator.public)).one() is False


def test_grantees_see_but_cannot_change_whether_an_indicator_is_public(client, factory, login, session, submit,
                                                                       project, outcome):
    indicator = public_indicator(factory, project, outcome)
    session.commit()
    login(factory.user("grantee", projects=[project]))
    url = f"/projects/{project.slug}/indicators/{indicator.id}/edit"

    page = text(client.get(url))
    response = submit(url, {**indicator_form(outcome, title="Renamed"), "version": str(indicator.version)})

    assert "This indicator is published in the fund's IATI data." in page
    assert 'name="public"' not in client.get(url).get_data(as_text=True)
    assert response.status_code == 302
    session.refresh(indicator)
    assert (indicator.title, indicator.public) == ("Renamed", True)


def test_a_baseline_date_outside_the_baseline_year_is_refused(client, factory, login, session, submit, project,
                                                              outcome):
    login(factory.user("me"))

    response = submit(f"/projects/{project.slug}/indicators/new",
                      indicator_form(outcome, baseline_date="2020-12-31"))

    assert response.status_code == 200
    assert "The baseline date is not in the baseline year 2021." in text(response)


# Settings ----------------------------------------------------------------------------------------------------


def settings_form(**overrides):
    return {"iati-reporting_org_ref": "XI-IATI-DEMO", "iati-reporting_org_name": "Safe Online",
            "iati-reporting_org_type": "30", "iati-default_sector": "15180", "iati-language": "en",
            "iati-version": "", **overrides}


def test_an_admin_sets_the_funds_iati_publisher_on_the_fund_settings_page(client, factory, login, session,
                                                                          submit):
    factory.fund()
    admin = factory.user("admin")
    session.commit()
    login(admin)

    page = text(client.get("/fund/settings"))
    response = submit("/fund/settings/iati", settings_form(), page="/fund/settings", prefix="iati-")

    assert "IATI publishing" in page and "Reporting organisation identifier" in page
    assert response.status_code == 302
    settings = session.scalars(sa.select(IatiSettings)).one()
    assert (settings.reporting_org_ref, settings.default_sector) == ("XI-IATI-DEMO", "15180")
    entry = session.scalars(sa.select(AuditEntry).where(AuditEntry.object_type == "iati_settings")).one()
    assert (entry.action, entry.actor_email) == ("create", admin.email)


@pytest.mark.parametrize("ref", ["IATI DEMO", "xi-iati-demo", "XI-IATI-DEMO/1", "XIIATIDEMO"])
def test_a_malformed_reporting_org_identifier_is_refused_with_the_input_kept(client, factory, login, session,
                                                                             submit, ref):
    factory.fund()
    login(factory.user("admin"))

    response = submit("/fund/settings/iati", settings_form(**{"iati-reporting_org_ref": ref}),
                      page="/fund/settings", prefix="iati-")

    assert response.status_code == 200
    assert "registration agency's code, a hyphen and the number it issued" in text(response)
    assert f'value="{html.escape(ref)}"' in response.get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count()).select_from(IatiSettings)) == 0


def test_saving_warns_about_project_identifiers_that_would_be_refused(client, factory, login, session, submit,
                                                                      project):
    login(factory.user("admin"))

    response = submit("/fund/settings/iati", settings_form(**{"iati-version": "1"}),
                      page="/fund/settings", prefix="iati-", follow_redirects=True)

    assert "1 project's IATI identifier does not begin with XI-IATI-DEMO- (Aselo helpline platform)" \
        in text(response)


def test_a_stale_settings_form_answers_409_with_both_versions(client, factory, login, session, submit, publisher):
    login(factory.user("admin"))
    page = client.get("/fund/settings").get_data(as_text=True)
    factory.iati_settings(reporting_org_name="Renamed meanwhile")
    session.commit()

    response = submit("/fund/settings/iati", settings_form(**{"iati-version": "1"}), page="/fund/settings",
                      prefix="iati-")

    assert 'name="iati-version"' in page
    assert response.status_code == 409
    assert "Renamed meanwhile" in text(response) and "Safe Online" in text(response)


def test_only_admins_change_the_iati_settings(client, factory, login, session, submit):
    factory.fund()
    login(factory.user("me"))

    token = csrf_from(client.get("/").get_data(as_text=True))

    assert client.post("/fund/settings/iati", data={**settings_form(), "csrf_token": token}).status_code == 404
    assert session.scalar(sa.select(sa.func.count()).select_from(IatiSettings)) == 0
