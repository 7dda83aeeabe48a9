"""Fund-level MSC pages under /msc: the story list for every role, and for M&E staff the cycles,
domains, selection panels and decisions, feedback owed, verification and meta-monitoring.
"""

from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.auth.permissions import sees_all_projects
from tracker.common.countries import country_choices
from tracker.common.pagination import paginate
from tracker.db import get_session
from tracker.msc import sealing
from tracker.msc import selection as panels
from tracker.msc import services
from tracker.msc import sharing
from tracker.msc.forms import CycleForm
from tracker.msc.forms import DecisionForm
from tracker.msc.forms import DomainForm
from tracker.msc.forms import FeedbackForm
from tracker.msc.forms import LevelForm
from tracker.msc.forms import PanelForm
from tracker.msc.forms import StoryFilterForm
from tracker.msc.forms import VerificationForm
from tracker.msc.labels import choices_for
from tracker.msc.labels import label
from tracker.msc.languages import language_choices
from tracker.msc.languages import language_name
from tracker.msc.models import FeedbackKind
from tracker.msc.models import SafeguardingStatus
from tracker.msc.models import Story
from tracker.msc.models import StorytellerCategory
from tracker.portfolio import services as portfolio_services
from tracker.web.access import actor
from tracker.web.access import record_shown
from tracker.web.access import requires
from tracker.web.access import sensitive_scope
from tracker.web.conflicts import stored_record
from tracker.web.forms import choices
from tracker.web.forms import translated
from tracker.web.pages import action
from tracker.web.pages import form_page
from tracker.web.requests import filter_value
from tracker.web.requests import id_argument
from tracker.web.requests import is_donor
from tracker.web.requests import language
from tracker.web.requests import page_number


def current_fund():
    fund = portfolio_services.get_fund(get_session())
    if fund is None:
        abort(404)
    return fund


def per_page():
    return current_app.config["ITEMS_PER_PAGE"]


# The story list, for every role --------------------------------------------------------


def portfolio_filters(session, fund):
    form = StoryFilterForm(request.args)
    visible = portfolio_services.project_list_statement(
        fund, visible_to=None if sees_all_projects(current_user.role) else current_user.project_ids)
    form.project.choices = choices([(0, _("All projects"))] + [(p.id, p.title) for p in session.exec(visible)])
    form.cycle.choices = choices([(0, _("All cycles"))] + [
        (cycle.id, cycle.title) for cycle in session.exec(services.cycles_statement(fund))])
    form.consent.choices = choices([("", _("Any consent state")), ("needs_consent", _("Needs consent")),
                                    ("withdrawn", _("Consent withdrawn")), ("donor_scope", _("Donor scope granted"))])
    form.safeguarding.choices = choices([("", _("Any safeguarding state")), *choices_for(SafeguardingStatus)])
    form.language.choices = choices([("", _("All languages")), *language_choices()])
    form.validate()
    return form


@requires("msc.view")
def story_list():
    session, fund = get_session(), current_fund()
    filters = portfolio_filters(session, fund)
    donor = is_donor()
    base = sharing.stories_visible_to(current_user.role, sensitive_scope(session, "story.view"), fund.id)
    if filter_value(filters.project):
        base = base.where(Story.project_id == filter_value(filters.project))
    options = {"cycle_id": filter_value(filters.cycle), "language": filter_value(filters.language)}
    if not donor:
        options.update(consent=filter_value(filters.consent), safeguarding=filter_value(filters.safeguarding))
    page = paginate(session, services.story_list_statement(base, **options), page_number(), per_page())
    record_shown(session, "story", "story.view", page.items, "portfolio story list")
    ids = [story.id for story in page.items]
    shared = set(session.scalars(sharing.donor_visible_story_ids(fund.id).where(Story.id.in_(ids)))) if ids else set()
    stubs = sealing.stubs(session, page.items)
    if donor:
        page.items = [sharing.deidentify(story) for story in page.items]
    return render_template("msc/portfolio_list.html", page=page, filters=filters, donor=donor, shared=shared,
                           fund=fund, stubs=stubs)


