from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.common.countries import country_choices
from tracker.common.pagination import paginate
from tracker.db import get_session
from tracker.outcomes import labels
from tracker.outcomes import services
from tracker.outcomes import smart
from tracker.outcomes import workflow
from tracker.outcomes.forms import AcknowledgementForm
from tracker.outcomes.forms import HarvestForm
from tracker.outcomes.forms import OutcomeFilterForm
from tracker.outcomes.forms import OutcomeForm
from tracker.outcomes.forms import StatusForm
from tracker.outcomes.forms import SubstantiationForm
from tracker.outcomes.forms import SubstantiatorForm
from tracker.outcomes.labels import choices_for
from tracker.outcomes.models import ChangeType
from tracker.outcomes.models import Intention
from tracker.outcomes.models import OutcomeStatus
from tracker.outcomes.models import Valence
from tracker.outcomes.sharing import donor_view
from tracker.outcomes.sharing import outcomes_visible_to
from tracker.web.access import actor
from tracker.web.access import project_route
from tracker.web.access import record_sensitive_read
from tracker.web.access import record_shown
from tracker.web.access import sensitive_project_route
from tracker.web.access import sensitive_scope
from tracker.web.conflicts import stored_record
from tracker.web.forms import choices
from tracker.web.pages import action
from tracker.web.pages import form_page
from tracker.web.pages import refuse
from tracker.web.requests import filter_value
from tracker.web.requests import is_donor
from tracker.web.requests import language
from tracker.web.requests import page_number


def visible_outcomes(project):
    """The SELECT of the outcomes the current user may see (donors: the donor rule)."""
    return outcomes_visible_to(current_user.role, sensitive_scope(get_session(), "outcome.view"), project.fund_id)


# Outcomes ----------------------------------------------------------------------------


def filter_form(session, project):
    form = OutcomeFilterForm(request.args)
    form.status.choices = choices([("", _("All statuses")), *choices_for(OutcomeStatus)])
    form.harvest.choices = choices([(0, _("All harvests"))] + [
        (harvest.id, harvest.title) for harvest in services.project_harvests(session, project)])
    form.change_type.choices = choices([("", _("All types")), *choices_for(ChangeType)])
    form.valence.choices = choices([("", _("Positive and negative")), *choices_for(Valence)])
    form.intention.choices = choices([("", _("Intended and unintended")), *choices_for(Intention)])
    form.validate()
    return form


@sensitive_project_route("outcome.view")
def outcome_list(project):
    session = get_session()
    filters = filter_form(session, project)
    statement = services.outcome_list_statement(
        visible_outcomes(project), project, status=filter_value(filters.status),
        harvest_id=filter_value(filters.harvest), change_type=filter_value(filters.change_type),
        valence=filter_value(filters.valence), intention=filter_value(filters.intention))
    page = paginate(session, statement, page_number(), current_app.config["ITEMS_PER_PAGE"])
    record_shown(session, "outcome", "outcome.view", page.items, "outcome list")
    standings = {outcome.id: services.outcome_standing(outcome) for outcome in page.items}
    return render_template("outcomes/list.html", project=project, page=page, filters=filters, donor=is_donor(),
                           standings=standings)


def outcome_form(session, project, **kwargs):
    form = OutcomeForm(**kwargs)
    form.harvest_id.choices = choices((h.id, h.title) for h in services.project_harvests(session, project))
    form.country_code.choices = choices([("", _("Not set")), *country_choices(language())])
    form.toc_node_ids.choices = choices(
        (node.id, f"{node.title} ({node.level.value.replace('_', ' ')})")
        for node in services.toc_nodes(session, project))
    return form


def smart_prompts(form, session, project):
    harvest = services.get_harvest(session, project, form.harvest_id.data) if form.harvest_id.data else None
    period = (harvest.period_start, harvest.period_end) if harvest else None
    return smart.prompts(form.data, period)


@project_route("outcome.edit")
def outcome_create(project):
    session = get_session()
    form = outcome_form(session, project, data={"country_code": project.country_codes[0]})
    if not form.harvest_id.choices:
        flash(_("Start a harvest first: every outcome belongs to a harvest."), "info")
        return redirect(url_for(".harvest_form", slug=project.slug))
    return form_page(
        form, "outcomes/form.html",
        save=lambda form: services.create_outcome(session, actor(), project, form.values()),
        next_url=lambda outcome: outcome_url(project, outcome), saved=_("Outcome saved as a draft."),
        project=project, outcome=None,
        prompts=smart_prompts(form, session, project) if request.method == "POST" else [])


def outcome_url(project, outcome):
    return url_for(".outcome_detail", slug=project.slug, outcome_id=outcome.id)


def load_outcome(session, project, outcome_id):
    outcome = services.get_outcome(session, project, outcome_id, base=visible_outcomes(project))
    if outcome is None:
        refuse(lambda: services.deny_read(session, actor(), "outcome", outcome_id, project_id=project.id))
    return outcome


@sensitive_project_route("outcome.view")
def outcome_detail(project, outcome_id):
    session = get_session()
    outcome = load_outcome(session, project, outcome_id)
    record_sensitive_read(session, "outcome", outcome.id, project)
    if is_donor():
        return render_template("outcomes/donor_detail.html", project=project, outcome=donor_view(outcome),
                               summary=services.substantiation_summary(outcome, for_donor=True))
    back, forward = workflow.neighbours(outcome.status)
    moves = [(target, labels.BACK_LABELS[target] if target is back else labels.MOVE_LABELS[target])
             for target in (back, forward)
             if target is not None and current_user.can(workflow.permission_for(outcome.status, target), project)]
    period = (outcome.harvest.period_start, outcome.harvest.period_end)
    record = {name: getattr(outcome, name) for name in ("description", "social_actor", "change_date", "country_code",
                                                         "area", "sources", "contribution", "significance")}
    return render_template(
        "outcomes/detail.html", project=project, outcome=outcome, moves=moves, status_form=StatusForm(),
        summary=services.substantiation_summary(outcome), prompts=smart.prompts(record, period),
        criteria=smart.CRITERIA, gate=workflow.gate_problems(record), steps=workflow.ORDER)


