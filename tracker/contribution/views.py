"""Contribution claims: list, build, read, step through Mayne's six steps, explanations and the contribution story.

Contribution tracing pages are in :mod:`tracker.contribution.tracing.views`, the evidence map,
the portfolio coverage and the verbal scale in :mod:`tracker.contribution.map_views`.
"""

from flask import abort
from flask import current_app
from flask import flash
from flask import url_for
from flask_babel import gettext as _

from tracker.common.pagination import paginate
from tracker.contribution import rules
from tracker.contribution import services
from tracker.contribution.display import context
from tracker.contribution.display import render
from tracker.contribution.forms import ClaimForm
from tracker.contribution.forms import ExplanationEvidenceForm
from tracker.contribution.forms import ExplanationForm
from tracker.contribution.forms import StepForm
from tracker.contribution.forms import StoryForm
from tracker.contribution.loading import claim_or_404
from tracker.contribution.outline import claim_chain
from tracker.contribution.tracing import services as tracing_services
from tracker.db import get_session
from tracker.evidence.services import KIND_LABELS
from tracker.evidence.services import project_items
from tracker.toc import services as toc_services
from tracker.web.access import actor
from tracker.web.access import project_route
from tracker.web.conflicts import stored_record
from tracker.web.forms import ConfirmForm
from tracker.web.forms import choices
from tracker.web.pages import action
from tracker.web.pages import delete_page
from tracker.web.pages import form_page
from tracker.web.requests import page_number
from tracker.web.visibility import visible_evidence_ids


def claim_url(project, claim, **anchor):
    return url_for("contribution.claim_detail", slug=project.slug, claim_id=claim.id, **anchor)


# Claims ------------------------------------------------------------------------------------------


@project_route("contribution.view")
def claim_list(project):
    session = get_session()
    page = paginate(session, services.claims_statement(project), page_number(), current_app.config["ITEMS_PER_PAGE"])
    figures = tracing_services.claims_figures(session, page.items, project.fund_id)
    judgements = {claim.id: services.confidence_judgement(claim) for claim in page.items}
    return render("contribution/list.html", project, page=page, figures=figures, judgements=judgements)


def claim_form(session, project, **kwargs):
    links, titles = services.project_links(session, project)
    form = ClaimForm(**kwargs)
    return form.set_choices(services.claimable_nodes(session, project),
                            [(link.id, services.link_name(link, titles)) for link in links],
                            toc_services.level_labels(session, project.fund_id))


def claim_values(claim):
    values = {name: getattr(claim, name) for name in services.CLAIM_FIELDS}
    values = {name: value.value if hasattr(value, "value") else value for name, value in values.items()}
    slots = [item.link_id for item in claim.pathway]
    values.update({f"link_{number}": slots[number - 1] if number <= len(slots) else None
                   for number in range(1, rules.MAX_PATHWAY_LINKS + 1)})
    return values


@project_route("contribution.edit")
def claim_create(project):
    session = get_session()
    return form_page(claim_form(session, project), "contribution/claim_form.html",
                     lambda form: services.create_claim(session, actor(), project, form.values()),
                     lambda claim: claim_url(project, claim),
                     saved=_("Claim saved at step 1. Record its influencing factors and alternative explanations, "
                             "and the evidence for each link."),
                     **context(project, claim=None))


@project_route("contribution.view")
def claim_detail(project, claim_id):
    session = get_session()
    claim = claim_or_404(project, claim_id)
    chain = claim_chain(session, claim)
    return render("contribution/detail.html", project, claim=claim, chain=chain,
                  checklist=services.gate_checklist(session, project, claim),
                  judgement=services.confidence_judgement(claim),
                  rivals=services.alternative_explanations(claim), factors=services.influencing_factors(claim),
                  latest=services.latest_story(session, claim), rule=tracing_services.WEAKEST_LINK_RULE)


def next_step(claim):
    index = rules.STEPS.index(claim.step)
    return rules.STEPS[index + 1] if index + 1 < len(rules.STEPS) else None


@project_route("contribution.edit")
def claim_edit(project, claim_id):
    session = get_session()
    claim = claim_or_404(project, claim_id)
    form = claim_form(session, project, data={**claim_values(claim), "version": claim.version})
    return form_page(form, "contribution/claim_form.html",
                     lambda form: services.update_claim(session, actor(), project, claim, form.values(),
                                                        form.version.data),
                     claim_url(project, claim), saved=_("Claim saved."),
                     stored=lambda: (claim_values(claim), claim.version), **context(project, claim=claim))


@project_route("contribution.edit")
def claim_step(project, claim_id):
    """Move the claim along Mayne's steps; a blocked move lists everything still missing."""
    session = get_session()
    claim = claim_or_404(project, claim_id)
    upcoming = next_step(claim)
    form = StepForm(data={"step": (upcoming or claim.step).value, "version": claim.version})

    def move(form):
        services.move_step(session, actor(), project, claim, form.step.data, form.version.data)
        flash(_("The claim is now at step %(step)s.", step=services.STEP_LABELS[claim.step]), "success")

    return form_page(form, "contribution/step.html", move, claim_url(project, claim),
                     stored=lambda: ({"step": claim.step.value}, claim.version),
                     **context(project, claim=claim, checklist=services.gate_checklist(session, project, claim)))


@project_route("contribution.edit")
def claim_delete(project, claim_id):
    session = get_session()
    claim = claim_or_404(project, claim_id)
    return delete_page(
        lambda: services.delete_claim(session, actor(), project, claim), url_for(".claim_list", slug=project.slug),
        deleted=_("Claim deleted."), thing=claim.title, heading=_("Delete the claim “%(title)s”?", title=claim.title),
        consequences=[_("Its pathway, influencing factors and alternative explanations, contribution-tracing "
                        "figures and every revision of its contribution story are deleted."),
                      _("The evidence items stay, attached to their links and assumptions.")],
        cancel=claim_url(project, claim), project=project)


