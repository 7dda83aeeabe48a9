"""One audience filter, tested as an invariant over every donor output (issue 8 §2).

Hypothesis builds a project full of stories and outcomes in mixed states: consent complete or not, donor scope on
or off, consent withdrawn or not, safeguarding pending / approved / restricted, a donor version approved or not,
a translation or not, outcomes in every workflow status. Every record carries its own sentinel in every text field
(title, texts, translation, collector, place, pseudonym, outcome sources ...), and every story's raw text carries
``RAW-SENTINEL`` inside a phrase that the approved donor version redacts; outcome sources (never shown to donors)
carry it too.

Which records donors may see is asked of the app itself (``donor_visible_story_ids`` and
``donor_visible_outcome_ids``); the test never restates the rule. Then every donor output is read as a donor: the
HTML pages (portfolio, project, story and outcome lists and details, the MSC portfolio list, search for each
sentinel), the JSON API with a donor token (lists and details), the XLSX and CSV export, the project's donor report
as a real PDF (text through pdftotext, metadata through pypdf) and the portfolio report, and the IATI file. No
sentinel of a record donors may not see, and no ``RAW-SENTINEL``, may appear in any of them.

Rendering a PDF takes seconds, so each example is one larger dataset (up to 14 stories and 8 outcomes) and the
test runs ``MAX_EXAMPLES`` examples: a few PDFs per run, each covering many combinations of states.
"""

import io
import secrets
import subprocess
import zipfile
from datetime import date

import openpyxl
import pytest
from hypothesis import HealthCheck
from hypothesis import Phase
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from pypdf import PdfReader

from tests import stored_files
from tests import test_report_revocation as revocation
from tests.api_support import ApiClient
from tests.conftest import skip_or_fail
from tests.factories import TEST_ACTOR
from tests.test_report_views import fetch
from tests.test_report_views import job_of
from tests.test_report_views import prepare
from tracker.audit.services import Actor
from tracker.common.errors import ValidationFailed
from tracker.exports import services as tabular_services
from tracker.msc import donor_version
from tracker.msc import services as story_services
from tracker.msc.sharing import donor_visible_story_ids
from tracker.outcomes.models import OutcomeStatus
from tracker.outcomes.sharing import donor_visible_outcome_ids
from tracker.reports import jobs
from tracker.reports import render
from tracker.reports.portfolio import portfolio_report
from tracker.reports.project import project_report

MAX_EXAMPLES = 5
RAW = "RAW-SENTINEL"
RAW_PHRASE = f"her classmate {RAW} from the football club"
REDACTED = "[a classmate]"

# Weighted towards shareable states, so that most examples hold stories donors do see (and their redaction).
MOSTLY = st.sampled_from([True, True, True, False])
STORY_STATES = st.fixed_dictionaries({
    "consent_complete": MOSTLY,
    "scope_donor": MOSTLY,
    "scope_public": st.booleans(),
    "withdrawn": MOSTLY.map(lambda value: not value),
    "safeguarding": st.sampled_from([None, "approved", "approved", "restricted"]),
    "donor_version": MOSTLY,
    "translated": st.booleans(),
})
# The panel selects every story: after the first, each is a joint selection with its recorded reason.
JOINT = "The panel selected these stories together because each shows a different route to help."
SHAREABLE = {"consent_complete": True, "scope_donor": True, "scope_public": False, "withdrawn": False,
             "safeguarding": "approved", "donor_version": True, "translated": True}
OUTCOME_STATES = st.sampled_from(list(OutcomeStatus))
DATASETS = st.fixed_dictionaries({
    "stories": st.lists(STORY_STATES, min_size=6, max_size=14),
    "outcomes": st.lists(OUTCOME_STATES, min_size=3, max_size=8),
})


def sentinel(kind, number):
    return f"SENTINEL{kind}{number}Z{secrets.token_hex(3).upper()}"


