"""MSC selection services: panels, decisions, feedback, verification and meta-monitoring.

A panel at a level chooses, per domain, among the stories passed up from the
level below (at the lowest level: every story eligible for selection). A
selection needs written reasons; dissent can be recorded; a second selection in
a domain needs the reason for the joint selection. Undoing a selection undoes
the higher selections built on it, together. Each selection owes feedback to the
storyteller and, above the lowest level, to the level below until it is recorded
as sent. The method rules themselves are in :mod:`tracker.msc.rules`.
"""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlmodel import select

from tracker.audit.services import record
from tracker.common.countries import is_country
from tracker.common.errors import ValidationFailed
from tracker.common.errors import check_version
from tracker.common.messages import N_
from tracker.common.text import clean_line
from tracker.common.text import clean_text
from tracker.db_types import utcnow
from tracker.msc import meta
from tracker.msc import rules
from tracker.msc.models import Feedback
from tracker.msc.models import FeedbackKind
from tracker.msc.models import MscCycle
from tracker.msc.models import Panel
from tracker.msc.models import PanelMethod
from tracker.msc.models import SelectionDecision
from tracker.msc.models import SelectionLevel
from tracker.msc.models import Story
from tracker.msc.models import Verification
from tracker.msc.models import VerificationResult
from tracker.msc.sharing import selection_eligible_stories
from tracker.portfolio.models import Project

# Panels ----------------------------------------------------------------------------


def get_level(session, cycle, level_id):
    level = session.get(SelectionLevel, level_id)
    return level if level is not None and level.cycle_id == cycle.id else None


def get_panel(session, fund, panel_id):
    """The panel ``panel_id`` of a cycle of ``fund``, with its level, cycle and domains loaded; or None."""
    statement = (
        select(Panel).join(SelectionLevel, SelectionLevel.id == Panel.level_id)
        .join(MscCycle, MscCycle.id == SelectionLevel.cycle_id)
        .where(Panel.id == panel_id, MscCycle.fund_id == fund.id)
        .options(selectinload(Panel.level).selectinload(SelectionLevel.cycle).selectinload(MscCycle.domains),
                 selectinload(Panel.project))
    )
    return session.exec(statement).first()


def cycle_panels(session, cycle):
    return list(session.exec(
        select(Panel).join(SelectionLevel, SelectionLevel.id == Panel.level_id)
        .where(SelectionLevel.cycle_id == cycle.id)
        .options(selectinload(Panel.level), selectinload(Panel.project))
        .order_by(SelectionLevel.ordinal, Panel.name)
    ))


def member_lines(text):
    return [clean_line(line) for line in (text or "").splitlines() if clean_line(line)]


def create_panel(session, actor, cycle, values):
    level = get_level(session, cycle, values.get("level_id"))
    reasons = []
    if level is None:
        reasons.append(("level_id", N_("Choose one of the cycle's selection levels.")))
    name = clean_line(values.get("name"))
    if not name:
        reasons.append(("name", N_("Name the panel, e.g. \"Viet Nam country panel\".")))
    members = member_lines(values.get("members"))
    if len(members) < 2:
        reasons.append(("members", N_("List the panel's members (at least two), one per line: role and organisation.")))
    project_id = values.get("project_id") or None
    if project_id and (session.get(Project, project_id) is None
                       or session.get(Project, project_id).fund_id != cycle.fund_id):
        reasons.append(("project_id", N_("Choose one of the fund's projects, or none.")))
    country = (values.get("country_code") or "").strip().upper() or None
    if country and not is_country(country):
        reasons.append(("country_code", N_("Choose a country from the list, or none.")))
    if reasons:
        raise ValidationFailed(reasons)
    panel = Panel(level_id=level.id, name=name, method=PanelMethod(values["method"]), members=members,
                  project_id=project_id, country_code=country, met_on=values.get("met_on"),
                  notes=clean_text(values.get("notes")))
    session.add(panel)
    session.flush()
    record(session, actor, "create", "msc_panel", panel.id, details={"cycle": cycle.id, "level": level.ordinal})
    return panel


