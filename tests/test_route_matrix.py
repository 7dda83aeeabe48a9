"""Deny by default, case by case: every web route × every role × own project / other project.

Each case is one request, on the loaded demo portfolio, in the test's rolled-back transaction. Its
expected answer is derived from the route's declared permission and ``tracker.auth.permissions``:

- allowed GET → 200 (or the redirect listed in ``DESIGNED_REDIRECTS``);
- allowed POST → anything but 404 or a server error (an empty form is re-rendered, refused or redirected);
- an administrator on a sensitive route without a break-the-glass grant → the reason form on GET, 404 otherwise;
- denied → 404 exactly, whatever the method (POSTs carry a valid CSRF token), and the other project's title is
  never in the body.

Every URL argument is filled with a real record of the project under test (or, for portfolio-level routes,
of the fund), chosen by ``FILLERS`` per blueprint and argument name, because the same name means different
records under different routes (``link_id``, ``number``, ``token``, ``story_id``). An argument without a
filler fails its case: a new route cannot slip through unchecked.

The JSON API (bearer tokens, ``api.*`` endpoints) is not part of this matrix; its per-route permission
tests are in ``tests/test_api_access.py``. ``test_access.py`` keeps the structural checks (every route
declares a permission; anonymous visitors go to the login page).
"""

import html
import io
import re
import shutil
from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import session as flask_session
from flask_wtf.csrf import generate_csrf

from tests import conftest
from tests.conftest import FAST_HASHING
from tracker import create_app
from tracker.auth.models import User
from tracker.auth.permissions import Role
from tracker.auth.permissions import allows
from tracker.auth.permissions import may_break_glass
from tracker.common import blobs
from tracker.contribution.models import AlternativeExplanation
from tracker.contribution.models import ContributionClaim
from tracker.contribution.models import ContributionStory
from tracker.contribution.models import CtComponent
from tracker.contribution.models import CtEvidence
from tracker.contribution.models import ExplanationEvidence
from tracker.db import database
from tracker.db_types import utcnow
from tracker.evidence.models import EvidenceAttachment
from tracker.evidence.models import EvidenceItem
from tracker.imports import services as import_services
from tracker.imports import staging
from tracker.imports.files import limits_from
from tracker.imports.models import ImportBatch
from tracker.imports.models import ImportKind
from tracker.imports.summary import dataset_summary
from tracker.indicators.models import Indicator
from tracker.indicators.models import IndicatorPeriod
from tracker.msc.models import Domain
from tracker.msc.models import MscCycle
from tracker.msc.models import Panel
from tracker.msc.models import SelectionDecision
from tracker.msc.models import Story
from tracker.msc.models import StoryTranslation
from tracker.outcomes.models import Harvest
from tracker.outcomes.models import Outcome
from tracker.outcomes.models import Substantiation
from tracker.outcomes.models import Substantiator
from tracker.portfolio.models import Organisation
from tracker.portfolio.models import Pillar
from tracker.portfolio.models import Project
from tracker.reports import jobs
from tracker.reports.models import JobStatus
from tracker.toc.models import Assumption
from tracker.toc.models import ExternalFactor
from tracker.toc.models import TocLink
from tracker.toc.models import TocNode
from tracker.toc.models import TocVersion
from tracker.web.access import PENDING_LOGIN
from tracker.web.access import PUBLIC
from tracker.web.access import PUBLIC_ENDPOINTS

OWN = "thailand-helpline"  # the demo grantee is a member of this project only
OTHER = "viet-nam-community-networks"  # a project with stories, translations, claims and imports of its own
USERS = {Role.ADMIN: "admin@example.org", Role.ME: "me@example.org", Role.GRANTEE: "grantee@example.org",
         Role.DONOR: "donor@example.org"}
ALLOW, BREAK_GLASS, DENY = "allowed", "break-the-glass form", "404"
# Allowed GETs that answer with a redirect by design, and where they lead.
DESIGNED_REDIRECTS = {
    # An upload without a column mapping yet goes back to the mapping step.
    "imports.preview": "/import/",
}
IMPORT_CSV = b"Outcome,Date\nTeachers in two districts now report grooming cases to the helpline,2024-03-01\n"
ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def queue_only(_job_id):
    """The report runner of the matrix: requested reports stay queued (the matrix checks answers, not PDFs)."""


