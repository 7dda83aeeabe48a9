"""The method rules as invariants: a stateful property test over the services and the JSON API (issue 13).

Hypothesis drives one small, realistic project (a theory-of-change chain with assumptions, an MSC cycle with two
selection levels, an indicator with two periods, a harvest and two substantiators) through random sequences of
what its users do: outcomes are created (dated or not), re-dated, moved through the workflow and substantiated;
stories are collected with or without consent, reviewed, withdrawn, selected and un-selected, and verified;
claims start as a bare question through the API or along a pathway, get a confidence, explanations, mechanism
components, tracing evidence (edited afterwards) and move through Mayne's steps, or are deleted; pathway
assumptions change status; indicator actuals are submitted, approved and returned, and indicators are added.

After every step every output is built: the project's internal and donor reports and the fund's donor
portfolio report (assembled and rendered to HTML; the donor PDFs on the steps where Hypothesis draws the PDF rule,
read back with pypdf), every donor page, the donor's API lists and the staff's claim list. No output may raise or
answer a server error, and the donor invariants must hold. Each invariant is a named check function with its own
oracle: it reads the raw records (a claim's confidence, its pathway's assumption statuses, its step, a story's
decisions and verifications) and the values this test submitted, never the code that decides what reports show.

Checks whose rule other engineers are implementing in parallel are listed in ``RULES_AWAITING_IMPLEMENTATION``:
they run after every step, and what they find is counted but not failed on; each has a scenario test below marked
``xfail(strict=True)``, which starts passing (and so fails) when the rule is merged. Emptying the list then makes
the state machine enforce them.

Profiles: the default runs in well under a minute on one core. ``METHOD_RULES_PROFILE=long`` (with
``METHOD_RULES_EXAMPLES``, default 300) is the long run; it finds the bare-question crash within its first few
examples when the guard in ``tracker/reports/contribution.py`` is reverted (see the regression tests at the end).
"""

import io
import os
import re
import subprocess
from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from datetime import date

import pytest
from hypothesis import HealthCheck
from hypothesis import event
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from hypothesis.stateful import Bundle
from hypothesis.stateful import RuleBasedStateMachine
from hypothesis.stateful import consumes
from hypothesis.stateful import invariant
from hypothesis.stateful import precondition
from hypothesis.stateful import rule
from hypothesis.stateful import run_state_machine_as_test
from pypdf import PdfReader
from sqlmodel import select

from tests.api_support import ApiClient
from tracker.audit.services import Actor
from tracker.auth.models import User
from tracker.auth.permissions import Role
from tracker.common.errors import EditConflict
from tracker.common.errors import ValidationFailed
from tracker.contribution import services as contribution_services
from tracker.contribution.models import CaStep
from tracker.contribution.models import ClaimLink
from tracker.contribution.models import ContributionClaim
from tracker.contribution.models import CtComponent
from tracker.contribution.models import CtEvidence
from tracker.contribution.tracing import services as tracing_services
from tracker.indicators import services as indicator_services
from tracker.indicators.models import Indicator
from tracker.indicators.models import IndicatorPeriod
from tracker.msc import selection as msc_selection
from tracker.msc import services as story_services
from tracker.msc.models import Panel
from tracker.msc.models import SelectionDecision
from tracker.msc.models import Story
from tracker.msc.models import Verification
from tracker.outcomes import services as outcome_services
from tracker.outcomes import workflow
from tracker.outcomes.models import Harvest
from tracker.outcomes.models import Outcome
from tracker.portfolio.models import Fund
from tracker.portfolio.models import Project
from tracker.reports import jobs
from tracker.reports import render
from tracker.reports.models import Audience
from tracker.reports.portfolio import portfolio_report
from tracker.reports.project import project_report
from tracker.reports.scope import Period
from tracker.reports.scope import Requester
from tracker.toc import services as toc_services
from tracker.toc.models import Assumption

PROFILE_VARIABLE = "METHOD_RULES_PROFILE"
COMMON = {"deadline": None, "suppress_health_check": list(HealthCheck)}
PROFILES = {
    "default": settings(max_examples=3, stateful_step_count=8, **COMMON),
    "long": settings(max_examples=int(os.environ.get("METHOD_RULES_EXAMPLES", "300")), stateful_step_count=25,
                     **COMMON),
}
# The donor invariants whose rule is being implemented in parallel branches (issue 13 §2, §5, §6): the machine
# runs and counts them; the integrator removes each name once its rule is merged (its xfail test then passes).
RULES_AWAITING_IMPLEMENTATION = frozenset()
OUTCOME_FIELDS = ("harvest_id", "social_actor_kind", "date_precision", "country_code", "change_type", "intention",
                  "valence", "smart_checks")
YEAR_2023 = Period(date(2023, 1, 1), date(2023, 12, 31))
IN_PROGRESS_STEPS = (CaStep.SET_OUT, CaStep.POSTULATE, CaStep.GATHER)
# How a selected story's verification state may be worded for donors (any one will do).
STATE_WORDS = {
    "pending": ("not yet verified", "verification pending", "pending verification", "not verified", "pending"),
    "partly_confirmed": ("partly confirmed",),
    "not_confirmed": ("not confirmed",),
}
CSRF_VALUE = re.compile(r'(name="(?:[\w-]+-)?csrf_token"[^>]*value=")[^"]*"|(value=")[^"]*("[^>]*name="csrf_token")')


# The oracle: facts read from the raw records --------------------------------------------------------