def level_below(session, level):
    return session.exec(
        select(SelectionLevel).where(SelectionLevel.cycle_id == level.cycle_id, SelectionLevel.ordinal < level.ordinal)
        .order_by(SelectionLevel.ordinal.desc())
    ).first()


def candidates_statement(session, panel):
    """``SELECT story`` for the stories ``panel`` chooses among: eligible, in its cycle and scope, passed up."""
    level = panel.level
    statement = selection_eligible_stories().where(Story.cycle_id == level.cycle_id)
    below = level_below(session, level)
    if below is not None:
        passed_up = (select(SelectionDecision.story_id).join(Panel, Panel.id == SelectionDecision.panel_id)
                     .where(Panel.level_id == below.id, SelectionDecision.selected.is_(True)))
        statement = statement.where(Story.id.in_(passed_up))
    if panel.project_id:
        statement = statement.where(Story.project_id == panel.project_id)
    if panel.country_code:
        statement = statement.where(Story.country_code == panel.country_code)
    return statement


def panel_board(session, panel):
    """``[(domain, [(story, decision or None)])]`` for the panel page: candidates grouped by domain."""
    stories = list(session.exec(
        candidates_statement(session, panel)
        .options(selectinload(Story.project), selectinload(Story.consent))
        .order_by(Story.domain_id, Story.id)
    ))
    decisions = {decision.story_id: decision for decision in session.exec(
        select(SelectionDecision).where(SelectionDecision.panel_id == panel.id))}
    board = []
    for domain in panel.level.cycle.domains:
        in_domain = [(story, decisions.get(story.id)) for story in stories if story.domain_id == domain.id]
        board.append((domain, in_domain))
    return board


def is_candidate(session, panel, story_id):
    return session.scalar(candidates_statement(session, panel).with_only_columns(Story.id)
                          .where(Story.id == story_id)) is not None


def decision_for(session, panel, story):
    """The panel's decision on ``story`` if it has recorded one."""
    return session.exec(select(SelectionDecision).where(SelectionDecision.panel_id == panel.id,
                                                        SelectionDecision.story_id == story.id)).first()


def get_decision(session, fund, decision_id):
    statement = (
        select(SelectionDecision).join(Panel, Panel.id == SelectionDecision.panel_id)
        .join(SelectionLevel, SelectionLevel.id == Panel.level_id)
        .join(MscCycle, MscCycle.id == SelectionLevel.cycle_id)
        .where(SelectionDecision.id == decision_id, MscCycle.fund_id == fund.id)
        .options(selectinload(SelectionDecision.panel).selectinload(Panel.level).selectinload(SelectionLevel.cycle)
                 .selectinload(MscCycle.levels),
                 selectinload(SelectionDecision.story).selectinload(Story.project),
                 selectinload(SelectionDecision.domain), selectinload(SelectionDecision.feedback))
    )
    return session.exec(statement).first()


def clean_decision_values(values, today):
    cleaned = {
        "selected": bool(values.get("selected")),
        "reasons": clean_text(values.get("reasons")),
        "dissent": clean_text(values.get("dissent")),
        "joint_reason": clean_text(values.get("joint_reason")),
        "decided_on": values.get("decided_on"),
    }
    if not cleaned["selected"]:
        cleaned["joint_reason"] = ""
    problems = rules.reasons_problems(cleaned["selected"], cleaned["reasons"])
    if cleaned["decided_on"] is None or cleaned["decided_on"] > today:
        problems.append(("decided_on", N_("Give the date of the panel's decision (not in the future).")))
    if problems:
        raise ValidationFailed(problems)
    return cleaned


