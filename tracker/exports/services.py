"""Exports as a service: choose the sheets for an audience, build the file, and audit it in the caller's transaction.

Donors only ever get the donor audience, whatever they ask for. Every export
writes one ``export`` audit entry naming the audience, format, sheets, row
counts and the ids of the outcomes and stories that left the system.
"""

from tracker.audit.services import record
from tracker.auth.permissions import Role
from tracker.common.errors import ValidationFailed
from tracker.common.messages import N_
from tracker.exports import sheets as tabular_sheets  # noqa: F401 - registers the sheets
from tracker.exports.sheets import ExportScope
from tracker.exports.tabular import AUDIENCES
from tracker.exports.tabular import DONOR
from tracker.exports.tabular import FORMATS
from tracker.exports.tabular import REGISTRY
from tracker.exports.tabular import build_sheet
from tracker.exports.tabular import export_file

# Sheets whose record ids the audit entry lists (sensitive records leaving the system).
AUDITED_IDS = ("outcomes", "stories")


def sheet_choices():
    """``(name, title, description)`` of every registered sheet, in order."""
    return [(spec.name, spec.title, spec.description) for spec in REGISTRY.ordered()]


def audiences_for(role):
    """The audiences a role may export for: donors get the donor version only."""
    return (DONOR,) if Role(role) is Role.DONOR else AUDIENCES


def check_request(role, audience, file_format, sheet_names):
    reasons = []
    if audience not in audiences_for(role):
        reasons.append(("audience", N_("Choose who the export is for.")))
    if file_format not in FORMATS:
        reasons.append(("file_format", N_("Choose XLSX or CSV.")))
    unknown = [name for name in sheet_names if name not in REGISTRY.sheets]
    if not sheet_names or unknown:
        reasons.append(("sheets", N_("Choose at least one kind of record to export.")))
    if reasons:
        raise ValidationFailed(reasons)


def export_records(session, actor, *, fund_id, audience, file_format, sheet_names, member_project_ids=(),
                   project=None, reason=None, granted_project_ids=()):
    """Build the export of ``sheet_names`` for ``audience`` (one project, or the whole fund) and audit it.

    Stories and outcomes are those the permission table lets the requester read:
    through membership only where the rule says so, through ``granted_project_ids``
    (break-the-glass grants) only for the rule's break-the-glass roles.
    ``reason`` is a break-the-glass grant's reason, kept with the audit entry.
    Returns an :class:`tracker.exports.tabular.ExportFile`. Never commits.
    """
    role = actor.role if actor.role in set(Role) else Role.ME.value
    check_request(role, audience, file_format, sheet_names)
    scope = ExportScope(session=session, fund_id=fund_id, audience=audience, role=role,
                        member_project_ids=frozenset(member_project_ids),
                        project_ids=None if project is None else (project.id,),
                        granted_project_ids=frozenset(granted_project_ids))
    specs = [spec for spec in REGISTRY.ordered() if spec.name in sheet_names]
    sheets = [build_sheet(spec, scope, audience) for spec in specs]
    details = {"audience": audience, "format": file_format,
               "rows": {sheet.name: len(sheet.rows) for sheet in sheets}}
    for sheet in sheets:
        if sheet.name in AUDITED_IDS:
            index = next(i for i, column in enumerate(REGISTRY.get(sheet.name).columns_for(audience))
                         if column.key == "id")
            details[f"{sheet.name}_ids"] = [row[index] for row in sheet.rows]
    record(session, actor, "export", "project" if project else "fund", project.id if project else fund_id,
           project_id=project.id if project else None, reason=reason, details=details)
    return export_file(sheets, file_format)