pytestmark = pytest.mark.both_backends


@pytest.fixture
def engine(demo_on):
    return demo_on[1]


@pytest.fixture(scope="module")
def shared_app(demo_on, tmp_path_factory):
    """One app per backend for the whole matrix (building one per case would dominate its run time).

    Its instance folder is a copy of the demo's, so that the demo's evidence files are there to download.
    """
    demo_instance, demo_engine = demo_on
    instance = tmp_path_factory.mktemp("matrix") / "instance"
    shutil.copytree(demo_instance, instance, ignore=shutil.ignore_patterns("*.sqlite*"))
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(instance))
    try:
        yield create_app(conftest.test_config(demo_engine, REPORT_JOB_RUNNER=f"{__name__}:queue_only",
                                                   DEMO_INSTANCE=str(demo_instance)))
    finally:
        monkeypatch.undo()


@pytest.fixture
def app(shared_app, connection):
    """The shared app, bound to this case's rolled-back transaction."""
    database(shared_app).bind_to(connection)
    yield shared_app
    database(shared_app).bind_to(shared_app.extensions["tracker.db"].engine)


def matrix_app():
    """An app for reading the URL map at collection time; it never opens its database."""
    return create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "SECRET_KEY": "collection", **FAST_HASHING})


def web_rules(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: (rule.rule, rule.endpoint)):
        view = app.view_functions[rule.endpoint]
        if rule.endpoint in PUBLIC_ENDPOINTS or getattr(view, "api", False) or rule.endpoint.startswith("api."):
            continue
        if getattr(view, "required_permission", None) in (PUBLIC, PENDING_LOGIN):
            continue
        yield rule, view


@dataclass(frozen=True)
class Case:
    endpoint: str
    rule: str
    method: str
    role: Role
    scope: str  # "own", "other" or "portfolio"
    permission: str
    sensitive: bool

    @property
    def id(self):
        return f"{self.method} {self.rule} [{self.endpoint}] as {self.role} on {self.scope}"

    @property
    def expected(self):
        is_member = self.scope == "own" and self.role is Role.GRANTEE
        if allows(self.role, self.permission, is_member=is_member):
            return ALLOW
        if self.sensitive and may_break_glass(self.role, self.permission):
            return BREAK_GLASS if self.method == "GET" else DENY
        return DENY


def matrix_cases():
    cases = []
    for rule, view in web_rules(matrix_app()):
        scopes = ("own", "other") if getattr(view, "project_scoped", False) else ("portfolio",)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for role in Role:
                for scope in scopes:
                    cases.append(Case(rule.endpoint, rule.rule, method, role, scope, view.required_permission,
                                      getattr(view, "sensitive", False)))
    return cases


CASES = matrix_cases()


# Fillers: a real record for each URL argument ---------------------------------------------------------------


@dataclass
class Filling:
    """What a filler sees: the database, the app, the acting user, the project and the arguments filled so far."""

    session: object
    app: object
    user: User
    project: Project | None
    values: dict

    def first(self, statement):
        found = self.session.scalars(statement.limit(1)).first()
        assert found is not None, f"the demo has no record for {statement}"
        return found

    @property
    def project_id(self):
        return (self.project or self.session.scalars(sa.select(Project).where(Project.slug == OWN)).one()).id


def first_id(model, where):
    return lambda fill: fill.first(sa.select(model.id).where(*where(fill)).order_by(model.id))


def claim_child(model):
    return first_id(model, lambda fill: [model.claim_id == fill.values["claim_id"]])


def in_project(model):
    return first_id(model, lambda fill: [model.project_id == fill.project_id])


def import_batch(fill):
    """An earlier import into the project (the demo loads its records directly, not through an import)."""
    batch = ImportBatch(project_id=fill.project_id, kind=ImportKind.OUTCOMES, source="fingerprint",
                        file_name="outcomes.csv", file_sha256="0" * 64)
    fill.session.add(batch)
    fill.session.flush()
    return batch.id