def also_selected(session, panel_id, domain_id, decision_id=None):
    """Titles of the stories ``panel_id`` has selected in ``domain_id``, besides decision ``decision_id``."""
    statement = (select(Story.title).join(SelectionDecision, SelectionDecision.story_id == Story.id)
                 .where(SelectionDecision.panel_id == panel_id, SelectionDecision.domain_id == domain_id,
                        SelectionDecision.selected.is_(True))
                 .order_by(SelectionDecision.decided_on, SelectionDecision.id))
    if decision_id is not None:
        statement = statement.where(SelectionDecision.id != decision_id)
    return list(session.scalars(statement))


def check_one_per_domain(session, panel_id, domain_id, cleaned, decision_id=None):
    """Refuse a further selection in the domain unless the panel recorded why it is a joint selection."""
    others = also_selected(session, panel_id, domain_id, decision_id) if cleaned["selected"] else []
    problems = rules.joint_selection_problems(cleaned["selected"], cleaned["joint_reason"], others)
    if problems:
        raise ValidationFailed(problems)
    if not others:
        cleaned["joint_reason"] = ""


def record_decision(session, actor, panel, story_id, values, today=None):
    """Record the panel's decision on one candidate story; a selection without written reasons is refused."""
    cleaned = clean_decision_values(values, today or date.today())
    if not is_candidate(session, panel, story_id):
        raise ValidationFailed.on(None, N_("This story is not before this panel: it was not passed up from the level "
                                        "below, or it is not eligible for selection."))
    if session.exec(select(SelectionDecision).where(SelectionDecision.panel_id == panel.id,
                                                    SelectionDecision.story_id == story_id)).first():
        raise ValidationFailed.on(None, N_("The panel's decision on this story is already recorded; edit it instead."))
    story = session.get(Story, story_id)
    check_one_per_domain(session, panel.id, story.domain_id, cleaned)
    decision = SelectionDecision(panel_id=panel.id, story_id=story.id, domain_id=story.domain_id,
                                 recorded_by_id=actor.user_id, **cleaned)
    session.add(decision)
    session.flush()
    record(session, actor, "select" if decision.selected else "not_select", "story", story.id,
           project_id=story.project_id, details={"panel": panel.id, "decision": decision.id,
                                                 "joint": bool(decision.joint_reason)})
    return decision


def higher_selections_undone(session, decision):
    """The selections at higher levels that stand only on ``decision``: undoing it undoes them (lowest first)."""
    if not decision.selected:
        return []
    rows = session.execute(
        sa.select(SelectionDecision.id, SelectionLevel.ordinal, SelectionDecision.selected)
        .join(Panel, Panel.id == SelectionDecision.panel_id)
        .join(SelectionLevel, SelectionLevel.id == Panel.level_id)
        .where(SelectionDecision.story_id == decision.story_id,
               SelectionLevel.cycle_id == decision.panel.level.cycle_id)).all()
    ordinals = session.scalars(sa.select(SelectionLevel.ordinal)
                               .where(SelectionLevel.cycle_id == decision.panel.level.cycle_id)).all()
    ids = rules.undone_with([rules.Pick(*row) for row in rows], ordinals, decision.id)
    if not ids:
        return []
    found = {item.id: item for item in session.exec(
        select(SelectionDecision).where(SelectionDecision.id.in_(ids))
        .options(selectinload(SelectionDecision.panel).selectinload(Panel.level),
                 selectinload(SelectionDecision.feedback)))}
    return [found[decision_id] for decision_id in ids]


def undo_problems(decision, higher):
    """Why the selection cannot be undone: feedback already sent about it, or about a selection built on it."""
    if decision.feedback:
        return [("selected", N_("Feedback about this selection has already been sent; record a new decision in a "
                                "later panel instead of undoing it."))]
    told = [item for item in higher if item.feedback]
    if told:
        return [("selected", N_("Feedback has already been sent about the selection by %(panels)s, which was built "
                                "on this one; record a new decision in a later panel instead of undoing it.",
                                panels=", ".join(item.panel.name for item in told)))]
    return []