def make_story(factory, session, project, cycle, state, number):
    """A story in ``state`` whose every text field carries its sentinel; returns (story, sentinel, shareable).

    A step the app refuses (approving a story without complete consent, a donor version before safeguarding
    approval) is left undone; ``shareable`` says whether every condition of the donor policy (issue 8) was met.
    """
    mark = sentinel("S", number)
    approved = donor_text = False
    consent = {"scope_donor": state["scope_donor"], "scope_public": state["scope_public"]}
    if not state["consent_complete"]:
        consent["storyteller_consent"] = False
    story = factory.story(
        project, cycle, consent=consent, require_consent=False, donor_version=False,
        title=f"{mark} told {RAW_PHRASE}", what_happened=f"{mark}: she told {RAW_PHRASE} about the messages.",
        why_significant=f"{mark} now knows where to turn.", events_when=f"Spring 2023 {mark}",
        place=f"{mark} district", collector=f"{mark} volunteer", storyteller_pseudonym=f"Lan {mark}")
    if state["translated"]:
        story_services.save_translation(session, TEST_ACTOR, story, {
            "language": "th", "title": f"{mark} เล่าให้ {RAW_PHRASE}",
            "what_happened": f"{mark} เธอเล่าให้ {RAW_PHRASE} ฟัง", "why_significant": f"{mark} รู้ว่าจะขอความช่วยเหลือที่ไหน",
            "translator_note": f"{mark} note"})
    if state["safeguarding"]:
        try:
            story_services.review_safeguarding(session, TEST_ACTOR, story, {
                "status": state["safeguarding"], "note": f"{mark} safeguarding note"}, story.version)
        except ValidationFailed:
            pass  # approving a story without complete consent is refused: it stays pending
        else:
            approved = state["safeguarding"] == "approved"
    if state["donor_version"]:
        texts = {proposal.language: {field.name: field.proposed.replace(RAW_PHRASE, REDACTED)
                                     for field in proposal.fields}
                 for proposal in donor_version.propose(story)}
        try:
            donor_version.approve(session, TEST_ACTOR, story, texts, story.version, remaining_checked=True)
        except ValidationFailed:
            pass  # e.g. not approved by safeguarding: the story stays without a donor version
        else:
            donor_text = True
    if state["withdrawn"]:
        story_services.withdraw_consent(session, TEST_ACTOR, story, date(2024, 1, 15), f"{mark} withdrawal note",
                                        story.consent.version)
    shareable = (state["consent_complete"] and state["scope_donor"] and not state["withdrawn"] and approved
                 and donor_text)
    return story, mark, shareable


def make_outcome(factory, project, harvest, status, number):
    mark = sentinel("O", number)
    outcome = factory.outcome(
        project, harvest, status=status.value,
        description=f"In March 2023 the provincial social-work department ({mark}) began referring children who "
                    f"disclosed online grooming to the helpline's counsellors within one working day.",
        social_actor=f"Social-work department {mark}", change_agent=f"Helpline team {mark}", area=f"{mark} area",
        significance=f"Children no longer wait weeks for a counsellor ({mark}).",
        contribution=f"The project trained the department's case workers ({mark}).",
        sources=f"Interview with {RAW_PHRASE}, {mark} referral log")
    return outcome, mark, status in (OutcomeStatus.SUBSTANTIATED, OutcomeStatus.ANALYSED)


def build(factory, session, dataset):
    project = factory.project(countries=("TH",))
    cycle = factory.cycle(project, levels=("Project",))
    harvest = factory.harvest(project)
    stories = [make_story(factory, session, project, cycle, state, number)
               for number, state in enumerate([SHAREABLE, *dataset["stories"]])]
    outcomes = [make_outcome(factory, project, harvest, status, number)
                for number, status in enumerate(dataset["outcomes"])]
    panel = factory.panel(cycle)
    for story, _mark, _shareable in stories:  # the report shows the stories a panel selected
        try:
            factory.decision(panel, story, joint_reason=JOINT)
        except ValidationFailed:
            pass  # a story that may not be selected (e.g. its consent was withdrawn)
    session.commit()
    return project, stories, outcomes


def forbidden_strings(session, fund_id, stories, outcomes):
    """``RAW-SENTINEL`` and the sentinels of the records the donor policy keeps from donors.

    The app's one filter must agree with the policy on every generated record.
    """
    visible_stories = set(session.scalars(donor_visible_story_ids(fund_id)))
    visible_outcomes = set(session.scalars(donor_visible_outcome_ids(fund_id)))
    assert visible_stories >= {story.id for story, _mark, shareable in stories if shareable}
    assert not visible_stories & {story.id for story, _mark, shareable in stories if not shareable}
    assert visible_outcomes >= {outcome.id for outcome, _mark, shareable in outcomes if shareable}
    assert not visible_outcomes & {outcome.id for outcome, _mark, shareable in outcomes if not shareable}
    hidden = [mark for _record, mark, shareable in [*stories, *outcomes] if not shareable]
    return [RAW, *hidden], [story for story, mark, shareable in stories if shareable]


