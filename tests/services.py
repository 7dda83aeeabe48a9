"""Real server processes for tests that need more than the WSGI test client: Redis, gunicorn, a report worker.

Each helper is a context manager that starts its process in a process group of its own on a free loopback
port, waits until it answers, yields a small description of it, and kills the whole group on the way out (also
when the test fails), so that no gunicorn worker or Celery child outlives the test. A missing server binary
skips the test locally and fails it under ``CI=true`` (:func:`tests.conftest.skip_or_fail`). The process's
output goes to a log file in the test's folder, whose tail is shown when it does not start.

- :func:`redis_server`: ``redis-server`` without persistence, in a folder of its own;
- :func:`gunicorn_server`: the app served by gunicorn with ``tracker.serving``'s settings and the environment
  given (the README's production command);
- :func:`tracker_command`: one ``flask --app tracker …`` command run to its end (``init-db``, ``seed-demo``);
- :func:`report_worker`: ``flask --app tracker worker``, the background process that builds report jobs.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from http.client import HTTPConnection
from pathlib import Path

from tests.conftest import skip_or_fail
from tests.postgres import free_port

START_SECONDS = 60
STOP_SECONDS = 20
FLASK = (sys.executable, "-m", "flask", "--app", "tracker")


@dataclass(frozen=True)
class RunningService:
    """A started process: what tests connect to (``url``), its port and its log file."""

    name: str
    process: subprocess.Popen
    port: int
    url: str
    log: Path

    def log_tail(self, characters=3000):
        return log_tail(self.log, characters)

    def check_running(self):
        """Fail with the log's tail if the process has ended (a worker that died leaves jobs waiting forever)."""
        if self.process.poll() is not None:
            raise AssertionError(f"{self.name} stopped (exit code {self.process.returncode}):\n{self.log_tail()}")


def log_tail(path, characters=3000):
    return Path(path).read_text(encoding="utf-8", errors="replace")[-characters:]


def tracker_environment(**settings):
    """The current environment without any ``TRACKER_*`` variable, plus ``settings`` as ``TRACKER_<NAME>``.

    A developer's own ``TRACKER_DATABASE_URL`` must never reach a test's server.
    """
    environment = {name: value for name, value in os.environ.items() if not name.startswith("TRACKER_")}
    return environment | {f"TRACKER_{name}": str(value) for name, value in settings.items()}


@contextmanager
def process_group(command, environment, log):
    """Start ``command`` in a new process group writing to ``log``; kill the group when the block ends."""
    with open(log, "ab") as output:
        process = subprocess.Popen(command, env=environment, stdout=output, stderr=subprocess.STDOUT,  # noqa: S603
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        yield process
    finally:
        stop_group(process)


def stop_group(process):
    """SIGTERM to the whole group (gunicorn's and Celery's children too), SIGKILL if it lingers."""
    for sent in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sent)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=STOP_SECONDS)
            break
        except subprocess.TimeoutExpired:
            continue
    with_children_gone(process.pid)


def with_children_gone(group, seconds=STOP_SECONDS):
    """Wait until no process of the group is left (children may outlive their parent by a moment)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    try:
        os.killpg(group, signal.SIGKILL)
    except ProcessLookupError:
        pass


def wait_until(name, process, log, answers):
    """Poll ``answers()`` until it is true; fail with the log's tail if the process ends or time runs out."""
    deadline = time.monotonic() + START_SECONDS
    while not answers():
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"{name} did not start (exit code {process.poll()}):\n{log_tail(log)}")
        time.sleep(0.2)


def required_binary(name):
    found = shutil.which(name)
    if not found:
        skip_or_fail(f"{name} is not installed")
    return found


# Redis ------------------------------------------------------------------------------------------------


def redis_answers(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(64).startswith(b"+PONG")
    except OSError:
        return False


@contextmanager
def redis_server(folder):
    """``redis-server`` on a free loopback port, nothing written to disk; yields it with ``url`` redis://…/0."""
    binary = required_binary("redis-server")
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
               "--dir", str(folder), "--protected-mode", "yes"]
    log = folder / "redis.log"
    with process_group(command, os.environ.copy(), log) as process:
        wait_until("redis-server", process, log, lambda: redis_answers(port))
        yield RunningService("redis-server", process, port, f"redis://127.0.0.1:{port}/0", log)


# The app's own processes ------------------------------------------------------------------------------


def tracker_command(*arguments, environment, log):
    """Run ``flask --app tracker ARGUMENTS`` to its end; fail with its output when it fails."""
    result = subprocess.run([*FLASK, *arguments], env=environment, capture_output=True, text=True,  # noqa: S603
                            timeout=600, check=False)
    Path(log).write_text(result.stdout + result.stderr, encoding="utf-8")
    assert result.returncode == 0, f"flask {' '.join(arguments)} failed:\n{(result.stdout + result.stderr)[-3000:]}"
    return result.stdout


def health_answers(port):
    connection = HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


@contextmanager
def gunicorn_server(name, folder, environment, workers=2):
    """The app under gunicorn (``-c python:tracker.serving``) on a free loopback port, with ``environment``.

    Ready once ``/healthz`` answers 200; yields it with ``url`` http://127.0.0.1:PORT.
    """
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-c", "python:tracker.serving", "--workers", str(workers),
               "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "tracker:create_app()"]
    log = folder / f"{name}.log"
    with process_group(command, environment, log) as process:
        wait_until(name, process, log, lambda: health_answers(port))
        yield RunningService(name, process, port, f"http://127.0.0.1:{port}", log)


@contextmanager
def report_worker(folder, environment):
    """``flask --app tracker worker``: takes report jobs from the broker ``environment`` names.

    It listens on no port and jobs wait in the broker until it takes them, so nothing is awaited here: a test
    that waits for a job calls :meth:`RunningService.check_running` meanwhile, to fail with the worker's log.
    """
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "worker.log"
    with process_group([*FLASK, "worker"], environment, log) as process:
        yield RunningService("worker", process, 0, "", log)