@dataclass
class Facts:
    """What the rules say donors may not be shown, computed from the raw records and the submitted values."""

    strong_on_not_supported: set = field(default_factory=set)
    claims_in_progress: set = field(default_factory=set)
    unapproved_values: set = field(default_factory=set)
    unverified_selections: dict = field(default_factory=dict)


def read_facts(session, project_id, unapproved_values):
    claims = session.exec(select(ContributionClaim).where(ContributionClaim.project_id == project_id)).all()
    statuses = {}
    for claim_id, status in session.exec(
            select(ClaimLink.claim_id, Assumption.status).join(Assumption, Assumption.link_id == ClaimLink.link_id)
            .where(ClaimLink.claim_id.in_([claim.id for claim in claims]))):
        statuses.setdefault(claim_id, set()).add(str(status))
    selected = set(session.exec(select(SelectionDecision.story_id).join(Story, Story.id == SelectionDecision.story_id)
                                .where(Story.project_id == project_id, SelectionDecision.selected.is_(True))))
    latest = {}
    for verification in session.exec(select(Verification).where(Verification.story_id.in_(sorted(selected)))
                                     .order_by(Verification.verified_on, Verification.id)):
        latest[verification.story_id] = str(verification.result)
    return Facts(
        strong_on_not_supported={claim.id for claim in claims if str(claim.confidence) == "strong"
                                 and "not_supported" in statuses.get(claim.id, ())},
        claims_in_progress={claim.id for claim in claims if claim.step in IN_PROGRESS_STEPS},
        unapproved_values=set(unapproved_values),
        unverified_selections={story_id: latest.get(story_id, "pending") for story_id in selected
                               if latest.get(story_id) != "confirmed"})


# What donors are shown -------------------------------------------------------------------------------


@dataclass
class DonorOutputs:
    """Every donor output of one moment: assembled reports, their HTML, PDF text, pages and API answers."""

    reports: dict = field(default_factory=dict)
    report_html: dict = field(default_factory=dict)
    pdf_text: dict = field(default_factory=dict)
    pages: dict = field(default_factory=dict)
    story_pages: dict = field(default_factory=dict)
    api: dict = field(default_factory=dict)

    def texts(self):
        yield from self.report_html.items()
        yield from self.pdf_text.items()
        yield from self.pages.items()
        yield from ((f"story page {key}", text) for key, text in self.story_pages.items())
        yield from self.api.items()


def element_block(html, tag, element_id):
    """The HTML of the element ``<tag ... id="element_id">`` up to its closing tag (not nested), or None."""
    start = html.find(f'id="{element_id}"')
    if start < 0:
        return None
    opening = html.rfind(f"<{tag}", 0, start)
    end = html.find(f"</{tag}>", start)
    return html[opening:end if end >= 0 else len(html)]


def sections_of(report):
    return report.sections if hasattr(report, "sections") else [report.section]


def number_pattern(value):
    """``value`` as a page may print it (70123, 70,123 or 70 123), not inside a longer number or token."""
    digits = str(value)
    grouped = f"{digits[:-3]}[,\u00a0\u202f ]?{digits[-3:]}"
    return re.compile(rf"(?<![\w.,]){grouped}(?![\w]|[.,]\d)")


def without_tokens(text):
    return CSRF_VALUE.sub(lambda match: (match.group(1) or match.group(2)) + '"' + (match.group(3) or ""), text)


# The donor invariants, one check each ----------------------------------------------------------------


def strong_beside_a_not_supported_assumption(facts, outputs):
    """A claim whose pathway has a not-supported assumption is never shown with the team's judgement "Strong"."""
    found = []
    for where, html in outputs.report_html.items():
        for claim_id in sorted(facts.strong_on_not_supported):
            block = element_block(html, "section", f"claim-{claim_id}") or ""
            judgement = block.split('class="confidence"', 1)[1].split("</div>", 1)[0] if 'class="confidence"' in block \
                else block
            if re.search(r"\bStrong\b", judgement):
                found.append(f"{where}: claim {claim_id} is shown as Strong beside a not-supported assumption")
    return found


def claim_below_step_4_as_a_conclusion(facts, outputs):
    """A claim still at Mayne's steps 1-3 is never among a donor report's claims (its conclusions)."""
    return [f"{where}: claim {entry.id} at {entry.step} is presented as a conclusion"
            for where, report in outputs.reports.items() for section in sections_of(report)
            for entry in (section.claims or []) if entry.id in facts.claims_in_progress]


def unapproved_actual_shown_to_donors(facts, outputs):
    """A submitted actual that no reviewer approved appears in no donor output (page, chart, API, report, PDF)."""
    found = []
    for where, text in outputs.texts():
        clean = without_tokens(text)
        found += [f"{where} shows the unapproved actual {value}" for value in sorted(facts.unapproved_values)
                  if number_pattern(value).search(clean)]
    return found


def unverified_selection_without_its_state(facts, outputs):
    """A selected story whose facts are not confirmed is never shown to donors without its verification state."""
    found = []
    for story_id, state in sorted(facts.unverified_selections.items()):
        blocks = [(where, element_block(html, "article", f"story-{story_id}"))
                  for where, html in outputs.report_html.items()]
        blocks.append((f"story page {story_id}", outputs.story_pages.get(story_id)))
        for where, block in blocks:
            if block and not any(word in block.lower() for word in STATE_WORDS[state]):
                found.append(f"{where}: selected story {story_id} ({state}) is shown without its verification state")
    return found


