"""MSC services: cycles and domains, stories with their consent record, safeguarding review and translations.

Stories are always looked up within their project (and, for donors, within the
donor rule of :mod:`tracker.msc.sharing`). Services validate, flush and
audit; they never commit.
"""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlmodel import select

from tracker.audit.services import record
from tracker.auth.models import User
from tracker.common.countries import is_country
from tracker.common.errors import ValidationFailed
from tracker.common.errors import check_version
from tracker.common.messages import N_
from tracker.common.text import clean_line
from tracker.common.text import clean_text
from tracker.db_search import forget_removed_text
from tracker.db_types import utcnow
from tracker.msc import consent as consent_rules
from tracker.msc import donor_version
from tracker.msc import rules
from tracker.msc import sealing
from tracker.msc.languages import is_language
from tracker.msc.models import AgeBand
from tracker.msc.models import ConsentRecord
from tracker.msc.models import CycleStatus
from tracker.msc.models import DistressLevel
from tracker.msc.models import Domain
from tracker.msc.models import MscCycle
from tracker.msc.models import SafeguardingStatus
from tracker.msc.models import SelectionLevel
from tracker.msc.models import Story
from tracker.msc.models import StorytellerCategory
from tracker.msc.models import StoryTocNode
from tracker.msc.models import StoryTranslation
from tracker.msc.rules import domain_name_problems
from tracker.outcomes.services import project_nodes
from tracker.portfolio.models import Project

OPEN_DOMAIN_NAME = "Any other change"
OPEN_DOMAIN_DEFINITION = "Any other significant change the storyteller chooses to tell, outside the named domains."
MAX_STORY_TEXT = 50_000
STORY_TEXT_FIELDS = ("what_happened", "why_significant")
STORY_LINE_FIELDS = ("title", "events_when", "place", "collector", "storyteller_pseudonym")
# Changing any of these after a safeguarding approval sends the story back for review.
REVIEWED_FIELDS = ("title", "what_happened", "why_significant", "events_when", "place", "storyteller_pseudonym",
                   "storyteller_category", "age_band", "country_code", "language")


# Cycles, domains and levels ---------------------------------------------------------


def cycles_statement(fund):
    return (select(MscCycle).where(MscCycle.fund_id == fund.id)
            .options(selectinload(MscCycle.project))
            .order_by(MscCycle.period_start.desc(), MscCycle.id.desc()))


def get_cycle(session, fund, cycle_id):
    statement = select(MscCycle).where(MscCycle.id == cycle_id, MscCycle.fund_id == fund.id).options(
        selectinload(MscCycle.domains), selectinload(MscCycle.levels), selectinload(MscCycle.project))
    return session.exec(statement).first()


def cycles_for(session, project):
    """Every cycle a story of ``project`` can belong to (fund-level and its own), open or closed, newest first."""
    return list(session.exec(
        select(MscCycle)
        .where(MscCycle.fund_id == project.fund_id,
               sa.or_(MscCycle.project_id.is_(None), MscCycle.project_id == project.id))
        .order_by(MscCycle.period_start.desc(), MscCycle.id)
    ))


def open_cycles_for(session, project):
    """Cycles a story of ``project`` can join: open fund-level cycles of its fund and its own open cycles."""
    return list(session.exec(
        select(MscCycle)
        .where(MscCycle.fund_id == project.fund_id, MscCycle.status == CycleStatus.OPEN,
               sa.or_(MscCycle.project_id.is_(None), MscCycle.project_id == project.id))
        .options(selectinload(MscCycle.domains))
        .order_by(MscCycle.period_start.desc(), MscCycle.id)
    ))


def clean_cycle_values(values):
    return {
        "title": clean_line(values.get("title")),
        "period_start": values.get("period_start"),
        "period_end": values.get("period_end"),
        "description": clean_text(values.get("description")),
        "status": CycleStatus(values.get("status") or CycleStatus.OPEN),
    }


