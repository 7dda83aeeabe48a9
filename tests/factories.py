"""Build realistic records through the application's own services."""

import itertools
from datetime import date
from decimal import Decimal

import pyotp

from tracker.audit.services import Actor
from tracker.auth import services as auth_services
from tracker.auth import two_factor
from tracker.portfolio import services as portfolio_services

TEST_ACTOR = Actor.command_line("tests")
TEST_PASSWORD = "correct horse battery staple"
_sequence = itertools.count(1)


def unique(prefix):
    return f"{prefix}-{next(_sequence)}"


class Factory:
    """Factory functions bound to one session and password hasher."""

    def __init__(self, session, hasher):
        self.session = session
        self.hasher = hasher
        self._fund = None

    def fund(self):
        if self._fund is None:
            self._fund = portfolio_services.get_fund(self.session) or portfolio_services.create_fund(
                self.session, TEST_ACTOR, slug="safe-online-test", name="Safe Online (test)"
            )
            for position, (key, name) in enumerate(
                [("networks-systems", "Networks & systems"), ("research-data", "Research & data"),
                 ("technology-tools", "Technology tools")]
            ):
                portfolio_services.save_pillar(self.session, TEST_ACTOR, self._fund, key=key, name=name,
                                               position=position)
        return self._fund

    def pillar(self, key="technology-tools"):
        return next(p for p in portfolio_services.list_pillars(self.session, self.fund()) if p.key == key)

    def organisation(self, name=None, **values):
        return portfolio_services.save_organisation(
            self.session, TEST_ACTOR, {"name": name or unique("Child Helpline Network"), "org_type": "21", **values}
        )

    def project(self, slug=None, *, title=None, countries=("TH",), pillar="technology-tools", organisation=None,
                **overrides):
        slug = slug or unique("project")
        values = {
            "slug": slug,
            "title": title or f"Helpline platform {slug}",
            "organisation_id": (organisation or self.organisation()).id,
            "pillar_id": self.pillar(pillar).id,
            "countries": list(countries),
            "start_date": date(2022, 1, 1),
            "end_date": date(2024, 12, 31),
            "budget": Decimal("250000"),
            "currency": "USD",
            "iati_identifier": None,
            "summary": "Counsellors answer children by chat and SMS.",
            **overrides,
        }
        return portfolio_services.create_project(self.session, TEST_ACTOR, self.fund(), values)

    def user(self, role="grantee", *, email=None, projects=(), password=TEST_PASSWORD, **values):
        user = auth_services.create_user(
            self.session, self.hasher, TEST_ACTOR, email=email or f"{unique(role)}@example.org",
            display_name=values.pop("display_name", f"Test {role}"), role=role, password=password, **values,
        )
        auth_services.set_memberships(self.session, TEST_ACTOR, user, [project.id for project in projects])
        return user

    def two_factor(self, user, secret=None):
        """Enrol ``user`` in two-factor authentication; return the TOTP secret."""
        secret = secret or pyotp.random_base32()
        two_factor.set_confirmed_secret(self.session, TEST_ACTOR, user, secret)
        return secret

    def break_glass_grant(self, user, project, reason="Safeguarding lead asked me to check a reported story.",
                          duration=None):
        from tracker.breakglass import services as break_glass

        return break_glass.open_grant(self.session, Actor(user.id, user.email, user.role.value), user, project,
                                      reason, duration or break_glass.DEFAULT_DURATION)
    # Theory of change and indicators -----------------------------------------------------

    def toc_node(self, project, level="output", title=None, **values):
        from tracker.toc import services as toc_services

        return toc_services.create_node(self.session, TEST_ACTOR, project, {
            "title": title or unique("Counsellors answer children on chat"), "level": level,
            "sphere": values.pop("sphere", "influence"), **values})

    def toc_link(self, project, cause, effect, *, assumptions=(), **values):
        from tracker.toc import services as toc_services

        link = toc_services.create_link(self.session, TEST_ACTOR, project,
                                        {"cause_id": cause.id, "effect_id": effect.id, **values})
        for text in assumptions:
            toc_services.add_assumption(self.session, TEST_ACTOR, project, link, {"text": text})
        return link

    def toc_chain(self, project, *levels):
        """Nodes at ``levels`` (default activity → output → short-term outcome → impact), each linked to the next."""
        levels = levels or ("activity", "output", "short_term_outcome", "impact")
        nodes = [self.toc_node(project, level, f"{level.replace('_', ' ').capitalize()} {unique('result')}")
                 for level in levels]
        for cause, effect in zip(nodes, nodes[1:], strict=False):
            self.toc_link(project, cause, effect)
        return nodes

    def indicator(self, project, node=None, **values):
        from tracker.indicators import services as indicator_services

        node = node or self.toc_node(project, "short_term_outcome")
        return indicator_services.create_indicator(self.session, TEST_ACTOR, project, {
            "node_id": node.id, "title": values.pop("title", unique("Contacts answered on chat")),
            "measure": values.pop("measure", "unit"), "unit": values.pop("unit", "contacts"), **values})

    def period(self, indicator, start=date(2022, 1, 1), end=date(2022, 12, 31), target="100", **values):
        from tracker.indicators import services as indicator_services

        return indicator_services.create_period(self.session, TEST_ACTOR, self.project_of(indicator), indicator, {
            "start_date": start, "end_date": end, "target_value": target, **values})

    def project_of(self, record):
        from tracker.portfolio.models import Project

        return self.session.get(Project, record.project_id)
    # Outcome Harvesting and MSC --------------------------------------------------------

    def harvest(self, project, **values):
        from tracker.outcomes import services as outcome_services

        return outcome_services.save_harvest(self.session, TEST_ACTOR, project, {
            "title": "Harvest 2023", "period_start": date(2023, 1, 1), "period_end": date(2023, 12, 31),
            "questions": "Which organisations changed how they respond to children who report online abuse?",
            **values,
        })

    def outcome(self, project, harvest=None, *, status="draft", **values):
        from tracker.outcomes import services as outcome_services

        outcome = outcome_services.create_outcome(self.session, TEST_ACTOR, project, {
            "harvest_id": (harvest or self.harvest(project)).id,
            "description": "In March 2023 the provincial social-work department began referring children who "
                           "disclosed online grooming to the helpline's counsellors within one working day.",
            "social_actor": "Provincial social-work department",
            "change_agent": "Helpline team",
            "change_date": date(2023, 3, 1),
            "date_precision": "month",
            "country_code": "TH",
            "area": "Chiang Mai",
            "significance": "Children no longer wait weeks for a counsellor after disclosing abuse.",
            "contribution": "The project trained the department's case workers and set up the referral form.",
            "sources": "Referral log, department memo",
            "change_type": "practice",
            **values,
        })
        self.advance_outcome(outcome, status)
        return outcome

    def advance_outcome(self, outcome, status):
        """Walk ``outcome`` forward to ``status`` through the real workflow (adding a verdict when needed)."""
        from tracker.outcomes import services as outcome_services
        from tracker.outcomes import workflow

        while workflow.position(outcome.status) < workflow.position(status):
            _back, forward = workflow.neighbours(outcome.status)
            if forward.value == "substantiated" and not outcome.substantiations:
                self.substantiation(outcome.project, outcome)
            outcome_services.change_outcome_status(self.session, TEST_ACTOR, outcome, forward, outcome.version)
        return outcome

    def substantiator(self, project, name=None, *, is_independent=True, **values):
        from tracker.outcomes import services as outcome_services

        return outcome_services.save_substantiator(self.session, TEST_ACTOR, project, {
            "name": name or unique("Child-protection officer"), "organisation": "Provincial department",
            "expertise": "Handles referrals of children in the province", "is_independent": is_independent,
            **values,
        })

    def substantiation(self, project, outcome, substantiator=None, **verdicts):
        from tracker.outcomes import services as outcome_services

        values = {"verdict_description": "fully_agree", "verdict_significance": "fully_agree",
                  "verdict_contribution": "fully_agree", "comment": "", "given_on": date(2023, 6, 1), **verdicts}
        values["substantiator_id"] = (substantiator or self.substantiator(project)).id
        return outcome_services.record_substantiation(self.session, TEST_ACTOR, project, outcome, values)

    def acknowledge(self, project, outcome, substantiation, reason="Two independent substantiators confirmed it.",
                    by="Mai Tran (M&E)"):
        from tracker.outcomes import services as outcome_services

        return outcome_services.acknowledge_disagreement(self.session, TEST_ACTOR, project, outcome,
                                                         substantiation.id, reason, by)

    def cycle(self, project=None, *, levels=("Project", "Fund"), domains=("Safer online behaviour",
              "Support after harm", "Systems that respond"), **values):
        from tracker.msc import services as story_services

        cycle = story_services.create_cycle(self.session, TEST_ACTOR, self.fund(), {
            "title": unique("MSC cycle"), "period_start": date(2023, 1, 1), "period_end": date(2023, 12, 31),
            "description": "", "levels": "\n".join(levels), "project_id": project.id if project else None,
            **values,
        })
        for name in domains:
            story_services.save_domain(self.session, TEST_ACTOR, cycle, {"name": name, "definition": ""})
        self.session.refresh(cycle)
        return cycle

    def consent(self, **overrides):
        return {"storyteller_consent": True, "guardian_consent": True, "child_assent": True,
                "obtained_on": date(2023, 5, 2), "form_name": "Story consent form", "form_version": "2.1",
                "scope_internal": True, "scope_donor": True, "scope_public": False, "named": False, **overrides}

    def story(self, project, cycle=None, domain=None, *, consent=None, safeguarding=None, require_consent=True,
              donor_version=True, **values):
        """A story; ``consent`` overrides consent fields (None: complete, donor scope), ``safeguarding`` reviews it.

        A story approved by safeguarding also gets its donor version approved as proposed,
        unless ``donor_version`` is False.
        """
        from tracker.msc import services as story_services

        cycle = cycle or self.cycle()
        domain = domain or cycle.domains[0]
        story = story_services.create_story(self.session, TEST_ACTOR, project, {
            "cycle_id": cycle.id, "domain_id": domain.id, "title": unique("Ánh spoke up"),
            "what_happened": "After the club session she told a peer leader about the messages.",
            "why_significant": "She says she now knows where to turn.",
            "events_when": "Spring 2023", "country_code": project.country_codes[0], "place": "Hải Châu district",
            "collector": "Village volunteer, partner NGO", "collected_on": date(2023, 5, 2),
            "storyteller_pseudonym": unique("Lan"), "storyteller_category": "young_person", "age_band": "18_24",
            "language": "en", **values,
        }, self.consent(**(consent or {})), require_consent=require_consent)
        if safeguarding:
            story_services.review_safeguarding(self.session, TEST_ACTOR, story, {
                "status": safeguarding, "note": "Reviewed by the safeguarding focal point."}, story.version)
        if safeguarding == "approved" and donor_version:
            self.donor_version(story)
        return story

    def donor_version(self, story, texts=None):
        """Approve ``texts`` ({language: {field: text}}) as the donor version; what they leave out is the finder's
        proposal."""
        from tracker.msc import donor_version

        proposed = {proposal.language: {field.name: field.proposed for field in proposal.fields}
                    for proposal in donor_version.propose(story)}
        texts = {language: {**fields, **(texts or {}).get(language, {})} for language, fields in proposed.items()}
        return donor_version.approve(self.session, TEST_ACTOR, story, texts, story.version, remaining_checked=True)

    def panel(self, cycle, ordinal=1, **values):
        from tracker.msc import selection as panels

        level = next(level for level in cycle.levels if level.ordinal == ordinal)
        return panels.create_panel(self.session, TEST_ACTOR, cycle, {
            "level_id": level.id, "name": unique(f"{level.name} panel"), "method": "consensus",
            "members": "M&E officer, fund secretariat\nChild-protection adviser", **values,
        })

    def decision(self, panel, story, *, selected=True, reasons=None, **values):
        from tracker.msc import selection as panels

        return panels.record_decision(self.session, TEST_ACTOR, panel, story.id, {
            "selected": selected, "decided_on": date(2023, 11, 20),
            "reasons": reasons if reasons is not None else (
                "The panel chose this story because it shows a child finding help through a peer."),
            **values,
        })

    # IATI publication ----------------------------------------------------------------------

    def iati_settings(self, **values):
        from tracker.iati import services as iati_services

        current = iati_services.get_settings(self.session, self.fund())
        return iati_services.save_settings(self.session, TEST_ACTOR, self.fund(), {
            "reporting_org_ref": "XI-IATI-TEST", "reporting_org_name": "Safe Online (test publisher)",
            "reporting_org_type": "30", "default_sector": "15160", "language": "en", **values},
            version=current.version if current is not None else None)

    def actual(self, indicator, period, value="90", comment="", *, approve=True, **breakdown):
        """Submit an actual for ``period`` and, unless ``approve`` is False, approve it."""
        from tracker.indicators import services as indicator_services

        project = self.project_of(indicator)
        indicator_services.save_actual(self.session, TEST_ACTOR, project, indicator, period,
                                       {"value": value, "comment": comment, **breakdown}, submit=True)
        if approve:
            indicator_services.review_actual(self.session, TEST_ACTOR, project, period, approve=True)
        return period.actual
    # Contribution analysis and evidence -------------------------------------------------

    def claim(self, project, links, *, outcome=None, **values):
        """A claim along ``links`` (ToC links in order) about ``outcome`` (default: the last link's effect)."""
        from tracker.contribution import services as contribution_services

        return contribution_services.create_claim(self.session, TEST_ACTOR, project, {
            "title": values.pop("title", unique("Chat channels brought children to counsellors")),
            "question": "Did the helpline platform contribute to more children being referred to services?",
            "claim_text": "Children reached counsellors on chat, disclosed abuse and were referred.",
            "outcome_node_id": (outcome.id if outcome else links[-1].effect_id),
            "level": "direct_influence", "causal_package": "Provincial services able to take referrals.",
            "necessity": "necessary", "confidence": "not_assessed", "pathway": [link.id for link in links],
            **values,
        })

    def claim_with_chain(self, project, *, assumptions=()):
        """A claim along a fresh activity → output → short-term outcome → intermediate outcome chain."""
        nodes = self.toc_chain(project, "activity", "output", "short_term_outcome", "intermediate_outcome")
        links = [self.toc_link_between(project, cause, effect) for cause, effect in zip(nodes, nodes[1:], strict=False)]
        for text in assumptions:
            from tracker.toc import services as toc_services

            toc_services.add_assumption(self.session, TEST_ACTOR, project, links[1], {"text": text})
        return self.claim(project, links), links

    def assessed_claim(self, project):
        """A claim along a fresh chain that reached Mayne's step 4: its rival explanation assessed (partly)."""
        from tracker.contribution import services as contribution_services

        claim, links = self.claim_with_chain(project)
        self.explanation(project, claim)
        for step in ("postulate_toc", "gather_evidence", "assemble_story"):
            contribution_services.move_step(self.session, TEST_ACTOR, project, claim, step, claim.version)
        return claim, links

    def toc_link_between(self, project, cause, effect):
        from sqlmodel import select

        from tracker.toc.models import TocLink

        return self.session.exec(select(TocLink).where(TocLink.cause_id == cause.id,
                                                       TocLink.effect_id == effect.id)).one()

    def explanation(self, project, claim, **values):
        from tracker.contribution import services as contribution_services

        return contribution_services.save_explanation(self.session, TEST_ACTOR, project, claim, {
            "kind": "alternative_explanation", "status": "partly",
            "text": "Children moved to chat during the pandemic anyway.", **values})

    def evidence(self, project, kind="interview", *, supports=(), strength="moderate", **values):
        """An evidence item (a note unless ``kind`` says otherwise) attached to the ToC links in ``supports``."""
        from tracker.evidence import services as evidence_services

        item = evidence_services.create_item(self.session, TEST_ACTOR, project, kind, {
            "title": values.pop("title", unique("Interview with a shift supervisor")),
            "summary": values.pop("summary", "Children disclose on LINE what they do not say by phone."),
            "source": "Shift supervisor, helpline", **values})
        for link in supports:
            evidence_services.attach(self.session, TEST_ACTOR, project, item,
                                     {"target": f"link-{link.id}", "strength": strength})
        return item

    def component(self, project, claim, **values):
        from tracker.contribution.tracing import services as tracing_services

        return tracing_services.add_component(self.session, TEST_ACTOR, project, claim, {
            "entity": "Helpline counsellors", "activity": "answer chat contacts within five minutes", **values})

    def ct_evidence(self, project, component, sensitivity=0.7, type1_error=0.1, observed="found", **values):
        from tracker.contribution.tracing import services as tracing_services

        return tracing_services.add_ct_evidence(self.session, TEST_ACTOR, project, component, {
            "description": values.pop("description", "Response times improve after go-live."),
            "sensitivity": sensitivity, "type1_error": type1_error, "observed": observed, **values})

    # API tokens ------------------------------------------------------------------------------

    def api_token(self, user, name="Integration test", days=None):
        """Create an API token for ``user``; return the token string (the row is ``.last_api_token``)."""
        from tracker.api import tokens

        self.last_api_token, token = tokens.create_token(self.session, TEST_ACTOR, user, name, days=days)
        return token
