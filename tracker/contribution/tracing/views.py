"""Contribution tracing pages: mechanism components, their evidence, and every stored update step."""

from flask import abort
from flask import url_for
from flask_babel import gettext as _

from tracker.contribution.display import context
from tracker.contribution.display import render
from tracker.contribution.forms import ComponentForm
from tracker.contribution.forms import CtEvidenceForm
from tracker.contribution.loading import claim_or_404
from tracker.contribution.tracing import bayes as tracing
from tracker.contribution.tracing import services as tracing_services
from tracker.db import get_session
from tracker.evidence.services import KIND_LABELS
from tracker.evidence.services import project_items
from tracker.web.access import actor
from tracker.web.access import project_route
from tracker.web.conflicts import stored_record
from tracker.web.forms import choices
from tracker.web.pages import delete_page
from tracker.web.pages import form_page
from tracker.web.visibility import visible_evidence_ids

THRESHOLDS = {"sensitivity": tracing.HIGH_SENSITIVITY, "type1_error": tracing.LOW_TYPE1_ERROR}


def tracing_url(project, claim):
    return url_for("contribution.tracing_page", slug=project.slug, claim_id=claim.id)


def component_or_404(claim, component_id):
    return tracing_services.get_component(get_session(), claim, component_id) or abort(404)


def ct_evidence_or_404(claim, ct_evidence_id):
    return tracing_services.get_ct_evidence(get_session(), claim, ct_evidence_id) or abort(404)


@project_route("contribution.view")
def tracing_page(project, claim_id):
    session = get_session()
    claim = claim_or_404(project, claim_id)
    bands = tracing_services.fund_bands(session, project.fund_id)
    components = tracing_services.tracing_components(session, claim)
    return render("contribution/tracing.html", project, claim=claim, components=components,
                  scale=tracing.scale_rows(bands), figures=tracing_services.claim_figures(components, bands),
                  rule=tracing_services.WEAKEST_LINK_RULE, thresholds=THRESHOLDS,
                  band_of=lambda value: tracing.verbal_band(value, bands),
                  pattern_of=lambda value: tracing_services.figure_pattern(value, bands),
                  history=revisions_by_component(tracing_services.claim_revisions(session, claim.id)),
                  disconfirming=tracing.disconfirming, disconfirming_label=tracing_services.DISCONFIRMING_LABEL,
                  fields=tracing_services.REVISED_FIELD_LABELS,
                  descriptions={item.id: item.description for component in components for item in component.evidence})


def revisions_by_component(revisions):
    """``{component_id: [revision]}``, oldest first."""
    grouped = {}
    for revision in revisions:
        grouped.setdefault(revision.component_id, []).append(revision)
    return grouped


def component_page(project, claim, form, save, component=None):
    return form_page(form, "contribution/component_form.html", save,
                     tracing_url(project, claim), saved=_("Saved; the figures are recomputed."),
                     stored=stored_record(component, form), **context(project, claim=claim, component=component))


def item_history(claim, item):
    """The revisions of one tracing evidence item, oldest first (none for a new item)."""
    if item is None:
        return []
    return [revision for revision in tracing_services.claim_revisions(get_session(), claim.id)
            if revision.ct_evidence_id == item.id]


@project_route("contribution.edit")
def component_create(project, claim_id):
    claim = claim_or_404(project, claim_id)
    return component_page(project, claim, ComponentForm(), lambda form: tracing_services.add_component(
        get_session(), actor(), project, claim, form.data))


@project_route("contribution.edit")
def component_edit(project, claim_id, component_id):
    claim = claim_or_404(project, claim_id)
    component = component_or_404(claim, component_id)
    form = ComponentForm(data={"entity": component.entity, "activity": component.activity,
                               "prior": f"{component.prior:g}", "version": component.version})
    return component_page(project, claim, form, lambda form: tracing_services.update_component(
        get_session(), actor(), project, component, form.data, form.version.data), component)


@project_route("contribution.edit")
def component_delete(project, claim_id, component_id):
    claim = claim_or_404(project, claim_id)
    component = component_or_404(claim, component_id)
    return delete_page(lambda: tracing_services.delete_component(get_session(), actor(), project, component),
                       tracing_url(project, claim),
                       deleted=_("Component deleted; the claim's confidence is recomputed."), thing=component.entity,
                       heading=_("Delete the component “%(entity)s”?", entity=component.entity),
                       consequences=[_("Its %(count)d pieces of evidence and their update steps are deleted too.",
                                       count=len(component.evidence))],
                       cancel=tracing_url(project, claim), **context(project))


def ct_evidence_form(project, **kwargs):
    """The tracing-evidence form; it offers only the evidence items the user may read (not a story's without access)."""
    form = CtEvidenceForm(**kwargs)
    session = get_session()
    form.evidence_id.choices = choices([("", _("None"))] + [
        (item_id, f"{title} ({KIND_LABELS[kind]})")
        for item_id, kind, title in project_items(session, project, visible_evidence_ids(session, project.fund_id))])
    return form


def ct_evidence_page(project, claim, component, form, save, item=None):
    return form_page(form, "contribution/ct_evidence_form.html", save,
                     tracing_url(project, claim),
                     saved=_("Saved; the update steps are recomputed in the order the evidence was recorded."),
                     stored=stored_record(item, form),
                     **context(project, claim=claim, component=component, item=item, thresholds=THRESHOLDS,
                               history=item_history(claim, item), fields=tracing_services.REVISED_FIELD_LABELS,
                               disconfirming_label=tracing_services.DISCONFIRMING_LABEL))


@project_route("contribution.edit")
def ct_evidence_create(project, claim_id, component_id):
    claim = claim_or_404(project, claim_id)
    component = component_or_404(claim, component_id)
    return ct_evidence_page(project, claim, component, ct_evidence_form(project), lambda form: (
        tracing_services.add_ct_evidence(get_session(), actor(), project, component, form.data,
                                         warn_if_disconfirming=True)))


@project_route("contribution.edit")
def ct_evidence_edit(project, claim_id, ct_evidence_id):
    claim = claim_or_404(project, claim_id)
    item = ct_evidence_or_404(claim, ct_evidence_id)
    form = ct_evidence_form(project, data={
        "description": item.description, "sensitivity": f"{item.sensitivity:g}",
        "type1_error": f"{item.type1_error:g}", "observed": item.observed.value, "rationale": item.rationale,
        "evidence_id": item.evidence_id, "version": item.version})
    return ct_evidence_page(project, claim, item.component, form, lambda form: (
        tracing_services.update_ct_evidence(get_session(), actor(), project, item, form.data, form.version.data,
                                            warn_if_disconfirming=True)),
        item)


@project_route("contribution.edit")
def ct_evidence_delete(project, claim_id, ct_evidence_id):
    claim = claim_or_404(project, claim_id)
    item = ct_evidence_or_404(claim, ct_evidence_id)
    return delete_page(lambda: tracing_services.delete_ct_evidence(get_session(), actor(), project, item),
                       tracing_url(project, claim), deleted=_("Evidence deleted; the update steps are recomputed."),
                       thing=item.description, heading=_("Delete this contribution-tracing evidence?"),
                       consequences=[_("The component's update steps and confidence are recomputed without it.")],
                       cancel=tracing_url(project, claim), **context(project))