def pdftotext(content, folder):
    path = folder / "report.pdf"
    path.write_bytes(content)
    try:
        return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True,
                              text=True).stdout
    except FileNotFoundError:
        skip_or_fail("pdftotext (poppler-utils) is not installed")


def html_outputs(client, project, stories, outcomes, marks):
    pages = ["/", "/portfolio", f"/projects/{project.slug}", f"/projects/{project.slug}/stories",
             f"/projects/{project.slug}/outcomes", "/msc/stories"]
    pages += [f"/projects/{project.slug}/stories/{story.id}" for story, _mark, _shareable in stories]
    pages += [f"/projects/{project.slug}/outcomes/{outcome.id}" for outcome, _mark, _shareable in outcomes]
    for page in pages:
        response = client.get(page)
        assert response.status_code in (200, 404), (page, response.status_code)
        yield page, response.get_data(as_text=True)
    yield from search_outputs(client, [*marks, RAW])


def search_outputs(client, terms):
    """Search pages for each term, without the echo of the term itself (measured on a term that matches nothing)."""
    decoy = sentinel("D", 0)
    echoes = client.get(f"/search?q={decoy}").get_data(as_text=True).count(decoy)
    for term in terms:
        body = client.get(f"/search?q={term}").get_data(as_text=True)
        yield f"/search?q={term}", body.replace(term, "", echoes) if body.count(term) == echoes else body


def api_outputs(api, project, stories, outcomes):
    paths = ["/api/v1/projects", f"/api/v1/projects/{project.slug}", f"/api/v1/projects/{project.slug}/stories",
             f"/api/v1/projects/{project.slug}/outcomes"]
    paths += [f"/api/v1/stories/{story.id}" for story, _mark, _shareable in stories]
    paths += [f"/api/v1/projects/{project.slug}/outcomes/{outcome.id}" for outcome, _mark, _shareable in outcomes]
    for path in paths:
        response = api.get(path)
        assert response.status_code in (200, 404), (path, response.status_code)
        yield path, response.get_data(as_text=True)


def export_outputs(session, donor, fund_id):
    actor = Actor(donor.id, donor.email, donor.role.value)
    sheets = [name for name, _title, _description in tabular_services.sheet_choices()]
    for file_format in ("xlsx", "csv"):
        exported = tabular_services.export_records(session, actor, fund_id=fund_id, audience="donor",
                                                   file_format=file_format, sheet_names=sheets)
        yield file_format, spreadsheet_text(exported.content, file_format)


def spreadsheet_text(content, file_format):
    if file_format == "xlsx":
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(str(value) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)
                         for value in row if value is not None)
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(archive.read(name).decode("utf-8-sig") for name in archive.namelist())
    return content.decode("utf-8-sig")


def report_outputs(app, session, donor, fund, project, folder):
    requester = jobs.requester_for(session, donor)
    with app.test_request_context():
        report = project_report(session, project, "donor", requester)
        html = render.html_for(report)
        content = render.pdf_bytes(html)
        portfolio_html = render.html_for(portfolio_report(session, fund, "donor", requester))
    reader = PdfReader(io.BytesIO(content))
    yield "project report HTML", html
    yield "project report PDF text", pdftotext(content, folder)
    yield "project report PDF metadata", repr(dict(reader.metadata or {})) + repr(reader.outline)
    yield "portfolio report HTML", portfolio_html


def assert_clean(where, text, forbidden):
    leaked = [mark for mark in forbidden if mark in text]
    assert not leaked, f"{where} shows {leaked}"


