"""axe-core (vendored by the ``axe-playwright-python`` wheel: no network) and the pages a11y tests visit.

The app's CSP forbids inline script; axe goes in through ``page.evaluate`` (the DevTools protocol), which the CSP
does not govern, so no test context has to bypass it.
"""

import json

from axe_playwright_python.sync_playwright import Axe
from sqlmodel import select

from tracker.audit.models import AuditAlert
from tracker.contribution.models import ContributionClaim
from tracker.contribution.models import CtComponent
from tracker.db import database
from tracker.evidence.models import EvidenceItem
from tracker.indicators.models import Indicator
from tracker.msc.models import MscCycle
from tracker.msc.models import Panel
from tracker.msc.models import Story
from tracker.outcomes.models import Outcome
from tracker.portfolio.models import Organisation
from tracker.portfolio.models import Project
from tracker.toc.models import TocLink
from tracker.toc.models import TocNode

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
PROJECT = "thailand-helpline"
_axe = Axe()


def serious_violations(page):
    """Run axe on the page; return its serious and critical WCAG 2.1 A/AA violations."""
    page.evaluate(_axe.axe_script)
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    results = page.evaluate(f"axe.run(document, {json.dumps(options)})")
    return [violation for violation in results["violations"] if violation["impact"] in BLOCKING_IMPACTS]


def describe(violations):
    """One line per violation: rule id, impact, and the first few offending elements."""
    lines = []
    for violation in violations:
        targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        lines.append(f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])} nodes): {targets}")
    return "\n".join(lines)


def _first_id(session, model, *conditions):
    return session.exec(select(model.id).where(*conditions).order_by(model.id)).first()


def demo_ids(app):
    """Ids of representative records of the demo project the grantee works on, for the pages to check."""
    with database(app).new_session() as session:
        project = session.exec(select(Project).where(Project.slug == PROJECT)).one()
        claims = select(ContributionClaim.id).where(ContributionClaim.project_id == project.id)
        component = session.exec(select(CtComponent).where(CtComponent.claim_id.in_(claims))
                                 .order_by(CtComponent.id)).first()
        cycle = _first_id(session, MscCycle)
        return {
            "outcome": _first_id(session, Outcome, Outcome.project_id == project.id),
            "story": _first_id(session, Story, Story.project_id == project.id),
            "link": _first_id(session, TocLink, TocLink.project_id == project.id),
            "node": _first_id(session, TocNode, TocNode.project_id == project.id),
            "evidence": _first_id(session, EvidenceItem, EvidenceItem.project_id == project.id),
            "indicator": _first_id(session, Indicator, Indicator.project_id == project.id),
            "claim": component.claim_id,
            "component": component.id,
            "cycle": cycle,
            "panel": _first_id(session, Panel),
            "organisation": _first_id(session, Organisation),
            "alert": _first_id(session, AuditAlert),
        }


P = f"/projects/{PROJECT}"

# The pages each role reaches from the navigation and the project tabs, and the forms they fill in.
PAGES = {
    "grantee": [
        "/", "/portfolio", P, P + "/outcomes", P + "/outcomes/{outcome}", P + "/outcomes/new",
        P + "/outcomes/{outcome}/edit",
        P + "/harvests", P + "/substantiators", P + "/stories", P + "/stories/{story}", P + "/stories/new",
        P + "/stories/{story}/translations/new", P + "/stories/{story}/consent", P + "/toc", P + "/toc/links/{link}",
        P + "/toc/nodes/{node}", P + "/toc/links/new", P + "/toc/links/{link}/assumptions/new", P + "/toc/versions",
        P + "/evidence", P + "/evidence?attached=no&words=interview", P + "/evidence/{evidence}", P + "/evidence/new",
        P + "/evidence/new?kind=outcome&outcome_id={outcome}", P + "/evidence/new?kind=story&story_id={story}",
        P + "/evidence/new?kind=indicator_result&indicator_id={indicator}", P + "/evidence-map", P + "/claims",
        P + "/claims/{claim}", P + "/claims/{claim}/tracing", P + "/claims/{claim}/story", P + "/indicators",
        P + "/indicators/{indicator}", P + "/import", P + "/export", P + "/reports", P + "/reports/preview",
        "/msc/stories", "/search?q=helpline", "/account", "/inbox",
    ],
    "me": [
        "/", "/portfolio", "/indicators/review", "/evidence-coverage", "/msc/stories", "/msc/cycles",
        "/msc/cycles/{cycle}",
        "/msc/cycles/{cycle}/meta-monitoring", "/msc/panels/{panel}", "/msc/feedback", "/search?q=peer+leader",
        "/organisations", "/reports", "/reports/portfolio/preview", "/iati", "/export", P + "/claims/new",
        P + "/claims/{claim}/step", P + "/claims/{claim}/tracing/components/{component}/evidence/new",
        P + "/claims/{claim}/edit", P + "/stories/{story}/safeguarding", P + "/stories/{story}/donor-version",
        P + "/toc/nodes/new", P + "/toc/freeze", P + "/indicators/new", P + "/edit", "/msc/cycles/new", "/inbox",
        "/account/wellbeing",
    ],
    "admin": [
        "/", "/portfolio", "/admin/users", "/admin/users/new", "/admin/audit", "/admin/break-glass", "/fund/pillars",
        "/fund/pillars/new", "/fund/settings", "/fund/confidence-bands", "/fund/toc-levels", "/projects/new",
        "/organisations/new", "/organisations/{organisation}/edit", "/account/api-tokens",
        "/account/two-factor", "/audit/insight", "/audit/alerts", "/audit/alerts/{alert}",
    ],
    "donor": [
        "/", "/portfolio", P, P + "/outcomes", P + "/outcomes/{outcome}", P + "/stories", "/msc/stories",
        "/search?q=helpline",
        "/reports", "/export", P + "/reports",
    ],
    "anonymous": ["/login"],
}
