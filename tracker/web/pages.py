"""The one idiom for pages that change data: a form page, an action button, a delete confirmation, a refusal.

A view loads its records, applies its own per-record rules, builds its form, and hands over::

    return form_page(form, "outcomes/form.html",
                     save=lambda form: services.create_outcome(session, actor(), project, form.values()),
                     next_url=lambda outcome: url_for(".outcome_detail", slug=project.slug, outcome_id=outcome.id),
                     saved=_("Outcome saved as a draft."), project=project, outcome=None)

What happens then is the same on every page:

* GET, or a POST that fails the form's own validation, renders ``template`` with the form;
* a valid POST calls ``save(form)``, which calls a service; services flush, never commit;
* :class:`~tracker.common.errors.ValidationFailed` puts its reasons on the fields and renders the page
  again with the user's text, nothing saved;
* a stale version (:class:`~tracker.common.errors.EditConflict` or SQLAlchemy's ``StaleDataError``)
  renders the conflict page (409) with both versions and the user's text, nothing saved;
* otherwise it flashes ``saved`` and redirects; :mod:`tracker.web.transaction` commits.
"""

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from tracker.common.errors import EditConflict
from tracker.common.errors import ValidationFailed
from tracker.web import transaction
from tracker.web.conflicts import render_conflict
from tracker.web.forms import ConfirmForm
from tracker.web.forms import apply_errors
from tracker.web.forms import translated

CONFLICTS = (EditConflict, StaleDataError)


def form_page(form, template, save, next_url, *, saved=None, stored=None, on_conflict=None, answer=None,
              context_for=None, **context):
    """Render ``form`` on GET; on a valid POST save it, or show why not. See the module's docstring.

    ``next_url`` is a URL, or a function of what ``save`` returned. ``stored`` is a function returning
    ``(stored values by field name, current version)``, for forms that edit a versioned record;
    :func:`~tracker.web.conflicts.stored_record` makes it for a form whose fields are named after the record's.

    ``answer``, a function of what ``save`` returned, makes the response after a save instead of the
    redirect: for a page that can be shown only once, such as new recovery codes.
    ``context_for``, a function of the form, returns the template's whole context instead of
    ``form=form, **context``, and is called only when the form is shown, so after a failed save was
    rolled back: for a page that shows the form under another name beside other forms, or whose context
    writes (starting a two-factor enrolment). The conflict page still gets ``form=form, **context``.
    ``on_conflict``, for the few pages whose stale save is not answered by the conflict page (a review
    that must be read again, a story revision saved meanwhile), returns the response instead; it is
    called after the rollback, so it sees the record as it is now.
    """
    if form.validate_on_submit():
        try:
            result = save(form)
            transaction.flush()
        except ValidationFailed as error:
            transaction.rollback()
            apply_errors(form, error)
        except CONFLICTS:
            transaction.rollback()
            if on_conflict is not None:
                return on_conflict()
            if stored is None:
                raise
            values, version = stored()
            return render_conflict(template, form, values, version, **context)
        else:
            if saved:
                flash(saved, "success")
            if answer is not None:
                return answer(result)
            return redirect(next_url(result) if callable(next_url) else next_url)
    if context_for is not None:
        return render_template(template, **context_for(form))
    return render_template(template, form=form, **context)


def action(form, act, next_url, *, done=None, conflict=None):
    """A POST-only button (change a status, approve, close): do it, say what happened, go back.

    Problems and conflicts are flashed, since there is no form to show them on.
    """
    if not form.validate_on_submit():
        abort(400)
    try:
        act(form)
        transaction.flush()
    except ValidationFailed as error:
        transaction.rollback()
        for _field, message in error.reasons:
            flash(translated(message), "error")
    except CONFLICTS:
        transaction.rollback()
        flash(conflict or _("Someone else changed this meanwhile; here it is as it is now."), "error")
    else:
        if done:
            flash(done, "success")
    return redirect(next_url)


def delete_page(delete, next_url, *, deleted, thing, heading, cancel, consequences=(), blockers=(),
                template="confirm_delete.html", **context):
    """Ask before deleting ``thing``; on a confirmed POST ``delete()`` and go to ``next_url``.

    ``blockers`` (reasons the deletion is not possible now) replace the button with the reasons;
    a ValidationFailed from ``delete`` shows its reasons the same way.
    """
    form = ConfirmForm()
    if form.validate_on_submit() and not blockers:
        try:
            delete()
            transaction.flush()
        except ValidationFailed as error:
            transaction.rollback()
            apply_errors(form, error)
        else:
            flash(deleted, "success")
            return redirect(next_url)
    return render_template(template, form=form, thing=thing, heading=heading, cancel=cancel,
                           consequences=list(consequences), blockers=[] if form.errors else list(blockers),
                           **context)


def refuse(audit=None):
    """Answer 404, after ``audit()`` has recorded the refusal: the entry is kept although the answer is an error.

    The user cannot tell a refused record from one that does not exist.
    """
    if audit is not None:
        audit()
        transaction.keep_on_error()
    abort(404)