@pytest.mark.both_backends
@settings(max_examples=MAX_EXAMPLES, deadline=None, phases=(Phase.explicit, Phase.reuse, Phase.generate),
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(dataset=DATASETS)
def test_no_donor_output_shows_restricted_or_raw_material(dataset, app, client, session, factory, login,
                                                          tmp_path_factory):
    project, stories, outcomes = build(factory, session, dataset)
    fund = factory.fund()
    donor = factory.user("donor")
    factory.iati_settings()
    session.commit()
    forbidden, shareable_stories = forbidden_strings(session, fund.id, stories, outcomes)
    login(donor)
    api = ApiClient(client, factory.api_token(donor))
    session.commit()
    folder = tmp_path_factory.mktemp("invariant")

    outputs = [*html_outputs(client, project, stories, outcomes, forbidden[1:]),
               *api_outputs(api, project, stories, outcomes),
               *export_outputs(session, donor, fund.id),
               *report_outputs(app, session, donor, fund, project, folder),
               ("IATI", client.get("/iati.xml").get_data(as_text=True))]

    for where, text in outputs:
        assert_clean(where, text, forbidden)
    report_text = dict(outputs)["project report PDF text"]
    for story in shareable_stories:
        assert story.storyteller_pseudonym in report_text, "a shareable story is missing from the donor report"


# The sealed state (issue 14 §3): no role reads a withdrawn story, anywhere -------------------------------------


def sealed_marks(stories):
    return [mark for story, mark, _shareable in stories if story.consent.withdrawn_on is not None]


def staff_outputs(client, api, project, stories):
    pages = [f"/projects/{project.slug}/stories", "/msc/stories",
             *(f"/projects/{project.slug}/stories/{story.id}" for story, _mark, _shareable in stories)]
    for page in pages:
        response = client.get(page)
        assert response.status_code in (200, 302, 404), (page, response.status_code)
        yield page, response.get_data(as_text=True)
    yield from search_outputs(client, sealed_marks(stories))
    yield from api_outputs(api, project, stories, [])


def internal_outputs(app, session, user, fund, project):
    actor = Actor(user.id, user.email, user.role.value)
    sheets = [name for name, _title, _description in tabular_services.sheet_choices()]
    exported = tabular_services.export_records(session, actor, fund_id=fund.id, audience="internal",
                                               file_format="csv", sheet_names=sheets)
    yield "internal export", spreadsheet_text(exported.content, "csv")
    with app.test_request_context():
        yield "internal report HTML", render.html_for(project_report(session, project, "internal",
                                                                     jobs.requester_for(session, user)))


@settings(max_examples=MAX_EXAMPLES, deadline=None, phases=(Phase.explicit, Phase.reuse, Phase.generate),
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(dataset=DATASETS)
def test_no_role_reads_a_sealed_story_anywhere(dataset, app, client, session, factory, login):
    project, stories, _outcomes = build(factory, session, dataset)
    fund = factory.fund()
    users = {"grantee": factory.user("grantee", projects=[project]), "me": factory.user("me"),
             "admin": factory.user("admin")}
    factory.break_glass_grant(users["admin"], project, "A safeguarding concern was reported about this project.")
    session.commit()
    forbidden = sealed_marks(stories)

    for role, user in users.items():
        login(user)
        api = ApiClient(client, factory.api_token(user))
        session.commit()
        outputs = [*staff_outputs(client, api, project, stories)]
        if role == "me":
            outputs += internal_outputs(app, session, user, fund, project)
        for where, text in outputs:
            assert_clean(f"{role}: {where}", text, forbidden)


# Report revocation (issue 14 §1): a donor file is served only while every story it holds passes the donor rule ---


CHANGE_KINDS = st.sampled_from(revocation.CHANGES)


@settings(max_examples=MAX_EXAMPLES, deadline=None, phases=(Phase.explicit, Phase.reuse, Phase.generate),
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(changes=st.lists(st.tuples(CHANGE_KINDS, st.integers(0, 2)), max_size=3))
def test_a_donor_report_file_is_served_only_while_every_story_it_holds_is_unchanged_and_shareable(
        changes, app, client, session, factory, login, submit):
    project = factory.project(countries=("TH",))
    cycle = factory.cycle(project, levels=("Project",))
    panel = factory.panel(cycle)
    stories = [factory.story(project, cycle, safeguarding="approved") for _number in range(3)]
    for story in stories:
        factory.decision(panel, story, joint_reason=JOINT)
    donor = factory.user("donor")
    session.commit()
    login(donor)
    job = job_of(session, prepare(submit, project))
    key = job.file_name
    touched = set()

    with app.app_context():
        for (change, _reason, _told), number in changes:
            story = stories[number]
            if story.id in touched:
                continue  # an erased or sealed story cannot be changed again
            change(session, factory, story)
            touched.add(story.id)
        session.commit()
    session.expire_all()

    status = fetch(client, f"/reports/{job.token}/download")[0]
    if touched:
        assert status == 410 and stored_files.content(session, key) is None
    else:
        assert status == 200 and stored_files.content(session, key) is not None
        assert set(session.scalars(donor_visible_story_ids(project.fund_id))) >= {story.id for story in stories}