def validate_cycle(values):
    reasons = []
    if not values["title"]:
        reasons.append(("title", N_("Give the cycle a title.")))
    if values["period_start"] is None:
        reasons.append(("period_start", N_("Give the first day of the reporting period.")))
    if values["period_end"] is None:
        reasons.append(("period_end", N_("Give the last day of the reporting period.")))
    elif values["period_start"] and values["period_end"] < values["period_start"]:
        reasons.append(("period_end", N_("The reporting period must not end before it starts.")))
    if reasons:
        raise ValidationFailed(reasons)


def level_names(text):
    return [clean_line(line) for line in (text or "").splitlines() if clean_line(line)]


def create_cycle(session, actor, fund, values):
    """Open a cycle with its "any other change" domain and its selection levels (lowest first)."""
    cleaned = clean_cycle_values(values)
    validate_cycle(cleaned)
    project = None
    if values.get("project_id"):
        project = session.get(Project, values["project_id"])
        if project is None or project.fund_id != fund.id:
            raise ValidationFailed.on("project_id",
                                      N_("Choose one of the fund's projects, or none for a fund-level cycle."))
    levels = level_names(values.get("levels"))
    if not levels:
        raise ValidationFailed.on("levels", N_("Name at least one selection level, e.g. Project, Country, Fund."))
    if len(set(levels)) != len(levels):
        raise ValidationFailed.on("levels", N_("Each selection level needs its own name."))
    cycle = MscCycle(fund_id=fund.id, project_id=project.id if project else None, **cleaned)
    cycle.domains = [Domain(name=OPEN_DOMAIN_NAME, definition=OPEN_DOMAIN_DEFINITION, is_open=True, position=999)]
    cycle.levels = [SelectionLevel(ordinal=number, name=name) for number, name in enumerate(levels, 1)]
    session.add(cycle)
    session.flush()
    record(session, actor, "create", "msc_cycle", cycle.id, project_id=cycle.project_id)
    return cycle


def update_cycle(session, actor, cycle, values, version):
    check_version(cycle, version)
    cleaned = clean_cycle_values(values)
    validate_cycle(cleaned)
    fields = sorted(name for name, value in cleaned.items() if getattr(cycle, name) != value)
    for name, value in cleaned.items():
        setattr(cycle, name, value)
    cycle.updated_at = utcnow()
    session.add(cycle)
    session.flush()
    record(session, actor, "update", "msc_cycle", cycle.id, project_id=cycle.project_id, details={"fields": fields})
    return cycle


def domain_counts(session, cycle):
    """``{domain_id: number of stories}`` for the cycle's domains."""
    return dict(session.execute(
        sa.select(Story.domain_id, sa.func.count()).where(Story.cycle_id == cycle.id).group_by(Story.domain_id)
    ).all())


def get_domain(session, cycle, domain_id):
    domain = session.get(Domain, domain_id)
    return domain if domain is not None and domain.cycle_id == cycle.id else None


def save_domain(session, actor, cycle, values, domain=None, version=None):
    """Add a named domain of change to ``cycle``, or edit one (checking the version edited).

    Renaming the open domain keeps it open: ``is_open`` is never set here, so a new domain is a named
    one and the cycle keeps exactly the one open domain it was created with.
    """
    if domain is not None:
        check_version(domain, version)
    name, definition = clean_line(values.get("name")), clean_text(values.get("definition"))
    reasons = []
    if not name:
        reasons.append(("name", N_("Name the domain of change.")))
    clash = session.exec(select(Domain).where(Domain.cycle_id == cycle.id, Domain.name == name)).first()
    if clash is not None and clash is not domain:
        reasons.append(("name", N_("This cycle already has a domain with this name.")))
    elif name:
        reasons.extend(domain_name_problems(name, domain is not None and domain.is_open))
    if reasons:
        raise ValidationFailed(reasons)
    action = "update" if domain is not None else "create"
    if domain is None:
        position = len([item for item in cycle.domains if not item.is_open])
        domain = Domain(cycle_id=cycle.id, name=name, position=position)
    domain.name, domain.definition = name, definition
    session.add(domain)
    session.flush()
    record(session, actor, action, "msc_domain", domain.id, details={"cycle": cycle.id})
    return domain


