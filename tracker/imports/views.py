"""Import pages: upload → column mapping → dry-run preview → import, without JavaScript.

Every step is a form posted with its CSRF token and answered with a redirect
(post/redirect/get). The file waits in the database (:mod:`.staging`) between
steps; only its uploader can continue, on the same project. The preview runs
the full dry run; "Import" runs it again inside one transaction and commits
everything or nothing.
"""

from pathlib import Path

from flask import Response
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from wtforms.validators import ValidationError

from tracker.common.countries import country_choices
from tracker.common.errors import ValidationFailed
from tracker.common.messages import N_
from tracker.common.pagination import Page
from tracker.common.pagination import clamp_page_number
from tracker.common.pagination import last_page
from tracker.common.pagination import paginate
from tracker.db import get_session
from tracker.imports import services
from tracker.imports import staging
from tracker.imports.files import FileRejected
from tracker.imports.files import file_type
from tracker.imports.files import limits_from
from tracker.imports.forms import AUTO_CHOICE
from tracker.imports.forms import ActionForm
from tracker.imports.forms import UploadForm
from tracker.imports.forms import fill_mapping_form
from tracker.imports.forms import mapping_form_class
from tracker.imports.forms import mapping_from_form
from tracker.imports.labels import GROUPS
from tracker.imports.labels import KIND_LABELS
from tracker.imports.labels import ORIGIN_LABELS
from tracker.imports.labels import TARGET_LABELS
from tracker.imports.mapping import adapt
from tracker.imports.mapping import mapping_problems
from tracker.imports.models import ImportBatch
from tracker.imports.models import ImportKind
from tracker.imports.sources import column_ref
from tracker.imports.sources import has_automatic_ids
from tracker.imports.summary import dataset_summary
from tracker.imports.summary import summary_dataset
from tracker.imports.template import template_columns
from tracker.imports.template import template_workbook
from tracker.msc.languages import language_choices
from tracker.web import transaction
from tracker.web.access import actor
from tracker.web.access import project_route
from tracker.web.forms import choices
from tracker.web.forms import error_text
from tracker.web.pages import action
from tracker.web.pages import form_page
from tracker.web.requests import id_argument
from tracker.web.requests import page_number

ERRORS_PER_PAGE = 100
ROWS_PER_PAGE = 50


# Helpers -----------------------------------------------------------------------------------


def max_age():
    return current_app.config["IMPORT_UPLOAD_MINUTES"] * 60


def limits():
    return limits_from(current_app.config)


def load_upload(project, token):
    """The current user's upload ``token`` on ``project``; None (with a message) when it is gone."""
    upload = staging.load(get_session(), token, project_id=project.id, user_id=current_user.id,
                          max_age_seconds=max_age())
    if upload is None:
        flash(_("That upload is no longer waiting: it was imported, cancelled or older than %(minutes)d minutes. "
                "Upload the file again.", minutes=current_app.config["IMPORT_UPLOAD_MINUTES"]), "info")
    return upload


def start_url(project):
    return url_for(".start", slug=project.slug)


def list_page(items, number, per_page):
    """A :class:`tracker.common.pagination.Page` over a list already in memory."""
    number = min(number, last_page(len(items), per_page))
    return Page(items=items[(number - 1) * per_page: number * per_page], total=len(items), number=number,
                per_page=per_page)


def default_choices(session, project):
    return {
        "harvest": [(str(item.id), item.title) for item in services.project_harvests(session, project)],
        "cycle": [(str(item.id), item.title) for item in services.project_cycles(session, project)],
        "language": language_choices(),
        "country_code": list(country_choices(str(current_user.language or "en"))),
    }


def column_label(summary_table, header, with_table):
    sample = summary_table["samples"].get(header)
    label = f"{header} · {summary_table['name']}" if with_table else header
    return _("%(column)s (e.g. %(sample)s)", column=label, sample=sample) if sample else label


def with_labels(problems):
    """Mapping problems with the field named as the page names it (the key is for the command line)."""
    return [(key, N_(message.template, **{**message.params, "field": str(TARGET_LABELS.get(key, key))})
             if "field" in getattr(message, "params", {}) else message) for key, message in problems]


def columns_of(summary, names):
    """Column choices of the tables ``names``: the value is ``table::header``."""
    tables = [table for table in summary["tables"] if table["name"] in names]
    return [(column_ref(table["name"], header), column_label(table, header, len(summary["tables"]) > 1))
            for table in tables for header in table["headers"]]