DONOR_CHECKS = (strong_beside_a_not_supported_assumption, claim_below_step_4_as_a_conclusion,
                unapproved_actual_shown_to_donors, unverified_selection_without_its_state)
CHECK_RUNS = Counter()
AWAITING_FOUND = Counter()


def run_checks(facts, outputs):
    """Run every donor check; fail on the enforced ones, count what the awaiting ones find."""
    for check in DONOR_CHECKS:
        CHECK_RUNS[check.__name__] += 1
        violations = check(facts, outputs)
        if check.__name__ in RULES_AWAITING_IMPLEMENTATION:
            AWAITING_FOUND[check.__name__] += bool(violations)
            if violations:
                note(f"awaiting rule found a violation: {check.__name__}")
        else:
            assert not violations, "\n".join(violations)


# The world: one project, its users and clients ---------------------------------------------------------


@dataclass
class World:
    app: object
    connection: object
    session: object
    factory: object
    project_id: int
    slug: str
    fund_id: int
    links: list
    assumptions: list
    outcome_node_id: int
    harvest_id: int
    cycle_id: int
    panels: dict
    substantiators: dict
    indicator_id: int
    staff: Actor
    donor_id: int
    grantee: Actor
    donor_web: object
    donor_api: ApiClient
    staff_api: ApiClient

    @property
    def staff_requester(self):
        return Requester("M&E officer", Role.ME)


@pytest.fixture
def world(app, connection, session, factory, login):
    project = factory.project(title="Safer chat for children in Chiang Mai")
    nodes = factory.toc_chain(project, "activity", "output", "short_term_outcome", "intermediate_outcome")
    links = [factory.toc_link_between(project, cause, effect) for cause, effect in zip(nodes, nodes[1:], strict=False)]
    assumptions = [toc_services.add_assumption(session, factory_actor(), project, link, {"text": text})
                   for link, text in ((links[1], "Counsellors stay in post after training."),
                                      (links[2], "Provincial services can take the referrals."))]
    cycle = factory.cycle(project)
    panels = {1: factory.panel(cycle, 1), 2: factory.panel(cycle, 2)}
    indicator = factory.indicator(project, nodes[2], title="Children referred within one working day")
    factory.period(indicator, date(2022, 1, 1), date(2022, 12, 31))
    factory.period(indicator, date(2023, 1, 1), date(2023, 12, 31))
    substantiators = {True: factory.substantiator(project, "Ms Nok, child-protection officer"),
                      False: factory.substantiator(project, "Helpline team lead", is_independent=False)}
    staff, donor = factory.user("me"), factory.user("donor")
    grantee = factory.user("grantee", projects=[project])
    staff_token, donor_token = factory.api_token(staff), factory.api_token(donor)
    harvest = factory.harvest(project)
    session.commit()
    donor_web = app.test_client()
    login(donor, donor_web)
    return World(app, connection, session, factory, project.id, project.slug, project.fund_id,
                 [link.id for link in links], [item.id for item in assumptions], nodes[-1].id, harvest.id, cycle.id,
                 {ordinal: panel.id for ordinal, panel in panels.items()},
                 {independent: item.id for independent, item in substantiators.items()}, indicator.id,
                 actor_of(staff), donor.id, actor_of(grantee), donor_web, ApiClient(app.test_client(), donor_token),
                 ApiClient(app.test_client(), staff_token))


def actor_of(user):
    return Actor(user.id, user.email, str(user.role))


def factory_actor():
    from tests.factories import TEST_ACTOR

    return TEST_ACTOR


# The state machine -----------------------------------------------------------------------------------


def claim_values(claim, **changes):
    """The claim's current form values, with ``changes``."""
    return {"title": claim.title, "question": claim.question, "claim_text": claim.claim_text,
            "outcome_node_id": claim.outcome_node_id, "level": claim.level, "causal_package": claim.causal_package,
            "necessity": claim.necessity, "confidence": claim.confidence,
            "pathway": [item.link_id for item in sorted(claim.pathway, key=lambda item: item.position)], **changes}


