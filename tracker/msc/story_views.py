"""Project pages for MSC stories: list, write, read (audited), consent, safeguarding and translations.

Every story is selected through :func:`tracker.msc.sharing.stories_visible_to`,
so donors only ever reach stories within the donor rule, and see them de-identified.
"""

from datetime import timedelta

from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.audit.services import record
from tracker.breakglass import services as break_glass
from tracker.breakglass.forms import SealedTextForm
from tracker.common.countries import country_choices
from tracker.common.errors import ValidationFailed
from tracker.common.messages import N_
from tracker.common.pagination import paginate
from tracker.db import get_session
from tracker.msc import donor_version
from tracker.msc import labels
from tracker.msc import sealing
from tracker.msc import selection as panels
from tracker.msc import services
from tracker.msc import sharing
from tracker.msc.consent import SharingFacts
from tracker.msc.consent import why_not_shared
from tracker.msc.forms import ConsentForm
from tracker.msc.forms import DonorVersionForm
from tracker.msc.forms import NewStoryForm
from tracker.msc.forms import SafeguardingForm
from tracker.msc.forms import StoryFilterForm
from tracker.msc.forms import StoryForm
from tracker.msc.forms import TranslationForm
from tracker.msc.forms import WithdrawalForm
from tracker.msc.languages import language_choices
from tracker.msc.models import SafeguardingStatus
from tracker.msc.models import Story
from tracker.outcomes.services import deny_read
from tracker.outcomes.services import toc_nodes
from tracker.web.access import actor
from tracker.web.access import project_route
from tracker.web.access import record_sensitive_read
from tracker.web.access import record_shown
from tracker.web.access import sensitive_project_route
from tracker.web.access import sensitive_scope
from tracker.web.conflicts import stored_record
from tracker.web.forms import choices
from tracker.web.pages import form_page
from tracker.web.pages import refuse
from tracker.web.requests import filter_value
from tracker.web.requests import is_donor
from tracker.web.requests import language
from tracker.web.requests import page_number


def visible_stories(project):
    """The SELECT of stories the current user may see; for donors, the donor rule."""
    return sharing.stories_visible_to(current_user.role, sensitive_scope(get_session(), "story.view"),
                                      project.fund_id)


def load_story(session, project, story_id):
    """The visible story, or an audited refusal answered exactly like a story that does not exist."""
    story = services.get_story(session, project, story_id, base=visible_stories(project))
    if story is None:
        refuse(lambda: deny_read(session, actor(), "story", story_id, project_id=project.id))
    return story


def story_url(project, story):
    return url_for(".story_detail", slug=project.slug, story_id=story.id)


def audit_read(session, story):
    """Audit the read; under break-the-glass the entry carries the grant's reason."""
    record_sensitive_read(session, "story", story.id, story.project)


def read_again(message, url):
    """The answer to a stale save that must not be repeated blindly: say so, and show the record as it is now."""
    def answer():
        flash(message, "error")
        return redirect(url)
    return answer


# The list ----------------------------------------------------------------------------


def story_filters(session, project=None, projects=()):
    """The list filters; donors get only those that do not reveal consent or safeguarding states."""
    form = StoryFilterForm(request.args)
    form.project.choices = choices([(0, _("All projects"))] + [(p.id, p.title) for p in projects])
    cycles = services.cycles_for(session, project) if project else []
    form.cycle.choices = choices([(0, _("All cycles"))] + [(cycle.id, cycle.title) for cycle in cycles])
    form.consent.choices = choices([("", _("Any consent state")), ("needs_consent", _("Needs consent")),
                                    ("withdrawn", _("Consent withdrawn")), ("donor_scope", _("Donor scope granted"))])
    form.safeguarding.choices = choices([("", _("Any safeguarding state")), *labels.choices_for(SafeguardingStatus)])
    form.language.choices = choices([("", _("All languages")), *language_choices()])
    form.validate()
    return form


