"""Import services: the dry run, the all-or-nothing import, saved mappings and the import history.

:func:`run_import` runs the dry run again inside the caller's transaction and
writes nothing unless every row passes; then it inserts all records, their
source ids and their audit entries in a few bulk statements (SQLAlchemy's
batched ``INSERT … RETURNING``), never one query per row. The existing source
ids of the project are read in one query before any row is checked. Like every
service it flushes and never commits: the view or command commits once, so an
error anywhere (including a concurrent import of the same rows, which the
unique constraint on ``imported_record`` stops) leaves nothing behind.
"""

import hashlib
import json
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlmodel import select

from tracker.audit.models import AuditEntry
from tracker.audit.services import record
from tracker.common.errors import UserError
from tracker.common.errors import ValidationFailed
from tracker.common.messages import N_
from tracker.common.text import clean_line
from tracker.db_types import utcnow
from tracker.imports import files
from tracker.imports.mapping import adapt
from tracker.imports.mapping import mapping_problems
from tracker.imports.mapping import suggest
from tracker.imports.models import ImportBatch
from tracker.imports.models import ImportedRecord
from tracker.imports.models import ImportKind
from tracker.imports.models import ImportMapping
from tracker.imports.plan import Context
from tracker.imports.plan import make_plan
from tracker.imports.sources import SourceProblem
from tracker.imports.sources import build_dataset
from tracker.imports.sources import source_label
from tracker.msc.models import ConsentRecord
from tracker.msc.models import CycleStatus
from tracker.msc.models import MscCycle
from tracker.msc.models import Story
from tracker.msc.models import StoryTranslation
from tracker.outcomes.models import Outcome
from tracker.outcomes.services import project_harvests

MAX_MAPPING_NAME = 120


class ImportRefused(UserError):
    """The dry run found errors, so nothing was imported; ``plan`` lists them."""

    def __init__(self, plan):
        self.plan = plan
        super().__init__(f"{len(plan.errors)} problems in the file; nothing was imported.")


def load_dataset(path, file_name, limits=None):
    """Check and read the file, and join its repeat groups; :class:`files.FileRejected` says why not."""
    tables = files.read_tables(path, file_name, limits or files.DEFAULT_LIMITS)
    try:
        return build_dataset(tables)
    except SourceProblem as problem:
        raise files.FileRejected(problem.args[0]) from None


def file_sha256(path):
    """The SHA-256 of a file, kept with each import so that it can be matched to the file later."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


# Context and defaults ----------------------------------------------------------------------


def project_cycles(session, project):
    """Cycles a story of ``project`` can belong to, with their current domains, in one go (newest first).

    ``populate_existing`` refreshes cycles the session already holds, whose domain lists may predate a
    domain added since.
    """
    return list(session.exec(
        select(MscCycle)
        .where(MscCycle.fund_id == project.fund_id,
               sa.or_(MscCycle.project_id.is_(None), MscCycle.project_id == project.id))
        .options(selectinload(MscCycle.domains))
        .order_by(MscCycle.period_start.desc(), MscCycle.id)
        .execution_options(populate_existing=True)
    ))


def existing_source_ids(session, project, source):
    """Every id already imported into ``project`` from ``source``, in one query."""
    return frozenset(session.scalars(
        sa.select(ImportedRecord.source_id)
        .where(ImportedRecord.project_id == project.id, ImportedRecord.source == source)))


def load_context(session, project, kind, source, today=None):
    """Load what checking rows needs into the session, so that checking runs no SQL per row."""
    kind = ImportKind(kind)
    return Context(
        session=session, project=project, today=today or date.today(),
        existing_ids=existing_source_ids(session, project, source),
        harvests=project_harvests(session, project) if kind is ImportKind.OUTCOMES else [],
        cycles=project_cycles(session, project) if kind is ImportKind.STORIES else [],
    )


def project_defaults(session, project, kind):
    """Values suggested for every row: the newest harvest or open cycle, and the project's first country."""
    defaults = {"country_code": project.country_codes[0] if project.country_codes else ""}
    if ImportKind(kind) is ImportKind.OUTCOMES:
        harvests = project_harvests(session, project)
        defaults["harvest"] = str(harvests[0].id) if harvests else ""
    else:
        cycles = [cycle for cycle in project_cycles(session, project) if cycle.status is CycleStatus.OPEN]
        defaults["cycle"] = str(cycles[0].id) if cycles else ""
    return defaults


