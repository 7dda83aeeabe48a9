"""The portfolio report as plain data (no Flask): ``portfolio_report(session, fund, audience, requester, period)``.

Part 1 groups the projects per pillar and per country; part 2 is the synthesis across grantees (outcomes
by type of change, social actor and country; stories by domain; claims by confidence band; evidence
coverage per level of the theory of change); part 3 is a one-page summary per project, the same key
figures as the project report, each citing its evidence. The records of every project are loaded at
once (:func:`tracker.reports.project.load`), with the same audience rules as the project report.
"""

from collections import Counter
from dataclasses import dataclass
from dataclasses import field

from sqlalchemy.orm import selectinload
from sqlmodel import select

from tracker.contribution import evidence_map
from tracker.db_types import utcnow
from tracker.msc.rules import verification_tally
from tracker.portfolio.models import Pillar
from tracker.portfolio.models import Project
from tracker.reports.models import Audience
from tracker.reports.project import Withheld
from tracker.reports.project import load
from tracker.reports.project import project_section
from tracker.reports.project import report_meta
from tracker.reports.references import References
from tracker.reports.scope import Period

TOP_SOCIAL_ACTORS = 12
NOT_TRACED = None


@dataclass
class Group:
    """Projects sharing a pillar or a country, with their totals."""

    key: str
    name: str
    projects: list = field(default_factory=list)
    outcomes: int = 0
    stories: int = 0
    claims: int = 0
    budgets: Counter = field(default_factory=Counter)

    def add(self, section):
        figures = section.figures
        self.projects.append(section.project)
        self.outcomes += len(figures.outcomes)
        self.stories += len(figures.stories)
        self.claims += len(figures.claims)
        self.budgets[section.project.currency] += section.project.budget


@dataclass
class Synthesis:
    outcomes_by_type: list
    outcomes_by_actor: list
    other_actors: int
    outcomes_by_country: list
    stories_by_domain: list
    claims_by_band: list
    coverage: list
    coverage_total: object


@dataclass
class PortfolioReport:
    meta: object
    sections: list
    pillars: list
    countries: list
    synthesis: Synthesis
    references: list
    withheld: Withheld

    @property
    def story_ids(self):
        return set().union(*(section.story_ids for section in self.sections)) if self.sections else set()

    @property
    def outcome_ids(self):
        return set().union(*(section.outcome_ids for section in self.sections)) if self.sections else set()

    @property
    def title(self):
        return self.meta.fund_name

    @property
    def claims_in_progress(self):
        """The claims a donor report lists as work in progress, across projects."""
        return [entry for section in self.sections for entry in section.claims_in_progress]

    @property
    def claims_left_out(self):
        """How many claims below Mayne's step 4 a donor report leaves out, across projects."""
        return sum(section.claims_left_out for section in self.sections)

    @property
    def totals(self):
        return {"projects": len(self.sections),
                "outcomes": sum(len(section.figures.outcomes) for section in self.sections),
                "stories": sum(len(section.figures.stories) for section in self.sections),
                "story_verification": verification_tally(
                    entry.verification for section in self.sections for entry in section.figures.stories),
                "claims": sum(len(section.figures.claims) for section in self.sections),
                "links": sum(section.figures.links for section in self.sections),
                "links_with_evidence": sum(section.figures.links_with_evidence for section in self.sections)}


def fund_projects(session, fund):
    """The fund's projects, pillar by pillar, with what their summaries show loaded (three queries)."""
    return list(session.exec(
        select(Project).join(Pillar, Pillar.id == Project.pillar_id).where(Project.fund_id == fund.id)
        .options(selectinload(Project.organisation), selectinload(Project.pillar), selectinload(Project.countries))
        .order_by(Pillar.position, Pillar.name, Project.title, Project.id)))


def grouped(sections, keys):
    """``[Group]`` of ``sections`` by ``keys(section) -> [(key, name)]``, in order of the names."""
    groups = {}
    for section in sections:
        for key, name in keys(section):
            groups.setdefault(key, Group(key, name)).add(section)
    return sorted(groups.values(), key=lambda group: group.name.casefold())


def ranked(counter):
    return sorted(counter.items(), key=lambda item: (-item[1], str(item[0]).casefold()))


def synthesis(sections, loaded):
    outcomes = [entry for section in sections for entry in section.figures.outcomes]
    by_type = Counter(entry.change_type for entry in outcomes)
    actors = Counter(" ".join(entry.social_actor.split()) or "—" for entry in outcomes)
    top = ranked(actors)[:TOP_SOCIAL_ACTORS]
    stories = [story for section in sections for story in loaded.stories.shown_for(section.project.id)]
    bands = {}
    for section in sections:
        for claim in section.figures.claims:
            bands.setdefault(claim.band, []).append((claim, section.project))
    order = sorted(bands, key=lambda band: (band is None, -max((claim.confidence or 0) for claim, _ in bands[band])))
    rows = Counter()
    for section in sections:
        if section.toc is None:
            continue
        for row in section.toc.rows:
            level = section.toc.picture.nodes[row.effect_id]["level"]
            strength = row.evidence.strength
            rows[(level, "links")] += 1
            rows[(level, strength)] += 1 if strength else 0
            rows[(level, "claimed")] += 1 if row.claimed else 0
            rows[(level, "gaps")] += 1 if row.claimed and not strength else 0
    levels = {level for level, _kind in rows}
    coverage = evidence_map.coverage_by_level(
        [(level, *(rows[(level, kind)] for kind in ("links", "strong", "moderate", "weak", "claimed", "gaps")))
         for level in levels])
    return Synthesis(
        outcomes_by_type=ranked(by_type), outcomes_by_actor=top, other_actors=sum(actors.values()) - sum(
            count for _actor, count in top),
        outcomes_by_country=ranked(Counter(entry.country_code or "" for entry in outcomes)),
        stories_by_domain=ranked(Counter(story.domain.name for story in stories)),
        claims_by_band=[(band, bands[band]) for band in order], coverage=coverage,
        coverage_total=evidence_map.coverage_total(coverage))


def portfolio_report(session, fund, audience, requester, period=None, *, now=None, claims_in_progress=False):
    """Assemble the portfolio report of ``fund`` for ``audience`` as ``requester`` may see it, within ``period``
    (``claims_in_progress`` as for :func:`~tracker.reports.project.project_section`)."""
    audience, period = Audience(audience), period or Period()
    meta = report_meta(session, "portfolio", fund.id, audience, requester, period, now or utcnow())
    meta.claims_in_progress = claims_in_progress
    projects = fund_projects(session, fund)
    if projects:
        meta.span_start = min(project.start_date for project in projects)
        meta.span_end = max(project.end_date for project in projects)
    loaded = load(session, fund.id, [project.id for project in projects], audience, requester, period)
    references = References()
    sections = [project_section(session, project, loaded, references, audience, requester, meta.bands,
                                meta.level_labels, claims_in_progress=claims_in_progress) for project in projects]
    withheld = Withheld()
    for section in sections:
        withheld.add(section.withheld)
    return PortfolioReport(
        meta=meta, sections=sections,
        pillars=grouped(sections, lambda section: [(section.project.pillar, section.project.pillar)]),
        countries=grouped(sections, lambda section: [(code, code) for code in section.project.countries]),
        synthesis=synthesis(sections, loaded), references=references.entries, withheld=withheld)