def import_upload(fill):
    """An outcomes spreadsheet staged for the acting user, read and given its suggested mapping, as on upload."""
    limits = limits_from(fill.app.config)
    project = fill.session.get(Project, fill.project_id)
    upload = staging.store(fill.session, io.BytesIO(IMPORT_CSV), file_name="outcomes.csv", suffix=".csv",
                           project_id=project.id, user_id=fill.user.id, kind=ImportKind.OUTCOMES.value,
                           max_bytes=limits.max_bytes)
    with staging.local_copy(fill.session, upload) as path:
        dataset = import_services.load_dataset(path, upload.file_name, limits)
    upload.mapping = import_services.suggested_mapping(fill.session, project, dataset, ImportKind.OUTCOMES)
    upload.extra["summary"] = dataset_summary(dataset)
    staging.save(fill.session, upload)
    return upload.token


def import_template(fill):
    """The project's saved column mapping (the demo has one on the own project; the other gets one here)."""
    project = fill.session.get(Project, fill.project_id)
    found = import_services.mapping_templates(fill.session, project)
    if found:
        return found[0].id
    return import_services.save_mapping_template(fill.session, MATRIX_ACTOR(fill), project, ImportKind.OUTCOMES,
                                                 "Partner survey", {"title": "title"}).id


def finished_report(fill):
    """A finished donor report of the own project, requested by the acting user, with its file."""
    from tracker.audit.services import Actor
    from tracker.portfolio.services import get_fund

    project = fill.session.scalars(sa.select(Project).where(Project.slug == OWN)).one()
    job = jobs.create_job(fill.session, Actor(fill.user.id, fill.user.email, fill.user.role.value), fill.user,
                          fund=get_fund(fill.session), project=project, audience="donor")
    job.file_name = blobs.save(fill.session, b"%PDF-1.7\n", "application/pdf")
    job.status, job.finished_at = JobStatus.DONE, utcnow()
    job.expires_at = job.finished_at + timedelta(days=1)
    fill.session.flush()
    return job.token


def own_api_token(fill):
    from tracker.api import tokens
    from tracker.audit.services import Actor

    row, _token = tokens.create_token(fill.session, Actor(fill.user.id, fill.user.email, fill.user.role.value),
                                      fill.user, "Route matrix")
    return row.id


def break_glass_grant(fill):
    from tracker.audit.services import Actor
    from tracker.breakglass import services as break_glass

    admin = fill.session.scalars(sa.select(User).where(User.email == USERS[Role.ADMIN])).one()
    project = fill.session.scalars(sa.select(Project).where(Project.slug == OTHER)).one()
    return break_glass.open_grant(fill.session, Actor(admin.id, admin.email, admin.role.value), admin, project,
                                  "Checking a reported story for the safeguarding lead.",
                                  break_glass.DEFAULT_DURATION).id


def audit_alert(fill):
    """An alert of the demo's month of reading (the demo raises some on its planted anomaly)."""
    from tracker.audit.models import AuditAlert

    return fill.first(sa.select(AuditAlert.id).order_by(AuditAlert.id))


def MATRIX_ACTOR(fill):  # noqa: N802
    from tracker.audit.services import Actor

    return Actor(fill.user.id, fill.user.email, fill.user.role.value)


def panel_story(fill):
    return fill.first(sa.select(SelectionDecision.story_id).where(SelectionDecision.panel_id == fill.values["panel_id"])
                      .order_by(SelectionDecision.id))


def any_id(model):
    return lambda fill: fill.first(sa.select(model.id).order_by(model.id))


def explanation_evidence(fill):
    return fill.first(sa.select(ExplanationEvidence.id).join(AlternativeExplanation).where(
        AlternativeExplanation.claim_id == fill.values["claim_id"]).order_by(ExplanationEvidence.id))


def evidence_with_file(fill):
    """An evidence item with its file (a delete case's deletion is rolled back with its record)."""
    return fill.first(sa.select(EvidenceItem.id).where(EvidenceItem.project_id == fill.project_id,
                                                       EvidenceItem.stored_name != "").order_by(EvidenceItem.id))