# Upload ------------------------------------------------------------------------------------


def upload_form(session, project):
    form = UploadForm()
    templates = services.mapping_templates(session, project)
    form.template.choices = choices([(0, _("None: suggest a mapping from the column headers"))] + [
        (item.id, f"{item.name} ({KIND_LABELS[item.kind]})") for item in templates])
    return form, templates


@project_route("import.run")
def start(project):
    session = get_session()
    staging.purge_expired(session, max_age())
    form, templates = upload_form(session, project)
    if form.validate_on_submit():
        upload = receive(session, project, form)
        if upload is not None:
            return redirect(url_for(".mapping", slug=project.slug, token=upload.token))
    history = paginate(session, services.batches_statement(project).options(selectinload(ImportBatch.created_by)),
                       page_number(), current_app.config["ITEMS_PER_PAGE"])
    return render_template("imports/start.html", project=project, form=form, templates=templates,
                           history=history, actions=ActionForm(), kind_labels=KIND_LABELS,
                           limits=limits())


def receive(session, project, form):
    """Keep the uploaded file, read it, and prepare the suggested (or saved) mapping; None when refused."""
    kind = ImportKind(form.kind.data)
    storage = form.file.data
    try:
        suffix = file_type(storage.filename)
        upload = staging.store(session, storage.stream, file_name=Path(storage.filename or "").name,
                               suffix=suffix, project_id=project.id, user_id=current_user.id, kind=kind.value,
                               max_bytes=limits().max_bytes)
    except FileRejected as error:
        form.file.errors = [*form.file.errors, error_text(error)]
        return None
    try:
        dataset = read_dataset(session, upload)
    except FileRejected as error:
        staging.discard(session, upload)
        form.file.errors = [*form.file.errors, error_text(error)]
        return None
    template = services.get_mapping_template(session, project, form.template.data) if form.template.data else None
    if template is not None and template.kind is kind:
        upload.mapping, upload.mapping_name = services.mapping_for(template, dataset, kind), template.name
    else:
        if template is not None:
            flash(_("The saved mapping “%(name)s” is for %(kind)s, so a mapping was suggested from the column "
                    "headers instead.", name=template.name, kind=KIND_LABELS[template.kind]), "info")
        upload.mapping = services.suggested_mapping(session, project, dataset, kind)
    upload.extra["summary"] = dataset_summary(dataset)
    staging.save(session, upload)
    return upload


# Mapping -----------------------------------------------------------------------------------


def mapping_form(session, project, upload, dataset, mapping):
    kind = ImportKind(upload.kind)
    form = mapping_form_class(kind, default_choices(session, project))()
    record_table = mapping.get("record_table")
    if dataset.table(record_table) is None:
        record_table = dataset.default_record_table()
    summary = upload.extra["summary"]
    sources = ([AUTO_CHOICE] if has_automatic_ids(dataset) else []) + columns_of(summary, dataset.lineage(record_table))
    tables = [(table["name"], ngettext("%(name)s (%(num)d row)", "%(name)s (%(num)d rows)", table["rows"],
                                       name=table["name"])) for table in summary["tables"]]
    return fill_mapping_form(form, kind, mapping, tables, sources, columns_of(summary, dataset.lineage(record_table)),
                             columns_of(summary, dataset.child_tables(record_table)))


@project_route("import.run")
def mapping(project, token):
    session = get_session()
    upload = load_upload(project, token)
    if upload is None:
        return redirect(start_url(project))
    kind = ImportKind(upload.kind)
    dataset = summary_dataset(upload.extra["summary"])
    current = upload.mapping
    template_id = id_argument("template")
    if request.method == "GET" and template_id:
        template = services.get_mapping_template(session, project, template_id)
        if template is not None and template.kind is kind:
            current, upload.mapping_name = services.mapping_for(template, dataset, kind), template.name
    if request.method == "POST" and request.form.get("action") == "sheet":
        return change_record_table(session, project, upload, dataset)
    return form_page(mapping_form(session, project, upload, dataset, current), "imports/mapping.html",
                     lambda form: keep_mapping(session, project, upload, form, dataset),
                     url_for(".preview", slug=project.slug, token=token),
                     project=project, upload=upload, groups=GROUPS[kind], labels=TARGET_LABELS,
                     origin=ORIGIN_LABELS[dataset.origin], summary=upload.extra["summary"],
                     kind_label=KIND_LABELS[kind], templates=services.mapping_templates(session, project, kind))


