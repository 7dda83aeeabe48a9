"""Configuration: defaults, then ``instance/config.py``, then ``TRACKER_*`` environment variables.

A test configuration passed to :func:`tracker.create_app` wins over everything.
"""

import os
import secrets
import time
from pathlib import Path

DEFAULTS = {
    "DATABASE_URL": None,  # resolved to a SQLite file under instance/ when unset
    "SQL_ECHO": False,
    "ITEMS_PER_PAGE": 25,
    "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
    # Urlencoded form bodies: a 50,000-character story in Khmer or emoji is ~600 kB once percent-encoded.
    "MAX_FORM_MEMORY_SIZE": 4 * 1024 * 1024,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
    "LANGUAGES": ["en", "fr", "es"],
    "BABEL_DEFAULT_LOCALE": "en",
    "BABEL_DEFAULT_TIMEZONE": "UTC",
    # argon2id parameters: RFC 9106 "second recommended option" (t=3, m=64 MiB, p=4).
    "ARGON2_TIME_COST": 3,
    "ARGON2_MEMORY_COST": 64 * 1024,
    "ARGON2_PARALLELISM": 4,
    # Server-side login sessions expire after this much inactivity.
    "IDLE_TIMEOUT_MINUTES": 30,
    # A login that passed its password must give its second factor within this time.
    "SECOND_FACTOR_MINUTES": 10,
    # Throttling: this many failed logins for one account, or from one IP, within the window answer 429.
    # Raise the IP limit if many people share one address (an office behind NAT).
    "LOGIN_FAILURES_PER_ACCOUNT": 5,
    "LOGIN_FAILURES_PER_IP": 5,
    "LOGIN_FAILURE_WINDOW_MINUTES": 15,
    # The name authenticator apps show next to the code.
    "TOTP_ISSUER": "Evidence Tracker",
    # Break-the-glass access to a project's sensitive records lasts this long.
    "BREAK_GLASS_HOURS": 3,
    "AUDIT_ITEMS_PER_PAGE": 50,
    # Imports (XLSX, CSV, ZIP of CSVs): file size, data rows, and a workbook's unpacked size (zip bombs).
    "IMPORT_MAX_BYTES": 15 * 1024 * 1024,
    "IMPORT_MAX_ROWS": 20_000,
    "IMPORT_MAX_UNCOMPRESSED": 150 * 1024 * 1024,
    # An uploaded file waits this long for its mapping and confirmation, then it is deleted.
    "IMPORT_UPLOAD_MINUTES": 60,
    # JSON API: default page size, and the throttle on failed bearer-token attempts per client IP.
    "API_ITEMS_PER_PAGE": 50,
    "API_AUTH_FAILURES_PER_IP": 10,
    "API_AUTH_FAILURE_WINDOW_MINUTES": 15,
    # Folder holding pg_dump and pg_restore, when they are not on PATH (found under /usr/lib/postgresql otherwise).
    "PG_BIN_DIR": None,
    # Folder holding the official IATI 2.03 schema (iati-activities-schema.xsd, iati-common.xsd, xml.xsd).
    # When set, every IATI export is validated against it before it leaves; the codelist and rule checks
    # run either way.
    "IATI_SCHEMA_DIR": None,
}

# (environment variable, setting) pairs.
ENVIRONMENT = (
    ("TRACKER_DATABASE_URL", "DATABASE_URL"),
    ("TRACKER_SECRET_KEY", "SECRET_KEY"),
    ("TRACKER_IATI_SCHEMA_DIR", "IATI_SCHEMA_DIR"),
)

KEY_FILE = "secret_key"


def configure(app, test_config=None):
    """Load configuration into ``app.config`` in increasing order of precedence."""
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    for variable, key in ENVIRONMENT:
        if os.environ.get(variable):
            app.config[key] = os.environ[variable]
    if test_config is not None:
        app.config.from_mapping(test_config)
    if not app.config.get("DATABASE_URL") and not app.config.get("DATABASE_ENGINE"):
        app.config["DATABASE_URL"] = default_database_url(app.instance_path)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_or_create_secret_key(app.instance_path)


def default_database_url(instance_path):
    """Return the embedded SQLite database under ``instance/``."""
    return "sqlite:///" + str(Path(instance_path) / "tracker.sqlite")


def load_or_create_secret_key(instance_path):
    """Read the installation's secret key, creating it (mode 0600) on first start."""
    path = Path(instance_path) / KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
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