def suggested_mapping(session, project, dataset, kind, record_table=None):
    return suggest(dataset, kind, project_defaults(session, project, kind), record_table)


# Dry run and import ------------------------------------------------------------------------


def dry_run(session, project, dataset, kind, mapping, today=None):
    """Check every row; return the plan. Raises ValidationFailed when the mapping itself cannot be used."""
    problems = mapping_problems(mapping, dataset, kind)
    if problems:
        raise ValidationFailed(problems)
    context = load_context(session, project, kind, source_label(dataset, mapping.get("source_column")), today)
    return make_plan(dataset, kind, mapping, context)


def insert_rows(session, model, rows):
    """Insert ``rows`` (dicts) into ``model``'s table in a few statements; return the new ids in row order.

    SQLite: one Core ``INSERT … RETURNING`` with many parameter sets, which
    SQLAlchemy sends as a few multi-row statements; a multi-row INSERT gives an
    ``INTEGER PRIMARY KEY`` table's rows increasing ids in the order of its
    VALUES, and the database is locked for writing from the transaction's first
    INSERT, so the returned ids, sorted, are the rows' ids in order.
    PostgreSQL: the ids are drawn from the table's sequence in one query, then
    the rows go in with one ``executemany`` (psycopg's pipeline), which avoids
    psycopg re-parsing huge multi-row statements.
    """
    if not rows:
        return []
    table = model.__table__
    if session.get_bind().dialect.name == "postgresql":
        sequence = sa.func.pg_get_serial_sequence(table.name, "id")
        ids = list(session.scalars(sa.select(sa.func.nextval(sequence)).select_from(
            sa.func.generate_series(1, len(rows)))))
        session.execute(sa.insert(table), [{**row, "id": row_id} for row, row_id in zip(rows, ids, strict=True)])
        return ids
    ids = sorted(session.execute(sa.insert(table).returning(table.c.id), rows).scalars())
    if len(ids) != len(rows):
        raise RuntimeError(f"inserted {len(rows)} {table.name} rows but got {len(ids)} ids back")
    return ids


def audit_rows(actor, object_type, ids, project_id, details):
    """One ``create`` entry per imported record, with the fields :func:`tracker.audit.services.record` writes."""
    now = utcnow()
    return [{"at": now, "actor_id": actor.user_id, "actor_email": actor.email, "actor_role": actor.role,
             "action": "create", "object_type": object_type, "object_id": str(object_id), "project_id": project_id,
             "ip": actor.ip, "reason": None, "details": json.dumps(item, sort_keys=True)}
            for object_id, item in zip(ids, details, strict=True)]


def insert_outcomes(session, project, plan, actor):
    rows = [{**planned.values, "project_id": project.id, "created_by_id": actor.user_id} for planned in plan.records]
    return insert_rows(session, Outcome, rows), [{} for _planned in plan.records]


def insert_stories(session, project, plan, actor):
    """Consent records first (every story has one), then the stories, then their translations."""
    consent_ids = insert_rows(session, ConsentRecord, [
        {**planned.consent, "complete": planned.consent_complete, "recorded_by_id": actor.user_id}
        for planned in plan.records])
    story_ids = insert_rows(session, Story, [
        {**planned.values, "project_id": project.id, "consent_id": consent_id, "created_by_id": actor.user_id}
        for planned, consent_id in zip(plan.records, consent_ids, strict=True)])
    insert_rows(session, StoryTranslation, [
        {**translation, "story_id": story_id} for planned, story_id in zip(plan.records, story_ids, strict=True)
        for translation in planned.translations])
    details = [{"consent": "complete" if planned.consent_complete else "needs_consent"} for planned in plan.records]
    return story_ids, details