# Influencing factors and alternative explanations ------------------------------------------------


def explanation_or_404(project, claim, explanation_id):
    explanation = services.get_explanation(get_session(), project, explanation_id)
    if explanation is None or explanation.claim_id != claim.id:
        abort(404)
    return explanation


def explanation_form(session, project, **kwargs):
    form = ExplanationForm(**kwargs)
    form.external_factor_id.choices = choices([("", _("None"))] + [
        (factor_id, f"{node_title}: {text}") for factor_id, text, node_title in services.project_factors(session,
                                                                                                         project)])
    return form


def explanation_page(session, project, claim, form, explanation=None):
    return form_page(form, "contribution/explanation_form.html",
                     lambda form: services.save_explanation(session, actor(), project, claim, form.data, explanation,
                                                            form.version.data),
                     claim_url(project, claim, _anchor="explanations"), saved=_("Saved."),
                     stored=stored_record(explanation, form), **context(project, claim=claim, explanation=explanation))


@project_route("contribution.edit")
def explanation_create(project, claim_id):
    session = get_session()
    claim = claim_or_404(project, claim_id)
    return explanation_page(session, project, claim, explanation_form(session, project))


@project_route("contribution.edit")
def explanation_edit(project, claim_id, explanation_id):
    session = get_session()
    claim = claim_or_404(project, claim_id)
    explanation = explanation_or_404(project, claim, explanation_id)
    return explanation_page(session, project, claim, explanation_form(session, project, obj=explanation),
                            explanation)


@project_route("contribution.edit")
def explanation_delete(project, claim_id, explanation_id):
    session = get_session()
    claim = claim_or_404(project, claim_id)
    explanation = explanation_or_404(project, claim, explanation_id)
    return delete_page(lambda: services.delete_explanation(session, actor(), project, explanation),
                       claim_url(project, claim, _anchor="explanations"), deleted=_("Deleted."),
                       thing=explanation.text, heading=_("Delete this explanation?"),
                       cancel=claim_url(project, claim), project=project)


@project_route("contribution.edit")
def explanation_evidence(project, claim_id, explanation_id):
    session = get_session()
    claim = claim_or_404(project, claim_id)
    explanation = explanation_or_404(project, claim, explanation_id)
    form = ExplanationEvidenceForm()
    form.evidence_id.choices = choices([("", _("Choose an evidence item"))] + [
        (item_id, f"{title} ({KIND_LABELS[kind]})")
        for item_id, kind, title in project_items(session, project, visible_evidence_ids(session, project.fund_id))])
    return form_page(form, "contribution/explanation_evidence.html",
                     lambda form: services.attach_explanation_evidence(session, actor(), project, explanation,
                                                                       form.data),
                     claim_url(project, claim, _anchor="explanations"),
                     saved=_("Evidence recorded for the explanation."),
                     **context(project, claim=claim, explanation=explanation))


@project_route("contribution.edit")
def explanation_evidence_delete(project, claim_id, link_id):
    session = get_session()
    claim = claim_or_404(project, claim_id)
    link = services.get_explanation_evidence(session, project, link_id)
    if link is None or link.explanation.claim_id != claim.id:
        abort(404)
    return action(ConfirmForm(), lambda form: services.detach_explanation_evidence(session, actor(), project, link),
                  claim_url(project, claim, _anchor="explanations"), done=_("Evidence removed from the explanation."))


# The contribution story ------------------------------------------------------------------------------


@project_route("contribution.view")
def story(project, claim_id):
    """The latest contribution story, the outline generated from the chain, and the list of revisions."""
    session = get_session()
    claim = claim_or_404(project, claim_id)
    page = paginate(session, services.story_revisions_statement(claim), page_number(),
                    current_app.config["ITEMS_PER_PAGE"])
    return render("contribution/story.html", project, claim=claim, revision=services.latest_story(session, claim),
                  page=page, chain=claim_chain(session, claim), rule=tracing_services.WEAKEST_LINK_RULE,
                  may_write=services.may_write_story(claim))


@project_route("contribution.view")
def story_revision(project, claim_id, number):
    session = get_session()
    claim = claim_or_404(project, claim_id)
    revision = services.get_story_revision(session, claim, number) or abort(404)
    latest = services.latest_story(session, claim)
    return render("contribution/story_revision.html", project, claim=claim, revision=revision, latest=latest)


@project_route("contribution.edit")
def story_edit(project, claim_id):
    """Write the next revision; if someone saved one meanwhile, show both and keep this author's text."""
    session = get_session()
    claim = claim_or_404(project, claim_id)
    latest = services.latest_story(session, claim)
    form = StoryForm(data={"based_on": latest.number if latest else 0, "narrative": latest.narrative if latest else ""})

    def saved_meanwhile():
        current = services.latest_story(session, claim)
        form.based_on.data = current.number if current else 0
        return render("contribution/story_form.html", project, claim=claim, form=form, latest=current,
                      conflict_revision=current), 409

    return form_page(form, "contribution/story_form.html",
                     lambda form: services.save_story(session, actor(), project, claim, form.data,
                                                      form.based_on.data),
                     url_for(".story", slug=project.slug, claim_id=claim.id),
                     saved=_("Contribution story saved as a new revision; the earlier ones are kept."),
                     on_conflict=saved_meanwhile,
                     **context(project, claim=claim, latest=latest, conflict_revision=None))
