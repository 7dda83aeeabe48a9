"""Evidence items and what they support: create, edit, attach to ToC links and assumptions, download, delete.

Every object is looked up within its project, so ids of other projects are not
found. Services validate, flush and audit; they never commit. Uploaded files are
stored in the database (:mod:`tracker.common.blobs`) in the same transaction as their item, and deleted
with it.
"""

import hashlib
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm import selectinload
from sqlmodel import select

from tracker.audit.services import changed_fields
from tracker.audit.services import record
from tracker.common import blobs
from tracker.common.errors import ValidationFailed
from tracker.common.errors import check_version
from tracker.common.messages import N_
from tracker.common.messages import lazy
from tracker.common.text import clean_line
from tracker.common.text import clean_text
from tracker.db_types import as_id
from tracker.db_types import utcnow
from tracker.evidence import uploads
from tracker.evidence.models import EvidenceAttachment
from tracker.evidence.models import EvidenceItem
from tracker.evidence.models import EvidenceKind
from tracker.evidence.models import Strength
from tracker.indicators.models import Indicator
from tracker.indicators.models import IndicatorPeriod
from tracker.indicators.services import reported_actual
from tracker.msc.models import SealedStory
from tracker.msc.models import Story
from tracker.msc.sharing import selection_eligible_stories
from tracker.outcomes.models import Outcome
from tracker.toc.models import Assumption
from tracker.toc.models import TocLink

KIND_LABELS = {
    EvidenceKind.OUTCOME: lazy(N_("Outcome record")),
    EvidenceKind.STORY: lazy(N_("MSC story")),
    EvidenceKind.INDICATOR_RESULT: lazy(N_("Indicator result")),
    EvidenceKind.DOCUMENT: lazy(N_("Uploaded document")),
    EvidenceKind.WEB_LINK: lazy(N_("Web link")),
    EvidenceKind.INTERVIEW: lazy(N_("Interview note")),
    EvidenceKind.OBSERVATION: lazy(N_("Observation note")),
}
STRENGTH_LABELS = {
    Strength.STRONG: lazy(N_("Strong")),
    Strength.MODERATE: lazy(N_("Moderate")),
    Strength.WEAK: lazy(N_("Weak")),
}
# The record each kind stands for, and the kinds whose title may be left for the app to write.
SOURCE_FIELDS = {EvidenceKind.OUTCOME: "outcome_id", EvidenceKind.STORY: "story_id",
                 EvidenceKind.INDICATOR_RESULT: "period_id"}
NOTE_KINDS = (EvidenceKind.INTERVIEW, EvidenceKind.OBSERVATION)
EDITABLE_FIELDS = ("title", "summary", "source", "collected_on", "url")


# Reading ----------------------------------------------------------------------------------------


def evidence_statement(project, kind=None, visible_ids=None, *, attached=None, words=""):
    """The project's evidence items (of ``visible_ids``, if given), newest first, with what they support loaded.

    ``attached`` True keeps items supporting at least one link or assumption, False those not attached yet;
    ``words`` keeps items whose title or source contains them.
    """
    statement = (select(EvidenceItem).where(EvidenceItem.project_id == project.id)
                 .options(selectinload(EvidenceItem.attachments))
                 .order_by(EvidenceItem.created_at.desc(), EvidenceItem.id.desc()))
    if kind:
        statement = statement.where(EvidenceItem.kind == kind)
    if attached is not None:
        used = sa.exists().where(EvidenceAttachment.evidence_id == EvidenceItem.id)
        statement = statement.where(used if attached else ~used)
    if words := clean_line(words):
        statement = statement.where(sa.or_(EvidenceItem.title.icontains(words, autoescape=True),
                                           EvidenceItem.source.icontains(words, autoescape=True)))
    if visible_ids is not None:
        statement = statement.where(EvidenceItem.id.in_(visible_ids))
    return statement