def run_import(session, actor, project, dataset, kind, mapping, *, file_name, file_sha256, mapping_name="",
               today=None):
    """Import every row of ``dataset`` or none: returns ``(batch, plan)``, raises :class:`ImportRefused`.

    Rows whose source id was imported before are skipped, so a second import of
    the same file adds nothing. Never commits.
    """
    kind = ImportKind(kind)
    plan = dry_run(session, project, dataset, kind, mapping, today)
    if not plan.ok:
        raise ImportRefused(plan)
    batch = ImportBatch(project_id=project.id, kind=kind, source=plan.source, file_name=file_name[:255],
                        file_sha256=file_sha256, mapping_name=mapping_name or "", created_count=len(plan.records),
                        skipped_count=len(plan.skipped), created_by_id=actor.user_id)
    session.add(batch)
    session.flush()
    insert = insert_outcomes if kind is ImportKind.OUTCOMES else insert_stories
    ids, details = insert(session, project, plan, actor)
    object_type = "outcome" if kind is ImportKind.OUTCOMES else "story"
    insert_rows(session, ImportedRecord, [
        {"project_id": project.id, "batch_id": batch.id, "source": plan.source, "source_id": planned.source_id,
         "object_type": object_type, "object_id": object_id}
        for planned, object_id in zip(plan.records, ids, strict=True)])
    insert_rows(session, AuditEntry, audit_rows(actor, object_type, ids, project.id,
                                                [{**item, "import_batch": batch.id} for item in details]))
    record(session, actor, "import", "import_batch", batch.id, project_id=project.id, details={
        "kind": kind.value, "source": plan.source, "created": len(plan.records), "skipped": len(plan.skipped),
        "needs_consent": plan.needs_consent, "file_sha256": file_sha256, "mapping": mapping_name or None})
    return batch, plan


# Saved mappings ----------------------------------------------------------------------------


def mapping_templates(session, project, kind=None):
    statement = select(ImportMapping).where(ImportMapping.project_id == project.id)
    if kind is not None:
        statement = statement.where(ImportMapping.kind == ImportKind(kind))
    return list(session.exec(statement.order_by(ImportMapping.kind, ImportMapping.name)))


def get_mapping_template(session, project, template_id):
    found = session.get(ImportMapping, template_id)
    return found if found is not None and found.project_id == project.id else None


def find_mapping_template(session, project, kind, name):
    return session.exec(select(ImportMapping).where(
        ImportMapping.project_id == project.id, ImportMapping.kind == ImportKind(kind),
        ImportMapping.name == clean_line(name))).first()


def save_mapping_template(session, actor, project, kind, name, mapping):
    """Save ``mapping`` under ``name`` for the project's imports of ``kind``; the same name replaces it."""
    name = clean_line(name)
    if not name:
        raise ValidationFailed.on("template_name", N_("Name the mapping, e.g. “Kobo MSC form v3”."))
    if len(name) > MAX_MAPPING_NAME:
        raise ValidationFailed.on("template_name", N_("Keep the name under %(count)d characters.",
                                                                   count=MAX_MAPPING_NAME))
    template = find_mapping_template(session, project, kind, name)
    action = "update" if template is not None else "create"
    template = template or ImportMapping(project_id=project.id, kind=ImportKind(kind), name=name,
                                         created_by_id=actor.user_id)
    template.mapping = {key: mapping.get(key) for key in ("record_table", "source_column", "fields", "defaults")}
    template.updated_at = utcnow()
    session.add(template)
    session.flush()
    record(session, actor, action, "import_mapping", template.id, project_id=project.id,
           details={"name": name, "kind": ImportKind(kind).value})
    return template


def delete_mapping_template(session, actor, project, template):
    session.delete(template)
    session.flush()
    record(session, actor, "delete", "import_mapping", template.id, project_id=project.id,
           details={"name": template.name})


def mapping_for(template, dataset, kind):
    """A saved mapping fitted to this file (columns that are missing here are dropped)."""
    return adapt(template.mapping, dataset, kind)


# History -----------------------------------------------------------------------------------


def get_batch(session, project, batch_id):
    batch = session.get(ImportBatch, batch_id)
    return batch if batch is not None and batch.project_id == project.id else None


def batch_records_statement(batch):
    """The outcomes or stories one import created, in the order of the file's rows."""
    model = Outcome if batch.kind is ImportKind.OUTCOMES else Story
    return (sa.select(model)
            .join(ImportedRecord, model.id == ImportedRecord.object_id)
            .where(ImportedRecord.batch_id == batch.id)
            .order_by(ImportedRecord.id))


def batches_statement(project):
    return (select(ImportBatch).where(ImportBatch.project_id == project.id)
            .order_by(ImportBatch.created_at.desc(), ImportBatch.id.desc()))