def change_record_table(session, project, upload, dataset):
    """Suggest the mapping again for the sheet the user chose as holding one record per row."""
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        abort(400)
    table = request.form.get("record_table")
    if dataset.table(table) is not None:
        upload.mapping = services.suggested_mapping(session, project, dataset, upload.kind, table)
        staging.save(session, upload)
    return redirect(url_for(".mapping", slug=project.slug, token=upload.token))


def keep_mapping(session, project, upload, form, dataset):
    """Keep the chosen mapping with the upload (and as a named mapping if asked); ValidationFailed when unusable."""
    kind = ImportKind(upload.kind)
    chosen = mapping_from_form(form, kind)
    applied = services.find_mapping_template(session, project, kind, request.form.get("applied_template", ""))
    upload.mapping_name = applied.name if applied else upload.mapping_name
    problems = mapping_problems(chosen, dataset, kind)
    if problems:
        raise ValidationFailed([(f"map_{key}" if key in TARGET_LABELS else key, message)
                                for key, message in with_labels(problems)])
    if form.template_name.data:
        template = services.save_mapping_template(session, actor(), project, kind, form.template_name.data, chosen)
        upload.mapping_name = template.name
        flash(_("Mapping saved as “%(name)s”.", name=template.name), "success")
    upload.mapping = adapt(chosen, dataset, kind)
    staging.save(session, upload)


# Preview and import ------------------------------------------------------------------------


def read_dataset(session, upload):
    """Check and read the upload's file (from a private temporary copy); :class:`FileRejected` says why not."""
    with staging.local_copy(session, upload) as path:
        return services.load_dataset(path, upload.file_name, limits())


def usable_dataset(session, upload):
    """The upload's whole dataset; None, with the reason flashed, when the file or the mapping no longer reads."""
    try:
        dataset = read_dataset(session, upload)
    except FileRejected as error:
        flash(error_text(error), "error")
        return None
    problems = mapping_problems(upload.mapping, dataset, ImportKind(upload.kind))
    if problems:
        flash(error_text(ValidationFailed(with_labels(problems))), "error")
        return None
    return dataset


def render_preview(project, upload, plan, dataset):
    errors = list_page(plan.errors, clamp_page_number(request.args.get("errors_page")), ERRORS_PER_PAGE)
    rows = list_page(plan.records, clamp_page_number(request.args.get("rows_page")), ROWS_PER_PAGE)
    kind = ImportKind(upload.kind)
    return render_template("imports/preview.html", project=project, upload=upload, plan=plan, errors=errors,
                           rows=rows, kind=kind.value, kind_label=KIND_LABELS[kind],
                           origin=ORIGIN_LABELS[dataset.origin], actions=ActionForm(), labels=TARGET_LABELS)


@project_route("import.run")
def preview(project, token):
    session = get_session()
    upload = load_upload(project, token)
    if upload is None:
        return redirect(start_url(project))
    dataset = usable_dataset(session, upload)
    if dataset is None:
        return redirect(url_for(".mapping", slug=project.slug, token=token))
    plan = services.dry_run(session, project, dataset, upload.kind, upload.mapping)
    return render_preview(project, upload, plan, dataset)


@project_route("import.run")
def commit(project, token):
    """Import every row or none. Back to the mapping when it no longer reads, to the preview when rows fail."""
    session = get_session()
    upload = load_upload(project, token)
    if upload is None:
        return redirect(start_url(project))
    dataset = usable_dataset(session, upload)
    if dataset is None:
        return redirect(url_for(".mapping", slug=project.slug, token=token))

    done = {}

    def run(_form):
        batch, plan = services.run_import(session, actor(), project, dataset, upload.kind, upload.mapping,
                                          file_name=upload.file_name, file_sha256=upload.sha256,
                                          mapping_name=upload.mapping_name)
        staging.discard(session, upload)
        done["batch"] = batch.id
        flash(imported_message(batch, plan), "success")

    try:
        response = action(ActionForm(), run, start_url(project))
    except services.ImportRefused as refused:
        transaction.rollback()
        flash(ngettext("%(num)d problem was found, so nothing was imported.",
                       "%(num)d problems were found, so nothing was imported.", len(refused.plan.errors)), "error")
        return redirect(url_for(".preview", slug=project.slug, token=token))
    except IntegrityError:
        transaction.rollback()
        flash(_("Another import of the same rows finished while this one ran, so nothing was imported from this "
                "file. Check the preview again."), "error")
        return redirect(url_for(".preview", slug=project.slug, token=token))
    if "batch" in done:
        return redirect(url_for(".batch", slug=project.slug, batch_id=done["batch"]))
    return response


