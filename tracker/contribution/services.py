"""Contribution claims: fields, causal pathway, Mayne's steps with the gate, qualitative confidence,
influencing factors and alternative explanations (with their evidence), and the versioned contribution story.

Services validate, flush and audit; they never commit. The rules themselves live
in :mod:`tracker.contribution.rules`; this module puts them into words.
"""

import sqlalchemy as sa
from sqlalchemy.orm import defer
from sqlalchemy.orm import selectinload
from sqlmodel import select

from tracker.audit.services import changed_fields
from tracker.audit.services import record
from tracker.auth.models import User
from tracker.common.errors import EditConflict
from tracker.common.errors import ValidationFailed
from tracker.common.errors import check_version
from tracker.common.messages import N_
from tracker.common.messages import Listing
from tracker.common.messages import lazy
from tracker.common.text import clean_line
from tracker.common.text import clean_text
from tracker.common.text import over_length
from tracker.contribution import rules
from tracker.contribution.models import AlternativeExplanation
from tracker.contribution.models import CaStep
from tracker.contribution.models import ClaimLevel
from tracker.contribution.models import ClaimLink
from tracker.contribution.models import ContributionClaim
from tracker.contribution.models import ContributionStory
from tracker.contribution.models import CtComponent
from tracker.contribution.models import ExplanationEvidence
from tracker.contribution.models import ExplanationKind
from tracker.contribution.models import ExplanationStatus
from tracker.contribution.models import FactorInfluence
from tracker.contribution.models import Necessity
from tracker.contribution.models import QualitativeConfidence
from tracker.contribution.models import Sufficiency
from tracker.contribution.tracing.bayes import claim_confidence
from tracker.db_types import utcnow
from tracker.evidence.models import EvidenceItem
from tracker.evidence.models import Strength
from tracker.toc.models import ExternalFactor
from tracker.toc.models import NodeLevel
from tracker.toc.models import TocLink
from tracker.toc.models import TocNode

MAX_CLAIM_TITLE = 200
MAX_CHANGE_NOTE = 300

LEVEL_LABELS = {
    ClaimLevel.MINIMALIST: lazy(N_("Minimalist: the project delivered its outputs and the outcome followed")),
    ClaimLevel.DIRECT_INFLUENCE: lazy(N_("Direct influence: the project influenced the outcome directly")),
    ClaimLevel.INDIRECT_INFLUENCE: lazy(N_("Indirect influence: the project influenced it through others")),
}
NECESSITY_LABELS = {
    Necessity.NECESSARY: lazy(N_("Yes: without the project the package would not have been enough")),
    Necessity.NOT_NECESSARY: lazy(N_("No: the package would have worked without the project")),
    Necessity.NOT_YET_KNOWN: lazy(N_("Not yet known")),
}
SUFFICIENCY_LABELS = {
    Sufficiency.SUFFICIENT: lazy(N_("Yes: the package, the project included, was enough for the result")),
    Sufficiency.NOT_SUFFICIENT: lazy(N_("No: the result needed more than this package")),
    Sufficiency.NOT_YET_KNOWN: lazy(N_("Not yet known")),
}
# Step names are also message parameters, so they exist as messages and as labels.
STEP_NAMES = {
    CaStep.SET_OUT: N_("1. Set out the cause–effect question"),
    CaStep.POSTULATE: N_("2. Develop the postulated theory of change and the risks to it"),
    CaStep.GATHER: N_("3. Gather the existing evidence"),
    CaStep.ASSEMBLE: N_("4. Assemble and assess the contribution story"),
    CaStep.SEEK: N_("5. Seek additional evidence"),
    CaStep.REVISE: N_("6. Revise and strengthen the contribution story"),
}
STEP_LABELS = {step: lazy(name) for step, name in STEP_NAMES.items()}
CONFIDENCE_LABELS = {
    QualitativeConfidence.NOT_ASSESSED: lazy(N_("Not assessed yet")),
    QualitativeConfidence.WEAK: lazy(N_("Weak")),
    QualitativeConfidence.MODERATE: lazy(N_("Moderate")),
    QualitativeConfidence.STRONG: lazy(N_("Strong")),
}
EXPLANATION_KIND_LABELS = {
    ExplanationKind.INFLUENCING_FACTOR: lazy(N_("Influencing factor")),
    ExplanationKind.ALTERNATIVE_EXPLANATION: lazy(N_("Alternative explanation")),
}
EXPLANATION_STATUS_LABELS = {
    ExplanationStatus.RULED_OUT: lazy(N_("Ruled out")),
    ExplanationStatus.PARTLY: lazy(N_("Partly explains the result")),
    ExplanationStatus.PLAUSIBLE: lazy(N_("Plausible: not ruled out")),
}
INFLUENCE_LABELS = {
    FactorInfluence.ENABLED: lazy(N_("Enabled the result")),
    FactorInfluence.HINDERED: lazy(N_("Hindered the result")),
    FactorInfluence.BOTH: lazy(N_("Enabled it in some ways, hindered it in others")),
}
CLAIM_FIELDS = ("title", "question", "claim_text", "outcome_node_id", "level", "causal_package", "necessity",
                "sufficiency", "confidence", "low_tracing_reason")