def add_level(session, actor, cycle, name):
    """Add a selection level above the cycle's current top level."""
    name = clean_line(name)
    if not name:
        raise ValidationFailed.on("name", N_("Name the selection level."))
    if any(level.name == name for level in cycle.levels):
        raise ValidationFailed.on("name", N_("This cycle already has a level with this name."))
    level = SelectionLevel(cycle_id=cycle.id, ordinal=max((lv.ordinal for lv in cycle.levels), default=0) + 1,
                           name=name)
    cycle.levels.append(level)
    session.add(level)
    session.flush()
    record(session, actor, "create", "msc_level", level.id, details={"cycle": cycle.id})
    return level


# Stories: reading -------------------------------------------------------------------


def story_details():
    return (selectinload(Story.project), selectinload(Story.cycle), selectinload(Story.domain),
            selectinload(Story.consent), selectinload(Story.translations), selectinload(Story.toc_nodes),
            selectinload(Story.donor_texts))


def story_list_statement(base, project=None, *, cycle_id=None, domain_id=None, safeguarding=None, consent=None,
                         country=None, language=None):
    """Filter, eager-load and order ``base`` (a ``SELECT story`` from :mod:`tracker.msc.sharing`).

    ``consent`` filters by consent state: ``needs_consent``, ``withdrawn`` or ``donor_scope``.
    """
    statement = base.options(selectinload(Story.project), selectinload(Story.cycle), selectinload(Story.domain),
                             selectinload(Story.consent))
    if project is not None:
        statement = statement.where(Story.project_id == project.id)
    for column, value in ((Story.cycle_id, cycle_id), (Story.domain_id, domain_id),
                          (Story.safeguarding_status, safeguarding), (Story.country_code, country),
                          (Story.language, language)):
        if value:
            statement = statement.where(column == value)
    if consent:
        consent_ids = select(ConsentRecord.id)
        condition = {
            "needs_consent": ConsentRecord.complete.is_(False),
            "withdrawn": ConsentRecord.withdrawn_on.is_not(None),
            "donor_scope": sa.and_(ConsentRecord.scope_donor.is_(True), ConsentRecord.withdrawn_on.is_(None)),
        }.get(consent)
        if condition is not None:
            statement = statement.where(Story.consent_id.in_(consent_ids.where(condition)))
    return statement.order_by(Story.collected_on.desc(), Story.id.desc())


def get_story(session, project, story_id, base=None):
    """The story ``story_id`` of ``project`` within ``base`` (a visibility SELECT, if given), or None."""
    statement = (base if base is not None else select(Story)).where(
        Story.id == story_id, Story.project_id == project.id)
    return session.exec(statement.options(*story_details())).first()


def reviewer_name(session, story):
    """The display name of the story's safeguarding reviewer, if any."""
    if story.safeguarding_reviewer_id is None:
        return None
    reviewer = session.get(User, story.safeguarding_reviewer_id)
    return reviewer.display_name if reviewer else None


def read_story(session, actor, story):
    """Audit that ``actor`` read the story (every view of a story page is a sensitive read)."""
    record(session, actor, "read", "story", story.id, project_id=story.project_id)


def count_by_node(session, node_ids, visible_ids=None):
    """``{node_id: stories linked}``, of ``visible_ids`` only if given (see :mod:`tracker.toc.attachments`)."""
    statement = sa.select(StoryTocNode.node_id, sa.func.count()).where(StoryTocNode.node_id.in_(list(node_ids)))
    if visible_ids is not None:
        statement = statement.where(StoryTocNode.story_id.in_(visible_ids))
    return dict(session.execute(statement.group_by(StoryTocNode.node_id)).all())


# Stories: writing -------------------------------------------------------------------


