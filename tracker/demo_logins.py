"""The demo logins file (``instance/demo-logins.txt``, mode 0600) and ``python -m tracker.demo_logins EMAIL``.

``seed-demo`` writes one line per demo account: role, email, password and, for the accounts that must
use two-factor authentication, their TOTP secret. The module's command prints the current code of such
an account without building the application (about a tenth of a second, where ``flask --app tracker
demo-code`` loads the whole app), so the code a newcomer types is still fresh. It answers only for the
accounts listed in the file, never for real ones.
"""

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pyotp
from flask import Flask

from tracker.common.text import normalise_email

DEMO_LOGINS_FILE = "demo-logins.txt"


@dataclass
class DemoLogin:
    role: str
    email: str
    password: str
    totp_secret: str = ""


def instance_folder():
    """The instance folder the app would use (``TRACKER_INSTANCE_PATH``, else Flask's default), without building it."""
    return Path(Flask("tracker", instance_path=os.environ.get("TRACKER_INSTANCE_PATH") or None).instance_path)


def read_demo_logins(path):
    """The demo logins: role, email, password and, for accounts with two-factor, the TOTP secret."""
    if not path.exists():
        return []
    rows = (line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return [DemoLogin(*row) for row in rows if len(row) in (3, 4)]


def read_demo_passwords(path):
    return {login.email: login.password for login in read_demo_logins(path)}


def read_demo_secrets(path):
    return {login.email: login.totp_secret for login in read_demo_logins(path) if login.totp_secret}


def write_demo_logins(path, logins):
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        for login in logins:
            handle.write(f"{login.role}\t{login.email}\t{login.password}\t{login.totp_secret}\n")


class NotADemoAccount(LookupError):
    def __init__(self, email):
        super().__init__(f"{email} is not a demo account with two-factor authentication in {DEMO_LOGINS_FILE}; "
                         "demo-code only works for those.")


def demo_code(path, email, now=None):
    """``(code, seconds it stays valid)`` for a demo account listed in ``path``; NotADemoAccount for any other."""
    secret = read_demo_secrets(path).get(normalise_email(email))
    if secret is None:
        raise NotADemoAccount(email)
    totp = pyotp.TOTP(secret)
    now = time.time() if now is None else now
    return totp.at(now), totp.interval - int(now) % totp.interval


def main(argv=None):
    """``python -m tracker.demo_logins EMAIL`` (what ``make demo-code EMAIL=…`` runs): print the code, or refuse."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or not args[0].strip():
        print("Usage: make demo-code EMAIL=admin@example.org", file=sys.stderr)
        return 2
    try:
        code, seconds_left = demo_code(instance_folder() / DEMO_LOGINS_FILE, args[0])
    except NotADemoAccount as refusal:
        print(f"Error: {refusal}", file=sys.stderr)
        return 1
    print(code)
    print(f"(valid for {seconds_left} more seconds; each code works once)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
