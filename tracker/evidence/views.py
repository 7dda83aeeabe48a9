"""Project pages for evidence items: list, record (per kind), read, edit, attach, download (audited), delete."""

from flask import abort
from flask import current_app
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlmodel import select
from wtforms import SelectChoice

from tracker.auth.permissions import holds_everywhere
from tracker.auth.permissions import may_break_glass
from tracker.common import blobs
from tracker.common.pagination import paginate
from tracker.common.sizes import size_text
from tracker.contribution.models import AlternativeExplanation
from tracker.contribution.models import ContributionClaim
from tracker.contribution.models import CtComponent
from tracker.contribution.models import CtEvidence
from tracker.contribution.models import ExplanationEvidence
from tracker.contribution.services import link_name
from tracker.contribution.services import project_links
from tracker.db import get_session
from tracker.db_types import as_id
from tracker.evidence import services
from tracker.evidence import uploads
from tracker.evidence.forms import AttachForm
from tracker.evidence.forms import EvidenceFilterForm
from tracker.evidence.forms import EvidenceForm
from tracker.evidence.models import EvidenceKind
from tracker.evidence.sharing import DERIVED_KINDS
from tracker.indicators.models import IndicatorPeriod
from tracker.msc.models import Story
from tracker.outcomes.models import Outcome
from tracker.web.access import actor
from tracker.web.access import project_route
from tracker.web.access import record_shown
from tracker.web.access import sensitive_scope
from tracker.web.downloads import stored_file_response
from tracker.web.forms import ConfirmForm
from tracker.web.forms import choices
from tracker.web.pages import action
from tracker.web.pages import delete_page
from tracker.web.pages import form_page
from tracker.web.requests import filter_value
from tracker.web.requests import page_number
from tracker.web.visibility import visible_evidence_ids

# What the main text field is called for each kind, and which fields its form shows.
SUMMARY_LABELS = {EvidenceKind.INTERVIEW: _l("Interview note"), EvidenceKind.OBSERVATION: _l("Observation note")}
KIND_FIELDS = {
    EvidenceKind.OUTCOME: ("outcome_id", "title", "summary"),
    EvidenceKind.STORY: ("story_id", "title", "summary"),
    EvidenceKind.INDICATOR_RESULT: ("period_id", "title", "summary"),
    EvidenceKind.DOCUMENT: ("file", "title", "summary", "source", "collected_on"),
    EvidenceKind.WEB_LINK: ("url", "title", "summary", "source", "collected_on"),
    EvidenceKind.INTERVIEW: ("title", "summary", "source", "collected_on"),
    EvidenceKind.OBSERVATION: ("title", "summary", "source", "collected_on"),
}


def require_reader(session, project, permission):
    """Go on only if the user reads the project's stories (outcomes) under ``permission``.

    An administrator is sent to the break-the-glass form (on GET), as on story pages; anyone else gets 404.
    """
    if holds_everywhere(current_user.role, permission) or project.id in sensitive_scope(session, permission):
        return
    if request.method == "GET" and may_break_glass(current_user.role, permission):
        abort(redirect(url_for("breakglass.request_access", slug=project.slug, next=request.full_path)))
    abort(404)


def item_or_404(project, item_id):
    """The item, if the user may see it: one standing for a story or an outcome only where they may read that."""
    session = get_session()
    item = services.get_item(session, project, item_id, visible_evidence_ids(session, project.fund_id))
    if item is not None:
        return item
    hidden = services.get_item(session, project, item_id) or abort(404)
    if hidden.kind in DERIVED_KINDS:
        require_reader(session, project, DERIVED_KINDS[hidden.kind])
    abort(404)


def audit_derived(session, items, where):
    """Audit the items on a page that copy a story's or an outcome's text, as reads of that protected text."""
    for kind, permission in DERIVED_KINDS.items():
        record_shown(session, "evidence_item", permission, [item for item in items if item.kind == kind], where)


def item_url(project, item):
    return url_for(".evidence_detail", slug=project.slug, item_id=item.id)


def target_choices(session, project):
    """Every link and assumption of the project's ToC, grouped, as ``link-ID`` / ``assumption-ID`` choices."""
    links, titles = project_links(session, project)
    options = [SelectChoice("", _("Choose a link or an assumption"))]
    for link in links:
        name = link_name(link, titles)
        options.append(SelectChoice(f"link-{link.id}", name, optgroup=_("Links")))
        options += [SelectChoice(f"assumption-{item.id}", f"{name}: {item.text}", optgroup=_("Assumptions"))
                    for item in link.assumptions]
    return options


def target_names(session, project):
    """``{("link", id): name, ("assumption", id): name}`` for showing attachments."""
    links, titles = project_links(session, project)
    names = {}
    for link in links:
        names[("link", link.id)] = link_name(link, titles)
        names.update({("assumption", item.id): (link_name(link, titles), item.text, item.status)
                      for item in link.assumptions})
    return names