CLAIMABLE_LEVELS = (NodeLevel.SHORT_TERM_OUTCOME, NodeLevel.INTERMEDIATE_OUTCOME, NodeLevel.LONG_TERM_OUTCOME,
                    NodeLevel.IMPACT)


SLOT_PREFIX = "link_"


def slot_field(position):
    """The form field of pathway position ``position`` (0-based): ``link_1`` for the first."""
    return f"{SLOT_PREFIX}{position + 1}"


# Reading ----------------------------------------------------------------------------------------


def claim_details():
    return (selectinload(ContributionClaim.outcome_node),
            selectinload(ContributionClaim.pathway).selectinload(ClaimLink.link).selectinload(TocLink.assumptions),
            selectinload(ContributionClaim.explanations).selectinload(AlternativeExplanation.evidence)
            .selectinload(ExplanationEvidence.item),
            selectinload(ContributionClaim.components).selectinload(CtComponent.steps))


def claims_statement(project):
    """The project's claims for a paginated list, with what the list shows loaded in a constant number of queries
    (the pathway's assumptions and the components included: the confidence shown is judged against them).
    """
    return (select(ContributionClaim).where(ContributionClaim.project_id == project.id)
            .options(selectinload(ContributionClaim.outcome_node),
                     selectinload(ContributionClaim.pathway).selectinload(ClaimLink.link)
                     .selectinload(TocLink.assumptions),
                     selectinload(ContributionClaim.explanations), selectinload(ContributionClaim.components))
            .order_by(ContributionClaim.updated_at.desc(), ContributionClaim.id.desc()))


def get_claim(session, project, claim_id):
    return session.exec(select(ContributionClaim)
                        .where(ContributionClaim.id == claim_id, ContributionClaim.project_id == project.id)
                        .options(*claim_details())).first()


def claimable_nodes(session, project):
    """The results a claim can be about: the project's outcomes and impact, in causal order."""
    nodes = session.exec(select(TocNode).where(TocNode.project_id == project.id,
                                               TocNode.level.in_(CLAIMABLE_LEVELS))).all()
    order = {level: rank for rank, level in enumerate(CLAIMABLE_LEVELS)}
    return sorted(nodes, key=lambda node: (order[node.level], node.position, node.id))


def project_links(session, project):
    """The project's links with their assumptions, and ``{node_id: title}`` to name them (three queries)."""
    links = list(session.exec(select(TocLink).where(TocLink.project_id == project.id)
                              .options(selectinload(TocLink.assumptions)).order_by(TocLink.id)))
    titles = dict(session.exec(select(TocNode.id, TocNode.title).where(TocNode.project_id == project.id)).all())
    return links, titles


def link_name(link, titles):
    return f"{titles.get(link.cause_id, '?')} → {titles.get(link.effect_id, '?')}"


def path_links(links):
    return [rules.PathLink(link.id, link.cause_id, link.effect_id) for link in links]


def pathway_assumptions(links):
    return [rules.PathAssumption(item.id, link.id, item.text, str(item.status))
            for link in links for item in link.assumptions]


def claim_links(claim):
    return [claim_link.link for claim_link in claim.pathway]


def claimed_links(session, project):
    """``{link_id: [claim ids]}`` for every link on one of the project's claimed pathways (one query)."""
    rows = session.exec(select(ClaimLink.link_id, ClaimLink.claim_id)
                        .join(ContributionClaim, ContributionClaim.id == ClaimLink.claim_id)
                        .where(ContributionClaim.project_id == project.id)).all()
    claimed = {}
    for link_id, claim_id in rows:
        claimed.setdefault(link_id, []).append(claim_id)
    return claimed