def update_decision(session, actor, decision, values, version, today=None, *, undo_higher=False):
    """Change the panel's recorded decision, if the user edited the version stored now.

    Un-selecting a story that higher levels selected on the strength of this selection undoes those
    selections too, but only when the caller confirms it (``undo_higher``): the user has seen them listed.
    """
    check_version(decision, version)
    cleaned = clean_decision_values(values, today or date.today())
    check_one_per_domain(session, decision.panel_id, decision.domain_id, cleaned, decision.id)
    higher = []
    if decision.selected and not cleaned["selected"]:
        higher = higher_selections_undone(session, decision)
        problems = undo_problems(decision, higher)
        if problems:
            raise ValidationFailed(problems)
        if higher and not undo_higher:
            raise ValidationFailed.on("selected", N_(
                "Higher levels selected this story because this panel passed it up (%(panels)s). Confirm to undo "
                "their selections together with this one.", panels=", ".join(item.panel.name for item in higher)))
    fields = sorted(name for name, value in cleaned.items() if getattr(decision, name) != value)
    for name, value in cleaned.items():
        setattr(decision, name, value)
    decision.updated_at = utcnow()
    session.add(decision)
    for item in higher:
        undo_selection(session, actor, item, because=decision)
    session.flush()
    record(session, actor, "update", "msc_selection", decision.id, project_id=decision.story.project_id,
           details={"fields": fields, "undone_with": [item.id for item in higher]})
    return decision


def undo_selection(session, actor, decision, because):
    """Record ``decision`` as not selected because the selection it stood on was undone (audited)."""
    decision.selected, decision.joint_reason = False, ""
    decision.updated_at = utcnow()
    session.add(decision)
    record(session, actor, "unselect", "msc_selection", decision.id, project_id=decision.story.project_id,
           details={"because": because.id, "story": decision.story_id})


def story_decisions(session, story):
    """Every panel decision on ``story``, lowest level first (for staff and grantees)."""
    return list(session.exec(
        select(SelectionDecision).join(Panel, Panel.id == SelectionDecision.panel_id)
        .join(SelectionLevel, SelectionLevel.id == Panel.level_id)
        .where(SelectionDecision.story_id == story.id)
        .options(selectinload(SelectionDecision.panel).selectinload(Panel.level),
                 selectinload(SelectionDecision.feedback))
        .order_by(SelectionLevel.ordinal, SelectionDecision.id)
    ))


@dataclass(frozen=True)
class SelectionShown:
    """A selection as donors and reports see it: level, date, reasons, any joint-selection reason."""

    level: str
    decided_on: date
    reasons: str
    joint_reason: str = ""


def donor_selections(session, story):
    """``[SelectionShown]`` for the selections of a story donors may see, lowest level first.

    Only selections that stand on what the levels below pass up are shown. The caller has the story
    from the donor rule. Dissent, panel names and members stay internal.
    """
    decisions = story_decisions(session, story)
    ordinals = session.scalars(sa.select(SelectionLevel.ordinal).where(SelectionLevel.cycle_id == story.cycle_id))
    standing = rules.standing_selections(
        [rules.Pick(item.id, item.panel.level.ordinal, item.selected) for item in decisions], ordinals.all())
    return [SelectionShown(item.panel.level.name, item.decided_on, item.reasons, item.joint_reason)
            for item in decisions if item.id in standing]


# Feedback ---------------------------------------------------------------------------


def owed_feedback_statement(fund, cycle_id=None):
    """``SELECT selection`` for selections still owing feedback to the storyteller or (above the lowest level)
    to the level below."""
    def sent(kind):
        return sa.exists().where(Feedback.decision_id == SelectionDecision.id, Feedback.kind == kind)

    lower = sa.orm.aliased(SelectionLevel)
    has_level_below = sa.exists().where(lower.cycle_id == SelectionLevel.cycle_id,
                                        lower.ordinal < SelectionLevel.ordinal)
    statement = (
        select(SelectionDecision).join(Panel, Panel.id == SelectionDecision.panel_id)
        .join(SelectionLevel, SelectionLevel.id == Panel.level_id)
        .join(MscCycle, MscCycle.id == SelectionLevel.cycle_id)
        .where(MscCycle.fund_id == fund.id, SelectionDecision.selected.is_(True),
               sa.or_(~sent(FeedbackKind.STORYTELLER), sa.and_(has_level_below, ~sent(FeedbackKind.LOWER_LEVEL))))
        .options(selectinload(SelectionDecision.panel).selectinload(Panel.level).selectinload(SelectionLevel.cycle)
                 .selectinload(MscCycle.levels),
                 selectinload(SelectionDecision.story).selectinload(Story.project),
                 selectinload(SelectionDecision.domain), selectinload(SelectionDecision.feedback))
        .order_by(SelectionDecision.decided_on, SelectionDecision.id)
    )
    if cycle_id:
        statement = statement.where(MscCycle.id == cycle_id)
    return statement


