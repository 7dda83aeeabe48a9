"""Demo imports: ``seeds/demo/imports/<project-slug>.toml`` imported through the import services.

Each file holds the rows of a KoboToolbox export; the loader writes them to a
workbook shaped as Kobo does (repeat groups on their own sheets), saves the
column mapping under its name and imports the file as the named team member,
so the project's *Import* tab shows a saved mapping and an import in its
history. Loading twice changes nothing: the mapping is found by name and an
import of the same file name is not repeated (its rows would be skipped anyway,
by their Kobo ``_uuid``).
"""

import tempfile
from pathlib import Path

from sqlmodel import select

from tracker.audit.services import Actor
from tracker.imports import services
from tracker.imports.models import ImportBatch
from tracker.seeding import read_section


def write_workbook(path, seed):
    # openpyxl takes a noticeable share of the app's start: imported where a workbook is written.
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = seed["sheet"]
    for row in [seed["headers"], *seed["rows"]]:
        sheet.append(row)
    for repeat in seed.get("repeats", []):
        extra = workbook.create_sheet(repeat["sheet"])
        for row in [repeat["headers"], *repeat["rows"]]:
            extra.append(row)
    workbook.save(path)


def importer(context, email, fallback):
    user = context.get("users", {}).get(email)
    return Actor(user.id, user.email, user.role.value) if user else fallback


def load(session, actor, context):
    for slug, data in read_section(context, "imports"):
        project = context["projects"].get(slug)
        if project is None:
            continue
        seed, kind = data["mapping"], data["mapping"]["kind"]
        who = importer(context, seed.get("imported_by"), actor)
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / data["workbook"]["file_name"]
            write_workbook(path, data["workbook"])
            dataset = services.load_dataset(path, path.name)
            mapping = services.suggested_mapping(session, project, dataset, kind)
            mapping["defaults"].update(seed.get("defaults", {}))
            if services.find_mapping_template(session, project, kind, seed["name"]) is None:
                services.save_mapping_template(session, who, project, kind, seed["name"], mapping)
            done = session.exec(select(ImportBatch).where(ImportBatch.project_id == project.id,
                                                          ImportBatch.file_name == path.name)).first()
            if done is None:
                services.run_import(session, who, project, dataset, kind, mapping, file_name=path.name,
                                    file_sha256=services.file_sha256(path), mapping_name=seed["name"])