def get_item(session, project, item_id, visible_ids=None):
    """The project's item ``item_id`` (among ``visible_ids``, if given), or None."""
    statement = select(EvidenceItem).where(EvidenceItem.id == item_id, EvidenceItem.project_id == project.id)
    if visible_ids is not None:
        statement = statement.where(EvidenceItem.id.in_(visible_ids))
    return session.exec(statement.options(selectinload(EvidenceItem.attachments))).first()


def get_attachment(session, project, attachment_id):
    return session.exec(
        select(EvidenceAttachment).join(EvidenceItem, EvidenceItem.id == EvidenceAttachment.evidence_id)
        .where(EvidenceAttachment.id == attachment_id, EvidenceItem.project_id == project.id)).first()


def project_items(session, project, visible_ids=None):
    """The project's evidence items (of ``visible_ids``, if given) as ``(id, kind, title)``, for choosing one."""
    statement = select(EvidenceItem.id, EvidenceItem.kind, EvidenceItem.title).where(
        EvidenceItem.project_id == project.id)
    if visible_ids is not None:
        statement = statement.where(EvidenceItem.id.in_(visible_ids))
    return session.exec(statement.order_by(EvidenceItem.title)).all()


def attachments_on(session, link_ids=(), assumption_ids=()):
    """Attachments to these links and assumptions, each with its evidence item loaded (two queries)."""
    link_ids, assumption_ids = list(link_ids), list(assumption_ids)
    if not link_ids and not assumption_ids:
        return []
    return list(session.exec(
        select(EvidenceAttachment)
        .where(sa.or_(EvidenceAttachment.link_id.in_(link_ids), EvidenceAttachment.assumption_id.in_(assumption_ids)))
        .options(selectinload(EvidenceAttachment.evidence)).order_by(EvidenceAttachment.id)))


def link_strength_rows(session, project):
    """``(link_id, strength)`` for every attachment directly on one of the project's links."""
    return session.exec(select(EvidenceAttachment.link_id, EvidenceAttachment.strength)
                        .join(TocLink, TocLink.id == EvidenceAttachment.link_id)
                        .where(TocLink.project_id == project.id)).all()


def count_by_link(session, link_ids, visible_ids=None):
    """``{link_id: evidence on the link or on its assumptions}``, of ``visible_ids`` only if given.

    Registered in :mod:`tracker.toc.attachments`.
    """
    link_ids = list(link_ids)
    seen = sa.true() if visible_ids is None else EvidenceAttachment.evidence_id.in_(visible_ids)
    direct = session.execute(sa.select(EvidenceAttachment.link_id, sa.func.count())
                             .where(EvidenceAttachment.link_id.in_(link_ids), seen)
                             .group_by(EvidenceAttachment.link_id))
    via = session.execute(sa.select(Assumption.link_id, sa.func.count())
                          .join(EvidenceAttachment, EvidenceAttachment.assumption_id == Assumption.id)
                          .where(Assumption.link_id.in_(link_ids), seen).group_by(Assumption.link_id))
    counts = {}
    for link_id, count in [*direct, *via]:
        counts[link_id] = counts.get(link_id, 0) + count
    return counts


# Choices of source records ---------------------------------------------------------------------


def outcome_choices(session, project):
    """The project's outcomes as ``(id, status, social actor, description)``, newest change first."""
    return session.exec(select(Outcome.id, Outcome.status, Outcome.social_actor, Outcome.description)
                        .where(Outcome.project_id == project.id)
                        .order_by(Outcome.change_date.desc().nulls_last(), Outcome.id.desc())).all()


def eligible_stories(project):
    """Stories usable as internal evidence: consent to internal use, not withdrawn, not restricted."""
    return selection_eligible_stories().where(Story.project_id == project.id)


def story_choices(session, project):
    """``(id, title)`` rows; ``execute`` keeps rows whatever sqlmodel makes of a narrowed ``select(Story)``."""
    return session.execute(eligible_stories(project).with_only_columns(Story.id, Story.title)
                        .order_by(Story.collected_on.desc(), Story.id.desc())).all()


