"""Settings: the one table of every setting the app reads, and how an installation sets them.

Each setting takes, in increasing order of precedence, its default from :data:`SETTINGS`, then
``instance/config.py``, then its ``TRACKER_<NAME>`` environment variable, then the test configuration
passed to :func:`tracker.create_app` (which also skips ``instance/config.py``). The README's settings
table is generated from :data:`SETTINGS` (``flask --app tracker settings-doc``) and a test keeps the
two equal. The table itself is plain data: no Flask.
"""

import copy
import difflib
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from tracker.common.files import private_folder

PREFIX = "TRACKER"
KEY_FILE = "secret_key"
MB = 1024 * 1024
# The types an environment variable can give; any other setting (an engine object) is set in code only.
ENVIRONMENT_TYPES = {str: "text", int: "a whole number", bool: "true or false", list: "a JSON list"}


@dataclass(frozen=True)
class Setting:
    """One setting: its name, its default, the type its environment variable must parse to, and what it is for."""

    name: str
    default: object
    type: type
    help: str
    # How the README shows a default that is worked out at start-up (from the instance folder, say).
    shown_default: str = ""

    @property
    def variable(self):
        """The environment variable that sets it, or None when it can only be set in code."""
        return f"{PREFIX}_{self.name}" if self.type in ENVIRONMENT_TYPES else None

    def from_environment(self, raw, parsed):
        """The value of the variable's text ``raw``, which Flask parsed as JSON into ``parsed`` where it could.

        Text settings keep the text as written (a numeric secret key stays text). Any other type must parse to
        that type, or the app refuses to start: ``TRACKER_SQL_ECHO=no`` would otherwise be a true string.
        """
        if self.variable is None:
            raise ValueError(f"{PREFIX}_{self.name} cannot be set from the environment, only in code")
        if self.type is str:
            return raw
        if isinstance(parsed, self.type) and not (self.type is int and isinstance(parsed, bool)):
            return parsed
        raise ValueError(f"{self.variable}={raw!r} is not {ENVIRONMENT_TYPES[self.type]}")