def list_filters(form, donor):
    values = {"cycle_id": filter_value(form.cycle), "language": filter_value(form.language)}
    if not donor:
        values.update(consent=filter_value(form.consent), safeguarding=filter_value(form.safeguarding))
    return values


@sensitive_project_route("story.view")
def story_list(project):
    session = get_session()
    filters = story_filters(session, project)
    statement = services.story_list_statement(visible_stories(project), project, **list_filters(filters, is_donor()))
    page = paginate(session, statement, page_number(), current_app.config["ITEMS_PER_PAGE"])
    record_shown(session, "story", "story.view", page.items, "story list")
    shared = sharing_on_page(session, project.fund_id, page.items)
    stubs = sealing.stubs(session, page.items)
    if is_donor():
        page.items = [sharing.deidentify(story) for story in page.items]
    return render_template("msc/list.html", project=project, page=page, filters=filters, donor=is_donor(),
                           shared=shared, stubs=stubs)


def sharing_on_page(session, fund_id, stories):
    """The ids among ``stories`` that donors can see now, asked of the donor rule itself (one query)."""
    ids = [story.id for story in stories]
    if not ids:
        return set()
    return set(session.scalars(sharing.donor_visible_story_ids(fund_id).where(Story.id.in_(ids))))


# Writing a story -----------------------------------------------------------------------


def story_form(form_class, session, project, story=None, **kwargs):
    form = form_class(**kwargs)
    cycles = services.open_cycles_for(session, project)
    if story is not None and story.cycle_id not in {cycle.id for cycle in cycles}:
        cycles.append(story.cycle)
    form.domain_id.choices = choices(
        (domain.id, f"{cycle.title} — {labels.domain_title(domain)}") for cycle in cycles for domain in cycle.domains)
    form.country_code.choices = choices(country_choices(language()))
    form.toc_node_ids.choices = choices(
        (node.id, f"{node.title} ({node.level.value.replace('_', ' ')})") for node in toc_nodes(session, project))
    return form


def story_values(form):
    return {name: form[name].data for name in StoryForm.STORY_FIELDS} | {"cycle_id": None}


@project_route("story.edit")
def story_create(project):
    session = get_session()
    form = story_form(NewStoryForm, session, project, data={
        "country_code": project.country_codes[0], "language": "", "scope_internal": True})
    if not form.domain_id.choices:
        flash(_("No MSC cycle is open for this project. M&E staff open cycles and their domains of change."), "info")
        return redirect(url_for(".story_list", slug=project.slug))
    return form_page(form, "msc/form.html",
                     lambda form: services.create_story(session, actor(), project, story_values(form),
                                                        form.consent_values()),
                     lambda story: story_url(project, story),
                     saved=_("Story saved with its consent record. It reaches donors only after a safeguarding "
                             "review."), project=project, story=None)


@project_route("story.edit")
def story_edit(project, story_id):
    session = get_session()
    story = load_story(session, project, story_id)
    stored = StoryForm.data_from(story)
    form = story_form(StoryForm, session, project, story, data={**stored, "version": story.version})
    if request.method == "GET":
        audit_read(session, story)
    was_approved = story.safeguarding_status is SafeguardingStatus.APPROVED

    def save(form):
        services.update_story(session, actor(), project, story, story_values(form), form.version.data)
        if was_approved and story.safeguarding_status is SafeguardingStatus.PENDING:
            flash(_("The story changed after its safeguarding approval, so it is back in review and hidden from "
                    "donors until approved again."), "info")

    return form_page(form, "msc/form.html", save, story_url(project, story), saved=_("Story saved."),
                     stored=lambda: (stored, story.version), project=project, story=story)


# Reading a story -------------------------------------------------------------------------


