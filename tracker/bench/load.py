"""``flask --app tracker bench-load``: a team working at once, on SQLite and on PostgreSQL side by side.

For each backend the demo portfolio is loaded into a throwaway database (a SQLite file in a temporary folder;
for PostgreSQL the EMPTY database ``--postgres-url`` names, else a temporary cluster started with initdb and pg_ctl
when they are installed), served by gunicorn with 2 workers on a free loopback port, and ``--clients`` threads share
``--requests`` HTTP requests as grantees, M&E officers and donors would make them: list pages, audited detail pages
(stories, outcomes), real password logins (an M&E officer's second factor is one of their recovery codes) and report
requests. Stdout holds one JSON object: per backend the requests, their count by status class, the p50 and p95
latency; and p95(SQLite) / p95(PostgreSQL). Progress goes to stderr. Nothing leaves the loopback interface.
"""

import html
import os
import random
import re
import secrets
import shutil
import statistics

# gunicorn, initdb and pg_ctl are started with fixed arguments (no shell) and stopped by their own process ids.
import subprocess  # nosec B404
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlencode

import click

WORKERS = 2
TARGETS = {"sqlite_5xx": 0, "p95_ratio": 1.5}
# What a client does next, by weight; a login is 2 requests (4 with a second factor), a report request 2.
MIX = {"list": 10, "detail": 10, "login": 2, "report": 1}
# The demo's accounts that the clients take turns to be.
ROLES = ("grantee", "me", "donor")
# The server hashes passwords as cheaply as the benchmark's seed did (config.py of its instance folder).
SERVER_CONFIG = "ARGON2_TIME_COST = 1\nARGON2_MEMORY_COST = 8\nARGON2_PARALLELISM = 1\n"
PROJECT_LINK = re.compile(r'href="/projects/([a-z0-9-]+)"')
DETAIL_LINK = re.compile(r'href="(/projects/[a-z0-9-]+/(?:stories|outcomes)/\d+)"')
INPUT_TAG = re.compile(r"<input\b[^>]*>")
ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')


def progress(message):
    click.echo(message, err=True)


# The demo portfolio and its accounts ------------------------------------------------------------------


class Account:
    """A demo login the clients use; an M&E officer's second factor comes from a pool of recovery codes."""

    def __init__(self, role, email, password, codes=()):
        self.role, self.email, self.password = role, email, password
        self.codes = list(codes)
        self.lock = threading.Lock()

    def second_factor(self):
        with self.lock:
            return self.codes.pop() if self.codes else ""


def load_demo(url, logins_needed):
    """Migrate and seed the demo into ``url``; give its M&E officer enough recovery codes; return the accounts."""
    from tracker import create_app
    from tracker import migrate
    from tracker.auth import two_factor
    from tracker.auth.models import RecoveryCode
    from tracker.auth.services import get_user_by_email
    from tracker.bench.report import FAST_HASHING
    from tracker.db import database
    from tracker.seeding import seed_demo

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(16), **FAST_HASHING})
    app.logger.disabled = True
    engine = database(app).engine
    migrate.upgrade(engine)
    accounts = []
    with app.app_context(), database(app).new_session() as session:
        for login in seed_demo(session, app.extensions["tracker.hasher"], {}):
            codes = []
            if login.totp_secret:
                codes = [two_factor.generate_recovery_code() for _ in range(logins_needed)]
                user_id = get_user_by_email(session, login.email).id
                session.add_all(RecoveryCode(user_id=user_id, code_hash=two_factor.hash_recovery_code(code))
                                for code in codes)
            accounts.append(Account(login.role, login.email, login.password, codes))
        session.commit()
    engine.dispose()
    return [account for account in accounts if account.role in ROLES]


# The clients --------------------------------------------------------------------------------------------


class OutOfRequests(Exception):
    """The run's budget of requests is spent."""


@dataclass
class Tally:
    """The budget of requests the clients share, and what each request answered, how fast."""

    budget: int
    lock: threading.Lock = field(default_factory=threading.Lock)
    answers: list = field(default_factory=list)

    def take(self):
        with self.lock:
            if self.budget <= 0:
                raise OutOfRequests
            self.budget -= 1

    def add(self, kind, status, milliseconds):
        with self.lock:
            self.answers.append((kind, status, milliseconds))