SETTINGS = (
    # Where the data lives.
    Setting("INSTANCE_PATH", None, str,
            "The instance folder (config.py, secret key, SQLite file); a special case, "
            "read from the environment only and before anything else, since instance/config.py lives in it.",
            shown_default="`instance/` beside the `tracker` package"),
    Setting("DATABASE_URL", None, str,
            "SQLAlchemy URL of the database; set `postgresql://…` (psycopg 3) for production.",
            shown_default="`sqlite:///` + `instance/tracker.sqlite`"),
    Setting("MIGRATION_DATABASE_URL", None, str,
            "PostgreSQL: URL of the role that owns the schema, used by `init-db` and `restore` only; "
            "DATABASE_URL then names the app's own role, which `init-db` grants what the app needs and no more "
            "(on the audit trail: read and append only). See *Serving in production*.",
            shown_default="DATABASE_URL"),
    Setting("DATABASE_ENGINE", None, object,
            "An SQLAlchemy engine used instead of DATABASE_URL, for the test suite only."),
    Setting("SQL_ECHO", False, bool, "Log every SQL statement; turn on only to debug queries."),
    Setting("SECRET_KEY", None, str,
            "Signs session cookies and CSRF tokens; set the same long random value on every worker and host.",
            shown_default="random, generated on first start into `instance/secret_key` (0600)"),
    Setting("PG_BIN_DIR", None, str,
            "Folder holding pg_dump and pg_restore for backup and restore; set it when they are neither on PATH "
            "nor under /usr/lib/postgresql."),
    # Pages and requests.
    Setting("ITEMS_PER_PAGE", 25, int, "Rows per page of the lists (outcomes, stories, evidence, search …)."),
    Setting("AUDIT_ITEMS_PER_PAGE", 50, int, "Entries per page of the audit trail."),
    Setting("MAX_CONTENT_LENGTH", 20 * MB, int,
            "Largest request body in bytes; keep it above EVIDENCE_UPLOAD_MAX_BYTES and IMPORT_MAX_BYTES."),
    Setting("MAX_FORM_MEMORY_SIZE", 4 * MB, int,
            "Largest urlencoded form in bytes; a 50,000-character story in Khmer or emoji is about 600 kB once "
            "percent-encoded, so lower it with care."),
    Setting("LANGUAGES", ["en", "fr", "es"], list,
            "Languages offered by the switcher and for reports; each needs a translation catalogue."),
    Setting("BABEL_DEFAULT_LOCALE", "en", str, "Language used when neither the person nor the browser names one."),
    Setting("BABEL_DEFAULT_TIMEZONE", "UTC", str, "Time zone in which dates and times are shown."),
    # Cookies and sign-in.
    Setting("SESSION_COOKIE_NAME", "session", str,
            "Name of the session cookie; change it only when another app on the same domain uses that name."),
    Setting("SESSION_COOKIE_SECURE", False, bool,
            "Mark the session cookie Secure on every response, not only on requests that arrived over HTTPS; set it to "
            "true in production."),
    Setting("SESSION_COOKIE_HTTPONLY", True, bool, "Hide the session cookie from scripts; leave it on."),
    Setting("SESSION_COOKIE_SAMESITE", "Lax", str,
            "SameSite attribute of the session cookie; Lax keeps it off cross-site form posts."),
    Setting("REMEMBER_COOKIE_HTTPONLY", True, bool, "Hide Flask-Login's remember cookie from scripts; leave it on."),
    Setting("REMEMBER_COOKIE_SAMESITE", "Lax", str, "SameSite attribute of Flask-Login's remember cookie."),
    Setting("WTF_CSRF_TIME_LIMIT", None, int,
            "Seconds a form's CSRF token stays valid; unset, it lasts as long as the session."),
    Setting("ARGON2_TIME_COST", 3, int,
            "argon2id passes per password hash (RFC 9106, second recommended option); raise it on fast servers."),
    Setting("ARGON2_MEMORY_COST", 64 * 1024, int,
            "argon2id memory per password hash in KiB (64 MiB); lower it only on a server short of memory."),
    Setting("ARGON2_PARALLELISM", 4, int, "argon2id lanes per password hash; leave it unless you tune the other two."),
    Setting("IDLE_TIMEOUT_MINUTES", 30, int, "A login session ends after this many minutes without a request."),
    Setting("SECOND_FACTOR_MINUTES", 10, int,
            "Minutes allowed between a correct password and its two-factor code."),
    Setting("LOGIN_FAILURES_PER_ACCOUNT", 5, int,
            "Failed logins for one account within the window before further attempts are refused (429)."),
    Setting("LOGIN_FAILURES_PER_IP", 5, int,
            "Failed logins from one IP address within the window before it is refused; raise it when many "
            "people share one address (an office behind NAT)."),
    Setting("LOGIN_FAILURE_WINDOW_MINUTES", 15, int, "The window, in minutes, over which failed logins count."),
    Setting("TOTP_ISSUER", "Evidence Tracker", str, "The name authenticator apps show next to the code."),
    Setting("BREAK_GLASS_HOURS", 3, int,
            "Hours an administrator's break-the-glass access to a project's sensitive records lasts."),
    # JSON API.
    Setting("API_ITEMS_PER_PAGE", 50, int, "Default page size of the JSON API's lists (`per_page` overrides it)."),
    Setting("API_AUTH_FAILURES_PER_TOKEN", 10, int,
            "Failed attempts with one bearer token (unknown, revoked or expired) within the window before that "
            "token is refused (429)."),
    Setting("API_AUTH_FAILURES_PER_IP", 10, int,
            "Failed attempts with tokens that match no token at all, from one IP address within the window, "
            "before further unknown tokens from it are refused (429); valid tokens are never refused."),
    Setting("API_AUTH_FAILURE_WINDOW_MINUTES", 15, int,
            "The window, in minutes, over which failed bearer-token attempts count."),
    # Evidence documents.
    Setting("EVIDENCE_UPLOAD_FOLDER", None, str,
            "Where versions before 0028 kept uploaded evidence documents, which are now kept in the database: "
            "`init-db` moves them from there once (and `restore` puts an older backup's files there for it). "
            "Leave it unset unless you had set it.",
            shown_default="`instance/uploads`"),
    Setting("EVIDENCE_UPLOAD_MAX_BYTES", 10 * MB, int,
            "Largest evidence document in bytes; keep it below MAX_CONTENT_LENGTH."),
    # Imports (XLSX, CSV, ZIP of CSVs).
    Setting("IMPORT_MAX_BYTES", 15 * MB, int, "Largest import file in bytes; keep it below MAX_CONTENT_LENGTH."),
    Setting("IMPORT_MAX_ROWS", 20_000, int,
            "Most data rows one import may hold; raise it for larger surveys, memory allowing."),
    Setting("IMPORT_MAX_UNCOMPRESSED", 150 * MB, int,
            "Largest unpacked size in bytes of an XLSX or ZIP import, which refuses zip bombs."),
    Setting("IMPORT_UPLOAD_MINUTES", 60, int,
            "Minutes an uploaded import file waits for its mapping and confirmation before it is deleted."),
    # Evidence reports.
    Setting("REPORT_JOB_RUNNER", "thread", str,
            "How report jobs run: `thread` (a pool in each web process), `celery` (Celery workers through the "
            "Redis broker at CELERY_BROKER_URL: start them with `flask --app tracker worker`), `inline` (at once, "
            "for tests), or `module:function` of an external queue that is handed each job id."),
    Setting("CELERY_BROKER_URL", "redis://localhost:6379/0", str,
            "The Redis broker that carries report jobs to the Celery workers when REPORT_JOB_RUNNER is `celery`; "
            "nothing connects to it otherwise."),
    Setting("CELERY_WORKER_MAX_MEMORY_MB", 400, int,
            "A Celery pool process whose memory went past this many MB during a task is replaced by a fresh one "
            "(about 140 MB) once the task ends, so that what one report leaves behind never adds to the next; "
            "the heaviest task of a 300-project portfolio takes about 390 MB. 0 keeps them however large."),
    Setting("REPORT_WORKERS", 2, int,
            "Report jobs one worker process builds at the same time (thread runner); raise it when reports "
            "queue, memory allowing."),
    Setting("REPORT_HEARTBEAT_SECONDS", 15, int,
            "Seconds between two renewals of a running report job's lease by its worker; also how often each web "
            "process (thread runner) fails the jobs whose worker stopped and takes the jobs left waiting."),
    Setting("REPORT_LEASE_SECONDS", 120, int,
            "A running report job whose lease went this many seconds without renewal is taken as stopped (its "
            "worker was killed or restarted) and fails, asking the user to try again (with Celery, another worker "
            "takes it over first, within one more lease); keep it several times REPORT_HEARTBEAT_SECONDS."),
    Setting("REPORT_LINK_HOURS", 24, int, "Hours a prepared report's download link works."),
    Setting("REPORT_FOLDER", None, str,
            "Where versions before 0028 kept prepared report files, which are now kept in the database: `init-db` "
            "moves them from there once. Leave it unset unless you had set it.",
            shown_default="`instance/reports`"),
    # Indicators.
    Setting("ACTUALS_SELF_APPROVAL", False, bool,
            "Let the person who submitted an indicator actual also approve it. Off by default (four eyes: someone "
            "else approves); turn on only for a fund whose M&E team is one person. Approvals still record both "
            "the submitter and the approver."),
    # IATI.
    Setting("IATI_SCHEMA_DIR", None, str,
            "Folder of the official IATI 2.03 schema (iati-activities-schema.xsd, iati-common.xsd, xml.xsd); "
            "when set, every IATI export is also validated against it."),
    # Access insight: the thresholds of the signals `flask --app tracker audit-signals` evaluates
    # (tracker.audit.rules words each rule). Days are UTC days.
    Setting("SIGNAL_SPIKE_FACTOR", 3, int,
            "Reads signal: a person's sensitive reads in a day above this many times their own median daily reads "
            "of the previous 30 days …"),
    Setting("SIGNAL_SPIKE_FLOOR", 40, int, "… and at least this many reads that day."),
    Setting("SIGNAL_PROJECTS_IN_WINDOW", 8, int,
            "Spread signal: sensitive records of at least this many projects read by one person …"),
    Setting("SIGNAL_PROJECTS_WINDOW_HOURS", 2, int, "… within this many hours."),
    Setting("SIGNAL_OFF_HOURS_FLOOR", 10, int,
            "Hours signal: at least this many sensitive reads in a day at hours (fund's time zone, "
            "BABEL_DEFAULT_TIMEZONE; accounts have none of their own) unusual for the person …"),
    Setting("SIGNAL_OFF_HOURS_USUAL_DAYS", 2, int,
            "… an hour being usual when the person read in it on at least this many of the previous 30 days."),
    Setting("SIGNAL_EXPORTS_PER_DAY", 5, int, "Exports signal: this many exports or report downloads by one person "
            "in a day."),
    Setting("SIGNAL_BREAK_GLASS_PER_WEEK", 3, int,
            "Break-the-glass signal: this many grants opened by one person in a calendar week."),
    Setting("SIGNAL_DORMANT_DAYS", 90, int,
            "Dormant-account signal: reads by an account after this many days without any audited activity."),
    # E-mail notifications of to-dos (tracker.inbox): nothing is sent while MAIL_HOST is unset.
    Setting("MAIL_HOST", None, str,
            "SMTP server that notification e-mails go through; unset, no e-mail is sent (to-dos still show in the "
            "inbox)."),
    Setting("MAIL_PORT", 587, int, "Port of the SMTP server: usually 587 with `starttls`, 465 with `ssl`, 25 with "
            "`none`."),
    Setting("MAIL_TLS", "starttls", str,
            "How the SMTP connection is protected: `starttls` (upgraded before logging in), `ssl` (TLS from the "
            "start) or `none` (a relay on the same host or a trusted network only)."),
    Setting("MAIL_USERNAME", None, str, "Login at the SMTP server; unset, the app does not log in."),
    Setting("MAIL_PASSWORD", None, str, "Password of MAIL_USERNAME at the SMTP server."),
    Setting("MAIL_SENDER", "Evidence Tracker <evidence-tracker@localhost>", str,
            "The From address of notification e-mails; use an address of your domain that the server may send as."),
    Setting("PUBLIC_URL", "http://127.0.0.1:5000", str,
            "The address people open the app at (scheme, host and any path prefix), for the links in e-mails."),
)