class MethodRules(RuleBasedStateMachine):
    """Random sequences of what users do to one project; every output checked after each step."""

    world: World = None

    outcomes = Bundle("outcomes")
    stories = Bundle("stories")
    claims = Bundle("claims")
    components = Bundle("components")
    tracing_items = Bundle("tracing_items")
    indicators = Bundle("indicators")

    def __init__(self):
        super().__init__()
        self.savepoint = self.world.connection.begin_nested()
        self.submitted = {}
        self.approved = set()
        self.pending = set()
        self.refused = Counter()
        self.pdf_read = False

    def teardown(self):
        session = self.world.session
        session.rollback()
        session.close()
        self.savepoint.rollback()

    # Helpers ----------------------------------------------------------------------------------

    @property
    def session(self):
        return self.world.session

    @property
    def project(self):
        return self.session.get(Project, self.world.project_id)

    def attempt(self, action, *args, **kwargs):
        """Run a service call in a savepoint; a refusal by a rule (422-like) leaves nothing behind."""
        nested = self.session.begin_nested()
        try:
            result = action(*args, **kwargs)
        except (ValidationFailed, EditConflict) as refusal:
            nested.rollback()
            name = getattr(action, "__name__", "action")
            self.refused[name] += 1
            note(f"refused by a rule: {name}")
            return refusal
        nested.commit()
        self.session.commit()
        return result

    def api_answer(self, response, *expected):
        assert response.status_code < 500, response.get_data(as_text=True)
        assert response.status_code in expected, (response.status_code, response.get_data(as_text=True))
        self.session.expire_all()
        return response.get_json()

    @property
    def staff(self):
        return self.world.staff

    @property
    def grantee(self):
        return self.world.grantee

    # Outcome Harvesting -------------------------------------------------------------------------

    @rule(target=outcomes, dated=st.booleans(),
          status=st.sampled_from(["draft", "formulated", "substantiation_pending", "substantiated"]))
    def harvest_an_outcome(self, dated, status):
        harvest = self.session.get(Harvest, self.world.harvest_id)
        outcome = self.attempt(self.world.factory.outcome, self.project, harvest, status=status,
                               change_date=date(2023, 3, 1) if dated else None)
        return outcome.id if isinstance(outcome, Outcome) else -1

    @rule(outcome_id=outcomes, dated=st.booleans(), reworded=st.booleans())
    def edit_an_outcome(self, outcome_id, dated, reworded):
        outcome = self.session.get(Outcome, outcome_id) if outcome_id > 0 else None
        if outcome is None:
            return
        values = {name: getattr(outcome, name) for name in (*OUTCOME_FIELDS, *outcome_services.TEXT_FIELDS,
                                                            *outcome_services.LINE_FIELDS)}
        values.update(change_date=date(2023, 4, 1) if dated else None,
                      toc_node_ids=[node.id for node in outcome.toc_nodes])
        if reworded:
            values["description"] += " The department confirmed it in writing."
        self.attempt(outcome_services.update_outcome, self.session, self.staff, self.project, outcome, values,
                     outcome.version)

    @rule(outcome_id=outcomes, forward=st.booleans())
    def move_an_outcome(self, outcome_id, forward):
        outcome = self.session.get(Outcome, outcome_id) if outcome_id > 0 else None
        if outcome is None:
            return
        back, ahead = workflow.neighbours(outcome.status)
        target = ahead if forward else back
        if target is not None:
            self.attempt(outcome_services.change_outcome_status, self.session, self.staff, outcome, target,
                         outcome.version)

    @rule(outcome_id=outcomes, independent=st.booleans(),
          verdict=st.sampled_from(["fully_agree", "partially_agree", "disagree"]))
    def substantiate_an_outcome(self, outcome_id, independent, verdict):
        outcome = self.session.get(Outcome, outcome_id) if outcome_id > 0 else None
        if outcome is None:
            return
        values = {"substantiator_id": self.world.substantiators[independent], "verdict_description": verdict,
                  "verdict_significance": "fully_agree", "verdict_contribution": verdict,
                  "comment": "Seen in the referral log.", "given_on": date(2023, 6, 1)}
        self.attempt(outcome_services.record_substantiation, self.session, self.staff, self.project, outcome, values)

    # Most Significant Change -----------------------------------------------------------------------

    @rule(target=stories, consent=st.sampled_from(["complete", "complete", "no_donor_scope", "incomplete"]),
          safeguarding=st.sampled_from([None, "approved", "approved", "restricted"]), domain=st.integers(0, 2))
    def collect_a_story(self, consent, safeguarding, domain):
        from tracker.msc.models import MscCycle

        cycle = self.session.get(MscCycle, self.world.cycle_id)
        overrides = {"complete": {}, "no_donor_scope": {"scope_donor": False},
                     "incomplete": {"guardian_consent": False}}[consent]
        story = self.attempt(self.world.factory.story, self.project, cycle, cycle.domains[domain],
                             consent=overrides, safeguarding=safeguarding)
        return story.id if isinstance(story, Story) else -1

    @rule(story_id=stories)
    def withdraw_consent(self, story_id):
        story = self.session.get(Story, story_id) if story_id > 0 else None
        if story is not None and story.consent is not None:
            self.attempt(story_services.withdraw_consent, self.session, self.staff, story, date(2023, 9, 1),
                         "The storyteller asked us to.", story.consent.version)

    @rule(story_id=stories, status=st.sampled_from(["approved", "restricted"]))
    def review_safeguarding(self, story_id, status):
        story = self.session.get(Story, story_id) if story_id > 0 else None
        if story is not None:
            self.attempt(story_services.review_safeguarding, self.session, self.staff, story,
                         {"status": status, "note": "Reviewed again."}, story.version)

    @rule(story_id=stories, level=st.sampled_from([1, 1, 2]), selected=st.booleans())
    def panel_decides(self, story_id, level, selected):
        panel = self.session.get(Panel, self.world.panels[level])
        existing = self.session.exec(select(SelectionDecision).where(SelectionDecision.panel_id == panel.id,
                                                                     SelectionDecision.story_id == story_id)).first()
        values = {"selected": selected, "decided_on": date(2023, 11, 20),
                  "reasons": "It shows a child finding help through a peer." if selected else ""}
        if existing is None:
            self.attempt(msc_selection.record_decision, self.session, self.staff, panel, story_id, values)
        else:
            self.attempt(msc_selection.update_decision, self.session, self.staff, existing, values, existing.version)

    @rule(story_id=stories, result=st.sampled_from(["confirmed", "partly_confirmed", "not_confirmed"]),
          day=st.integers(1, 28))
    def verify_a_story(self, story_id, result, day):
        story = self.session.get(Story, story_id) if story_id > 0 else None
        if story is not None:
            self.attempt(msc_selection.record_verification, self.session, self.staff, story,
                         {"method": "Call to the school counsellor", "verifier": "Field officer, partner NGO",
                          "verified_on": date(2023, 12, day), "result": result})

    # Contribution analysis ------------------------------------------------------------------------------

    @rule(target=claims)
    def ask_a_bare_question_through_the_api(self):
        body = self.api_answer(self.world.staff_api.post(f"/api/v1/projects/{self.world.slug}/claims", json={
            "title": "Did the chat channel bring referrals?",
            "cause_effect_question": "Did the helpline's chat channel contribute to faster referrals?"}), 201)
        return body["id"]

    @rule(target=claims, length=st.integers(1, 3),
          confidence=st.sampled_from(["not_assessed", "weak", "moderate", "strong"]))
    def claim_along_the_pathway(self, length, confidence):
        from tracker.toc.models import TocLink

        links = [self.session.get(TocLink, link_id) for link_id in self.world.links[:length]]
        claim = self.attempt(self.world.factory.claim, self.project, links, confidence=confidence)
        return claim.id if isinstance(claim, ContributionClaim) else -1

    def claim(self, claim_id):
        return self.session.get(ContributionClaim, claim_id) if claim_id > 0 else None

    @rule(claim_id=claims, confidence=st.sampled_from(["not_assessed", "weak", "moderate", "strong"]))
    def judge_a_claim(self, claim_id, confidence):
        claim = self.claim(claim_id)
        if claim is not None:
            self.attempt(contribution_services.update_claim, self.session, self.staff, self.project, claim,
                         claim_values(claim, confidence=confidence), claim.version)

    @rule(claim_id=claims, change=st.sampled_from([1, 1, 1, -1, -3]))
    def move_a_claim(self, claim_id, change):
        """One step forward (the only way forward the gate allows), or back; a bare question is completed first."""
        claim = self.claim(claim_id)
        if claim is None:
            return
        if claim.outcome_node_id is None:
            self.attempt(contribution_services.update_claim, self.session, self.staff, self.project, claim,
                         claim_values(claim, outcome_node_id=self.world.outcome_node_id,
                                      claim_text="Chat brought children to counsellors sooner.",
                                      pathway=self.world.links), claim.version)
        steps = list(CaStep)
        target = steps[max(0, min(len(steps) - 1, steps.index(claim.step) + change))]
        self.attempt(contribution_services.move_step, self.session, self.staff, self.project, claim, target,
                     claim.version)

    @rule(claim_id=claims, kind=st.sampled_from(["alternative_explanation", "influencing_factor"]),
          status=st.sampled_from(["ruled_out", "partly", "plausible"]))
    def weigh_an_explanation(self, claim_id, kind, status):
        claim = self.claim(claim_id)
        if claim is not None:
            self.attempt(contribution_services.save_explanation, self.session, self.staff, self.project, claim,
                         {"kind": kind, "status": status, "text": "Children moved to chat during the pandemic."})

    @rule(index=st.integers(0, 1),
          status=st.sampled_from(["untested", "supported", "partly_supported", "not_supported"]))
    def assess_an_assumption(self, index, status):
        assumption = self.session.get(Assumption, self.world.assumptions[index])
        self.attempt(toc_services.update_assumption, self.session, self.staff, self.project, assumption,
                     {"text": assumption.text, "note": "", "status": status}, assumption.version)

    @rule(target=components, claim_id=claims, prior=st.sampled_from([None, 0.3, 0.5, 0.7]))
    def add_a_component_through_the_api(self, claim_id, prior):
        if self.claim(claim_id) is None:
            return -1
        body = self.api_answer(self.world.staff_api.post(f"/api/v1/claims/{claim_id}/components", json={
            "entity": "Helpline counsellors", "activity": "answer chat contacts within five minutes",
            **({"prior": prior} if prior is not None else {})}), 201, 404, 422)
        return body["id"] if body and "id" in body and "position" in body else -1

    @rule(target=tracing_items, component_id=components, sensitivity=st.sampled_from([0.05, 0.5, 0.85, 0.95]),
          type1_error=st.sampled_from([0.05, 0.1, 0.5, 0.9]), observed=st.sampled_from(["found", "not_found",
                                                                                       "pending"]))
    def trace_evidence_through_the_api(self, component_id, sensitivity, type1_error, observed):
        if component_id < 0 or self.session.get(CtComponent, component_id) is None:
            return -1
        body = self.api_answer(self.world.staff_api.post(f"/api/v1/components/{component_id}/evidence", json={
            "description": "Response times improve after go-live.", "sensitivity": sensitivity,
            "type1_error": type1_error, "observed": observed}), 201, 404, 422)
        return body["id"] if body and "component_confidence" in body else -1

    @rule(item_id=tracing_items, observed=st.sampled_from(["found", "not_found", "pending"]),
          sensitivity=st.sampled_from([0.3, 0.9]))
    def revise_tracing_evidence(self, item_id, observed, sensitivity):
        item = self.session.get(CtEvidence, item_id) if item_id > 0 else None
        if item is not None:
            values = {"description": item.description, "rationale": "Checked against the call log.",
                      "sensitivity": sensitivity, "type1_error": item.type1_error, "observed": observed}
            self.attempt(tracing_services.update_ct_evidence, self.session, self.staff, self.project, item, values,
                         item.version)

    @rule(component_id=consumes(components))
    def delete_a_component(self, component_id):
        component = self.session.get(CtComponent, component_id) if component_id > 0 else None
        if component is not None:
            self.attempt(tracing_services.delete_component, self.session, self.staff, self.project, component)

    @rule(claim_id=consumes(claims))
    def delete_a_claim(self, claim_id):
        claim = self.claim(claim_id)
        if claim is not None:
            self.attempt(contribution_services.delete_claim, self.session, self.staff, self.project, claim)

    # Indicators ----------------------------------------------------------------------------------------

    @rule(target=indicators)
    def add_an_indicator(self):
        factory = self.world.factory
        indicator = self.attempt(factory.indicator, self.project, title="Counsellors trained in referral")
        if not isinstance(indicator, Indicator):
            return -1
        self.attempt(factory.period, indicator, date(2023, 1, 1), date(2023, 12, 31))
        return indicator.id

    def periods(self, indicator_id):
        indicator_id = indicator_id if indicator_id > 0 else self.world.indicator_id
        return self.session.exec(select(IndicatorPeriod).where(IndicatorPeriod.indicator_id == indicator_id)
                                 .order_by(IndicatorPeriod.start_date)).all()

    @rule(indicator_id=st.one_of(st.just(0), indicators), index=st.integers(0, 1), value=st.integers(70001, 79999))
    def submit_an_actual(self, indicator_id, index, value):
        periods = self.periods(indicator_id)
        if not periods:
            return
        period = periods[min(index, len(periods) - 1)]
        indicator = self.session.get(Indicator, period.indicator_id)
        actual = period.actual
        saved = self.attempt(indicator_services.save_actual, self.session, self.grantee, self.project, indicator,
                             period, {"value": str(value), "comment": "From the case log."}, submit=True,
                             version=actual.version if actual is not None else None)
        if not isinstance(saved, ValidationFailed | EditConflict):
            self.submitted[period.id] = value
            self.pending.add(value)

    @rule(indicator_id=st.one_of(st.just(0), indicators), index=st.integers(0, 1), approve=st.booleans())
    def review_an_actual(self, indicator_id, index, approve):
        periods = self.periods(indicator_id)
        if not periods:
            return
        period = periods[min(index, len(periods) - 1)]
        reviewed = self.attempt(indicator_services.review_actual, self.session, self.staff, self.project, period,
                                approve=approve, note="" if approve else "Check the March figure.")
        if approve and not isinstance(reviewed, ValidationFailed | EditConflict):
            self.approved.add(self.submitted.get(period.id))

    # Sampled PDFs ----------------------------------------------------------------------------------------

    @precondition(lambda self: not self.pdf_read)
    @rule(name=st.sampled_from(["project donor report", "portfolio donor report"]))
    def read_a_donor_pdf(self, name):
        """A real PDF (one per example: rendering takes seconds), its bookmarks read with pypdf, its text with
        pdftotext, checked like every other donor output."""
        self.pdf_read = True
        with self.world.app.test_request_context():
            content = render.pdf_bytes(render.html_for(self.donor_reports()[name]))
        bookmarks = [item.title for item in PdfReader(io.BytesIO(content)).outline if hasattr(item, "title")]
        assert "What this report leaves out" in bookmarks, bookmarks
        outputs = DonorOutputs(pdf_text={f"{name} PDF": pdf_text(content)})
        run_checks(self.facts(), outputs)

    # Every output after every step -------------------------------------------------------------------

    def facts(self):
        self.session.expire_all()
        return read_facts(self.session, self.world.project_id, self.pending - self.approved)

    def donor_reports(self):
        session, project = self.session, self.project
        donor = jobs.requester_for(session, session.get(User, self.world.donor_id))
        fund = session.get(Fund, self.world.fund_id)
        return {"project donor report": project_report(session, project, Audience.DONOR, donor),
                "project donor report 2023": project_report(session, project, Audience.DONOR, donor, YEAR_2023),
                "portfolio donor report": portfolio_report(session, fund, Audience.DONOR, donor)}

    def donor_pages(self, outputs):
        slug, client = self.world.slug, self.world.donor_web
        indicator_ids = self.session.exec(select(Indicator.id).where(Indicator.project_id == self.world.project_id))
        pages = ["/", "/portfolio", f"/projects/{slug}", f"/projects/{slug}/stories", f"/projects/{slug}/outcomes",
                 f"/projects/{slug}/indicators", "/msc/stories"]
        for indicator_id in indicator_ids:
            pages += [f"/projects/{slug}/indicators/{indicator_id}",
                      f"/projects/{slug}/indicators/{indicator_id}/chart.svg"]
        for page in pages:
            response = client.get(page)
            assert response.status_code in (200, 404), (page, response.status_code)
            outputs.pages[page] = response.get_data(as_text=True)
        story_ids = self.session.exec(select(Story.id).where(Story.project_id == self.world.project_id)).all()
        for story_id in story_ids:
            response = client.get(f"/projects/{slug}/stories/{story_id}")
            assert response.status_code in (200, 404), (story_id, response.status_code)
            if response.status_code == 200:
                outputs.story_pages[story_id] = response.get_data(as_text=True)
        for path in ("/api/v1/projects", f"/api/v1/projects/{slug}", f"/api/v1/projects/{slug}/stories",
                     f"/api/v1/projects/{slug}/outcomes", f"/api/v1/projects/{slug}/indicators"):
            response = self.world.donor_api.get(path)
            assert response.status_code == 200, (path, response.status_code)
            outputs.api[path] = response.get_data(as_text=True)

    def staff_lists(self):
        slug = self.world.slug
        claims = self.world.staff_api.get(f"/api/v1/projects/{slug}/claims?per_page=100")
        assert claims.status_code == 200, claims.get_data(as_text=True)
        for claim in claims.get_json()["items"]:
            assert self.world.staff_api.get(f"/api/v1/claims/{claim['id']}").status_code == 200
        for path in (f"/api/v1/projects/{slug}/outcomes", f"/api/v1/projects/{slug}/stories",
                     f"/api/v1/projects/{slug}/indicators"):
            assert self.world.staff_api.get(path).status_code == 200, path

    def outputs_now(self):
        """Build every output (failing on any exception or server error); return what donors are shown."""
        session = self.session
        session.expire_all()
        outputs = DonorOutputs(reports=self.donor_reports())
        staff = self.world.staff_requester
        internal = {"project internal report": project_report(session, self.project, Audience.INTERNAL, staff),
                    "project internal report 2023": project_report(session, self.project, Audience.INTERNAL, staff,
                                                                   YEAR_2023)}
        with self.world.app.test_request_context():
            for name, report in outputs.reports.items():
                outputs.report_html[name] = render.html_for(report, render.Mode.FILE)
            for name, report in internal.items():
                assert 'id="left-out"' in render.html_for(report, render.Mode.FILE), name
        assert all('id="left-out"' in html for html in outputs.report_html.values())
        self.donor_pages(outputs)
        self.staff_lists()
        session.rollback()
        return outputs

    @invariant()
    def every_output_builds_and_donors_see_only_what_the_rules_allow(self):
        run_checks(self.facts(), self.outputs_now())