class Visitor:
    """One person's browser: its cookies, and each request it makes timed into the tally."""

    def __init__(self, port, tally):
        self.port, self.tally = port, tally
        self.cookies = {}

    def get(self, kind, path):
        return self.request(kind, "GET", path)

    def post(self, kind, path, form):
        return self.request(kind, "POST", path, form)

    def request(self, kind, method, path, form=None):
        self.tally.take()
        headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = HTTPConnection("127.0.0.1", self.port, timeout=60)
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            page = response.read().decode("utf-8", errors="replace")
        except OSError:
            self.tally.add(kind, 0, (time.perf_counter() - started) * 1000)
            return 0, None, ""
        finally:
            connection.close()
        self.tally.add(kind, response.status, (time.perf_counter() - started) * 1000)
        self.keep_cookies(response.headers.get_all("Set-Cookie") or [])
        return response.status, response.getheader("Location"), page

    def keep_cookies(self, headers):
        for header in headers:
            name, _sep, value = header.split(";", 1)[0].partition("=")
            if value and "expires=thu, 01 jan 1970" not in header.lower():
                self.cookies[name.strip()] = value.strip()
            else:
                self.cookies.pop(name.strip(), None)


def hidden_fields(page):
    """The CSRF token and submission id of the page's forms (first of each), as a browser would post them."""
    fields = {}
    for tag in INPUT_TAG.findall(page):
        attributes = dict(ATTRIBUTE.findall(tag))
        name = attributes.get("name", "")
        if attributes.get("type") == "hidden" and name in ("csrf_token", "submission_id"):
            fields.setdefault(name, html.unescape(attributes.get("value", "")))
    return fields


class Client:
    """One member of the team: logs in, then lists, reads, logs in again and asks for reports at random."""

    def __init__(self, port, tally, account, seed):
        self.visitor = Visitor(port, tally)
        self.account = account
        self.random = random.Random(seed)  # noqa: S311  # nosec B311 - a reproducible mix, not security
        self.projects = []
        self.lists = []
        self.details = set()

    def run(self):
        try:
            self.log_in()
            self.look_around()
            actions = {"list": self.open_list, "detail": self.open_detail, "login": self.log_in,
                       "report": self.ask_for_report}
            while True:
                kind = self.random.choices(list(MIX), weights=list(MIX.values()))[0]
                actions[kind]()
        except OutOfRequests:
            return

    def log_in(self):
        self.visitor.cookies.clear()
        _status, _location, page = self.visitor.get("login", "/login")
        _status, location, _page = self.visitor.post("login", "/login", {
            **hidden_fields(page), "email": self.account.email, "password": self.account.password})
        if location and "/login/verify" in location:
            _status, _location, page = self.visitor.get("login", "/login/verify")
            self.visitor.post("login", "/login/verify", {**hidden_fields(page), "code": self.account.second_factor()})

    def look_around(self):
        """The portfolio page: which projects this person sees, hence their list pages."""
        _status, _location, page = self.visitor.get("list", "/")
        self.projects = sorted(set(PROJECT_LINK.findall(page)) - {"new"})
        self.lists = ["/"] + [f"/projects/{slug}/{area}" for slug in self.projects for area in ("outcomes", "stories")]

    def open_list(self):
        _status, _location, page = self.visitor.get("list", self.random.choice(self.lists))
        self.details.update(DETAIL_LINK.findall(page))

    def open_detail(self):
        """A story or outcome seen on a list page (each opening is audited); a list page until one is seen."""
        if self.details:
            self.visitor.get("detail", self.random.choice(sorted(self.details)))
        else:
            self.open_list()

    def ask_for_report(self):
        """A donor report of one of this person's projects, as a PDF job."""
        if not self.projects:
            return
        path = f"/projects/{self.random.choice(self.projects)}/reports"
        _status, _location, page = self.visitor.get("report", path)
        self.visitor.post("report", path, {**hidden_fields(page), "audience": "donor", "language": "en",
                                           "action": "pdf"})