BY_NAME = {setting.name: setting for setting in SETTINGS}


def default(name):
    """The table's default of setting ``name``, for the plain modules that also work without an app."""
    return BY_NAME[name].default


def configure(app, test_config=None):
    """Load the settings into ``app.config`` in increasing order of precedence, then work out the rest."""
    app.config.from_mapping({setting.name: copy.deepcopy(setting.default) for setting in SETTINGS})
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    load_environment(app)
    if test_config is not None:
        app.config.from_mapping(test_config)
    app.config["INSTANCE_PATH"] = app.instance_path
    private_folder(Path(app.instance_path))
    if not app.config["DATABASE_URL"] and not app.config["DATABASE_ENGINE"]:
        app.config["DATABASE_URL"] = default_database_url(app.instance_path)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = load_or_create_secret_key(app.instance_path)


def load_environment(app):
    """Apply the ``TRACKER_*`` variables: JSON values parsed by Flask, checked against the table's types.

    An empty variable counts as unset. A variable that names no setting is logged and changes nothing:
    a misspelt setting in production must not go unnoticed.
    """
    for variable in unknown_variables(os.environ):
        app.logger.warning("%s is not a setting and is ignored%s", variable, suggestion(variable))
    parsed = parsed_environment(app)
    for setting in SETTINGS:
        raw = os.environ.get(f"{PREFIX}_{setting.name}")
        if raw:
            app.config[setting.name] = setting.from_environment(raw, parsed.get(setting.name))


