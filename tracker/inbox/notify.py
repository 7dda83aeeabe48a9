"""E-mails about to-dos: at once after a change ("immediately"), or one digest a day.

Immediately: every audited change to a record that to-dos are derived from (an actual, a story, its
consent, an outcome, a substantiation, a selection, feedback, an alert) notes its project on the database
session. Once the request's transaction has committed (never inside it), the accounts concerned that
chose "immediately" get one e-mail with their to-dos whose key they were not yet told about, and those
keys are logged in ``notification_sent``. A failure is logged without addresses or content and, since
nothing was logged as sent, the next send (the next change, or ``send-digests``) retries it.

Daily: ``flask --app tracker send-digests`` mails each digest reader their current to-dos once per UTC day.

E-mails hold kinds, counts, dates and links only: never a story's or outcome's text, a name or a
title (the to-dos carry none). Links are built against ``PUBLIC_URL``.
"""

import smtplib
from email.message import EmailMessage
from functools import partial

import sqlalchemy as sa
from flask import current_app
from flask import g
from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import ngettext

from tracker.audit.models import AuditEntry
from tracker.db import database
from tracker.db_types import utcnow
from tracker.inbox import mail
from tracker.inbox import rules
from tracker.inbox import services
from tracker.inbox.models import Frequency
from tracker.web.forms import translated
from tracker.web.templating import date_shown

# The records to-dos are derived from, as the audit trail names them.
WATCHED = frozenset({"period_actual", "indicator_period", "indicator", "story", "consent_record", "outcome",
                     "substantiation", "msc_selection", "msc_feedback", "msc_verification", "audit_alert"})
PENDING, COMMITTED = "tracker.inbox.pending", "tracker.inbox.committed"


# Noting what changed -----------------------------------------------------------------------------


@sa.event.listens_for(sa.orm.Session, "before_flush")
def note_changes(session, _context, _instances):
    """Note the projects of the audited changes that may alter someone's to-dos (None: not a project's)."""
    for entry in session.new:
        if isinstance(entry, AuditEntry) and entry.object_type in WATCHED and entry.action != "read":
            session.info.setdefault(PENDING, set()).add(entry.project_id)


@sa.event.listens_for(sa.orm.Session, "after_commit")
def keep_committed(session):
    if PENDING in session.info:
        session.info[COMMITTED] = session.info.get(COMMITTED, set()) | session.info.pop(PENDING)


@sa.event.listens_for(sa.orm.Session, "after_rollback")
def forget_rolled_back(session):
    session.info.pop(PENDING, None)


def after_request(_error=None):
    """After the request's transaction (teardown): notify those whose to-dos its committed changes concern."""
    session = g.get("db_session")
    touched = session.info.pop(COMMITTED, None) if session is not None else None
    if touched is None or not mail.enabled(current_app.config):
        return
    try:
        with database().new_session() as reading:
            concerned = services.users_concerned(reading, {project for project in touched if project is not None})
        notify_immediately(concerned)
    except Exception as error:  # noqa: BLE001 - the response is sent; a failed notification must not change it
        current_app.logger.warning("To-do notifications failed after a request (%s)", type(error).__name__)


# Sending -----------------------------------------------------------------------------------------


def notify_immediately(user_ids=None):
    """Mail the "immediately" readers among ``user_ids`` (default: all) their to-dos not yet mailed.

    Returns how many e-mails were sent.
    """
    if not mail.enabled(current_app.config):
        return 0
    with database().new_session() as session:
        outgoing = []
        for user in services.users_choosing(session, Frequency.IMMEDIATELY, user_ids):
            todos = services.todos_for(session, user)
            new = rules.unsent(todos, services.sent_keys(session, user.id, [todo.key for todo in todos]))
            if new:
                outgoing.append((user.id, compose(user, new), [todo.key for todo in new]))
        session.rollback()
        return deliver(session, outgoing)


def send_digests(day=None):
    """Mail each daily-digest reader with to-dos one e-mail listing them, once per UTC ``day``."""
    if not mail.enabled(current_app.config):
        return 0
    day = day or utcnow().date()
    with database().new_session() as session:
        outgoing = []
        for user in services.users_choosing(session, Frequency.DAILY):
            if services.digest_sent(session, user.id, day):
                continue
            todos = services.todos_for(session, user, day)
            if todos:
                outgoing.append((user.id, compose(user, todos, day=day), [rules.digest_key(day)]))
        session.rollback()
        return deliver(session, outgoing)


def deliver(session, outgoing):
    """Send ``[(user id, message, keys)]``, logging each message's keys as sent once the server accepts it."""
    sent = []

    def logged(user_id, keys):
        services.record_sent(session, user_id, keys)
        session.commit()
        sent.append(user_id)

    try:
        mail.send_all(current_app.config, [(message, partial(logged, user_id, keys))
                                           for user_id, message, keys in outgoing])
    except (OSError, smtplib.SMTPException, sa.exc.IntegrityError) as error:
        # IntegrityError: a run in parallel logged the same key first (its e-mail went too).
        session.rollback()
        current_app.logger.warning("Notification e-mail not sent (%s); %d left for the next run",
                                   type(error).__name__, len(outgoing) - len(sent))
    return len(sent)


# The message -------------------------------------------------------------------------------------


def compose(user, todos, day=None):
    """The e-mail to ``user`` about ``todos`` (the new ones, or a ``day``'s digest), in their language."""
    config = current_app.config
    with current_app.test_request_context("/", base_url=config["PUBLIC_URL"]), \
            force_locale(user.language or config["BABEL_DEFAULT_LOCALE"]):
        message = EmailMessage()
        message["From"] = config["MAIL_SENDER"]
        message["To"] = user.email
        message["Subject"] = subject(todos, day)
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(body(todos, day))
    return message


def subject(todos, day):
    count = rules.total(todos)
    if day is not None:
        return ngettext("Evidence Tracker: %(num)d to-do on %(day)s", "Evidence Tracker: %(num)d to-dos on %(day)s",
                        count, day=date_shown(day))
    return ngettext("Evidence Tracker: %(num)d new to-do", "Evidence Tracker: %(num)d new to-dos", count)


def body(todos, day):
    opening = _("Your to-dos today:") if day is not None else _("New on your to-do list:")
    lines = [opening, ""]
    for todo in todos:
        lines.append(f"- {translated(todo.text)}{since(todo)}")
        lines.append(f"  {link(todo)}")
    lines += ["", _("Your inbox: %(url)s", url=url_for("inbox.index", _external=True)),
              _("How often these e-mails come (immediately, a daily digest or never): %(url)s",
                url=url_for("auth.account", _external=True))]
    return "\n".join(lines) + "\n"


def since(todo):
    return _(" (waiting since %(date)s)", date=date_shown(todo.oldest)) if todo.oldest is not None else ""


def link(todo, external=True):
    return url_for(todo.endpoint, _external=external, **todo.values)


def init_app(app):
    app.teardown_request(after_request)