def owed_feedback_count(fund):
    """``SELECT count(*)`` of the selections still owing feedback in ``fund``."""
    return sa.select(sa.func.count()).select_from(owed_feedback_statement(fund).order_by(None).subquery())


def at_lowest_level(decision):
    """Whether ``decision``'s panel sits at its cycle's lowest level (the cycle's levels loaded)."""
    level = decision.panel.level
    return level.ordinal == min(item.ordinal for item in level.cycle.levels)


def owed_kinds(decision):
    """The kinds of feedback ``decision`` still owes (see :func:`tracker.msc.rules.feedback_due`)."""
    return meta.owed_kinds(meta.DecisionFact(decision.id, decision.story_id, decision.panel.level_id,
                                             decision.selected, frozenset(item.kind for item in decision.feedback)),
                           at_lowest_level(decision))


def suggested_feedback(decision):
    """A first draft of the feedback text: what was chosen and the panel's reasons."""
    return N_("The %(level)s panel (%(panel)s) selected the story “%(story)s” in the domain “%(domain)s” on "
              "%(day)s. The panel's reasons: %(reasons)s", level=decision.panel.level.name.lower(),
              panel=decision.panel.name, story=decision.story.title, domain=decision.domain.name,
              day=decision.decided_on.isoformat(), reasons=decision.reasons)


def record_feedback(session, actor, decision, values, today=None):
    """Record feedback sent about a selection: to whom, when, how and what it said."""
    today = today or date.today()
    reasons = []
    if not decision.selected:
        reasons.append((None, N_("Feedback is recorded for selected stories.")))
    kind = FeedbackKind(values["kind"])
    reasons.extend(rules.feedback_kind_problems(kind, at_lowest_level(decision)))
    if any(item.kind is kind for item in decision.feedback):
        reasons.append(("kind", N_("This feedback has already been recorded as sent.")))
    recipients, content = clean_line(values.get("recipients")), clean_text(values.get("content"))
    if not recipients:
        reasons.append(("recipients", N_("Say to whom the feedback was sent (roles, never the storyteller's real "
                                         "name).")))
    if not content:
        reasons.append(("content", N_("Record what the feedback said: what was chosen and why.")))
    sent_on = values.get("sent_on")
    if sent_on is None or sent_on > today:
        reasons.append(("sent_on", N_("Give the date the feedback was sent (not in the future).")))
    elif sent_on < decision.decided_on:
        reasons.append(("sent_on", N_("Feedback cannot be sent before the selection was made.")))
    if reasons:
        raise ValidationFailed(reasons)
    item = Feedback(decision_id=decision.id, kind=kind, recipients=recipients, content=content,
                    channel=clean_line(values.get("channel")), sent_on=sent_on, recorded_by_id=actor.user_id)
    decision.feedback.append(item)
    session.add(item)
    session.flush()
    record(session, actor, "create", "msc_feedback", item.id, project_id=decision.story.project_id,
           details={"decision": decision.id, "kind": kind.value})
    return item


# Verification -----------------------------------------------------------------------


def selected_story_ids():
    return select(SelectionDecision.story_id).where(SelectionDecision.selected.is_(True))