@sensitive_project_route("story.view")
def story_detail(project, story_id):
    session = get_session()
    story = load_story(session, project, story_id)
    audit_read(session, story)
    if is_donor():
        return render_template("msc/donor_detail.html", project=project, story=sharing.deidentify(story),
                               selections=panels.donor_selections(session, story),
                               verification=panels.story_verification_state(session, story))
    if sealing.is_sealed(story):
        return render_template("msc/sealed.html", project=project, story=story,
                               stub=sealing.stubs(session, [story])[story.id])
    consent = story.consent
    facts = SharingFacts(consent.complete, consent.scope_donor, consent.withdrawn_on, story.safeguarding_status,
                         story.donor_version_approved_at is not None)
    return render_template(
        "msc/detail.html", project=project, story=story,
        shared=sharing.is_donor_visible(session, project.fund_id, story.id),
        usable_as_evidence=sharing.is_selection_eligible(session, story.id),
        blockers=[labels.SHARING_REASONS[reason] for reason in why_not_shared(facts)],
        decisions=panels.story_decisions(session, story),
        verifications=panels.story_verifications(session, story),
        verification=panels.story_verification_state(session, story),
        reviewer=services.reviewer_name(session, story))


# Consent ----------------------------------------------------------------------------------


@project_route("story.edit")
def consent_edit(project, story_id):
    session = get_session()
    story = load_story(session, project, story_id)
    stored = ConsentForm.data_from(story.consent)
    return form_page(ConsentForm(data=stored), "msc/consent_form.html",
                     lambda form: services.record_consent(session, actor(), story, form.consent_values(),
                                                          form.version.data),
                     story_url(project, story), saved=_("Consent recorded."),
                     stored=lambda: ({k: v for k, v in stored.items() if k != "version"}, story.consent.version),
                     project=project, story=story)


@project_route("story.edit")
def consent_withdraw(project, story_id):
    session = get_session()
    story = load_story(session, project, story_id)
    return form_page(
        WithdrawalForm(data={"version": story.consent.version}), "msc/withdraw_form.html",
        lambda form: services.withdraw_consent(session, actor(), story, form.withdrawn_on.data, form.note.data,
                                               form.version.data),
        story_url(project, story),
        saved=_("Consent withdrawn. The story no longer appears anywhere donors can see."),
        on_conflict=read_again(_("The consent record changed meanwhile; check it and withdraw again if needed."),
                               story_url(project, story)),
        project=project, story=story)


# Safeguarding -------------------------------------------------------------------------------


@project_route("story.safeguard")
def safeguarding_review(project, story_id):
    session = get_session()
    story = load_story(session, project, story_id)
    proposed = services.proposed_distress_level(story)
    form = SafeguardingForm(data={"status": story.safeguarding_status.value, "note": story.safeguarding_note,
                                  "place_shareable": story.place_shareable, "version": story.version,
                                  "distress_level": story.distress_level and story.distress_level.value})
    if request.method == "GET":
        audit_read(session, story)
        # Ticked for the reviewer to confirm; a review posted without a level gets the one proposed for its status.
        form.distress_level.data = form.distress_level.data or proposed.value

    def review(form):
        services.review_safeguarding(session, actor(), story, form.data, form.version.data)
        flash(_("Safeguarding review recorded: %(status)s.", status=labels.label(story.safeguarding_status)),
              "success")

    return form_page(form, "msc/safeguarding_form.html", review, story_url(project, story),
                     on_conflict=read_again(_("The story changed while you reviewed it; read it again before "
                                              "deciding."),
                                            url_for(".safeguarding_review", slug=project.slug, story_id=story.id)),
                     project=project, story=story, proposed_level=proposed)


# The de-identified donor version --------------------------------------------------------------


def donor_version_form(story, proposals, typed=None):
    """The form, filled with what the reviewer typed (``typed``, by language), else the stored donor text, else
    the finder's proposal. With ``typed`` the request's own fields are not read again."""
    stored = {item.language: item for item in story.donor_texts}
    entries = []
    for proposal in proposals:
        existing = stored.get(proposal.language)
        values = {field.name: (getattr(existing, field.name) if existing else "") or field.proposed
                  for field in proposal.fields}
        entries.append({"language": proposal.language, **values, **(typed or {}).get(proposal.language, {})})
    formdata = {} if typed is None else {"formdata": None}
    return DonorVersionForm(data={"version": story.version, "texts": entries}, **formdata)