FILLERS = {
    ("api_tokens", "token_id"): own_api_token,
    ("breakglass", "grant_id"): break_glass_grant,
    ("insight", "alert_id"): audit_alert,
    ("admin", "user_id"): lambda fill: fill.first(sa.select(User.id).where(User.email == USERS[Role.GRANTEE])),
    ("portfolio", "pillar_id"): any_id(Pillar),
    ("portfolio", "organisation_id"): any_id(Organisation),
    ("msc", "cycle_id"): lambda fill: fill.first(sa.select(MscCycle.id).where(MscCycle.project_id.is_(None))
                                                 .order_by(MscCycle.id)),
    ("msc", "domain_id"): lambda fill: fill.first(sa.select(Domain.id).where(Domain.cycle_id == fill.values["cycle_id"])
                                                  .order_by(Domain.id)),
    ("msc", "panel_id"): lambda fill: fill.first(sa.select(Panel.id).join(SelectionDecision,
                                                 SelectionDecision.panel_id == Panel.id).order_by(Panel.id)),
    ("msc", "story_id"): lambda fill: (panel_story(fill) if "panel_id" in fill.values else
                                       fill.first(sa.select(SelectionDecision.story_id)
                                                  .where(SelectionDecision.selected.is_(True))
                                                  .order_by(SelectionDecision.id))),
    ("msc", "decision_id"): lambda fill: fill.first(sa.select(SelectionDecision.id)
                                                    .where(SelectionDecision.selected.is_(True))
                                                    .order_by(SelectionDecision.id)),
    ("reports", "token"): finished_report,
    ("contribution", "claim_id"): in_project(ContributionClaim),
    ("contribution", "explanation_id"): claim_child(AlternativeExplanation),
    ("contribution", "link_id"): explanation_evidence,  # explanation-evidence links, not ToC links
    ("contribution", "component_id"): claim_child(CtComponent),
    ("contribution", "ct_evidence_id"): first_id(CtEvidence, lambda fill: [CtEvidence.component_id.in_(
        sa.select(CtComponent.id).where(CtComponent.claim_id == fill.values["claim_id"]))]),
    ("contribution", "number"): lambda fill: fill.first(sa.select(ContributionStory.number).where(
        ContributionStory.claim_id == fill.values["claim_id"]).order_by(ContributionStory.number)),
    ("evidence", "item_id"): evidence_with_file,
    ("evidence", "attachment_id"): first_id(EvidenceAttachment, lambda fill: [EvidenceAttachment.evidence_id.in_(
        sa.select(EvidenceItem.id).where(EvidenceItem.project_id == fill.project_id))]),
    ("outcomes", "harvest_id"): in_project(Harvest),
    ("outcomes", "outcome_id"): in_project(Outcome),
    ("outcomes", "substantiator_id"): in_project(Substantiator),
    ("outcomes", "substantiation_id"): first_id(Substantiation, lambda fill: [
        Substantiation.outcome_id == fill.values["outcome_id"]]),
    ("imports", "token"): import_upload,
    ("imports", "template_id"): import_template,
    ("imports", "batch_id"): import_batch,
    ("imports", "kind"): lambda _fill: ImportKind.OUTCOMES.value,
    ("indicators", "indicator_id"): first_id(Indicator, lambda fill: [
        Indicator.project_id == fill.project_id,
        Indicator.id.in_(sa.select(IndicatorPeriod.indicator_id))]),
    ("indicators", "period_id"): first_id(IndicatorPeriod, lambda fill: [
        IndicatorPeriod.indicator_id == fill.values["indicator_id"]]),
    ("stories", "story_id"): lambda fill: fill.first(sa.select(Story.id).where(
        Story.project_id == fill.project_id,
        Story.id.in_(sa.select(StoryTranslation.story_id))).order_by(Story.id)),
    ("stories", "translation_id"): first_id(StoryTranslation, lambda fill: [
        StoryTranslation.story_id == fill.values["story_id"]]),
    ("toc", "node_id"): first_id(TocNode, lambda fill: [
        TocNode.project_id == fill.project_id, TocNode.id.in_(sa.select(ExternalFactor.node_id))]),
    ("toc", "link_id"): first_id(TocLink, lambda fill: [
        TocLink.project_id == fill.project_id, TocLink.id.in_(sa.select(Assumption.link_id))]),
    ("toc", "assumption_id"): first_id(Assumption, lambda fill: [Assumption.link_id.in_(
        sa.select(TocLink.id).where(TocLink.project_id == fill.project_id))]),
    ("toc", "factor_id"): first_id(ExternalFactor, lambda fill: [ExternalFactor.node_id.in_(
        sa.select(TocNode.id).where(TocNode.project_id == fill.project_id))]),
    ("toc", "number"): lambda fill: fill.first(sa.select(TocVersion.number).where(
        TocVersion.project_id == fill.project_id).order_by(TocVersion.number)),
}


