"""The rules of a contribution claim as plain data (no Flask, no database).

* The causal pathway is an ordered list of ToC links that must chain: each
  link's effect is the next link's cause, no link appears twice, and the last
  link leads to the result the claim concerns.
* The claim follows Mayne's six steps. Moving forward past step 2 needs a
  pathway; moving to step 4 (assemble the contribution story) or beyond also
  needs every assumption on the pathway assessed (none untested) and at least
  one alternative explanation assessed (an influencing factor is no rival
  explanation and does not count). Moving back is always allowed (step 6 loops
  back to step 4).
* A qualitative confidence of "strong" holds only while every assumption on the
  pathway is supported or partly supported, no alternative explanation is still
  plausible, and contribution tracing puts the claim at 0.5 or more, unless the
  team recorded why it is strong all the same (:func:`strong_problems`). The
  same rule refuses "strong" when a claim is saved and lowers it, with its
  reasons, wherever a claim is shown (:func:`judge_confidence`), so a later
  change (an assumption found not supported, say) never leaves a bare "strong".

Functions return *problems*, small records naming what is wrong, so that the
caller can word them (and translate them) for people.
"""

from dataclasses import dataclass

from tracker.contribution.models import CaStep
from tracker.contribution.models import QualitativeConfidence

STEPS = (CaStep.SET_OUT, CaStep.POSTULATE, CaStep.GATHER, CaStep.ASSEMBLE, CaStep.SEEK, CaStep.REVISE)
# The first step that needs a pathway, and the gated step (Mayne's step 4).
PATHWAY_FROM = CaStep.GATHER
GATED_FROM = CaStep.ASSEMBLE
MAX_PATHWAY_LINKS = 8

PLAUSIBLE = "plausible"
UNTESTED = "untested"
NOT_SUPPORTED = "not_supported"
# Tracing confidences are compared on 9 decimals, so that float error cannot put 0.5 below 0.5.
TRACING_THRESHOLD = 0.5
TRACING_DECIMALS = 9


@dataclass(frozen=True)
class PathLink:
    """A link as the rules need it: its id and the ids of its cause and effect nodes."""

    id: int
    cause: int
    effect: int


@dataclass(frozen=True)
class PathAssumption:
    id: int
    link_id: int
    text: str
    status: str


def number(step):
    """Mayne's number of ``step`` (1–6)."""
    return STEPS.index(CaStep(step)) + 1


def has_story(step):
    """Whether a claim at ``step`` has reached Mayne's step 4: only then is it a conclusion a report may state."""
    return STEPS.index(CaStep(step)) >= STEPS.index(GATED_FROM)


# The pathway --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Break:
    """Link ``position`` (0-based) does not start where link ``position - 1`` ends."""

    position: int
    previous: PathLink
    link: PathLink


@dataclass(frozen=True)
class Repeat:
    """Link ``position`` already appears earlier in the pathway, at ``first``."""

    position: int
    first: int


@dataclass(frozen=True)
class WrongEnd:
    """The pathway's last link (at ``position``) does not lead to the claimed result ``outcome``."""

    position: int
    link: PathLink
    outcome: int


def pathway_problems(links, outcome=None):
    """What is wrong with ``links`` (PathLinks in order) as a pathway to node ``outcome``; [] if nothing.

    A repeated link is reported as such rather than as a break as well.
    """
    problems = []
    seen = {}
    for position, link in enumerate(links):
        if link.id in seen:
            problems.append(Repeat(position, seen[link.id]))
            continue
        seen[link.id] = position
        previous = links[position - 1] if position else None
        if previous is not None and previous.effect != link.cause:
            problems.append(Break(position, previous, link))
    if links and outcome is not None and links[-1].effect != outcome and not problems:
        problems.append(WrongEnd(len(links) - 1, links[-1], outcome))
    return problems


def pathway_nodes(links):
    """The node ids the pathway passes through, from the first cause to the last effect."""
    return [links[0].cause, *(link.effect for link in links)] if links else []


# The step gate ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoPathway:
    """The claim has no causal pathway yet."""


@dataclass(frozen=True)
class UntestedAssumption:
    assumption: PathAssumption