def review_again(story, submitted, message):
    """The review form of the story as it is now, keeping the text typed for the languages it still has."""
    proposals = donor_version.propose(story)
    form = donor_version_form(story, proposals, typed=submitted.texts_by_language())
    form.form_errors.append(message)
    return form, proposals


def review_context(project, story, proposals):
    return {"project": project, "story": story, "proposals": proposals, "marked": donor_version.marked,
            "finding_labels": labels.FINDING_LABELS}


@project_route("story.safeguard")
def donor_version_review(project, story_id):
    """Review what the personal-data finder flags, edit the proposed donor text and approve it."""
    session = get_session()
    story = load_story(session, project, story_id)
    proposals = donor_version.propose(story)
    form = donor_version_form(story, proposals)
    template = "msc/donor_version_form.html"
    if request.method == "GET":
        audit_read(session, story)
    elif [entry.form.language.data for entry in form.texts] != [proposal.language for proposal in proposals]:
        form, proposals = review_again(story, form, _(
            "The story's languages changed since the page was opened; check the donor text in each language."))
        return render_template(template, form=form, **review_context(project, story, proposals))

    def changed_meanwhile():
        again, current = review_again(story, form, _(
            "The story changed while you reviewed it; review the new text before approving."))
        return render_template(template, form=again, **review_context(project, story, current))

    return form_page(form, template,
                     lambda form: donor_version.approve(session, actor(), story, form.texts_by_language(),
                                                        form.version.data,
                                                        remaining_checked=form.remaining_checked.data),
                     story_url(project, story), saved=_("Donor version approved."), on_conflict=changed_meanwhile,
                     **review_context(project, story, proposals))


# Translations -------------------------------------------------------------------------------


@project_route("story.edit")
def translation_form(project, story_id, translation_id):
    session = get_session()
    story = load_story(session, project, story_id)
    translation = None
    if translation_id is not None:
        translation = services.get_translation(story, translation_id) or abort(404)
    form = TranslationForm(obj=translation, data=None if translation else {"language": "en"})
    if request.method == "GET":
        audit_read(session, story)
    return form_page(form, "msc/translation_form.html",
                     lambda form: services.save_translation(session, actor(), story, form.data, translation,
                                                            form.version.data),
                     story_url(project, story), saved=_("Translation saved."),
                     stored=stored_record(translation, form), project=project, story=story, translation=translation)


# A sealed story's text, for a safeguarding referral ---------------------------------------------------


@project_route("story.safeguard")
def sealed_text(project, story_id):
    """The text a withdrawal sealed, read through a reasoned, audited grant that expires (break the glass)."""
    session = get_session()
    story = load_story(session, project, story_id)
    grant = break_glass.active_story_grant(session, current_user.user, story)
    context = {"project": project, "story": story, "sealed": sealing.is_sealed(story), "grant": grant,
               "hours": current_app.config["BREAK_GLASS_HOURS"]}
    if grant is not None and context["sealed"]:
        record(session, actor(), "read", "sealed_story", story.id, project_id=project.id, reason=grant.reason,
               details={"break_glass_grant": grant.id})
        return render_template("msc/sealed_text.html", text=sealing.sealed_text(story), **context)

    def open_grant(form):
        if not context["sealed"]:
            raise ValidationFailed.on(None, N_("This story is not sealed: read it on its page."))
        break_glass.open_grant(session, actor(), current_user.user, project, form.reason.data,
                               timedelta(hours=context["hours"]), story=story)

    return form_page(SealedTextForm(), "msc/sealed_text.html", open_grant,
                     url_for(".sealed_text", slug=project.slug, story_id=story.id), text=None, **context)