def get_selected_story(session, fund, story_id):
    """A story of ``fund`` that some panel selected (only those can be verified), or None."""
    statement = (select(Story).join(Project, Project.id == Story.project_id)
                 .where(Story.id == story_id, Project.fund_id == fund.id, Story.id.in_(selected_story_ids()))
                 .options(selectinload(Story.project), selectinload(Story.domain)))
    return session.exec(statement).first()


def story_verifications(session, story):
    return list(session.exec(select(Verification).where(Verification.story_id == story.id)
                             .order_by(Verification.verified_on, Verification.id)))


def verification_states(session, which):
    """``{story_id: VerificationState}`` for the verified stories matching ``which`` (a condition on Story);
    a story missing from it is pending (see :func:`tracker.msc.rules.verification_state`)."""
    results = {}
    for story_id, result in session.execute(
            sa.select(Verification.story_id, Verification.result).join(Story, Story.id == Verification.story_id)
            .where(which).order_by(Verification.story_id, Verification.verified_on, Verification.id)).all():
        results.setdefault(story_id, []).append(result)
    return {story_id: rules.verification_state(items) for story_id, items in results.items()}


def story_verification_state(session, story):
    return rules.verification_state(item.result for item in story_verifications(session, story))


def record_verification(session, actor, story, values, today=None):
    today = today or date.today()
    cleaned = {"method": clean_line(values.get("method")), "verifier": clean_line(values.get("verifier")),
               "notes": clean_text(values.get("notes"))}
    reasons = []
    if not cleaned["method"]:
        reasons.append(("method", N_("Say how the story's facts were checked.")))
    if not cleaned["verifier"]:
        reasons.append(("verifier", N_("Say who verified the story (role and organisation).")))
    verified_on = values.get("verified_on")
    if verified_on is None or verified_on > today:
        reasons.append(("verified_on", N_("Give the date of the verification (not in the future).")))
    if reasons:
        raise ValidationFailed(reasons)
    verification = Verification(story_id=story.id, result=VerificationResult(values["result"]),
                                verified_on=verified_on, recorded_by_id=actor.user_id, **cleaned)
    session.add(verification)
    session.flush()
    record(session, actor, "create", "msc_verification", verification.id, project_id=story.project_id,
           details={"story": story.id, "result": verification.result.value})
    return verification


# Meta-monitoring --------------------------------------------------------------------


def meta_monitoring(session, cycle):
    """Compute the cycle's meta-monitoring figures with a fixed number of queries."""
    eligible_ids = selection_eligible_stories().with_only_columns(Story.id).where(Story.cycle_id == cycle.id)
    rows = session.execute(
        sa.select(Story.id, Story.domain_id, Story.storyteller_category, Story.language,
                  Story.id.in_(eligible_ids))
        .where(Story.cycle_id == cycle.id)
    ).all()
    stories = [meta.StoryFact(row[0], row[1], row[2].value, row[3], bool(row[4])) for row in rows]
    sent = {}
    for decision_id, kind in session.execute(
            sa.select(Feedback.decision_id, Feedback.kind).join(SelectionDecision)
            .join(Panel).join(SelectionLevel).where(SelectionLevel.cycle_id == cycle.id)).all():
        sent.setdefault(decision_id, set()).add(kind)
    decisions = [
        meta.DecisionFact(row.id, row.story_id, row.level_id, row.selected, frozenset(sent.get(row.id, ())))
        for row in session.execute(
            sa.select(SelectionDecision.id, SelectionDecision.story_id, Panel.level_id, SelectionDecision.selected)
            .join(Panel, Panel.id == SelectionDecision.panel_id)
            .join(SelectionLevel, SelectionLevel.id == Panel.level_id)
            .where(SelectionLevel.cycle_id == cycle.id)).all()
    ]
    states = verification_states(session, Story.cycle_id == cycle.id)
    levels = [meta.LevelFact(level.id, level.ordinal, level.name) for level in cycle.levels]
    domains = [(domain.id, domain.name) for domain in cycle.domains]
    return meta.compute(stories, domains, levels, decisions, states)