def count_by_link(session, link_ids):
    """``{link_id: claims whose pathway uses it}`` (registered in :mod:`tracker.toc.attachments`)."""
    rows = session.execute(sa.select(ClaimLink.link_id, sa.func.count()).where(ClaimLink.link_id.in_(list(link_ids)))
                           .group_by(ClaimLink.link_id))
    return dict(rows.all())


def count_by_node(session, node_ids):
    """``{node_id: claims about that result}`` (registered in :mod:`tracker.toc.attachments`)."""
    rows = session.execute(sa.select(ContributionClaim.outcome_node_id, sa.func.count())
                           .where(ContributionClaim.outcome_node_id.in_(list(node_ids)))
                           .group_by(ContributionClaim.outcome_node_id))
    return dict(rows.all())


# Wording the rules ------------------------------------------------------------------------------


def pathway_message(problem, titles):
    if isinstance(problem, rules.Repeat):
        return N_("Link %(number)d repeats link %(first)d: a pathway passes each link once.",
                  number=problem.position + 1, first=problem.first + 1)
    if isinstance(problem, rules.Break):
        return N_("The pathway breaks between link %(before)d and link %(number)d: link %(before)d ends at "
                  "“%(end)s”, but link %(number)d starts from “%(start)s”. Each link must start where the previous "
                  "one ends.", before=problem.position, number=problem.position + 1,
                  end=titles.get(problem.previous.effect, "?"), start=titles.get(problem.link.cause, "?"))
    return N_("The pathway must end at the result the claim is about, “%(outcome)s”, but its last link ends at "
              "“%(end)s”.", outcome=titles.get(problem.outcome, "?"), end=titles.get(problem.link.effect, "?"))


def gate_message(problem, titles, links_by_id):
    if isinstance(problem, rules.NoPathway):
        return N_("Set out the causal pathway: the ToC links from the project's work to the claimed result.")
    if isinstance(problem, rules.NoExplanation):
        return N_("Assess at least one alternative explanation: another cause that could explain the result "
                  "(an influencing factor does not count).")
    if isinstance(problem, rules.NotOneStepForward):
        return N_("Steps are taken forward one at a time: from %(current)s the next step is %(next)s.",
                  current=STEP_NAMES[problem.current],
                  next=STEP_NAMES[rules.STEPS[rules.STEPS.index(problem.current) + 1]])
    assumption = problem.assumption
    return N_("Assess the assumption “%(text)s” on the link %(link)s: it is still untested.", text=assumption.text,
              link=link_name(links_by_id[assumption.link_id], titles))


def strong_reason(problem):
    """Why strong does not hold, in the users' words (a clause: "… because <reason>")."""
    if isinstance(problem, rules.NoPathway):
        return N_("the claim has no causal pathway yet")
    if isinstance(problem, rules.NotSupportedAssumption):
        return N_("the assumption “%(text)s” is not supported", text=problem.assumption.text)
    if isinstance(problem, rules.UntestedAssumption):
        return N_("the assumption “%(text)s” is still untested", text=problem.assumption.text)
    if isinstance(problem, rules.PlausibleRival):
        return N_("the alternative explanation “%(text)s” is still plausible", text=problem.rival.text)
    return N_("contribution tracing puts the claim at %(confidence)s, below 0.5, and no reason for judging it "
              "strong all the same is recorded", confidence=below_half(problem.confidence))


def below_half(confidence):
    """``confidence`` (below 0.5) in 3 decimals, cut rather than rounded so that it never reads 0.500."""
    return f"{int(confidence * 1000) / 1000:.3f}"


def strong_reasons(problems):
    return Listing([strong_reason(problem) for problem in problems], "; ")


def confidence_message(problems):
    """The field message refusing "strong" when a claim is saved."""
    return N_("Confidence cannot be strong: %(reasons)s.", reasons=strong_reasons(problems))


