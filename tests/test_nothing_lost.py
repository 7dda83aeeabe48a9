"""Nothing is lost or saved twice: double posts, database failures mid-save, sending a form again, and two people
saving the same record."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import lxml.html
import pytest
import sqlalchemy as sa
from flask import url_for
from sqlmodel import Session
from werkzeug.datastructures import MultiDict

from tests.conftest import csrf_from
from tests.factories import TEST_ACTOR
from tracker.contribution import services as contribution_services
from tracker.contribution.models import ContributionClaim
from tracker.db_types import utcnow
from tracker.indicators import services as indicator_services
from tracker.msc import services as story_services
from tracker.portfolio.models import Project
from tracker.toc import services as toc_services
from tracker.web.submissions import SubmissionReceipt

SUMMARY = "Peer leaders in child clubs help children disclose abuse; the network refers them."


def project_form(factory, **overrides):
    return {"title": "Community networks in Da Nang", "slug": "da-nang-networks",
            "organisation_id": str(factory.organisation().id), "pillar_id": str(factory.pillar().id),
            "countries": ["VN"], "start_date": "2022-01-01", "end_date": "2024-12-31", "budget": "800000",
            "currency": "USD", "iati_identifier": "", "summary": SUMMARY, **overrides}


def submission_of(html):
    return next(part.split('value="')[1].split('"')[0] for part in html.split("<input")
                if 'name="submission_id"' in part)


def projects(session):
    return session.scalar(sa.select(sa.func.count()).select_from(Project))


def test_a_double_click_creates_one_project(client, factory, login, session):
    login(factory.user("me"))
    data = project_form(factory)
    session.commit()
    page = client.get("/projects/new").get_data(as_text=True)
    form = {**data, "csrf_token": csrf_from(page), "submission_id": submission_of(page)}

    first = client.post("/projects/new", data=form)
    second = client.post("/projects/new", data=form)

    assert first.status_code == 302 and second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"] == "/projects/da-nang-networks"
    assert projects(session) == 1


def test_a_form_shown_again_with_errors_can_be_sent_again_with_the_same_id(client, factory, login, session):
    login(factory.user("me"))
    data = project_form(factory)
    session.commit()
    page = client.get("/projects/new").get_data(as_text=True)
    submission = submission_of(page)

    refused = client.post("/projects/new", data={**data, "title": "", "csrf_token": csrf_from(page),
                                                  "submission_id": submission})
    accepted = client.post("/projects/new", data={**data, "csrf_token": csrf_from(page), "submission_id": submission})

    assert submission_of(refused.get_data(as_text=True)) == submission
    assert accepted.status_code == 302 and projects(session) == 1


def test_when_the_database_fails_mid_save_nothing_is_half_written_and_the_text_comes_back(
        client, factory, login, session, monkeypatch):
    login(factory.user("me"))
    data = project_form(factory)
    session.commit()
    page = client.get("/projects/new").get_data(as_text=True)
    form = {**data, "csrf_token": csrf_from(page), "submission_id": submission_of(page)}
    original_commit, calls = Session.commit, []

    def failing_commit(self):
        calls.append(1)
        if len(calls) == 2:  # the first commit claims the submission; the second is the view's
            raise sa.exc.OperationalError("COMMIT", {}, Exception("database is locked"))
        return original_commit(self)

    monkeypatch.setattr(Session, "commit", failing_commit)
    response = client.post("/projects/new", data=form)
    html = response.get_data(as_text=True)
    monkeypatch.setattr(Session, "commit", original_commit)

    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert SUMMARY in html and "Send it again" in html
    assert projects(session) == 0
    assert session.scalar(sa.select(sa.func.count()).select_from(SubmissionReceipt)) == 0
    again = client.post("/projects/new", data={**dict(_resent_fields(html)), "countries": ["VN"]})
    assert again.status_code == 302 and projects(session) == 1


def _resent_fields(html):
    form = html.split('<form method="post" action="/projects/new">')[1].split("</form>")[0]
    for part in form.split("<input")[1:]:
        name = part.split('name="')[1].split('"')[0]
        value = part.split('value="')[1].split('"')[0] if 'value="' in part else ""
        if name != "countries":
            yield name, value.replace("&amp;", "&").replace("&#39;", "'").replace("&quot;", '"')


def test_passwords_are_never_echoed_back(client, factory, login, session, monkeypatch):
    from werkzeug.datastructures import MultiDict

    from tracker.web.errors import resubmittable_fields

    sent = MultiDict([("email", "new@example.org"), ("password", "a secret passphrase"), ("csrf_token", "x"),
                      ("pw-new_password", "other secret"), ("display_name", "Regional advisor")])

    assert resubmittable_fields(sent) == [("email", "new@example.org"), ("display_name", "Regional advisor")]


# Two people save the same record: every edit form carries the version it was loaded with -------------------------
#
# Every page of the app that shows a form on GET and saves it on POST is either a page creating a record (its URL
# ends in /new), a deletion (/delete), an edit form walked below, or listed with the reason it is none of these.
# A new edit form therefore fails test_every_form_page_is_an_edit_form_walked_below_or_says_why_not until it is added
# to EDIT_FORMS, and the walk then fails unless it carries a version and answers a stale save with 409.

ALICE_TEXT = "Alice changed this first."
BOB_TEXT = "Bob changed this afterwards."


@dataclass(frozen=True)
class EditForm:
    """An edit form: who may use it, how to make the record it edits (returning its URL's values), what to change.

    ``stored`` reads the field's stored value for a form that does not show it (default: the form shown again).
    """

    endpoint: str
    role: str
    field: str
    record: Callable
    first: str = ALICE_TEXT
    second: str = BOB_TEXT
    version: str = "version"
    stored: Callable | None = None


def in_project(make):
    """URL values of a record of a new project: ``make(factory, project)`` returns the record's own."""
    def values(factory):
        project = factory.project()
        return {"slug": project.slug, **make(factory, project)}

    return values


def the_fund(factory):
    factory.fund()
    return {}


def a_link(factory, project, **values):
    cause, effect = factory.toc_node(project, "activity"), factory.toc_node(project, "output")
    return factory.toc_link(project, cause, effect, **values)


def assumption_of(factory, project):
    link = a_link(factory, project, assumptions=["Children trust a text channel"])
    return {"assumption_id": link.assumptions[0].id}


def factor_of(factory, project):
    node = factory.toc_node(project)
    factor = toc_services.add_factor(factory.session, TEST_ACTOR, project, node, {"text": "A new child-online law."})
    return {"factor_id": factor.id}


def period_of(factory, project):
    indicator = factory.indicator(project)
    return {"indicator_id": indicator.id, "period_id": factory.period(indicator).id}


def draft_actual(factory, project):
    indicator = factory.indicator(project)
    period = factory.period(indicator)
    indicator_services.save_actual(factory.session, TEST_ACTOR, project, indicator, period,
                                   {"value": "80", "comment": "Counted from the chat log."}, submit=False)
    return {"indicator_id": indicator.id, "period_id": period.id}


def translation_of(factory, project):
    story = factory.story(project)
    translation = story_services.save_translation(factory.session, TEST_ACTOR, story, {
        "language": "vi", "title": "Ánh đã lên tiếng", "what_happened": "Sau buổi sinh hoạt, em kể với trưởng nhóm.",
        "why_significant": "Em biết tìm ai giúp đỡ."})
    return {"story_id": story.id, "translation_id": translation.id}


def domain_of(factory):
    cycle = factory.cycle()
    return {"cycle_id": cycle.id, "domain_id": cycle.domains[0].id}


def decision_on(factory, project):
    cycle = factory.cycle()
    story, panel = factory.story(project, cycle), factory.panel(cycle)
    factory.decision(panel, story)
    return {"panel_id": panel.id, "story_id": story.id}


def a_claim(factory, project):
    return factory.claim_with_chain(project)[0]


def explanation_of(factory, project):
    claim = a_claim(factory, project)
    return {"claim_id": claim.id, "explanation_id": factory.explanation(project, claim).id}


def claim_ready_for_its_story(factory, project):
    claim = a_claim(factory, project)
    factory.explanation(project, claim)
    factory.session.refresh(claim)
    for step in ("postulate_toc", "gather_evidence", "assemble_story"):
        contribution_services.move_step(factory.session, TEST_ACTOR, project, claim, step, claim.version)
    return {"claim_id": claim.id}


def component_of(factory, project):
    claim = a_claim(factory, project)
    return {"claim_id": claim.id, "component_id": factory.component(project, claim).id}


def tracing_evidence_of(factory, project):
    claim = a_claim(factory, project)
    item = factory.ct_evidence(project, factory.component(project, claim))
    return {"claim_id": claim.id, "ct_evidence_id": item.id}


def the_claims_step(session, values):
    return session.get(ContributionClaim, values["claim_id"]).step.value


def record_id(name, make):
    """``{name: id}`` of a record of a new project: ``make(factory, project)``, or ``factory.<make>(project)``."""
    if isinstance(make, str):
        return in_project(lambda factory, project: {name: getattr(factory, make)(project).id})
    return in_project(lambda factory, project: {name: make(factory, project).id})


EDIT_FORMS = [
    EditForm("admin.user_edit", "admin", "display_name", lambda factory: {"user_id": factory.user().id}),
    EditForm("portfolio.project_edit", "me", "summary", in_project(lambda factory, project: {})),
    EditForm("portfolio.organisation_form_view", "me", "short_name",
             lambda factory: {"organisation_id": factory.organisation().id}),
    EditForm("portfolio.pillar_form_view", "admin", "description", lambda factory: {"pillar_id": factory.pillar().id}),
    EditForm("portfolio.fund_settings", "admin", "description", the_fund),
    EditForm("toc.level_labels", "admin", "activity", the_fund),
    EditForm("contribution.bands", "me", "bands", the_fund,
             first="0.00 unlikely\n0.50 as Alice words it", second="0.00 doubtful\n0.60 as Bob words it"),
    EditForm("toc.node_edit", "me", "description", record_id("node_id", "toc_node")),
    EditForm("toc.link_edit", "me", "rationale", record_id("link_id", a_link)),
    EditForm("toc.assumption_edit", "me", "note", in_project(assumption_of)),
    EditForm("toc.factor_edit", "me", "text", in_project(factor_of)),
    EditForm("indicators.indicator_edit", "me", "definition", record_id("indicator_id", "indicator")),
    EditForm("indicators.period_edit", "me", "target_comment", in_project(period_of)),
    EditForm("indicators.actual", "me", "comment", in_project(draft_actual)),
    EditForm("outcomes.harvest_form", "me", "questions", record_id("harvest_id", "harvest")),
    EditForm("outcomes.outcome_edit", "me", "significance", record_id("outcome_id", "outcome")),
    EditForm("outcomes.substantiator_form", "me", "expertise", record_id("substantiator_id", "substantiator")),
    EditForm("stories.story_edit", "me", "why_significant", record_id("story_id", "story")),
    EditForm("stories.consent_edit", "me", "form_name", record_id("story_id", "story")),
    EditForm("stories.translation_form", "me", "translator_note", in_project(translation_of)),
    EditForm("msc.cycle_edit", "me", "description", lambda factory: {"cycle_id": factory.cycle().id}),
    EditForm("msc.domain_form", "me", "definition", domain_of),
    EditForm("msc.decision_form", "me", "reasons", in_project(decision_on),
             first="The panel chose it because, as Alice wrote, the girl found help through a peer.",
             second="The panel chose it because, as Bob wrote, the club changed how children report."),
    EditForm("evidence.evidence_edit", "me", "summary", record_id("item_id", "evidence")),
    EditForm("contribution.claim_edit", "me", "causal_package", record_id("claim_id", a_claim)),
    EditForm("contribution.claim_step", "me", "step", record_id("claim_id", a_claim),
             first="postulate_toc", second="set_out_question", stored=the_claims_step),
    EditForm("contribution.explanation_edit", "me", "note", in_project(explanation_of)),
    EditForm("contribution.story_edit", "me", "narrative", in_project(claim_ready_for_its_story), version="based_on"),
    EditForm("contribution.component_edit", "me", "activity", in_project(component_of)),
    EditForm("contribution.ct_evidence_edit", "me", "rationale", in_project(tracing_evidence_of)),
]

# Reviews whose stale save sends the reviewer back to read the record as it is now, rather than keeping their input.
READ_AGAIN = {
    "stories.consent_withdraw": "a withdrawal is confirmed against the consent record as it is now",
    "stories.safeguarding_review": "a safeguarding decision must be taken on the story as it is now",
    "stories.donor_version_review": "the donor version is approved for the story's text as it is now",
}

# Form pages that edit no record someone else could have saved meanwhile.
NOT_EDITS = {
    "auth.login": "signs in",
    "auth.enrol": "enrols a second factor while signing in",
    "auth.verify": "asks for the second factor while signing in",
    "auth.account": "one's own language and password, which no one else changes",
    "auth.account_two_factor": "enrols or resets one's own second factor",
    "wellbeing.own_wellbeing": "one's own reading threshold, which no one else sees or changes",
    "api_tokens.token_list": "creates an API token",
    "tabular_export.portfolio_export": "chooses what to download",
    "tabular_export.project_export": "chooses what to download",
    "breakglass.request_access": "asks for access: every request is a new record",
    "stories.sealed_text": "asks for access to a sealed story: every request is a new record",
    "imports.start": "uploads a file",
    "imports.mapping": "maps the columns of one person's own upload, staged for them alone",
    "msc.feedback_form": "records feedback sent: every sending is a new record",
    "msc.verification_form": "records a verification: every check is a new record",
    "contribution.explanation_evidence": "records evidence for an explanation; the same evidence twice is refused",
    "toc.freeze": "freezes a new version of the theory of change",
    "outcomes.acknowledgement_create": "acknowledges a disagreement once; a second acknowledgement is refused",
}


def test_every_form_page_is_an_edit_form_walked_below_or_says_why_not(app):
    walked = {edit.endpoint for edit in EDIT_FORMS}
    form_pages = {rule.endpoint for rule in app.url_map.iter_rules()
                  if {"GET", "POST"} <= rule.methods and not rule.rule.endswith(("/new", "/delete"))}

    assert form_pages - walked - READ_AGAIN.keys() - NOT_EDITS.keys() == set(), "an edit form not walked below"
    assert (walked | READ_AGAIN.keys() | NOT_EDITS.keys()) - form_pages == set(), "listed, but no such page"


def form_fields(html, field):
    """What a browser would send from the page's form holding ``field``."""
    form = next(form for form in lxml.html.fromstring(html).forms if field in form.fields)
    return MultiDict(form.form_values())


def changed(form, field, value):
    data = form.copy()
    data.setlist(field, [value])
    return data


def shown(value):
    return value.replace("\r\n", "\n").strip()


def two_tabs(app, factory, login, edit, *, same_person):
    """Two test clients with ``edit``'s form open: Alice and Bob, or Alice in two browser tabs."""
    alice, bob = app.test_client(), app.test_client()
    person = factory.user(edit.role, display_name="Alice")
    login(person, alice)
    login(person if same_person else factory.user(edit.role, display_name="Bob"), bob)
    return alice, bob


def save_twice(app, factory, login, session, edit, *, same_person=False):
    """Open the form twice, save a change from the first, then a different change from the second (now stale).

    The stale save answers 409 with its text kept and the version saved meanwhile shown; the first change stays.
    """
    values = edit.record(factory)
    alice, bob = two_tabs(app, factory, login, edit, same_person=same_person)
    with app.test_request_context():
        url = url_for(edit.endpoint, **values)
    alices_form = form_fields(alice.get(url).get_data(as_text=True), edit.field)
    bobs_form = form_fields(bob.get(url).get_data(as_text=True), edit.field)
    assert alices_form.get(edit.version) not in (None, ""), "the form carries no version"

    saved = alice.post(url, data=changed(alices_form, edit.field, edit.first))
    stale = bob.post(url, data=changed(bobs_form, edit.field, edit.second))

    assert saved.status_code == 302, saved.get_data(as_text=True)
    assert stale.status_code == 409
    page = stale.get_data(as_text=True)
    kept = form_fields(page, edit.field)
    assert shown(kept[edit.field]) == edit.second
    assert kept[edit.version] != bobs_form[edit.version], "saving again must be a choice made on the current version"
    if edit.stored is None:
        assert edit.first in page.replace("\r\n", "\n"), "the page does not show what was saved meanwhile"
    session.expire_all()
    stored = edit.stored(session, values) if edit.stored else \
        form_fields(alice.get(url).get_data(as_text=True), edit.field)[edit.field]
    assert shown(stored) == edit.first


@pytest.mark.parametrize("edit", EDIT_FORMS, ids=lambda edit: edit.endpoint)
def test_a_second_save_of_a_stale_form_answers_409_keeps_its_text_and_the_first_save(app, factory, login, session,
                                                                                       edit):
    save_twice(app, factory, login, session, edit)


def test_the_same_person_saving_from_two_tabs_is_warned_too(app, factory, login, session):
    translations = next(edit for edit in EDIT_FORMS if edit.endpoint == "stories.translation_form")

    save_twice(app, factory, login, session, translations, same_person=True)


def receipts(session):
    return session.scalar(sa.select(sa.func.count()).select_from(SubmissionReceipt))


def test_an_anonymous_post_writes_no_receipt(client, factory, session):
    factory.user("me")
    session.commit()
    page = client.get("/login").get_data(as_text=True)

    client.post("/login", data={"email": "nobody@example.org", "password": "wrong", "csrf_token": csrf_from(page),
                                "submission_id": submission_of(page)})

    assert receipts(session) == 0


def test_receipts_older_than_two_days_are_forgotten_when_the_next_form_is_sent(client, factory, login, session):
    login(factory.user("me"))
    data = project_form(factory)
    session.add(SubmissionReceipt(id="old-double-click", path="/projects/new", user_id=None,
                                  created_at=utcnow() - timedelta(days=3)))
    session.commit()
    page = client.get("/projects/new").get_data(as_text=True)

    client.post("/projects/new", data={**data, "csrf_token": csrf_from(page), "submission_id": submission_of(page)})

    assert session.get(SubmissionReceipt, "old-double-click") is None and receipts(session) == 1


def test_purge_expired_forgets_old_receipts(app, session):
    session.add(SubmissionReceipt(id="old-double-click", path="/projects/new", created_at=utcnow() - timedelta(days=3)))
    session.commit()

    result = app.test_cli_runner().invoke(args=["purge-expired"])

    assert "1 expired form receipts forgotten," in result.output and receipts(session) == 0