@project_route("import.run")
def batch(project, batch_id):
    """One import: the file, who ran it, and a link to each record it created."""
    session = get_session()
    found = services.get_batch(session, project, batch_id) or abort(404)
    records = paginate(session, services.batch_records_statement(found), page_number(),
                       current_app.config["ITEMS_PER_PAGE"])
    return render_template("imports/batch.html", project=project, batch=found, records=records,
                           kind_label=KIND_LABELS[found.kind])


def imported_message(batch, plan):
    kind = ImportKind(batch.kind)
    created = (ngettext("Imported %(num)d outcome as a draft.", "Imported %(num)d outcomes as drafts.",
                        batch.created_count) if kind is ImportKind.OUTCOMES else
               ngettext("Imported %(num)d story, waiting for its safeguarding review.",
                        "Imported %(num)d stories, waiting for their safeguarding review.", batch.created_count))
    parts = [created]
    if batch.skipped_count:
        parts.append(ngettext("%(num)d row had been imported before and was skipped.",
                              "%(num)d rows had been imported before and were skipped.", batch.skipped_count))
    if plan.needs_consent:
        parts.append(ngettext("%(num)d story needs consent details before anyone outside the team may see it.",
                              "%(num)d stories need consent details before anyone outside the team may see them.",
                              plan.needs_consent))
    return " ".join(parts)


# Templates to fill in ----------------------------------------------------------------------

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template_notes():
    full_date = _("A date as YYYY-MM-DD.")
    return {
        "change_date": _("A date as YYYY-MM-DD; YYYY-MM or YYYY when only the month or the year is known."),
        "collected_on": full_date, "obtained_on": full_date,
        "age_band": _("An age in years, or an age band such as 13-15: only the band is kept."),
        "harvest": _("Leave empty to choose one harvest for every row when you import."),
        "cycle": _("Leave empty to choose one cycle for every row when you import."),
    }


def template_allowed(session, project):
    """The values of the fields this project codes: its harvests, cycles, domains, countries; all languages."""
    cycles = services.project_cycles(session, project)
    domains = list(dict.fromkeys(domain.name for cycle in cycles for domain in cycle.domains))
    return {"harvest": [item.title for item in services.project_harvests(session, project)],
            "cycle": [cycle.title for cycle in cycles], "domain": domains,
            "language": [code for code, _name in language_choices()], "country_code": project.country_codes}


@project_route("import.run")
def download_template(project, kind):
    """A blank XLSX for ``kind``, headers in the reader's language, drop-downs on the coded columns."""
    try:
        kind = ImportKind(kind)
    except ValueError:
        abort(404)
    columns = template_columns(kind, TARGET_LABELS, template_notes(), template_allowed(get_session(), project))
    content = template_workbook(str(KIND_LABELS[kind]), columns,
                                _("Choose one of the values in the list."))
    return Response(content, mimetype=XLSX_MIMETYPE, headers={
        "Content-Disposition": f'attachment; filename="{project.slug}-{kind.value}-template.xlsx"',
        "Cache-Control": "no-store"})


@project_route("import.run")
def cancel(project, token):
    session = get_session()
    upload = staging.load(session, token, project_id=project.id, user_id=current_user.id,
                          max_age_seconds=max_age())
    if upload is not None and ActionForm().validate_on_submit():
        staging.discard(session, upload)
        flash(_("Import cancelled; the uploaded file was deleted."), "info")
    return redirect(start_url(project))


@project_route("import.run")
def delete_template(project, template_id):
    session = get_session()
    template = services.get_mapping_template(session, project, template_id) or abort(404)
    return action(ActionForm(), lambda form: services.delete_mapping_template(session, actor(), project, template),
                  start_url(project), done=_("Saved mapping “%(name)s” deleted.", name=template.name))

