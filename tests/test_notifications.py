"""E-mails about to-dos, sent through a real SMTP server on loopback and read back with the e-mail parser."""

import logging
import smtplib
import socket
from datetime import date
from email import policy
from email.parser import BytesParser

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from tests.conftest import csrf_from
from tests.conftest import test_config as app_config
from tests.factories import TEST_ACTOR
from tracker import create_app
from tracker.audit.models import AuditAlert
from tracker.db import database
from tracker.db_types import utcnow
from tracker.inbox import mail
from tracker.inbox import notify
from tracker.inbox import services as inbox_services
from tracker.inbox.models import NotificationSent

PUBLIC_URL = "https://tracker.example.org"
SENTINEL = "Zephyrine Quokkabottom"


class Mailbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, _server, _session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(BytesParser(policy=policy.default).parsebytes(envelope.content))
        return "250 Message accepted"

    def to(self, address):
        return [message for message in self.messages if message["To"] == address]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mailbox():
    handler = Mailbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def app(engine, connection, instance_path, mailbox):
    app = create_app(app_config(engine, MAIL_HOST="127.0.0.1", MAIL_PORT=mailbox.port, MAIL_TLS="none",
                                 PUBLIC_URL=PUBLIC_URL))
    database(app).bind_to(connection)
    return app


@pytest.fixture
def project(factory, session):
    project = factory.project("thailand-helpline", title=f"Helpline of {SENTINEL}")
    session.commit()
    return project


@pytest.fixture
def grantee(factory, session, project):
    user = factory.user("grantee", display_name=SENTINEL, projects=[project])
    session.commit()
    return user


@pytest.fixture
def reviewer(factory, session):
    user = factory.user("me", display_name=f"{SENTINEL} (M&E)")
    session.commit()
    return user


def submitted_actual(factory, session, project):
    indicator = factory.indicator(project, title=f"Children {SENTINEL} reached")
    period = factory.period(indicator, date(2022, 1, 1), date(2022, 12, 31), target="9000")
    factory.actual(indicator, period, "8420", comment=f"Counted by {SENTINEL}", approve=False)
    session.commit()
    return period


def actual_url(project, period):
    return f"/projects/{project.slug}/indicators/{period.indicator_id}/periods/{period.id}/actual"


def return_actual(client, project, period, note=f"Ask {SENTINEL} to exclude silent contacts."):
    token = csrf_from(client.get(actual_url(project, period)).get_data(as_text=True))
    return client.post(actual_url(project, period) + "/review",
                       data={"csrf_token": token, "action": "return", "note": note})


def whole(message):
    return message.as_string() + message.get_content()


@pytest.mark.both_backends
def test_a_returned_actual_mails_the_grantee_a_link_to_correct_it(
        client, factory, login, session, mailbox, project, grantee, reviewer):
    period = submitted_actual(factory, session, project)
    login(reviewer)

    return_actual(client, project, period)

    message, = mailbox.to(grantee.email)
    assert message["Subject"] == "Evidence Tracker: 1 new to-do"
    assert "1 returned actual to correct" in message.get_content()
    assert f"{PUBLIC_URL}{actual_url(project, period)}" in message.get_content()
    assert f"{PUBLIC_URL}/inbox" in message.get_content()


def test_only_the_team_of_the_project_that_changed_is_mailed(client, factory, login, session, mailbox, project,
                                                             grantee, reviewer):
    other_team = factory.user("grantee", projects=[factory.project("kenya-schools")])
    session.commit()
    period = submitted_actual(factory, session, project)
    login(reviewer)

    return_actual(client, project, period)

    assert [message["To"] for message in mailbox.messages] == [grantee.email]
    assert mailbox.to(other_team.email) == []


def test_a_data_protection_lead_who_chose_immediately_hears_of_a_new_alert_at_once(app, factory, session, mailbox):
    lead = factory.user("me")
    lead.is_data_protection_lead = True
    session.add(lead)
    inbox_services.set_frequency(session, TEST_ACTOR, lead, "immediately")
    session.add(AuditAlert(signal="spread", subject="someone@example.org", period_start=utcnow(),
                           period_end=utcnow(), figures="{}", entry_ids="[]"))
    session.commit()

    with app.app_context():
        sent = notify.notify_immediately()

    message, = mailbox.to(lead.email)
    assert sent == 1 and message["Subject"] == "Evidence Tracker: 1 new to-do"
    assert "someone@example.org" not in whole(message)


def test_the_same_to_do_is_mailed_once(client, factory, login, session, mailbox, project, grantee, reviewer):
    period = submitted_actual(factory, session, project)
    login(reviewer)
    return_actual(client, project, period)

    client.get("/inbox")
    with client.application.app_context():
        assert notify.notify_immediately() == 0

    assert len(mailbox.to(grantee.email)) == 1


def test_nothing_is_mailed_when_the_request_fails(client, factory, login, session, mailbox, project, grantee,
                                                   reviewer):
    period = submitted_actual(factory, session, project)
    login(reviewer)

    return_actual(client, project, period, note="")

    assert mailbox.messages == []


def test_a_grantee_who_chose_never_gets_no_e_mail(client, factory, login, session, submit, mailbox, project,
                                                   grantee, reviewer):
    login(grantee)
    submit("/account", {"pref-language": "", "pref-notifications": "never", "pref-submit": "1"}, prefix="pref-")
    period = submitted_actual(factory, session, project)
    login(reviewer)

    return_actual(client, project, period)

    assert mailbox.messages == []