def run_clients(port, accounts, requests, clients, seed=1):
    """``clients`` threads share ``requests`` requests; each takes the next account in turn."""
    tally = Tally(requests)
    by_role = {role: [account for account in accounts if account.role == role] for role in ROLES}
    team = []
    for number in range(clients):
        role = ROLES[number % len(ROLES)]
        account = by_role[role][(number // len(ROLES)) % len(by_role[role])]
        team.append(Client(port, tally, account, seed + number))
    threads = [threading.Thread(target=client.run) for client in team]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally.answers, time.perf_counter() - started


# Figures ------------------------------------------------------------------------------------------------


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] if ordered else None


def status_class(status):
    return f"{status // 100}xx" if status else "no_answer"


def figures(answers, seconds):
    """Requests, count by status class, p50 and p95 in ms, overall and per kind of request."""
    def summary(rows):
        times = [milliseconds for _kind, _status, milliseconds in rows]
        classes = {name: 0 for name in ("2xx", "3xx", "4xx", "5xx", "no_answer")}
        for _kind, status, _milliseconds in rows:
            classes[status_class(status)] += 1
        return {"requests": len(rows), "status_classes": classes,
                "p50_ms": round(statistics.median(times), 1) if times else None,
                "p95_ms": round(percentile(times, 0.95), 1) if times else None}

    result = summary(answers)
    result["seconds"] = round(seconds, 1)
    result["by_kind"] = {kind: summary([row for row in answers if row[0] == kind]) for kind in MIX}
    return result


# Servers ------------------------------------------------------------------------------------------------


@contextmanager
def gunicorn(url, instance, log_path):
    """gunicorn with :data:`WORKERS` workers serving the app on a free loopback port; its log goes to ``log_path``."""
    from tracker.bench.measure import free_port
    from tracker.bench.measure import get

    port = free_port()
    (instance / "config.py").write_text(SERVER_CONFIG, encoding="utf-8")
    environment = dict(os.environ, TRACKER_DATABASE_URL=url, TRACKER_SECRET_KEY=secrets.token_hex(32),
                       TRACKER_INSTANCE_PATH=str(instance))
    with open(log_path, "wb") as log:
        process = subprocess.Popen(  # noqa: S603 # nosec B603
            [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}",
             "--log-level", "warning", "tracker:create_app()"], env=environment, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while not answers_health(get, port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise click.ClickException("gunicorn did not start: " + log_tail(log_path))
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def answers_health(get, port):
    try:
        return get(port, "/healthz", {}) == 200
    except OSError:
        return False


def log_tail(path, characters=2000):
    return Path(path).read_text(encoding="utf-8", errors="replace")[-characters:]


@contextmanager
def temporary_postgres():
    """A throwaway PostgreSQL cluster on a free loopback port: yields its URL, or None when it is not installed."""
    from tracker.backup import BackupError
    from tracker.backup import find_pg_tool
    from tracker.bench.measure import free_port

    try:
        initdb, pg_ctl, createdb = (find_pg_tool(name) for name in ("initdb", "pg_ctl", "createdb"))
    except BackupError:
        yield None
        return
    # PostgreSQL refuses to run as root: run it as the postgres user then, in a folder of its own.
    as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    folder = Path(tempfile.mkdtemp(prefix="bench-load-pg-"))
    if as_owner:
        shutil.chown(folder, "postgres", "postgres")
    data, port = folder / "data", free_port()

    def run(*command):
        result = subprocess.run([*as_owner, *command], capture_output=True, text=True, timeout=120,  # noqa: S603
                                check=False)  # nosec B603
        if result.returncode:
            raise click.ClickException(f"{Path(command[0]).name} failed: {result.stderr[-2000:]}")

    try:
        run(initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "--encoding=UTF8", "--locale=C")
        run(pg_ctl, "-D", str(data), "-l", str(folder / "log"), "-w", "-t", "60", "-o",
            f"-p {port} -k {folder} -c listen_addresses=127.0.0.1", "start")
        try:
            run(createdb, "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "bench")
            yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/bench"
        finally:
            run(pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# The command --------------------------------------------------------------------------------------------


def measure_backend(name, url, folder, requests, clients):
    instance = folder / name
    instance.mkdir()
    progress(f"{name}: loading the demo portfolio ...")
    accounts = load_demo(url, logins_needed=requests // 4 + clients)
    log_path = folder / f"{name}-gunicorn.log"
    with gunicorn(url, instance, log_path) as port:
        progress(f"{name}: {clients} clients share {requests} requests on gunicorn ({WORKERS} workers) ...")
        answers, seconds = run_clients(port, accounts, requests, clients)
    result = figures(answers, seconds)
    result["logged_errors"] = log_tail(log_path, characters=10**7).count("Traceback")
    return result


def run(requests, clients, postgres_url, sqlite_only):
    with tempfile.TemporaryDirectory(prefix="bench-load-") as name:
        folder = Path(name)
        result = {"clients": clients, "workers": WORKERS,
                  "sqlite": measure_backend("sqlite", f"sqlite:///{folder / 'load.sqlite'}", folder, requests,
                                            clients)}
        if sqlite_only:
            result["postgresql"] = {"skipped": "--sqlite-only"}
        elif postgres_url:
            result["postgresql"] = measure_backend("postgresql", postgres_url, folder, requests, clients)
        else:
            with temporary_postgres() as url:
                result["postgresql"] = (measure_backend("postgresql", url, folder, requests, clients) if url
                                        else {"skipped": "initdb and pg_ctl are not installed"})
    postgres_p95 = result["postgresql"].get("p95_ms")
    result["p95_ratio"] = round(result["sqlite"]["p95_ms"] / postgres_p95, 2) if postgres_p95 else None
    result["targets"] = {
        "sqlite_no_5xx": result["sqlite"]["status_classes"]["5xx"] == TARGETS["sqlite_5xx"],
        "p95_ratio": None if result["p95_ratio"] is None else result["p95_ratio"] <= TARGETS["p95_ratio"]}
    return result