def clean_story_values(values):
    cleaned = {name: clean_text(values.get(name)) for name in STORY_TEXT_FIELDS}
    cleaned.update({name: clean_line(values.get(name)) for name in STORY_LINE_FIELDS})
    cleaned.update(
        cycle_id=values.get("cycle_id"),
        domain_id=values.get("domain_id"),
        country_code=(values.get("country_code") or "").strip().upper(),
        collected_on=values.get("collected_on"),
        storyteller_category=StorytellerCategory(values["storyteller_category"]),
        age_band=AgeBand(values.get("age_band") or AgeBand.NOT_RECORDED),
        language=(values.get("language") or "").strip(),
    )
    return cleaned


def validate_story(session, project, values, today):
    """Check a story's values; the cycle may be left out and is then the chosen domain's cycle."""
    if not values["cycle_id"] and values["domain_id"]:
        domain = session.get(Domain, values["domain_id"])
        values["cycle_id"] = domain.cycle_id if domain is not None else None
    reasons = []
    for name, message in (("title", N_("Give the story a title.")),
                          ("what_happened", N_("Write what happened, in the storyteller's words.")),
                          ("why_significant", N_("Write why the change is significant to the storyteller.")),
                          ("collector", N_("Say who collected the story (a role and organisation).")),
                          ("storyteller_pseudonym", N_("Give the storyteller a pseudonym; never their real name."))):
        if not values[name]:
            reasons.append((name, message))
    for name in STORY_TEXT_FIELDS:
        if len(values[name]) > MAX_STORY_TEXT:
            reasons.append((name, N_("Keep this text under %(limit)s characters.", limit=f"{MAX_STORY_TEXT:,}")))
    cycle = session.get(MscCycle, values["cycle_id"]) if values["cycle_id"] else None
    if cycle is None or cycle.fund_id != project.fund_id or cycle.project_id not in (None, project.id):
        reasons.append(("cycle_id", N_("Choose an MSC cycle of this project or of the fund.")))
    else:
        domain = session.get(Domain, values["domain_id"]) if values["domain_id"] else None
        if domain is None or domain.cycle_id != cycle.id:
            reasons.append(("domain_id", N_("Choose a domain of change of the chosen cycle.")))
    if not is_country(values["country_code"]):
        reasons.append(("country_code", N_("Choose the country where the change happened.")))
    if not is_language(values["language"]):
        reasons.append(("language", N_("Choose the language the story is written in.")))
    if values["collected_on"] is None:
        reasons.append(("collected_on", N_("Give the date the story was collected.")))
    elif values["collected_on"] > today:
        reasons.append(("collected_on", N_("The collection date cannot be in the future.")))
    if reasons:
        raise ValidationFailed(reasons)
    return cycle


def clean_consent_values(values):
    cleaned = {name: bool(values.get(name)) for name in consent_rules.CONSENT_FIELDS
               if name not in ("obtained_on", "form_name", "form_version")}
    cleaned.update(obtained_on=values.get("obtained_on"), form_name=clean_line(values.get("form_name")),
                   form_version=clean_line(values.get("form_version")))
    return cleaned


def create_story(session, actor, project, values, consent=None, *, require_consent=True, today=None):
    """Save a new story of ``project`` together with its consent record.

    ``consent`` holds the consent fields. The web form always requires a
    complete record (``require_consent``). Imports and legacy data may pass
    ``require_consent=False``: the story is kept, marked "needs consent", and
    no donor path shows it until the consent details are recorded.
    """
    today = today or date.today()
    cleaned = clean_story_values(values)
    cycle = validate_story(session, project, cleaned, today)
    if cycle.status is not CycleStatus.OPEN:
        raise ValidationFailed.on("cycle_id", N_("This cycle is closed; choose an open cycle."))
    consent_values = clean_consent_values(consent or {})
    minor = consent_rules.is_minor(cleaned["storyteller_category"], cleaned["age_band"])
    problems = consent_rules.consent_problems(consent_values, minor, today)
    if problems and require_consent:
        raise ValidationFailed(problems)
    nodes = project_nodes(session, project, values.get("toc_node_ids"))
    record_ = ConsentRecord(**consent_values, complete=not problems, recorded_by_id=actor.user_id)
    session.add(record_)
    session.flush()
    story = Story(project_id=project.id, consent_id=record_.id, created_by_id=actor.user_id, **cleaned)
    story.toc_nodes = nodes
    session.add(story)
    session.flush()
    record(session, actor, "create", "story", story.id, project_id=project.id,
           details={"consent": "complete" if record_.complete else "needs_consent"})
    return story