def claim_state(claim, links=None, components=None):
    """What the confidence rule judges ``claim`` against, now (``links``/``components``: its pathway's ToC links and
    its tracing components, when they are not the claim's loaded ones).
    """
    links = claim_links(claim) if links is None else links
    components = claim.components if components is None else components
    return rules.ClaimState(
        has_pathway=bool(links), assumptions=tuple(pathway_assumptions(links)),
        rivals=tuple(rules.Rival(item.id, item.text, str(item.status)) for item in claim.explanations
                     if item.kind is ExplanationKind.ALTERNATIVE_EXPLANATION),
        tracing=claim_confidence(component.confidence for component in components),
        low_tracing_reason=claim.low_tracing_reason)


def confidence_judgement(claim):
    """The confidence to show for ``claim`` (loaded with its pathway's assumptions, explanations and components),
    judged now: never a bare "strong" the rule rejects.
    """
    return rules.judge_confidence(claim.confidence, claim_state(claim))


def lowered_note(judgement):
    """"Stated strong; lowered because …" for a lowered judgement, else None."""
    if not judgement.lowered:
        return None
    return N_("Stated strong; lowered to moderate because %(reasons)s.", reasons=strong_reasons(judgement.problems))


def node_titles(session, project):
    return dict(session.exec(select(TocNode.id, TocNode.title).where(TocNode.project_id == project.id)).all())


# Claims: writing --------------------------------------------------------------------------------


def enum_value(enum_type, value, field, message):
    try:
        return enum_type(value)
    except ValueError:
        raise ValidationFailed.on(field, message) from None


def clean_claim_values(values):
    title = clean_line(values.get("title"))
    if reasons := over_length({"title": title}, {"title": MAX_CLAIM_TITLE}):
        raise ValidationFailed(reasons)
    return {
        "title": title,
        "question": clean_text(values.get("question")),
        "claim_text": clean_text(values.get("claim_text")),
        "outcome_node_id": values.get("outcome_node_id"),
        "level": enum_value(ClaimLevel, values.get("level") or ClaimLevel.DIRECT_INFLUENCE, "level",
                            N_("Choose the level of the claim.")),
        "causal_package": clean_text(values.get("causal_package")),
        "necessity": enum_value(Necessity, values.get("necessity") or Necessity.NOT_YET_KNOWN, "necessity",
                                N_("Say whether the project was a necessary part of the package.")),
        "sufficiency": enum_value(Sufficiency, values.get("sufficiency") or Sufficiency.NOT_YET_KNOWN, "sufficiency",
                                  N_("Say whether the causal package was sufficient for the result.")),
        "confidence": enum_value(QualitativeConfidence, values.get("confidence") or QualitativeConfidence.NOT_ASSESSED,
                                 "confidence", N_("Choose a confidence.")),
        "low_tracing_reason": clean_text(values.get("low_tracing_reason")),
    }


def pathway_slots(values):
    """``[(position in the form, link id)]`` for the filled pathway slots, in order (empty slots are skipped)."""
    slots = values.get("pathway") or []
    return [(position, int(link_id)) for position, link_id in enumerate(slots) if link_id not in (None, "", 0)]


def validate_claim(session, project, cleaned, slots, *, draft=False, claim=None):
    """Check a claim's fields and pathway; return the pathway's TocLinks in order.

    A ``draft`` (Mayne's step 1: setting out the question) needs only its title and
    question; the claim and the result it is about are then required to leave step 1.
    A confidence of "strong" is judged against the new pathway and the explanations and
    tracing of ``claim`` (None for a new claim, which has neither yet).
    """
    links, titles = project_links(session, project)
    by_id = {link.id: link for link in links}
    reasons = []
    required = [("title", N_("Give the claim a short title.")),
                ("question", N_("Set out the cause–effect question the claim answers."))]
    if not draft:
        required.append(("claim_text", N_("State the claim.")))
    for name, message in required:
        if not cleaned[name]:
            reasons.append((name, message))
    node = session.get(TocNode, cleaned["outcome_node_id"]) if cleaned["outcome_node_id"] else None
    if (node is None and not (draft and not cleaned["outcome_node_id"])) or (
            node is not None and (node.project_id != project.id or node.level not in CLAIMABLE_LEVELS)):
        reasons.append(("outcome_node_id", N_("Choose an outcome or the impact of this project's theory of change.")))
        node = None
    unknown = [(slot_field(position), N_("Choose a link of this project's theory of change."))
               for position, link_id in slots if link_id not in by_id]
    reasons += unknown
    chosen = [by_id[link_id] for _position, link_id in slots if link_id in by_id]
    if not unknown:
        for problem in rules.pathway_problems(path_links(chosen), node.id if node else None):
            reasons.append((slot_field(slots[problem.position][0]), pathway_message(problem, titles)))
        blocking = rules.confidence_problems(cleaned["confidence"], proposed_state(claim, cleaned, chosen))
        if blocking:
            reasons.append(("confidence", confidence_message(blocking)))
    if reasons:
        raise ValidationFailed(reasons)
    return chosen


