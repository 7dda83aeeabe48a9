"""The evidence map of a project and the fund's evidence coverage per ToC level (database side).

The pure parts (strengths, gaps, shading, totals) are in :mod:`tracker.contribution.evidence_map`;
this module runs the queries: a constant number per page, whatever the size of the portfolio.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from tracker.common.pagination import MAX_PER_PAGE
from tracker.common.pagination import Page
from tracker.common.pagination import last_page
from tracker.contribution import evidence_map
from tracker.contribution.models import ClaimLink
from tracker.contribution.models import ContributionClaim
from tracker.contribution.services import claimed_links
from tracker.evidence.models import EvidenceAttachment
from tracker.evidence.models import Strength
from tracker.evidence.services import link_strength_rows
from tracker.portfolio.models import Project
from tracker.toc import presentation
from tracker.toc import services as toc_services
from tracker.toc.models import Assumption
from tracker.toc.models import TocLink
from tracker.toc.models import TocNode

RANKS = {Strength.WEAK: 1, Strength.MODERATE: 2, Strength.STRONG: 3}


@dataclass
class ProjectMap:
    picture: presentation.Picture
    link_strengths: dict
    node_strengths: dict
    claimed: dict
    gaps: list
    claim_titles: dict
    assumption_evidence: dict
    untested_on_pathways: list


def project_map(session, project):
    """Everything the evidence-map page shows for ``project``."""
    picture = presentation.picture(toc_services.snapshot(session, project),
                                   toc_services.level_labels(session, project.fund_id))
    strengths = evidence_map.link_strengths(link_strength_rows(session, project))
    claimed = claimed_links(session, project)
    titles = dict(session.execute(sa.select(ContributionClaim.id, ContributionClaim.title)
                                  .where(ContributionClaim.project_id == project.id)).all())
    untested = [(link, item) for link in picture.links if link["id"] in claimed
                for item in link["assumptions"] if item["status"] == "untested"]
    return ProjectMap(picture, strengths, evidence_map.node_strengths(picture.graph, strengths), claimed,
                      evidence_map.gaps(picture.graph, strengths, claimed), titles,
                      assumption_evidence_counts(session, project), untested)


def assumption_evidence_counts(session, project):
    """``{link_id: evidence attachments on the link's assumptions}`` (one query)."""
    rows = session.execute(
        sa.select(Assumption.link_id, sa.func.count())
        .join(EvidenceAttachment, EvidenceAttachment.assumption_id == Assumption.id)
        .join(TocLink, TocLink.id == Assumption.link_id)
        .where(TocLink.project_id == project.id).group_by(Assumption.link_id))
    return dict(rows.all())


def link_coverage():
    """Per link: the rank of its strongest direct evidence (1 weak … 3 strong) and whether a claim uses it."""
    rank = sa.case(*((EvidenceAttachment.strength == strength, value) for strength, value in RANKS.items()),
                   else_=0)
    best = (sa.select(EvidenceAttachment.link_id.label("link_id"), sa.func.max(rank).label("best"))
            .where(EvidenceAttachment.link_id.is_not(None)).group_by(EvidenceAttachment.link_id).subquery())
    claimed = sa.select(ClaimLink.link_id.label("link_id")).distinct().subquery()
    return best, claimed


def counted(condition):
    return sa.func.sum(sa.case((condition, 1), else_=0))


def coverage_columns(best, claimed):
    is_claimed = claimed.c.link_id.is_not(None)
    return (sa.func.count(TocLink.id), counted(best.c.best == 3), counted(best.c.best == 2),
            counted(best.c.best == 1), counted(is_claimed), counted(sa.and_(is_claimed, best.c.best.is_(None))))


def links_of_fund(fund_id, best, claimed, *columns):
    return (sa.select(*columns).select_from(TocLink)
            .join(Project, Project.id == TocLink.project_id)
            .outerjoin(best, best.c.link_id == TocLink.id)
            .outerjoin(claimed, claimed.c.link_id == TocLink.id)
            .where(Project.fund_id == fund_id))


def coverage_by_level(session, fund_id):
    """Evidence coverage per ToC level (of the result each link leads to) across the fund's projects: one query."""
    best, claimed = link_coverage()
    statement = (links_of_fund(fund_id, best, claimed, TocNode.level, *coverage_columns(best, claimed))
                 .join(TocNode, TocNode.id == TocLink.effect_id).group_by(TocNode.level))
    return evidence_map.coverage_by_level(session.execute(statement).all())


def project_coverage_statement(fund_id):
    """Per project: links, links by strongest evidence, claimed links and gaps; projects with most gaps first."""
    best, claimed = link_coverage()
    columns = coverage_columns(best, claimed)
    gaps = columns[-1].label("gaps")
    return (links_of_fund(fund_id, best, claimed, Project.slug, Project.title, *columns[:-1], gaps)
            .group_by(Project.id, Project.slug, Project.title)
            .order_by(gaps.desc(), Project.title))


@dataclass(frozen=True)
class ProjectCoverage:
    slug: str
    title: str
    links: int
    strong: int
    moderate: int
    weak: int
    claimed: int
    gaps: int

    @property
    def covered(self):
        return self.strong + self.moderate + self.weak


def project_coverage_page(session, fund_id, number, per_page):
    """One :class:`~tracker.common.pagination.Page` of :class:`ProjectCoverage` rows (two queries: count and page)."""
    statement = project_coverage_statement(fund_id)
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    total = session.execute(sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())).scalar_one()
    number = min(number, last_page(total, per_page))
    rows = session.execute(statement.limit(per_page).offset((number - 1) * per_page)).all()
    items = [ProjectCoverage(row[0], row[1], *(int(value or 0) for value in row[2:])) for row in rows]
    return Page(items=items, total=total, number=number, per_page=per_page)