def reset_approval(story, fields):
    """A story changed after approval must be reviewed again.

    Safeguarding goes from approved back to pending, and an approved donor version
    no longer counts. Returns whether anything was reset.
    """
    if not fields:
        return False
    reset = donor_version.clear_approval(story)
    if story.safeguarding_status is SafeguardingStatus.APPROVED:
        story.safeguarding_status = SafeguardingStatus.PENDING
        story.safeguarding_note = "Changed after approval; review again before sharing."
        story.safeguarding_reviewed_at = None
        reset = True
    return reset


def update_story(session, actor, project, story, values, version, today=None):
    check_version(story, version)
    refuse_if_sealed(story)
    today = today or date.today()
    cleaned = clean_story_values(values)
    validate_story(session, project, cleaned, today)
    minor = consent_rules.is_minor(cleaned["storyteller_category"], cleaned["age_band"])
    if story.consent.complete and consent_rules.consent_problems(_consent_values(story.consent), minor, today):
        raise ValidationFailed.on("age_band", N_("The storyteller is now recorded as a child: record the guardian's "
                                              "consent and the child's assent first."))
    nodes = project_nodes(session, project, values.get("toc_node_ids"))
    fields = sorted(name for name, value in cleaned.items() if getattr(story, name) != value)
    for name, value in cleaned.items():
        setattr(story, name, value)
    if {node.id for node in nodes} != {node.id for node in story.toc_nodes}:
        fields.append("toc_nodes")
        story.toc_nodes = nodes
    details = {"fields": fields}
    if reset_approval(story, [name for name in fields if name in REVIEWED_FIELDS]):
        details["safeguarding"] = "reset_to_pending"
    story.updated_at = utcnow()
    session.add(story)
    session.flush()
    record(session, actor, "update", "story", story.id, project_id=project.id, details=details)
    return story


def _consent_values(consent):
    return {name: getattr(consent, name) for name in consent_rules.CONSENT_FIELDS}


def record_consent(session, actor, story, values, version, today=None):
    """Record (or correct) the consent details; the result must be complete. Withdrawal is separate."""
    consent = story.consent
    check_version(consent, version)
    today = today or date.today()
    cleaned = clean_consent_values(values)
    problems = consent_rules.consent_problems(
        cleaned, consent_rules.is_minor(story.storyteller_category, story.age_band), today)
    if problems:
        raise ValidationFailed(problems)
    fields = sorted(name for name, value in cleaned.items() if getattr(consent, name) != value)
    for name, value in cleaned.items():
        setattr(consent, name, value)
    consent.complete = True
    consent.recorded_by_id = actor.user_id
    consent.updated_at = utcnow()
    session.add(consent)
    session.flush()
    record(session, actor, "update", "consent_record", consent.id, project_id=story.project_id,
           details={"story": story.id, "fields": fields})
    return consent


def withdraw_consent(session, actor, story, withdrawn_on, note, version, today=None):
    """Record that the storyteller withdrew consent: from now on no donor path shows the story."""
    consent = story.consent
    check_version(consent, version)
    if consent.withdrawn_on is not None:
        raise ValidationFailed.on(None, N_("Consent for this story has already been withdrawn."))
    problems = consent_rules.withdrawal_problems(withdrawn_on, consent.obtained_on, today or date.today())
    if problems:
        raise ValidationFailed(problems)
    consent.withdrawn_on = withdrawn_on
    consent.withdrawal_note = clean_text(note)
    consent.updated_at = utcnow()
    sealing.seal(story, actor.user_id)
    session.add_all([consent, story])
    session.flush()
    forget_removed_text(session)
    record(session, actor, "withdraw_consent", "story", story.id, project_id=story.project_id,
           details={"sealed": ["text", "pseudonym", "translations", "donor_version"]})
    return consent