def note(text):
    """A Hypothesis statistic (``--hypothesis-show-statistics``) when a state machine is running."""
    if currently_in_test_context():
        event(text)


def pdf_text(content):
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True)
    return result.stdout.decode("utf-8")


def profile():
    return PROFILES[os.environ.get(PROFILE_VARIABLE, "default")]


def run_machine(world, machine_settings):
    CHECK_RUNS.clear()
    AWAITING_FOUND.clear()
    MethodRules.world = world
    try:
        run_state_machine_as_test(MethodRules, settings=machine_settings)
    finally:
        MethodRules.world = None


@pytest.mark.both_backends
def test_the_method_rules_hold_after_every_step_of_random_sequences(world):
    run_machine(world, profile())

    assert set(CHECK_RUNS) == {check.__name__ for check in DONOR_CHECKS}
    assert RULES_AWAITING_IMPLEMENTATION <= set(CHECK_RUNS)
    print(f"checks run: {dict(CHECK_RUNS)}; awaiting rules violated on: {dict(AWAITING_FOUND)} steps")


@pytest.mark.heavy
def test_the_method_rules_hold_over_a_long_run_of_random_sequences(world):
    """The slow tier's run: many longer sequences (``make test-heavy``; the size is ``METHOD_RULES_EXAMPLES``)."""
    run_machine(world, settings(PROFILES["long"], max_examples=int(os.environ.get("METHOD_RULES_EXAMPLES", "25"))))

    assert set(CHECK_RUNS) == {check.__name__ for check in DONOR_CHECKS}