def source_options(session, project, kind):
    if kind is EvidenceKind.OUTCOME:
        return [(row[0], f"{row[2] or _('Outcome')}: {row[3][:140]}")
                for row in services.outcome_choices(session, project)]
    if kind is EvidenceKind.STORY:
        return [(row[0], row[1]) for row in services.story_choices(session, project)]
    words = {"narrative": _("narrative result"), "provisional": _("provisional"), "approved": _("approved")}
    return [(period.id, services.result_title(period, indicator, reported, words))
            for period, indicator, reported in services.reportable_periods(session, project)]


def evidence_form(session, project, kind, **kwargs):
    form = EvidenceForm(**kwargs)
    if kind in services.SOURCE_FIELDS:
        field = form[services.SOURCE_FIELDS[kind]]
        field.choices = choices([("", _("Choose one"))] + source_options(session, project, kind))
        form.title.description = _("Leave empty to use the record's own title.")
    if kind is EvidenceKind.DOCUMENT:
        form.title.description = _("Leave empty to use the file's name.")
        form.file.render_kw = {"accept": ",".join(uploads.EXTENSIONS)}
        form.file.description = _("PDF, Word (.docx), Excel (.xlsx), PNG, JPEG or plain text, up to %(size)s. "
                                  "Photos are stored without their metadata (EXIF).",
                                  size=size_text(current_app.config["EVIDENCE_UPLOAD_MAX_BYTES"]))
    if kind in SUMMARY_LABELS:
        form.summary.label.text = SUMMARY_LABELS[kind]
        form.summary.description = _("What was said or seen, by whom (a role, not a name), when and where.")
    form.target.choices = target_choices(session, project)
    return form


def read_upload(field):
    """``(filename, bytes)`` of the uploaded file, reading at most one byte more than the limit."""
    storage = field.data
    if not storage or not getattr(storage, "filename", ""):
        return None
    return storage.filename, storage.read(current_app.config["EVIDENCE_UPLOAD_MAX_BYTES"] + 1)


# The list and the record ----------------------------------------------------------------------------


@project_route("evidence.view")
def evidence_list(project):
    session = get_session()
    filters = EvidenceFilterForm(request.args)
    filters.validate()
    statement = services.evidence_statement(project, filter_value(filters.kind),
                                            visible_evidence_ids(session, project.fund_id),
                                            attached={"yes": True, "no": False}.get(filter_value(filters.attached)),
                                            words=filter_value(filters.words) or "")
    page = paginate(session, statement, page_number(), current_app.config["ITEMS_PER_PAGE"])
    audit_derived(session, page.items, "evidence list")
    return render_template("evidence/list.html", project=project, page=page, filters=filters,
                           kind_labels=services.KIND_LABELS, strength_labels=services.STRENGTH_LABELS)


def prefilled(session, project, kind):
    """What the page that sent the user here chose: the record the item stands for, and the link it supports.

    Outcome and story pages name their record (``outcome_id``, ``story_id``); an indicator's page names the
    indicator (``indicator_id``), whose latest reported period is chosen; a claim names a link (``target``).
    """
    data = {"target": request.args.get("target", "")}
    field = services.SOURCE_FIELDS.get(kind)
    if field:
        data[field] = as_id(request.args.get(field))
    if kind is EvidenceKind.INDICATOR_RESULT and not data[field] and as_id(request.args.get("indicator_id")):
        data[field] = services.latest_result_period(session, project, as_id(request.args.get("indicator_id")))
    return data


@project_route("evidence.edit")
def evidence_create(project):
    session = get_session()
    try:
        kind = EvidenceKind(request.args.get("kind", ""))
    except ValueError:
        return render_template("evidence/choose_kind.html", project=project, kind_labels=services.KIND_LABELS,
                               target=request.args.get("target", ""))
    if kind in DERIVED_KINDS:
        require_reader(session, project, DERIVED_KINDS[kind])
    return form_page(
        evidence_form(session, project, kind, data=prefilled(session, project, kind)), "evidence/form.html",
        lambda form: services.create_item(session, actor(), project, kind, form.data, upload=read_upload(form.file),
                                          max_bytes=current_app.config["EVIDENCE_UPLOAD_MAX_BYTES"]),
        lambda item: item_url(project, item), saved=_("Evidence recorded."),
        project=project, kind=kind, item=None, fields=KIND_FIELDS[kind], kind_labels=services.KIND_LABELS)