def reportable_periods(session, project):
    """Periods with an approved (or submitted, provisional) actual: ``[(period, indicator, reported)]``."""
    periods = session.exec(
        select(IndicatorPeriod).join(Indicator, Indicator.id == IndicatorPeriod.indicator_id)
        .where(Indicator.project_id == project.id)
        .options(selectinload(IndicatorPeriod.actual), selectinload(IndicatorPeriod.indicator))
        .order_by(Indicator.title, IndicatorPeriod.start_date)).all()
    found = [(period, period.indicator, reported_actual(period.actual)) for period in periods]
    return [entry for entry in found if entry[2] is not None]


# The words of a stored indicator-result title: stored data, so not translated when it is written.
RESULT_WORDS = {"narrative": "narrative result", "provisional": "provisional", "approved": "approved"}


def result_title(period, indicator, reported, words=None):
    """E.g. "Chat contacts answered, 2022-01-01 – 2022-12-31: 78 % (approved)"; ``words`` translate the last part."""
    words = words or RESULT_WORDS
    if reported.value is None:
        value = reported.comment[:120] or words["narrative"]
    else:
        value = f"{reported.value.normalize():f} {indicator.unit}".strip()
    state = words["provisional"] if reported.provisional else words["approved"]
    return f"{indicator.title}, {period.start_date.isoformat()} – {period.end_date.isoformat()}: {value} ({state})"


def latest_result_period(session, project, indicator_id):
    """The id of the indicator's latest period with a reportable actual (the one to attach evidence to), or None."""
    periods = [period.id for period, indicator, _reported in reportable_periods(session, project)
               if indicator.id == indicator_id]
    return periods[-1] if periods else None


# Writing ----------------------------------------------------------------------------------------


def clean_url(value):
    """Return an http(s) URL, or raise ValidationFailed on the ``url`` field."""
    url = (value or "").strip()
    parts = urlsplit(url)
    if (parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(ch.isspace() for ch in url)
            or len(url) > 2000):
        raise ValidationFailed.on("url", N_("Enter a web address starting with http:// or https://."))
    return url


def clean_values(values, kind):
    cleaned = {
        "title": clean_line(values.get("title"))[:300],
        "summary": clean_text(values.get("summary")),
        "source": clean_line(values.get("source"))[:300],
        "collected_on": values.get("collected_on"),
        "url": "",
    }
    if kind is EvidenceKind.WEB_LINK:
        cleaned["url"] = clean_url(values.get("url"))
    return cleaned


def short_title(text, limit=160):
    """The first sentence of ``text`` if it is short enough, else its first ``limit`` characters and an ellipsis."""
    first = clean_line(text).split(". ")[0].rstrip(".")
    return first if len(first) <= limit else first[:limit - 1].rstrip() + "…"


def source_record(session, project, kind, values):
    """Check and describe the record an outcome, story or indicator-result item stands for: ``(field, id, title)``."""
    field = SOURCE_FIELDS[kind]
    record_id = values.get(field)
    if kind is EvidenceKind.OUTCOME:
        found = session.exec(select(Outcome).where(Outcome.id == record_id, Outcome.project_id == project.id)).first()
        if found is None:
            raise ValidationFailed.on(field, N_("Choose one of the project's outcomes."))
        return field, found.id, short_title(found.description)
    if kind is EvidenceKind.STORY:
        found = session.exec(eligible_stories(project).where(Story.id == record_id)).first()
        if found is None:
            raise ValidationFailed.on(field, N_("Choose one of the project's stories whose storyteller agreed to its "
                                                "internal use."))
        return field, found.id, found.title
    for period, indicator, reported in reportable_periods(session, project):
        if period.id == record_id:
            return field, period.id, result_title(period, indicator, reported)
    raise ValidationFailed.on(field, N_("Choose an indicator period with an approved or submitted actual."))