def refuse_if_sealed(story):
    """A sealed story's text stays sealed: nothing may be written into it again."""
    if sealing.is_sealed(story):
        raise ValidationFailed.on(None, N_("Consent for this story was withdrawn: it is sealed and can no longer "
                                           "be edited."))


def proposed_distress_level(story, status=None):
    """The distressing-content level the review proposes for ``story`` (under ``status``, default its own)."""
    return rules.propose_distress_level(rules.DistressFacts(
        status or story.safeguarding_status, story.storyteller_category, story.age_band,
        story.domain.name, story.domain.definition))


def review_safeguarding(session, actor, story, values, version):
    """Record the safeguarding review: approved for sharing, restricted (with a note) or back to pending.

    The review also sets how distressing the story is to read (``distress_level``); without one in
    ``values``, the proposed level is kept.
    """
    check_version(story, version)
    status = SafeguardingStatus(values["status"])
    note = clean_text(values.get("note"))
    if status is SafeguardingStatus.RESTRICTED and not note:
        raise ValidationFailed.on("note", N_("Say why the story is restricted, so colleagues know what to avoid."))
    if status is SafeguardingStatus.APPROVED and not story.consent.complete:
        raise ValidationFailed.on("status", N_("Record the storyteller's consent before approving the story for "
                                               "sharing."))
    level = values.get("distress_level")
    story.distress_level = DistressLevel(level) if level else proposed_distress_level(story, status)
    story.safeguarding_status = status
    story.safeguarding_note = note
    story.place_shareable = bool(values.get("place_shareable")) and status is SafeguardingStatus.APPROVED
    story.safeguarding_reviewer_id = actor.user_id
    story.safeguarding_reviewed_at = utcnow()
    session.add(story)
    session.flush()
    record(session, actor, "safeguarding", "story", story.id, project_id=story.project_id,
           details={"status": status.value, "place_shareable": story.place_shareable,
                    "distress_level": story.distress_level.value})
    return story


def get_translation(story, translation_id):
    return next((item for item in story.translations if item.id == translation_id), None)


def save_translation(session, actor, story, values, translation=None, version=None):
    """Add or edit a translation (checking the version edited).
    Any change to text donors might read sends an approved story back to review."""
    if translation is not None:
        check_version(translation, version)
    refuse_if_sealed(story)
    cleaned = {
        "language": (values.get("language") or "").strip(),
        "title": clean_line(values.get("title")),
        "what_happened": clean_text(values.get("what_happened")),
        "why_significant": clean_text(values.get("why_significant")),
        "translator_note": clean_text(values.get("translator_note")),
    }
    reasons = []
    if not is_language(cleaned["language"]):
        reasons.append(("language", N_("Choose the language of the translation.")))
    elif cleaned["language"] == story.language:
        reasons.append(("language", N_("The story is already written in this language.")))
    elif any(item.language == cleaned["language"] and item is not translation for item in story.translations):
        reasons.append(("language", N_("The story already has a translation into this language; edit that one.")))
    for name in ("title", "what_happened", "why_significant"):
        if not cleaned[name]:
            reasons.append((name, N_("Translate this part of the story as well.")))
        elif len(cleaned[name]) > MAX_STORY_TEXT:
            reasons.append((name, N_("Keep this text under %(limit)s characters.", limit=f"{MAX_STORY_TEXT:,}")))
    if reasons:
        raise ValidationFailed(reasons)
    action = "update" if translation is not None else "create"
    if translation is None:
        translation = StoryTranslation(story_id=story.id, **cleaned)
        story.translations.append(translation)
    changed = [name for name, value in cleaned.items() if getattr(translation, name) != value] \
        if action == "update" else sorted(cleaned)
    for name, value in cleaned.items():
        setattr(translation, name, value)
    translation.updated_at = utcnow()
    reset = reset_approval(story, [name for name in changed if name != "translator_note"])
    session.add_all([translation, story])
    session.flush()
    record(session, actor, action, "story_translation", translation.id, project_id=story.project_id,
           details={"story": story.id, "language": translation.language,
                    **({"safeguarding": "reset_to_pending"} if reset else {})})
    return translation
