"""A project's theory of change: results (nodes) and causal links with their assumptions."""

from pydantic import Field

from tracker.api.blueprint import api
from tracker.api.common import Schema
from tracker.db import get_session
from tracker.toc import services
from tracker.toc.models import AssumptionStatus
from tracker.toc.models import NodeLevel
from tracker.toc.models import Sphere

TAG = "Theory of change"


class ExternalFactor(Schema):
    id: int
    text: str


class TocNode(Schema):
    id: int
    level: NodeLevel = Field(description="Result level, in causal order from activity to impact.")
    level_label: str = Field(description="The fund's own name for the level.")
    title: str
    description: str
    sphere: Sphere = Field(description="Within the project's control, or beyond its ceiling of accountability.")
    is_precondition: bool
    position: int
    external_factors: list[ExternalFactor]


class Assumption(Schema):
    id: int
    text: str
    status: AssumptionStatus
    note: str


class TocLink(Schema):
    id: int
    from_: int = Field(alias="from", description="Id of the cause node.")
    to: int = Field(description="Id of the effect node.")
    rationale: str
    assumptions: list[Assumption]


class Toc(Schema):
    """The working theory of change of a project (not a frozen version)."""

    nodes: list[TocNode]
    links: list[TocLink]


@api.operation("GET", "/projects/<slug>/toc", operation_id="getTheoryOfChange", tag=TAG,
               summary="Get a project's theory of change", permission="toc.view", scope="project", response=Toc)
def get_toc(project):
    """Every node (in level order) and link of the project's working theory of change, with assumptions and
    external factors. The whole graph comes in one answer: theories of change have tens of nodes, not thousands."""
    session = get_session()
    labels = services.level_labels(session, project.fund_id)
    graph = services.snapshot(session, project)
    return Toc(
        nodes=[TocNode(id=node["id"], level=node["level"], level_label=labels[node["level"]], title=node["title"],
                       description=node["description"], sphere=node["sphere"],
                       is_precondition=node["is_precondition"], position=node["position"],
                       external_factors=[ExternalFactor(**factor) for factor in node["external_factors"]])
               for node in graph["nodes"]],
        links=[TocLink(id=link["id"], from_=link["cause"], to=link["effect"], rationale=link["rationale"],
                       assumptions=[Assumption(**item) for item in link["assumptions"]])
               for link in graph["links"]])