def create_item(session, actor, project, kind, values, *, upload=None, max_bytes=None):
    """Create an evidence item of ``kind``, attached to ``values["target"]`` if given (see :func:`attach`).

    ``upload`` is ``(filename, bytes)`` for a document, stored in the database with the item.

    :raises ValidationFailed: with field-level reasons (nothing is stored then).
    """
    kind = EvidenceKind(kind)
    cleaned = clean_values(values, kind)
    if values.get("target"):
        resolve_target(session, project, values["target"])
        clean_strength(values.get("strength"))
    item = EvidenceItem(project_id=project.id, kind=kind, created_by_id=actor.user_id, **cleaned)
    if kind in SOURCE_FIELDS:
        field, record_id, title = source_record(session, project, kind, values)
        setattr(item, field, record_id)
        item.title = item.title or title
    elif kind is EvidenceKind.DOCUMENT:
        attach_file(session, item, upload, max_bytes or uploads.DEFAULT_MAX_BYTES)
    require_text(kind, item)
    session.add(item)
    session.flush()
    record(session, actor, "create", "evidence_item", item.id, project_id=project.id, details={"kind": kind.value})
    if values.get("target"):
        attach(session, actor, project, item, values)
    return item


def require_text(kind, item):
    reasons = []
    if not item.title:
        reasons.append(("title", N_("Give the evidence a title that says what it is.")))
    if kind in NOTE_KINDS and not item.summary:
        reasons.append(("summary", N_("Write the note: what was said or seen, by whom (a role, not a name) and "
                                      "where.")))
    if reasons:
        raise ValidationFailed(reasons)


UPLOAD_MESSAGES = {
    uploads.EXTENSION: N_("Only PDF, Word (.docx), Excel (.xlsx), PNG, JPEG or plain-text (.txt) files can be "
                          "uploaded."),
    uploads.EMPTY: N_("The file is empty."),
    uploads.EXPANDS: N_("The file expands to far more than its size: it cannot be accepted."),
    uploads.NUL: N_("A plain-text file cannot contain NUL bytes: is it really text?"),
    uploads.ENCODING: N_("Plain-text files must be UTF-8 encoded."),
    uploads.IMAGE_SIZE: N_("The image is too large or not what its name says."),
    uploads.IMAGE_DAMAGED: N_("The image cannot be read; it may be damaged or too large."),
    uploads.DOCUMENT_DAMAGED: N_("The document cannot be read; it may be damaged."),
    uploads.DOCUMENT_ENCRYPTED: N_("The document is protected by a password; upload a copy without one."),
}


def upload_message(error):
    """Word an :class:`~tracker.evidence.uploads.UploadRefused` for the person uploading the file."""
    if error.reason == uploads.TOO_LARGE:
        return N_("The file is larger than %(limit)s.", limit=error.details["limit"])
    if error.reason == uploads.MISMATCH:
        return N_("The file's content is not %(file_type)s, although its name says so.",
                  file_type=error.details["file_type"])
    return UPLOAD_MESSAGES[error.reason]


def attach_file(session, item, upload, max_bytes):
    filename, data = upload if upload else ("", b"")
    if not filename:
        raise ValidationFailed.on("file", N_("Choose the file to upload."))
    try:
        checked = uploads.check_upload(filename, data, max_bytes)
    except uploads.UploadRefused as error:
        raise ValidationFailed.on("file", upload_message(error)) from None
    item.title = item.title or checked.name
    item.file_name = checked.name
    item.content_type = checked.content_type
    item.file_size = len(checked.data)
    item.sha256 = hashlib.sha256(checked.data).hexdigest()
    item.stored_name = blobs.save(session, checked.data, checked.content_type)


def update_item(session, actor, project, item, values, version):
    """Edit the description of an item; its kind, source record and file stay as they are."""
    check_version(item, version)
    cleaned = clean_values(values, item.kind)
    fields = changed_fields(item, cleaned)
    for name, value in cleaned.items():
        setattr(item, name, value)
    require_text(item.kind, item)
    item.updated_at = utcnow()
    session.add(item)
    session.flush()
    record(session, actor, "update", "evidence_item", item.id, project_id=project.id, details={"fields": fields})
    return item