def uses_of(session, item):
    """Where the item is used beyond its attachments: tracing evidence and explanations, with their claims."""
    tracing = session.exec(select(CtEvidence, CtComponent.entity, ContributionClaim)
                           .join(CtComponent, CtComponent.id == CtEvidence.component_id)
                           .join(ContributionClaim, ContributionClaim.id == CtComponent.claim_id)
                           .where(CtEvidence.evidence_id == item.id)).all()
    explanations = session.exec(select(ExplanationEvidence, AlternativeExplanation, ContributionClaim)
                                .join(AlternativeExplanation,
                                      AlternativeExplanation.id == ExplanationEvidence.explanation_id)
                                .join(ContributionClaim, ContributionClaim.id == AlternativeExplanation.claim_id)
                                .where(ExplanationEvidence.evidence_id == item.id)).all()
    return tracing, explanations


def source_of(session, item):
    """The outcome, story or indicator period the item stands for (None if deleted or not applicable)."""
    if item.outcome_id:
        return session.get(Outcome, item.outcome_id)
    if item.story_id:
        return session.get(Story, item.story_id)
    if item.period_id:
        return session.get(IndicatorPeriod, item.period_id)
    return None


def attach_form(session, project):
    form = AttachForm()
    form.target.choices = target_choices(session, project)
    return form


def detail_context(session, project, item):
    """What the item's page shows besides its attach form."""
    tracing, explanations = uses_of(session, item)
    return {"project": project, "item": item, "names": target_names(session, project),
            "source": source_of(session, item), "tracing": tracing, "explanations": explanations,
            "kind_labels": services.KIND_LABELS, "strength_labels": services.STRENGTH_LABELS}


@project_route("evidence.view")
def evidence_detail(project, item_id):
    session = get_session()
    item = item_or_404(project, item_id)
    if item.kind in DERIVED_KINDS:
        audit_derived(session, [item], "evidence item")
    else:
        services.read_item(session, actor(), item)
    return render_template("evidence/detail.html", form=attach_form(session, project),
                           **detail_context(session, project, item))


@project_route("evidence.edit")
def evidence_attach(project, item_id):
    """The attach form of the item's page: a problem shows that page again with the reason."""
    session = get_session()
    item = item_or_404(project, item_id)
    return form_page(attach_form(session, project), "evidence/detail.html",
                     lambda form: services.attach(session, actor(), project, item, form.data),
                     item_url(project, item), saved=_("Evidence attached."), **detail_context(session, project, item))


@project_route("evidence.edit")
def attachment_delete(project, attachment_id):
    session = get_session()
    attachment = services.get_attachment(session, project, attachment_id) or abort(404)
    return action(ConfirmForm(), lambda form: services.detach(session, actor(), project, attachment),
                  url_for(".evidence_detail", slug=project.slug, item_id=attachment.evidence_id),
                  done=_("Attachment removed."))


def item_values(item):
    return {name: getattr(item, name) for name in services.EDITABLE_FIELDS}


@project_route("evidence.edit")
def evidence_edit(project, item_id):
    session = get_session()
    item = item_or_404(project, item_id)
    form = evidence_form(session, project, item.kind, data={**item_values(item), "version": item.version})
    fields = tuple(name for name in KIND_FIELDS[item.kind] if name in services.EDITABLE_FIELDS)
    return form_page(
        form, "evidence/form.html",
        lambda form: services.update_item(session, actor(), project, item, form.data, form.version.data),
        item_url(project, item), saved=_("Evidence saved."),
        stored=lambda: ({name: value for name, value in item_values(item).items() if name in fields}, item.version),
        project=project, kind=item.kind, item=item, fields=fields, kind_labels=services.KIND_LABELS)


def deletion_consequences(session, item):
    tracing, explanations = uses_of(session, item)
    consequences = [_("It no longer supports the %(count)d links and assumptions it is attached to.",
                      count=len(item.attachments))]
    if explanations:
        consequences.append(_("It is removed from %(count)d influencing factors or alternative explanations.",
                              count=len(explanations)))
    if tracing:
        consequences.append(_("%(count)d pieces of contribution-tracing evidence keep their figures but no longer "
                              "point to it.", count=len(tracing)))
    if item.has_file:
        consequences.append(_("Its file is deleted from the server."))
    return consequences


@project_route("evidence.edit")
def evidence_delete(project, item_id):
    session = get_session()
    item = item_or_404(project, item_id)
    return delete_page(lambda: services.delete_item(session, actor(), project, item),
                       url_for(".evidence_list", slug=project.slug), deleted=_("Evidence deleted."),
                       thing=item.title, heading=_("Delete the evidence “%(title)s”?", title=item.title),
                       cancel=item_url(project, item), consequences=deletion_consequences(session, item),
                       project=project)


@project_route("evidence.view")
def evidence_download(project, item_id):
    """Serve the item's file as an attachment only, never inline, and audit the download."""
    session = get_session()
    item = item_or_404(project, item_id)
    if not item.has_file:
        abort(404)
    stored = blobs.describe(session, item.stored_name) or abort(404)
    services.read_document(session, actor(), item)
    response = stored_file_response(stored, item.content_type, item.file_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