@pytest.mark.both_backends
def test_the_daily_digest_lists_counts_and_links_and_goes_once_a_day(app, factory, session, mailbox, project,
                                                                     reviewer):
    submitted_actual(factory, session, project)
    factory.story(project)
    runner = app.test_cli_runner()

    first = runner.invoke(args=["send-digests"])
    second = runner.invoke(args=["send-digests"])

    assert "1 digest(s)" in first.output and "0 digest(s)" in second.output
    message, = mailbox.to(reviewer.email)
    assert message["Subject"].startswith("Evidence Tracker: 2 to-dos on ")
    body = message.get_content()
    assert "1 actual to review (waiting since" in body and f"{PUBLIC_URL}/indicators/review" in body
    assert "1 story awaiting safeguarding review" in body and f"{PUBLIC_URL}/msc/stories?safeguarding=pending" in body


def test_open_audit_alerts_reach_the_data_protection_lead(app, factory, session, mailbox):
    lead = factory.user("me")
    lead.is_data_protection_lead = True
    session.add(lead)
    session.add(AuditAlert(signal="spread", subject="someone@example.org", period_start=utcnow(),
                           period_end=utcnow(), figures="{}", entry_ids="[]"))
    session.commit()

    app.test_cli_runner().invoke(args=["send-digests"])

    message, = mailbox.to(lead.email)
    assert "1 open access alert" in message.get_content() and f"{PUBLIC_URL}/audit/alerts" in message.get_content()


def test_no_e_mail_carries_a_story_or_outcome_text_a_name_or_a_title(
        app, client, factory, login, session, mailbox, project, grantee, reviewer):
    """Sentinel text in project, indicator, story and outcome titles, bodies, names and notes reaches no message."""
    planted = {"title": f"{SENTINEL} spoke up", "what_happened": f"{SENTINEL} told a peer leader.",
               "why_significant": f"{SENTINEL} knows where to turn.", "storyteller_pseudonym": SENTINEL,
               "collector": f"{SENTINEL}, volunteer", "place": f"{SENTINEL} village"}
    factory.story(project, **planted)
    factory.story(project, consent={"form_version": ""}, require_consent=False, **planted)
    factory.story(project, safeguarding="approved", donor_version=False, **planted)
    factory.outcome(project, status="substantiation_pending", description=f"{SENTINEL} changed the referral rule.",
                    social_actor=f"{SENTINEL} department", significance=f"{SENTINEL} matters.",
                    contribution=f"{SENTINEL} trained them.", change_agent=SENTINEL, area=SENTINEL)
    period = submitted_actual(factory, session, project)
    login(reviewer)
    return_actual(client, project, period)
    app.test_cli_runner().invoke(args=["send-digests"])

    assert {message["To"] for message in mailbox.messages} == {grantee.email, reviewer.email}
    for message in mailbox.messages:
        assert SENTINEL not in whole(message)
        assert SENTINEL.split()[1] not in whole(message)


def test_a_failed_sending_is_logged_without_the_address_and_retried_by_the_next_run(
        app, factory, session, mailbox, project, reviewer, caplog):
    submitted_actual(factory, session, project)
    app.config["MAIL_PORT"] = free_port()
    runner = app.test_cli_runner()

    with caplog.at_level(logging.WARNING):
        failed = runner.invoke(args=["send-digests"])
    assert "0 digest(s)" in failed.output
    assert "Notification e-mail not sent (ConnectionRefusedError)" in caplog.text
    assert reviewer.email not in caplog.text
    assert session.scalar(sa.select(sa.func.count()).select_from(NotificationSent)) == 0

    app.config["MAIL_PORT"] = mailbox.port
    retried = runner.invoke(args=["send-digests"])

    assert "1 digest(s)" in retried.output and len(mailbox.to(reviewer.email)) == 1


def test_without_a_mail_host_nothing_is_sent(app, factory, session, mailbox, project, reviewer):
    submitted_actual(factory, session, project)
    app.config["MAIL_HOST"] = None

    result = app.test_cli_runner().invoke(args=["send-digests"])

    assert "MAIL_HOST is not set" in result.output and mailbox.messages == []


# The connection the settings ask for -------------------------------------------------------------


def test_ssl_connects_with_implicit_tls_and_the_others_with_plain_smtp():
    assert mail.connection_class("ssl") is smtplib.SMTP_SSL
    assert mail.connection_class("starttls") is smtplib.SMTP
    assert mail.connection_class("none") is smtplib.SMTP


def test_an_unknown_tls_setting_is_refused():
    with pytest.raises(ValueError, match="MAIL_TLS must be one of none, starttls, ssl"):
        mail.connection_class("tls")


def test_starttls_never_falls_back_to_plain_text(mailbox):
    """The local server offers no STARTTLS: the connection is refused rather than used unprotected."""
    with pytest.raises(smtplib.SMTPNotSupportedError):
        mail.connect({"MAIL_HOST": "127.0.0.1", "MAIL_PORT": mailbox.port, "MAIL_TLS": "starttls"})


def test_ssl_needs_a_tls_server(mailbox):
    with pytest.raises(OSError):
        mail.connect({"MAIL_HOST": "127.0.0.1", "MAIL_PORT": mailbox.port, "MAIL_TLS": "ssl"})


def test_it_logs_in_when_a_username_is_set(monkeypatch):
    calls = []

    class Recorder:
        def __init__(self, host, port, timeout):
            calls.append(("connect", host, port))

        def starttls(self, context):
            calls.append(("starttls",))

        def login(self, user, password):
            calls.append(("login", user, password))

    monkeypatch.setattr(smtplib, "SMTP", Recorder)

    mail.connect({"MAIL_HOST": "smtp.example.org", "MAIL_PORT": 587, "MAIL_TLS": "starttls",
                  "MAIL_USERNAME": "tracker", "MAIL_PASSWORD": "s3cret"})

    assert calls == [("connect", "smtp.example.org", 587), ("starttls",), ("login", "tracker", "s3cret")]