# Each check, proven on outputs built by hand ------------------------------------------------------------


def report_html_with_claim(claim_id, judgement):
    return {"donor report": f'<section class="claim" id="claim-{claim_id}"><h3>Chat</h3><div class="confidence">'
                            f"<p>0.720: reasonably confident</p><p>Team's own judgement: {judgement}.</p></div>"
                            '<h4>Causal pathway</h4><p>Strong evidence</p></section>'}


def test_the_strong_check_flags_strong_beside_a_not_supported_assumption_and_nothing_else():
    facts = Facts(strong_on_not_supported={7})

    assert strong_beside_a_not_supported_assumption(facts, DonorOutputs(
        report_html=report_html_with_claim(7, "Strong")))
    assert not strong_beside_a_not_supported_assumption(facts, DonorOutputs(
        report_html=report_html_with_claim(7, "Moderate")))
    assert not strong_beside_a_not_supported_assumption(Facts(), DonorOutputs(
        report_html=report_html_with_claim(7, "Strong")))


@dataclass
class Entry:
    id: int
    step: str = "set_out_question"


@dataclass
class Section:
    claims: list


@dataclass
class Report:
    section: Section


def test_the_step_check_flags_a_claim_in_progress_among_the_conclusions_only():
    facts = Facts(claims_in_progress={3})

    assert claim_below_step_4_as_a_conclusion(facts, DonorOutputs(reports={"donor": Report(Section([Entry(3)]))}))
    assert not claim_below_step_4_as_a_conclusion(facts, DonorOutputs(reports={"donor": Report(Section([Entry(4)]))}))
    assert not claim_below_step_4_as_a_conclusion(facts, DonorOutputs(reports={"donor": Report(Section(None))}))


