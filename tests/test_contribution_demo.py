"""The demo contribution analysis: what the issue asks of every demo project, the evidence maps and their gaps.

The demo is loaded once for this module into its own SQLite file; the tests only read it.
"""

import html
import re

import pytest
import sqlalchemy as sa
from sqlmodel import Session
from sqlmodel import select

from tests.conftest import FAST_HASHING
from tracker import create_app
from tracker import migrate
from tracker.auth import services as auth_services
from tracker.contribution.models import ContributionClaim
from tracker.contribution.models import ContributionStory
from tracker.contribution.models import CtComponent
from tracker.contribution.models import CtStep
from tracker.contribution.tracing import bayes as tracing
from tracker.contribution.tracing.services import claim_summary
from tracker.db import READ_ONLY
from tracker.db import database
from tracker.evidence.models import EvidenceItem
from tracker.evidence.models import EvidenceKind
from tracker.portfolio.models import Project

# The M&E to-do list of each demo project: links on a claimed pathway with no evidence, as (cause, effect).
EXPECTED_GAPS = {
    "auditor-tool": [],
    "cambodia-grooming-campaign": [],
    "deafkidz-defenders": [],
    "disrupting-harm-sea": [],
    "dominican-republic-response-board": [],
    "dragon-s": [
        ("Develop the DRAGON-Shield learning portal and chatbot for safeguarding professionals",
         "DRAGON-Shield portal and chatbot online and free for professionals"),
    ],
    "icop-southeast-asia": [],
    "primero-southeast-asia": [],
    "thailand-helpline": [],
    "viet-nam-community-networks": [
        ("Share project evidence in national consultations of the Ministry of Information and Communications",
         "Findings from Da Nang presented in the Ministry's national consultations"),
        ("National programme on child online protection approved and the VN-COP network established",
         "Da Nang's child-protection system prevents and answers online abuse as routine work"),
    ],
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo app (loaded once) with a logged-in M&E client; yields ``(app, session, client)``."""
    folder = tmp_path_factory.mktemp("demo-contribution")
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(folder))
    app = create_app({"DATABASE_URL": f"sqlite:///{folder}/demo.sqlite", "SECRET_KEY": "demo", **FAST_HASHING})
    migrate.upgrade(database(app).engine)
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    # The module's tests read through this one session while the client's requests write: its transactions
    # only read, so they hold no SQLite write lock (see tracker.db).
    session = Session(database(app).engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)
    client = app.test_client()
    user = auth_services.get_user_by_email(session, "me@example.org")
    token = auth_services.start_login_session(session, user, verified=True)
    session.commit()
    with client.session_transaction() as cookie_session:
        cookie_session["_user_id"] = token
    yield app, session, client
    session.close()
    database(app).engine.dispose()
    monkeypatch.undo()


@pytest.fixture
def session(demo):
    return demo[1]


@pytest.fixture
def client(demo):
    return demo[2]


def projects(session):
    return session.scalars(sa.select(Project).order_by(Project.slug)).all()


def claims_of(session, project):
    return session.scalars(select(ContributionClaim).where(ContributionClaim.project_id == project.id)).all()


def test_every_project_has_a_claim_with_a_pathway_of_three_links_an_explanation_and_tracing_figures(session):
    assert len(projects(session)) == 10
    for project in projects(session):
        complete = [claim for claim in claims_of(session, project)
                    if len(claim.pathway) >= 3 and claim.explanations and claim.components
                    and any(explanation.kind.value == "alternative_explanation" for explanation in claim.explanations)]
        assert complete, project.slug
        assert any(component.evidence for claim in complete for component in claim.components), project.slug


def test_every_project_has_evidence_of_every_kind_attached_to_its_toc(session):
    for project in projects(session):
        items = session.scalars(select(EvidenceItem).where(EvidenceItem.project_id == project.id)).all()
        assert {item.kind for item in items} == set(EvidenceKind), project.slug
        assert all(item.attachments for item in items), project.slug
        assert any(item.has_file for item in items), project.slug


def test_one_claim_ends_more_confident_than_not_and_one_stays_weak_after_a_failed_hoop_test(session):
    summaries = {claim.title: claim_summary(session, claim) for claim in session.scalars(select(ContributionClaim))}
    bands = {title: summary["band"] for title, summary in summaries.items()}

    assert "more confident than not" in bands.values()
    failed_hoops = [claim for claim in session.scalars(select(ContributionClaim))
                    for component in claim.components for step in component.steps
                    if step.test_type.value == "hoop" and step.observed.value == "not_found"]
    assert failed_hoops
    weak = failed_hoops[0]
    assert weak.confidence.value == "weak" and summaries[weak.title]["confidence"] < 0.3


def test_the_claims_span_mayne_steps_including_one_blocked_at_the_gate(session):
    steps = {claim.step.value for claim in session.scalars(select(ContributionClaim))}

    assert {"postulate_toc", "gather_evidence", "assemble_story", "seek_evidence", "revise_story"} <= steps
    revised = session.scalars(select(ContributionStory.claim_id).group_by(ContributionStory.claim_id)
                              .having(sa.func.count() > 1)).all()
    assert revised


def test_stored_steps_equal_the_pure_modules_figures_for_every_demo_component(session):
    for component in session.scalars(select(CtComponent)):
        items = sorted(component.evidence, key=lambda item: item.position)
        expected = tracing.trace_component([tracing.EvidenceItem(item.id, item.sensitivity, item.type1_error,
                                                                 item.observed) for item in items], component.prior)
        stored = session.scalars(select(CtStep).where(CtStep.component_id == component.id)
                                 .order_by(CtStep.position)).all()
        assert [(step.ct_evidence_id, step.prior, step.posterior) for step in stored] == [
            (step.evidence_id, step.prior, step.posterior) for step in expected.steps], component.entity
        assert component.confidence == expected.confidence


@pytest.mark.parametrize("slug", sorted(EXPECTED_GAPS))
def test_the_evidence_map_renders_for_every_demo_project_with_the_expected_gaps(client, slug):
    response = client.get(f"/projects/{slug}/evidence-map")
    text = html.unescape(response.get_data(as_text=True))

    assert response.status_code == 200
    assert re.search(r"<svg[^>]*>.*</svg>", text, flags=re.DOTALL)
    gap_list = text.split('class="gap-list"')[1].split("</ol>")[0] if 'class="gap-list"' in text else ""
    shown = re.findall(r"<li>(.*?) → (.*?)\n", gap_list)
    assert shown == EXPECTED_GAPS[slug]


def gaps_box_class(client, slug):
    text = client.get(f"/projects/{slug}/evidence-map").get_data(as_text=True)
    return re.search(r'aria-labelledby="gaps-title" class="([^"]+)"', text).group(1).split()


def test_the_gaps_box_is_red_while_a_claimed_link_lacks_evidence(client):
    assert "gaps--open" in gaps_box_class(client, "dragon-s")


def test_the_gaps_box_reads_as_success_when_every_claimed_link_has_evidence(client):
    assert gaps_box_class(client, "auditor-tool") == ["gaps", "gaps--closed"]


@pytest.mark.parametrize("slug", sorted(EXPECTED_GAPS))
def test_every_demo_claim_page_tracing_page_and_story_renders(client, session, slug):
    project = session.scalar(select(Project).where(Project.slug == slug))
    for claim in claims_of(session, project):
        for page in ("", "/tracing", "/story"):
            assert client.get(f"/projects/{slug}/claims/{claim.id}{page}").status_code == 200, (slug, page)


def test_the_blocked_claim_page_lists_what_step_4_still_needs(client, session):
    claim = session.scalar(select(ContributionClaim).where(ContributionClaim.step == "gather_evidence"))

    text = html.unescape(client.get(f"/projects/{claim_project(session, claim)}/claims/{claim.id}")
                         .get_data(as_text=True))

    assert "Assess the assumption “Recognising a risk leads a child to act on it" in text


def claim_project(session, claim):
    return session.get(Project, claim.project_id).slug


def test_the_coverage_page_counts_every_demo_link(client, session):
    from tracker.toc.models import TocLink

    text = client.get("/evidence-coverage").get_data(as_text=True)
    total_row = text.split("<tfoot>")[1].split("</tfoot>")[0]

    assert f"<td>{session.scalar(sa.select(sa.func.count()).select_from(TocLink))}</td>" in total_row


def test_loading_the_demo_again_adds_nothing(demo, session):
    app = demo[0]

    def totals():
        return [session.scalar(sa.select(sa.func.count()).select_from(model))
                for model in (ContributionClaim, EvidenceItem, CtStep, ContributionStory)]

    before = totals()
    result = app.test_cli_runner().invoke(args=["seed-demo"])

    assert result.exit_code == 0 and totals() == before