# Cycles, domains and levels -------------------------------------------------------------


@requires("msc.manage")
def cycle_list():
    session, fund = get_session(), current_fund()
    page = paginate(session, services.cycles_statement(fund), page_number(), per_page())
    return render_template("msc/cycles.html", page=page, owed=session.scalar(panels.owed_feedback_count(fund)))


def cycle_form(session, fund, **kwargs):
    form = CycleForm(**kwargs)
    form.project_id.choices = choices([(0, _("The whole fund"))] + [
        (project.id, project.title) for project in portfolio_services.all_projects(session, fund)])
    return form


def load_cycle(session, fund, cycle_id):
    return services.get_cycle(session, fund, cycle_id) or abort(404)


def cycle_url(cycle):
    return url_for(".cycle_detail", cycle_id=cycle.id)


@requires("msc.manage")
def cycle_create():
    session, fund = get_session(), current_fund()
    form = cycle_form(session, fund, data={"levels": "Project\nCountry\nFund"})
    return form_page(form, "msc/cycle_form.html", lambda form: services.create_cycle(session, actor(), fund, form.data),
                     lambda cycle: cycle_url(cycle),
                     saved=_("Cycle opened with its “any other change” domain. Add the named domains of change next."),
                     cycle=None)


@requires("msc.manage")
def cycle_edit(cycle_id):
    session, fund = get_session(), current_fund()
    cycle = load_cycle(session, fund, cycle_id)
    form = cycle_form(session, fund, obj=cycle, data={"status": cycle.status.value, "version": cycle.version,
                                                       "project_id": cycle.project_id or 0})
    del form.levels
    del form.project_id
    return form_page(form, "msc/cycle_form.html",
                     lambda form: services.update_cycle(session, actor(), cycle, form.data, form.version.data),
                     cycle_url(cycle), saved=_("Cycle saved."), stored=stored_record(cycle, form), cycle=cycle)


@requires("msc.manage")
def cycle_detail(cycle_id):
    session, fund = get_session(), current_fund()
    cycle = load_cycle(session, fund, cycle_id)
    return render_template("msc/cycle.html", cycle=cycle, panels=panels.cycle_panels(session, cycle),
                           level_form=LevelForm(), counts=services.domain_counts(session, cycle))


@requires("msc.manage")
def level_add(cycle_id):
    session, fund = get_session(), current_fund()
    cycle = load_cycle(session, fund, cycle_id)
    form = LevelForm()
    if not form.validate_on_submit():
        flash(_("Name the selection level."), "error")
        return redirect(cycle_url(cycle))
    return action(form, lambda form: services.add_level(session, actor(), cycle, form.name.data), cycle_url(cycle),
                  done=_("Selection level added."))


@requires("msc.manage")
def domain_form(cycle_id, domain_id):
    session, fund = get_session(), current_fund()
    cycle = load_cycle(session, fund, cycle_id)
    domain = None
    if domain_id is not None:
        domain = services.get_domain(session, cycle, domain_id) or abort(404)
    form = DomainForm(obj=domain)
    return form_page(form, "msc/domain_form.html",
                     lambda form: services.save_domain(session, actor(), cycle, form.data, domain, form.version.data),
                     cycle_url(cycle), saved=_("Domain of change saved."), stored=stored_record(domain, form),
                     cycle=cycle, domain=domain)


@requires("msc.manage")
def meta_monitoring(cycle_id):
    session, fund = get_session(), current_fund()
    cycle = load_cycle(session, fund, cycle_id)
    return render_template("msc/meta.html", cycle=cycle, figures=panels.meta_monitoring(session, cycle),
                           category_label=lambda value: label(StorytellerCategory(value)),
                           language_label=language_name)


# Panels and decisions -----------------------------------------------------------------------