@pytest.mark.parametrize("printed", ["70123", "70,123", "70\u202f123", "<td>70,123</td>"])
def test_the_actual_check_finds_an_unapproved_value_however_it_is_printed(printed):
    assert unapproved_actual_shown_to_donors(Facts(unapproved_values={70123}), DonorOutputs(pages={"page": printed}))


@pytest.mark.parametrize("printed", ["170123", "70,1234", "70.123", "/stories/70123x",
                                     '<input name="csrf_token" type="hidden" value="IjE3MDEyMyI.70123">'])
def test_the_actual_check_ignores_other_numbers_and_form_tokens(printed):
    assert not unapproved_actual_shown_to_donors(Facts(unapproved_values={70123}),
                                                 DonorOutputs(pages={"page": printed}))


def test_the_verification_check_wants_the_state_beside_a_selected_story():
    facts = Facts(unverified_selections={5: "not_confirmed"})
    bare = '<article class="record story" id="story-5"><h3>Lan spoke up</h3></article>'
    stated = '<article class="record story" id="story-5"><h3>Lan spoke up</h3><p>Verification: not confirmed</p>' \
             '</article>'

    assert unverified_selection_without_its_state(facts, DonorOutputs(report_html={"donor": bare}))
    assert unverified_selection_without_its_state(facts, DonorOutputs(story_pages={5: bare}))
    assert not unverified_selection_without_its_state(facts, DonorOutputs(report_html={"donor": stated}))
    assert not unverified_selection_without_its_state(facts, DonorOutputs(report_html={"donor": "<p>no story</p>"}))