def fill_url(case, fill):
    """The case's URL with every argument filled; fails the case on an argument no filler knows."""
    blueprint = case.endpoint.split(".")[0]

    def value(match):
        name = match.group(1)
        if name == "slug":
            return fill.project.slug
        filler = FILLERS.get((blueprint, name))
        if filler is None:
            pytest.fail(f"add a filler for <{name}> in {case.rule} ({case.endpoint}) to FILLERS in {__name__}")
        fill.values[name] = filler(fill)
        return str(fill.values[name])

    return ARGUMENT.sub(value, case.rule)


def prepare(case, app, session, login, client):
    """Log the case's user in, fill the URL and put a CSRF token in the client's session; return (url, token)."""
    user = session.scalars(sa.select(User).where(User.email == USERS[case.role])).one()
    slug = {"own": OWN, "other": OTHER}.get(case.scope)
    project = session.scalars(sa.select(Project).where(Project.slug == slug)).one() if slug else None
    url = fill_url(case, Filling(session, app, user, project, {}))
    session.commit()
    login(user)
    with app.test_request_context():
        token = generate_csrf()
        raw = flask_session["csrf_token"]
    with client.session_transaction() as cookie_session:
        cookie_session["csrf_token"] = raw
    return url, token, project


# Every case on SQLite in `make test`, and on PostgreSQL too in `make test-heavy`. The fast tier still runs the
# scoped lists, search and exports on PostgreSQL (test_lists_search_and_exports_show_only_what_…, below).
@pytest.mark.both_backends(postgresql="heavy")
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_route_answers_as_designed(case, app, session, login, client):
    url, token, project = prepare(case, app, session, login, client)

    data = {"csrf_token": token} if case.method != "GET" else None
    response = client.open(url, method=case.method, data=data)

    status, body = response.status_code, response.get_data().decode("utf-8", "replace")  # files are bytes
    response.close()
    expected = case.expected
    if expected == DENY:
        assert status == 404, f"{case.id}: expected 404, got {status}"
        if project is not None and case.scope == "other":
            assert project.title not in body
    elif expected == BREAK_GLASS:
        assert status == 302, f"{case.id}: expected the break-the-glass form, got {status}"
        assert response.headers["Location"].startswith(f"/projects/{project.slug}/break-glass"), case.id
    elif case.method == "GET":
        if case.endpoint in DESIGNED_REDIRECTS:
            assert status == 302 and DESIGNED_REDIRECTS[case.endpoint] in response.headers["Location"], case.id
        else:
            assert status == 200, f"{case.id}: expected 200, got {status} {response.headers.get('Location', '')}"
    else:
        assert status != 404 and status < 500, f"{case.id}: expected an answer, got {status}"


def test_every_web_route_is_in_the_matrix(app):
    covered = {case.endpoint for case in CASES}

    assert covered == {rule.endpoint for rule, _view in web_rules(app)}


def test_the_matrix_covers_every_role_and_both_projects():
    assert {case.role for case in CASES} == set(Role)
    assert {case.scope for case in CASES} == {"own", "other", "portfolio"}
    assert {case.expected for case in CASES} == {ALLOW, BREAK_GLASS, DENY}



# What lists, search, exports and API lists show: the same scope as the detail pages --------------------------
#
# The status-code matrix above says who reaches a page; these cases say what the page holds. Each role reads the
# list, search, export and API paths of the demo with the administrator made a member of OTHER (membership grants
# an administrator nothing) and the grantee a member of OWN. Which records the role may read is derived from the
# rule table alone (``allows`` on ``story.view`` / ``outcome.view``, the donor rule for donors); the text of every
# other story and outcome must be absent from the answer.

LISTED = [
    ("fund story list", "GET", "/msc/stories"),
    ("project story list", "GET", f"/projects/{OTHER}/stories"),
    ("project outcome list", "GET", f"/projects/{OTHER}/outcomes"),
    ("story search", "GET", "/search?q=online&kind=story"),
    ("outcome search", "GET", "/search?q=children&kind=outcome"),
    ("project evidence list", "GET", f"/projects/{OTHER}/evidence"),
    ("project export", "POST", f"/projects/{OTHER}/export"),
    ("portfolio export", "POST", "/export"),
    ("API story list", "API", f"/api/v1/projects/{OTHER}/stories?per_page=200"),
    ("API outcome list", "API", f"/api/v1/projects/{OTHER}/outcomes?per_page=200"),
]
SCOPE_CASES = [(role, name, method, path) for role in Role for name, method, path in LISTED]