@requires("msc.select")
def panel_create(cycle_id):
    session, fund = get_session(), current_fund()
    cycle = load_cycle(session, fund, cycle_id)
    form = PanelForm(data={"level_id": id_argument("level")})
    form.level_id.choices = choices((level.id, f"{level.ordinal} · {level.name}") for level in cycle.levels)
    form.project_id.choices = choices([(0, _("Any project"))] + [
        (project.id, project.title) for project in portfolio_services.all_projects(session, fund)])
    form.country_code.choices = choices([("", _("Any country")), *country_choices(language())])
    return form_page(form, "msc/panel_form.html", lambda form: panels.create_panel(session, actor(), cycle, form.data),
                     lambda panel: url_for(".panel_detail", panel_id=panel.id), saved=_("Panel created."),
                     cycle=cycle)


def load_panel(session, fund, panel_id):
    return panels.get_panel(session, fund, panel_id) or abort(404)


@requires("msc.select")
def panel_detail(panel_id):
    session, fund = get_session(), current_fund()
    panel = load_panel(session, fund, panel_id)
    return render_template("msc/panel.html", panel=panel, cycle=panel.level.cycle,
                           board=panels.panel_board(session, panel))


@requires("msc.select")
def decision_form(panel_id, story_id):
    session, fund = get_session(), current_fund()
    panel = load_panel(session, fund, panel_id)
    if not panels.is_candidate(session, panel, story_id):
        abort(404)
    story = session.get(Story, story_id)
    decision = panels.decision_for(session, panel, story)
    form = DecisionForm(obj=decision, data=None if decision else {"selected": 1})
    if request.method == "GET":
        services.read_story(session, actor(), story)

    def decide(form):
        if decision is None:
            panels.record_decision(session, actor(), panel, story.id, form.data)
        else:
            panels.update_decision(session, actor(), decision, form.data, form.version.data,
                                   undo_higher=form.undo_higher.data == "1")

    if decision is not None and form.validate_on_submit() and decision.selected and not form.selected.data \
            and form.undo_higher.data != "1":
        higher = panels.higher_selections_undone(session, decision)
        if higher:
            form.undo_higher.data = "1"
            return render_template("msc/undo_confirm.html", form=form, panel=panel, story=story, decision=decision,
                                   higher=higher, blockers=panels.undo_problems(decision, higher))

    def stored():
        values, version = stored_record(decision, form)()
        return {**values, "selected": int(decision.selected)}, version

    return form_page(form, "msc/decision_form.html", decide, url_for(".panel_detail", panel_id=panel.id),
                     saved=_("Decision recorded.") if form.selected.data else _("Recorded as not selected."),
                     stored=stored, panel=panel, story=story, decision=decision,
                     also_selected=panels.also_selected(session, panel.id, story.domain_id,
                                                        decision.id if decision else None))


# Feedback and verification ----------------------------------------------------------------


@requires("msc.select")
def feedback_owed():
    session, fund = get_session(), current_fund()
    page = paginate(session, panels.owed_feedback_statement(fund), page_number(), per_page())
    return render_template("msc/feedback_list.html", page=page, owed_kinds=panels.owed_kinds)


@requires("msc.select")
def feedback_form(decision_id):
    session, fund = get_session(), current_fund()
    decision = panels.get_decision(session, fund, decision_id)
    if decision is None or not decision.selected:
        abort(404)
    owed = panels.owed_kinds(decision)
    form = FeedbackForm(data={"kind": (request.args.get("kind") or (owed[0].value if owed else None)),
                              "content": translated(panels.suggested_feedback(decision))})
    names = dict(choices_for(FeedbackKind))
    form.kind.choices = choices((kind.value, names[kind.value]) for kind in owed)
    return form_page(form, "msc/feedback_form.html",
                     lambda form: panels.record_feedback(session, actor(), decision, form.data),
                     url_for(".feedback_owed"), saved=_("Feedback recorded as sent."), decision=decision, owed=owed)


@requires("msc.select")
def verification_form(story_id):
    session, fund = get_session(), current_fund()
    story = panels.get_selected_story(session, fund, story_id) or abort(404)
    return form_page(VerificationForm(), "msc/verification_form.html",
                     lambda form: panels.record_verification(session, actor(), story, form.data),
                     url_for("stories.story_detail", slug=story.project.slug, story_id=story.id),
                     saved=_("Verification recorded."), story=story,
                     verifications=panels.story_verifications(session, story))