@project_route("outcome.edit")
def outcome_edit(project, outcome_id):
    session = get_session()
    outcome = load_outcome(session, project, outcome_id)
    stored = OutcomeForm.data_from(outcome)
    form = outcome_form(session, project, data=stored)
    if request.method == "GET":
        services.read_outcome(session, actor(), outcome)
    was = outcome.status

    def save(form):
        services.update_outcome(session, actor(), project, outcome, form.values(), form.version.data)
        if outcome.status is not was:
            flash(_("The wording changed after substantiation, so the outcome went back to substantiation. "
                    "The earlier verdicts stay on the record."), "info")

    return form_page(
        form, "outcomes/form.html", save, outcome_url(project, outcome), saved=_("Outcome saved."),
        stored=lambda: ({k: v for k, v in stored.items() if k != "version"}, outcome.version),
        project=project, outcome=outcome, prompts=smart_prompts(form, session, project))


@project_route("outcome.edit")
def outcome_status(project, outcome_id):
    session = get_session()
    outcome = load_outcome(session, project, outcome_id)
    form = StatusForm()
    target = OutcomeStatus(form.target.data) if form.validate_on_submit() else abort(400)
    if not current_user.can(workflow.permission_for(outcome.status, target), project):
        abort(404)
    return action(form, lambda form: services.change_outcome_status(session, actor(), outcome, target,
                                                                    form.version.data),
                  outcome_url(project, outcome),
                  done=_("Status changed to “%(status)s”.", status=labels.LABELS[target]),
                  conflict=_("Someone else changed this outcome meanwhile; here it is as it is now."))


@project_route("outcome.substantiate")
def substantiation_create(project, outcome_id):
    session = get_session()
    outcome = load_outcome(session, project, outcome_id)
    form = SubstantiationForm()
    taken = {item.substantiator_id for item in outcome.substantiations
             if item.wording_revision == outcome.wording_revision}
    form.substantiator_id.choices = choices(
        (person.id, f"{person.name}{'' if person.is_independent else ' — ' + _('not independent')}")
        for person in services.project_substantiators(session, project) if person.id not in taken)
    return form_page(form, "outcomes/substantiation_form.html",
                     lambda form: services.record_substantiation(session, actor(), project, outcome, form.data),
                     outcome_url(project, outcome), saved=_("Verdicts recorded."), project=project, outcome=outcome)


@project_route("outcome.substantiate")
def acknowledgement_create(project, outcome_id, substantiation_id):
    session = get_session()
    outcome = load_outcome(session, project, outcome_id)
    item = next((row for row in outcome.substantiations if row.id == substantiation_id), None) or abort(404)
    return form_page(
        AcknowledgementForm(), "outcomes/acknowledgement_form.html",
        lambda form: services.acknowledge_disagreement(session, actor(), project, outcome, item.id,
                                                       form.reason.data, current_user.display_name),
        outcome_url(project, outcome), saved=_("Disagreement acknowledged."), project=project, outcome=outcome,
        item=item)


# Harvests ----------------------------------------------------------------------------


@project_route("outcome.edit")
def harvest_list(project):
    session = get_session()
    page = paginate(session, services.harvests_statement(project), page_number(),
                    current_app.config["ITEMS_PER_PAGE"])
    return render_template("outcomes/harvests.html", project=project, page=page)


@project_route("outcome.edit")
def harvest_form(project, harvest_id):
    session = get_session()
    harvest = None
    if harvest_id is not None:
        harvest = services.get_harvest(session, project, harvest_id) or abort(404)
    fields = ("title", "period_start", "period_end", "questions", "intended_uses")
    stored = {name: getattr(harvest, name) for name in fields} | {"step": harvest.step.value} if harvest else {}
    form = HarvestForm(data={**stored, "version": harvest.version} if harvest else {
        "period_start": project.start_date, "period_end": project.end_date})
    return form_page(form, "outcomes/harvest_form.html",
                     lambda form: services.save_harvest(session, actor(), project, form.data, harvest,
                                                        form.version.data),
                     url_for(".harvest_list", slug=project.slug), saved=_("Harvest saved."),
                     stored=lambda: (stored, harvest.version), project=project, harvest=harvest)


# Substantiators ------------------------------------------------------------------------


@project_route("outcome.edit")
def substantiator_list(project):
    session = get_session()
    page = paginate(session, services.substantiators_statement(project), page_number(),
                    current_app.config["ITEMS_PER_PAGE"])
    return render_template("outcomes/substantiators.html", project=project, page=page)


@project_route("outcome.edit")
def substantiator_form(project, substantiator_id):
    session = get_session()
    substantiator = None
    if substantiator_id is not None:
        substantiator = services.get_substantiator(session, project, substantiator_id) or abort(404)
    form = SubstantiatorForm(obj=substantiator)
    return form_page(form, "outcomes/substantiator_form.html",
                     lambda form: services.save_substantiator(session, actor(), project, form.data, substantiator,
                                                              form.version.data),
                     url_for(".substantiator_list", slug=project.slug), saved=_("Substantiator saved."),
                     stored=stored_record(substantiator, form), project=project, substantiator=substantiator)