# Each check, run against the application as it is ---------------------------------------------------------


@pytest.fixture
def machine(world):
    MethodRules.world = world
    state = MethodRules()
    yield state
    state.teardown()
    MethodRules.world = None


def awaiting(name):
    """A scenario the rule ``name`` forbids: it fails (xfail) until the rule is merged, then passes (strict)."""
    return pytest.mark.xfail(name in RULES_AWAITING_IMPLEMENTATION, strict=True,
                             reason=f"{name}: rule awaiting implementation (RULES_AWAITING_IMPLEMENTATION)")


def findings(machine, check):
    return check(machine.facts(), machine.outputs_now())


@awaiting("strong_beside_a_not_supported_assumption")
def test_an_assumption_found_not_supported_after_strong_was_judged_does_not_leave_strong_in_donor_reports(machine):
    machine.assess_an_assumption(0, "partly_supported")
    machine.assess_an_assumption(1, "supported")
    claim_id = machine.claim_along_the_pathway(3, "strong")
    machine.weigh_an_explanation(claim_id, "alternative_explanation", "ruled_out")
    for _step in range(3):
        machine.move_a_claim(claim_id, 1)
    machine.assess_an_assumption(0, "not_supported")

    assert machine.facts().strong_on_not_supported == {claim_id}
    assert findings(machine, strong_beside_a_not_supported_assumption) == []


@awaiting("claim_below_step_4_as_a_conclusion")
def test_a_bare_question_is_never_a_conclusion_of_a_donor_report(machine):
    claim_id = machine.ask_a_bare_question_through_the_api()

    assert machine.facts().claims_in_progress == {claim_id}
    assert findings(machine, claim_below_step_4_as_a_conclusion) == []


@awaiting("unapproved_actual_shown_to_donors")
def test_a_submitted_actual_awaiting_review_reaches_no_donor_output(machine):
    machine.submit_an_actual(0, 1, 71234)

    assert machine.facts().unapproved_values == {71234}
    assert findings(machine, unapproved_actual_shown_to_donors) == []


def test_an_approved_actual_is_no_longer_withheld_from_donors(machine):
    machine.submit_an_actual(0, 1, 71234)
    machine.review_an_actual(0, 1, True)

    assert machine.facts().unapproved_values == set()
    assert findings(machine, unapproved_actual_shown_to_donors) == []


@awaiting("unverified_selection_without_its_state")
def test_a_selected_story_not_confirmed_by_its_verification_shows_that_state_to_donors(machine):
    story_id = machine.collect_a_story("complete", "approved", 0)
    machine.panel_decides(story_id, 1, True)
    machine.verify_a_story(story_id, "not_confirmed", 3)

    assert machine.facts().unverified_selections == {story_id: "not_confirmed"}
    assert findings(machine, unverified_selection_without_its_state) == []


def test_a_confirmed_selection_needs_no_caveat(machine):
    story_id = machine.collect_a_story("complete", "approved", 0)
    machine.panel_decides(story_id, 1, True)
    machine.verify_a_story(story_id, "confirmed", 3)

    assert machine.facts().unverified_selections == {}
    assert findings(machine, unverified_selection_without_its_state) == []


# Regressions found by the long run --------------------------------------------------------------------------


@pytest.mark.both_backends
def test_a_claim_that_is_only_its_question_is_in_every_report_without_crashing(machine):
    """Issue 13 §1: a claim created through the API as its question alone crashed every report that held it."""
    claim_id = machine.ask_a_bare_question_through_the_api()

    outputs = machine.outputs_now()

    internal = project_report(machine.session, machine.project, Audience.INTERNAL, machine.world.staff_requester)
    assert [entry.id for entry in internal.section.claims] == [claim_id]
    assert f'id="claim-{claim_id}"' not in outputs.report_html["project donor report"]  # below step 4: left out


def test_the_sequence_the_long_run_found_builds_every_output(machine):
    """The failing example of ``METHOD_RULES_PROFILE=long`` with the bare-question guard reverted (shrunk as far as
    Hypothesis got in five minutes): every report raised AttributeError at its last step."""
    check = machine.every_output_builds_and_donors_see_only_what_the_rules_allow
    check()
    story = machine.collect_a_story(consent="complete", domain=0, safeguarding="approved")
    check()
    machine.submit_an_actual(index=1, indicator_id=0, value=75411)
    check()
    first = machine.harvest_an_outcome(dated=True, status="formulated")
    check()
    machine.harvest_an_outcome(dated=True, status="formulated")
    check()
    machine.withdraw_consent(story_id=story)
    check()
    machine.add_an_indicator()
    check()
    machine.edit_an_outcome(dated=True, outcome_id=first, reworded=True)
    check()
    machine.move_an_outcome(forward=True, outcome_id=first)
    check()
    machine.harvest_an_outcome(dated=False, status="draft")
    check()
    machine.ask_a_bare_question_through_the_api()
    check()