def proposed_state(claim, cleaned, links):
    """The state a claim would be in once saved with ``cleaned`` values along ``links``."""
    if claim is None:
        return rules.ClaimState(has_pathway=bool(links), assumptions=tuple(pathway_assumptions(links)),
                                low_tracing_reason=cleaned["low_tracing_reason"])
    state = claim_state(claim, links)
    return rules.ClaimState(state.has_pathway, state.assumptions, state.rivals, state.tracing,
                            cleaned["low_tracing_reason"])


def set_pathway(session, claim, links):
    """Replace the claim's pathway with ``links`` in order; return whether it changed."""
    if [item.link_id for item in claim.pathway] == [link.id for link in links]:
        return False
    for item in list(claim.pathway):
        claim.pathway.remove(item)
    session.flush()
    claim.pathway.extend(ClaimLink(link_id=link.id, position=position, link=link)
                         for position, link in enumerate(links))
    return True


def create_claim(session, actor, project, values, *, draft=False):
    """Create a claim; a ``draft`` may be only a title and a cause–effect question (see :func:`validate_claim`)."""
    cleaned = clean_claim_values(values)
    links = validate_claim(session, project, cleaned, pathway_slots(values), draft=draft)
    claim = ContributionClaim(project_id=project.id, created_by_id=actor.user_id, **cleaned)
    session.add(claim)
    session.flush()
    set_pathway(session, claim, links)
    session.flush()
    record(session, actor, "create", "contribution_claim", claim.id, project_id=project.id,
           details={"pathway": [link.id for link in links]})
    return claim


def update_claim(session, actor, project, claim, values, version):
    check_version(claim, version)
    cleaned = clean_claim_values(values)
    links = validate_claim(session, project, cleaned, pathway_slots(values),
                           draft=claim.step is CaStep.SET_OUT, claim=claim)
    fields = changed_fields(claim, cleaned)
    for name, value in cleaned.items():
        setattr(claim, name, value)
    if set_pathway(session, claim, links):
        fields.append("pathway")
    claim.updated_at = utcnow()
    session.add(claim)
    session.flush()
    record(session, actor, "update", "contribution_claim", claim.id, project_id=project.id,
           details={"fields": fields})
    return claim


def delete_claim(session, actor, project, claim):
    claim_id = claim.id
    session.delete(claim)
    session.flush()
    record(session, actor, "delete", "contribution_claim", claim_id, project_id=project.id)


# Steps ------------------------------------------------------------------------------------------


def step_problems(session, project, claim, target):
    """What blocks moving ``claim`` to ``target``, worded (an empty list if nothing does)."""
    links = claim_links(claim)
    problems = rules.move_problems(claim.step, target, pathway_assumptions(links), len(links),
                                   len(alternative_explanations(claim)))
    titles = node_titles(session, project) if problems else {}
    by_id = {link.id: link for link in links}
    messages = [gate_message(problem, titles, by_id) for problem in problems]
    if claim.step is CaStep.SET_OUT and CaStep(target) is not CaStep.SET_OUT:
        if not claim.claim_text:
            messages.insert(0, N_("State the claim before developing its theory of change."))
        if claim.outcome_node_id is None:
            messages.insert(0, N_("Choose the result the claim is about before developing its theory of change."))
    return messages


def gate_checklist(session, project, claim):
    """What step 4 needs, as ``[(satisfied, text)]``, for showing the gate before anyone tries to move."""
    links = claim_links(claim)
    untested = [item for item in pathway_assumptions(links) if item.status == rules.UNTESTED]
    titles = node_titles(session, project) if untested else {}
    by_id = {link.id: link for link in links}
    checks = [(bool(links), N_("A causal pathway of ToC links leads to the claimed result.")),
              (bool(links) and not untested, N_("Every assumption on the pathway is assessed (none untested)."))]
    checks += [(False, gate_message(rules.UntestedAssumption(item), titles, by_id)) for item in untested]
    checks.append((bool(alternative_explanations(claim)),
                   N_("At least one alternative explanation is assessed (influencing factors do not count).")))
    return checks