@dataclass(frozen=True)
class NoExplanation:
    """No alternative explanation is recorded (influencing factors do not count)."""


@dataclass(frozen=True)
class NotOneStepForward:
    """Steps are taken forward one at a time (moving back to any earlier step is allowed)."""

    current: CaStep
    target: CaStep


def gate_problems(target, assumptions, pathway_length, explanation_count):
    """What a claim lacks for step ``target``: every missing thing, so a blocked move can list them all.

    ``explanation_count`` counts the claim's alternative explanations only (Mayne's step 4 assesses rivals).
    """
    problems = []
    index = STEPS.index(CaStep(target))
    if index >= STEPS.index(PATHWAY_FROM) and pathway_length == 0:
        problems.append(NoPathway())
    if index >= STEPS.index(GATED_FROM):
        problems += [UntestedAssumption(item) for item in assumptions if item.status == UNTESTED]
        if explanation_count == 0:
            problems.append(NoExplanation())
    return problems


def move_problems(current, target, assumptions, pathway_length, explanation_count):
    """Why a claim at ``current`` cannot move to ``target`` now; [] means it can."""
    current, target = CaStep(current), CaStep(target)
    here, there = STEPS.index(current), STEPS.index(target)
    if there <= here:
        return []
    if there != here + 1:
        return [NotOneStepForward(current, target)]
    return gate_problems(target, assumptions, pathway_length, explanation_count)


# Qualitative confidence ----------------------------------------------------------------------


@dataclass(frozen=True)
class Rival:
    """An alternative explanation as the confidence rule needs it."""

    id: int
    text: str
    status: str


@dataclass(frozen=True)
class ClaimState:
    """What a claim's qualitative confidence is judged against, as it is now.

    ``tracing`` is the claim's contribution-tracing confidence (None before tracing starts); ``low_tracing_reason``
    the team's recorded reason for judging it strong all the same.
    """

    has_pathway: bool
    assumptions: tuple = ()
    rivals: tuple = ()
    tracing: float | None = None
    low_tracing_reason: str = ""


@dataclass(frozen=True)
class NotSupportedAssumption:
    assumption: PathAssumption


@dataclass(frozen=True)
class PlausibleRival:
    rival: Rival


@dataclass(frozen=True)
class LowTracing:
    """Contribution tracing puts the claim below 0.5 and the team recorded no reason for strong all the same."""

    confidence: float


def tracing_below_threshold(confidence):
    return confidence is not None and round(confidence, TRACING_DECIMALS) < TRACING_THRESHOLD


def strong_problems(state):
    """Why a claim in ``state`` cannot be judged strong: [] when strong holds."""
    problems = [] if state.has_pathway else [NoPathway()]
    problems += [NotSupportedAssumption(item) for item in state.assumptions if item.status == NOT_SUPPORTED]
    problems += [UntestedAssumption(item) for item in state.assumptions if item.status == UNTESTED]
    problems += [PlausibleRival(rival) for rival in state.rivals if rival.status == PLAUSIBLE]
    if tracing_below_threshold(state.tracing) and not state.low_tracing_reason.strip():
        problems.append(LowTracing(state.tracing))
    return problems


def confidence_problems(confidence, state):
    """Why ``confidence`` cannot be stated for a claim in ``state`` (only "strong" can be refused)."""
    if QualitativeConfidence(confidence) is not QualitativeConfidence.STRONG:
        return []
    return strong_problems(state)


# The highest confidence a claim can be shown with when the rule rejects "strong".
LOWERED_TO = QualitativeConfidence.MODERATE


@dataclass(frozen=True)
class Judgement:
    """The confidence a claim is shown with: the one the team stated, lowered when the rule rejects it now."""

    stated: QualitativeConfidence
    shown: QualitativeConfidence
    problems: tuple

    @property
    def lowered(self):
        return self.shown is not self.stated


def judge_confidence(confidence, state):
    """The confidence to show for a claim whose team stated ``confidence``, judged against its current ``state``."""
    stated = QualitativeConfidence(confidence)
    problems = tuple(confidence_problems(stated, state))
    return Judgement(stated, LOWERED_TO if problems else stated, problems)