def delete_item(session, actor, project, item):
    """Delete ``item`` with its attachments and its file."""
    item_id = item.id
    blobs.delete(session, item.stored_name)
    session.delete(item)
    session.flush()
    record(session, actor, "delete", "evidence_item", item_id, project_id=project.id)


def read_item(session, actor, item):
    """Audit that ``actor`` read the item: notes and summaries may quote children or informants."""
    record(session, actor, "read", "evidence_item", item.id, project_id=item.project_id)


def read_document(session, actor, item):
    """Audit the download of an item's file."""
    record(session, actor, "download", "evidence_item", item.id, project_id=item.project_id,
           details={"sha256": item.sha256})


# Attachments ------------------------------------------------------------------------------------


def parse_target(value):
    """``"link-12"`` → ``("link", 12)``; anything else (including a number no record can have) → None."""
    kind, _sep, number = str(value or "").partition("-")
    record_id = as_id(number)
    if kind in ("link", "assumption") and record_id:
        return kind, record_id
    return None


def resolve_target(session, project, value):
    """The link or assumption that ``value`` names within ``project``, as ``(kind, object)``."""
    target = parse_target(value)
    found = None
    if target and target[0] == "link":
        found = session.get(TocLink, target[1])
        found = found if found is not None and found.project_id == project.id else None
    elif target:
        found = session.exec(select(Assumption).join(TocLink, TocLink.id == Assumption.link_id)
                             .where(Assumption.id == target[1], TocLink.project_id == project.id)).first()
    if found is None:
        raise ValidationFailed.on("target", N_("Choose a link or an assumption of this project's theory of change."))
    return target[0], found


def clean_strength(value):
    try:
        return Strength(value)
    except ValueError:
        raise ValidationFailed.on("strength", N_("Choose how strongly the evidence supports it.")) from None


def attach(session, actor, project, item, values):
    """Attach ``item`` to a link or an assumption (``values["target"]`` = "link-ID" or "assumption-ID")."""
    kind, target = resolve_target(session, project, values.get("target"))
    strength = clean_strength(values.get("strength"))
    column = "link_id" if kind == "link" else "assumption_id"
    if any(getattr(existing, column) == target.id for existing in item.attachments):
        raise ValidationFailed.on("target", N_("This evidence is already attached there; change the strength by "
                                               "removing that attachment first."))
    attachment = EvidenceAttachment(evidence_id=item.id, strength=strength, note=clean_text(values.get("note")),
                                    created_by_id=actor.user_id, **{column: target.id})
    item.attachments.append(attachment)
    session.add(attachment)
    session.flush()
    record(session, actor, "create", "evidence_attachment", attachment.id, project_id=project.id,
           details={"evidence": item.id, kind: target.id, "strength": strength.value})
    return attachment


def detach(session, actor, project, attachment):
    attachment_id, evidence_id = attachment.id, attachment.evidence_id
    session.delete(attachment)
    session.flush()
    record(session, actor, "delete", "evidence_attachment", attachment_id, project_id=project.id,
           details={"evidence": evidence_id})


# Sealed stories ---------------------------------------------------------------------------------------------

SEALED = "[sealed: the storyteller withdrew consent]"


@sa.event.listens_for(Session, "before_flush")
def seal_evidence_of_sealed_stories(session, _flush_context, _instances):
    """An item that stands for a story copies its title (and often its gist): when the story is sealed
    (:mod:`tracker.msc.sealing`), the item's title and summary join the sealed record and leave the item."""
    sealed = [obj for obj in session.new if isinstance(obj, SealedStory)]
    if not sealed:
        return
    with session.no_autoflush:
        items = session.scalars(select(EvidenceItem).where(
            EvidenceItem.story_id.in_([obj.story_id for obj in sealed]), EvidenceItem.title != SEALED)).all()
    for obj in sealed:
        mine = [item for item in items if item.story_id == obj.story_id]
        obj.content = {**obj.content, "evidence": [{"id": item.id, "title": item.title, "summary": item.summary}
                                                   for item in mine]}
        for item in mine:
            item.title, item.summary = SEALED, ""
            session.add(item)