def parsed_environment(app):
    """Every ``TRACKER_*`` variable as Flask's ``from_prefixed_env`` parses it, in a scratch table.

    Only the known settings are taken from it, so nothing unknown reaches the app's config. A nested name
    (``TRACKER_A__B``) under a setting that is also set plainly cannot be parsed and stops the start.
    """
    scratch = type(app.config)(app.root_path)
    try:
        scratch.from_prefixed_env(PREFIX)
    except TypeError:
        nested = [variable for variable in unknown_variables(os.environ) if "__" in variable]
        raise ValueError(f"{', '.join(nested)}: a setting is not a table; remove the variable") from None
    return scratch


def unknown_variables(environ):
    return sorted(variable for variable in environ
                  if variable.startswith(f"{PREFIX}_") and variable.removeprefix(f"{PREFIX}_") not in BY_NAME)


def suggestion(variable):
    close = difflib.get_close_matches(variable, [setting.variable for setting in SETTINGS if setting.variable], n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def default_database_url(instance_path):
    """Return the embedded SQLite database under ``instance/``."""
    return "sqlite:///" + str(Path(instance_path) / "tracker.sqlite")


def load_or_create_secret_key(instance_path):
    """Read the installation's secret key, creating it (mode 0600) on first start."""
    path = Path(instance_path) / KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return read_secret_key(path)
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key


def read_secret_key(path):
    """Read an existing key; another worker may be writing it this very moment."""
    for _attempt in range(50):
        key = path.read_text(encoding="ascii").strip()
        if key:
            return key
        time.sleep(0.02)
    raise RuntimeError(f"{path} is empty: delete it to generate a new secret key")


# The README's settings table ----------------------------------------------------------------------


def settings_markdown():
    """The Markdown table of every setting, as the README shows it between its ``settings`` markers."""
    rows = ["| Setting | Environment variable | Default | What it does |", "|---|---|---|---|"]
    rows += [f"| `{setting.name}` | {shown_variable(setting)} | {shown_default(setting)} | {setting.help} |"
             for setting in SETTINGS]
    return "\n".join(rows) + "\n"


def shown_variable(setting):
    return f"`{setting.variable}`" if setting.variable else "— (code only)"


def shown_default(setting):
    """The default as an environment variable would write it (JSON, or plain text), or how it is worked out."""
    if setting.shown_default:
        return setting.shown_default
    if setting.default is None:
        return "unset"
    if isinstance(setting.default, str):
        return f"`{setting.default}`"
    shown = f"`{json.dumps(setting.default)}`"
    if setting.type is int and setting.default >= MB and setting.default % MB == 0:
        shown += f" ({setting.default // MB} MiB)"
    return shown