def readable(session, role, permission, member_ids, fund_id):
    """The ids of the stories (outcomes) ``role`` may read, from the rule table alone (donors: the donor rule)."""
    from tracker.msc.sharing import donor_visible_story_ids
    from tracker.outcomes.sharing import donor_visible_outcome_ids

    model = Story if permission == "story.view" else Outcome
    if role is Role.DONOR:
        donor_ids = donor_visible_story_ids if model is Story else donor_visible_outcome_ids
        return set(session.scalars(donor_ids(fund_id)))
    rows = session.execute(sa.select(model.id, model.project_id)).all()
    return {record_id for record_id, project_id in rows
            if allows(role, permission, is_member=project_id in member_ids)}


def forbidden_texts(session, role, member_ids):
    """Texts of the stories and outcomes ``role`` may not read: their titles, descriptions and sources."""
    fund_id = session.scalars(sa.select(Project.fund_id).limit(1)).one()
    stories = readable(session, role, "story.view", member_ids, fund_id)
    outcomes = readable(session, role, "outcome.view", member_ids, fund_id)
    texts = [story.title for story in session.scalars(sa.select(Story).where(Story.id.not_in(stories or [-1])))]
    hidden_outcomes = session.scalars(sa.select(Outcome).where(Outcome.id.not_in(outcomes or [-1])))
    texts += [text for outcome in hidden_outcomes for text in (outcome.description, outcome.sources)]
    return [text for text in texts if len(text) >= 12]


def answer_text(response):
    """The answer as text: HTML and JSON unescaped, every cell of an XLSX workbook."""
    if response.mimetype.endswith("spreadsheetml.sheet"):
        import openpyxl

        workbook = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
        return "\n".join(str(cell) for sheet in workbook.worksheets
                         for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None)
    if response.is_json:
        import json

        return json.dumps(response.get_json(), ensure_ascii=False)
    return html.unescape(response.get_data(as_text=True))


def scoped_request(client, session, user, method, path):
    from tests.api_support import ApiClient
    from tracker.api import tokens
    from tracker.audit.services import Actor

    if method == "API":
        _row, token = tokens.create_token(session, Actor(user.id, user.email, user.role.value), user, "Scope matrix")
        session.commit()
        return ApiClient(client, token).get(path)
    if method == "GET":
        return client.get(path)
    with client.application.test_request_context():
        token = generate_csrf()
        raw = flask_session["csrf_token"]
    with client.session_transaction() as cookie_session:
        cookie_session["csrf_token"] = raw
    return client.post(path, data={"csrf_token": token, "audience": "internal", "file_format": "xlsx",
                                   "sheets": ["outcomes", "stories"]})


@pytest.mark.parametrize("role, name, method, path", SCOPE_CASES,
                         ids=[f"{name} as {role}" for role, name, _method, _path in SCOPE_CASES])
def test_lists_search_and_exports_show_only_what_the_rule_table_lets_the_role_read(role, name, method, path, app,
                                                                                    session, login, client):
    from tracker.audit.services import Actor
    from tracker.auth import services as auth_services

    user = session.scalars(sa.select(User).where(User.email == USERS[role])).one()
    if role is Role.ADMIN:
        other = session.scalars(sa.select(Project).where(Project.slug == OTHER)).one()
        auth_services.set_memberships(session, Actor(user.id, user.email, user.role.value), user, [other.id])
    member_ids = auth_services.member_project_ids(session, user.id)
    session.commit()
    login(user)

    response = scoped_request(client, session, user, method, path)

    assert response.status_code < 500, f"{name} as {role}: {response.status_code}"
    text = answer_text(response)
    leaked = [item[:40] for item in forbidden_texts(session, role, member_ids) if item in text]
    assert not leaked, f"{name} as {role} shows records outside the role's scope: {leaked}"


def test_the_scope_cases_check_something_for_the_administrator(session):
    other = session.scalars(sa.select(Project).where(Project.slug == OTHER)).one()

    assert forbidden_texts(session, Role.ADMIN, {other.id})
