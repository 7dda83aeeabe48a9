"""Sending e-mail through SMTP with the standard library (no Flask): the connection the settings ask for.

``MAIL_TLS`` chooses how the connection is protected: ``ssl`` (implicit TLS, usually port 465),
``starttls`` (a plain connection upgraded before logging in, usually port 587) or ``none`` (a relay on
the same host or network, and the test suite's local server). TLS checks the server's certificate
against the system's authorities. Without ``MAIL_HOST`` nothing is sent.
"""

import smtplib
import ssl

TLS_CHOICES = ("none", "starttls", "ssl")
TIMEOUT_SECONDS = 30


class MailNotConfigured(RuntimeError):
    pass


def enabled(config):
    return bool(config.get("MAIL_HOST"))


def connection_class(tls):
    """``smtplib.SMTP_SSL`` for implicit TLS, ``smtplib.SMTP`` otherwise (upgraded by STARTTLS or not)."""
    if tls not in TLS_CHOICES:
        raise ValueError(f"MAIL_TLS must be one of {', '.join(TLS_CHOICES)}, not {tls!r}")
    return smtplib.SMTP_SSL if tls == "ssl" else smtplib.SMTP


def connect(config):
    """An open, authenticated SMTP connection as the settings describe it."""
    if not enabled(config):
        raise MailNotConfigured("MAIL_HOST is not set")
    tls = config["MAIL_TLS"]
    context = ssl.create_default_context()
    options = {"context": context} if tls == "ssl" else {}
    smtp = connection_class(tls)(config["MAIL_HOST"], int(config["MAIL_PORT"]), timeout=TIMEOUT_SECONDS, **options)
    try:
        if tls == "starttls":
            smtp.starttls(context=context)
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def send_all(config, messages):
    """Send ``[(message, on_sent)]`` over one connection; ``on_sent()`` runs after each accepted message.

    A message the server refuses, or a lost connection, raises: the caller logs it (without addresses or
    content) and leaves the rest for the next run.
    """
    if not messages:
        return
    with connect(config) as smtp:
        for message, on_sent in messages:
            smtp.send_message(message)
            on_sent()