def alternative_explanations(claim):
    return [item for item in claim.explanations if item.kind is ExplanationKind.ALTERNATIVE_EXPLANATION]


def influencing_factors(claim):
    return [item for item in claim.explanations if item.kind is ExplanationKind.INFLUENCING_FACTOR]


def move_step(session, actor, project, claim, target, version):
    """Move ``claim`` to Mayne step ``target``; a blocked move lists everything that is missing."""
    check_version(claim, version)
    target = enum_value(CaStep, target, "step", N_("Choose a step."))
    problems = step_problems(session, project, claim, target)
    if problems:
        raise ValidationFailed([("step", message) for message in problems])
    previous = claim.step
    claim.step = target
    claim.updated_at = utcnow()
    session.add(claim)
    session.flush()
    record(session, actor, "step", "contribution_claim", claim.id, project_id=project.id,
           details={"from": previous.value, "to": target.value})
    return claim


# Influencing factors and alternative explanations -----------------------------------------------


def get_explanation(session, project, explanation_id):
    return session.exec(
        select(AlternativeExplanation).join(ContributionClaim, ContributionClaim.id == AlternativeExplanation.claim_id)
        .where(AlternativeExplanation.id == explanation_id, ContributionClaim.project_id == project.id)
        .options(selectinload(AlternativeExplanation.evidence))).first()


def project_factors(session, project):
    """The external factors of the project's ToC, as ``(id, text, node title)``."""
    return session.exec(select(ExternalFactor.id, ExternalFactor.text, TocNode.title)
                        .join(TocNode, TocNode.id == ExternalFactor.node_id)
                        .where(TocNode.project_id == project.id).order_by(TocNode.title, ExternalFactor.id)).all()


def clean_explanation_values(session, project, values):
    """An alternative explanation has a status; an influencing factor says how it bore on the result and how it
    was taken into account. Each kind's fields are emptied for the other kind.
    """
    kind = enum_value(ExplanationKind, values.get("kind"), "kind",
                      N_("Say whether this is an influencing factor or an alternative explanation."))
    factor = kind is ExplanationKind.INFLUENCING_FACTOR
    cleaned = {
        "kind": kind,
        "text": clean_text(values.get("text")),
        "status": None if factor else enum_value(
            ExplanationStatus, values.get("status"), "status",
            N_("Say whether the alternative explanation is ruled out, partly explains the result or is still "
               "plausible.")),
        "influence": enum_value(FactorInfluence, values.get("influence"), "influence",
                                N_("Say whether the factor enabled the result, hindered it, or both."))
        if factor else None,
        "accounted_for": clean_text(values.get("accounted_for")) if factor else "",
        "note": clean_text(values.get("note")),
        "external_factor_id": values.get("external_factor_id") or None,
    }
    if cleaned["external_factor_id"] is not None:
        factor_ids = {row[0] for row in project_factors(session, project)}
        if cleaned["external_factor_id"] not in factor_ids:
            raise ValidationFailed.on("external_factor_id", N_("Choose an external factor of this project's ToC."))
    if not cleaned["text"]:
        raise ValidationFailed.on("text", N_("Describe the factor or explanation."))
    if factor and not cleaned["accounted_for"]:
        raise ValidationFailed.on("accounted_for", N_("Say how the analysis took the factor into account."))
    return cleaned


def save_explanation(session, actor, project, claim, values, explanation=None, version=None):
    """Add an influencing factor or alternative explanation to ``claim``, or edit one (checking the version edited)."""
    if explanation is not None:
        check_version(explanation, version)
    cleaned = clean_explanation_values(session, project, values)
    action = "update" if explanation is not None else "create"
    fields = changed_fields(explanation, cleaned) if explanation is not None else sorted(cleaned)
    explanation = explanation or AlternativeExplanation(claim_id=claim.id, **cleaned)
    for name, value in cleaned.items():
        setattr(explanation, name, value)
    explanation.updated_at = utcnow()
    session.add(explanation)
    session.flush()
    record(session, actor, action, "alternative_explanation", explanation.id, project_id=project.id,
           details={"claim": claim.id, "fields": fields})
    return explanation


def delete_explanation(session, actor, project, explanation):
    explanation_id, claim_id = explanation.id, explanation.claim_id
    session.delete(explanation)
    session.flush()
    record(session, actor, "delete", "alternative_explanation", explanation_id, project_id=project.id,
           details={"claim": claim_id})


def attach_explanation_evidence(session, actor, project, explanation, values):
    item = session.exec(select(EvidenceItem).where(EvidenceItem.id == values.get("evidence_id"),
                                                   EvidenceItem.project_id == project.id)).first()
    if item is None:
        raise ValidationFailed.on("evidence_id", N_("Choose one of the project's evidence items."))
    if any(link.evidence_id == item.id for link in explanation.evidence):
        raise ValidationFailed.on("evidence_id", N_("This evidence is already recorded for this explanation."))
    strength = enum_value(Strength, values.get("strength"), "strength", N_("Choose how strong the evidence is."))
    link = ExplanationEvidence(explanation_id=explanation.id, evidence_id=item.id, strength=strength,
                               note=clean_text(values.get("note")), created_by_id=actor.user_id)
    explanation.evidence.append(link)
    session.add(link)
    session.flush()
    record(session, actor, "create", "explanation_evidence", link.id, project_id=project.id,
           details={"explanation": explanation.id, "evidence": item.id})
    return link


def get_explanation_evidence(session, project, link_id):
    return session.exec(
        select(ExplanationEvidence).join(EvidenceItem, EvidenceItem.id == ExplanationEvidence.evidence_id)
        .where(ExplanationEvidence.id == link_id, EvidenceItem.project_id == project.id)).first()


def detach_explanation_evidence(session, actor, project, link):
    link_id = link.id
    session.delete(link)
    session.flush()
    record(session, actor, "delete", "explanation_evidence", link_id, project_id=project.id)


# The contribution story -------------------------------------------------------------------------


def story_revisions_statement(claim):
    """The claim's story revisions, newest first (for a paginated list; the narrative itself is deferred)."""
    return (select(ContributionStory).where(ContributionStory.claim_id == claim.id)
            .options(defer(ContributionStory.narrative)).order_by(ContributionStory.number.desc()))


def latest_story(session, claim):
    return session.exec(select(ContributionStory).where(ContributionStory.claim_id == claim.id)
                        .order_by(ContributionStory.number.desc()).limit(1)).first()


def get_story_revision(session, claim, number):
    return session.exec(select(ContributionStory).where(ContributionStory.claim_id == claim.id,
                                                        ContributionStory.number == number)).first()


def may_write_story(claim):
    return rules.has_story(claim.step)


def author_name(session, actor):
    user = session.get(User, actor.user_id) if actor.user_id else None
    return user.display_name if user else actor.email


def save_story(session, actor, project, claim, values, based_on):
    """Add a revision of the contribution story; earlier revisions are kept as they were.

    ``based_on`` is the revision number the author started from (0 for none); if
    someone saved a newer one meanwhile, :class:`EditConflict` carries it (or None, when it was saved in the
    same instant and the session must be rolled back before it can be read).
    """
    latest = latest_story(session, claim)
    current = latest.number if latest else 0
    try:
        started_from = int(based_on or 0)
    except (TypeError, ValueError):
        started_from = -1
    if started_from != current:
        raise EditConflict(latest)
    narrative = clean_text(values.get("narrative"))
    reasons = []
    if not may_write_story(claim):
        reasons.append((None, N_("The contribution story is assembled at step 4: move the claim there first.")))
    if not narrative:
        reasons.append(("narrative", N_("Write the contribution story.")))
    elif latest is not None and narrative == latest.narrative:
        reasons.append(("narrative", N_("The story is the same as revision %(number)d: change it before saving.",
                                        number=current)))
    change_note = clean_line(values.get("change_note"))
    reasons += over_length({"change_note": change_note}, {"change_note": MAX_CHANGE_NOTE})
    if reasons:
        raise ValidationFailed(reasons)
    story = ContributionStory(claim_id=claim.id, number=current + 1, narrative=narrative, step=claim.step,
                              change_note=change_note, author_id=actor.user_id,
                              author_name=author_name(session, actor))
    session.add(story)
    try:
        session.flush()
    except sa.exc.IntegrityError as error:  # another revision with this number was saved in the same instant
        raise EditConflict(None) from error
    record(session, actor, "create", "contribution_story", story.id, project_id=project.id,
           details={"claim": claim.id, "number": story.number})
    return story
