"""``flask --app tracker bench-report --workers 1,2``: the donor portfolio PDF built in parts by real Celery workers.

For each number of workers, on the same synthetic portfolio (:class:`tracker.bench.report.Synthetic`): a
``redis-server`` of its own on a free loopback port, and ``flask --app tracker worker -c N`` started and ready
before the clock starts, as a running pool is. The job is then sent as the web app sends it
(:func:`tracker.reports.runner.submit`) and the wall time runs until it is done: the job's task plans the
parts, the pool processes take the part tasks one at a time (longest first), one numbers the contents, one
stitches (:mod:`tracker.reports.tasks`). The worker's own log gives each task's time, each pool process's peak
memory as it ends (``VmHWM``, logged by :mod:`tracker.queue`; the worker is stopped once the job is done) and
that of the process the stitch copies in (:func:`tracker.reports.stitch.stitch_apart`).

From the one-worker run's task times, it estimates the wall time on 8 cores: the part tasks dealt to 8 workers
(longest first), each worker assembling the report once (about the job task's time), plus planning, numbering
and the stitch, which stay serial.

With ``--one-process``, the job is also built by one process doing every step (:func:`jobs.run_job`, as the
thread runner does): the peak of a process that is never replaced.
"""

import heapq
import json
import logging
import os
import re
import secrets
import shutil
import signal

# The worker, redis-server and a child Python of this module run as processes: fixed arguments, no shell.
import subprocess  # nosec B404
import sys
import time
from contextlib import contextmanager

import click
import redis

from tracker import create_app
from tracker.audit.services import Actor
from tracker.auth import services as auth_services
from tracker.auth.models import User
from tracker.bench.measure import free_port
from tracker.common.memory import peak_rss_mb
from tracker.db import database
from tracker.db import read_only
from tracker.portfolio.models import Fund
from tracker.reports import jobs
from tracker.reports import runner
from tracker.reports import stitch as stitching
from tracker.reports import tasks
from tracker.reports.models import JobStatus
from tracker.reports.models import ReportJob

RSS_TARGET_MB = 500
SPEED_UP_TARGET = 0.65
ESTIMATED_CORES = 8
PASSWORD = secrets.token_urlsafe(18)
ACTOR = Actor.command_line("benchmark")
START_SECONDS = 60
JOB_SECONDS = 3600
TASK = re.compile(r"Task (tracker\.reports\.\w+)\[[^\]]+\] succeeded in ([0-9.]+)s")
POOL_PROCESS = re.compile(r"Pool process (\d+) ends \(exit code [^)]*\); its peak memory was ([0-9.]+) MB")
COPY = re.compile(r"in a process of its own; its peak memory was ([0-9.]+) MB")


def figures(synthetic_app, url, folder, fund_id, user_id, worker_counts, one_process=False):
    """The figures of each number of workers in ``worker_counts``, side by side, with the targets (and with
    ``one_process``, those of the job built in one process)."""
    with redis_broker(folder) as broker:
        runs = [with_celery(synthetic_app, url, folder, broker, fund_id, user_id, workers)
                for workers in worker_counts]
    result = {"runs": runs, "rss_target_mb": RSS_TARGET_MB}
    if one_process:
        result["in_one_process"] = in_one_process(synthetic_app, url, folder, fund_id, user_id)
    result["peak_rss_mb"] = max(run["peak_rss_mb"] for run in [*runs, result.get("in_one_process", runs[0])])
    one = next((run for run in runs if run["workers"] == 1), None)
    if one is not None:
        result[f"estimated_wall_s_{ESTIMATED_CORES}_workers"] = estimate(one)
        for run in runs:
            if run["workers"] > 1:
                result[f"wall_ratio_{run['workers']}_to_1"] = round(run["wall_s"] / one["wall_s"], 3)
        result["wall_ratio_target"] = SPEED_UP_TARGET
    return result


@contextmanager
def redis_broker(folder):
    """``redis-server`` on a free loopback port, nothing written to disk: its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise click.ClickException("bench-report --workers runs real Celery workers: install redis-server "
                                   "(Debian package redis-server)")
    port = free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",  # noqa: S603 # nosec B603
                                "--appendonly", "no", "--dir", str(folder)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"redis://127.0.0.1:{port}/0"
        wait_until(lambda: answers(url), process, "redis-server")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def answers(url):
    try:
        with redis.Redis.from_url(url) as client:
            return client.ping()
    except redis.ConnectionError:
        return False


def wait_until(condition, process, name, seconds=START_SECONDS):
    deadline = time.monotonic() + seconds
    while not condition():
        if process.poll() is not None or time.monotonic() > deadline:
            raise click.ClickException(f"{name} did not start (exit code {process.poll()})")
        time.sleep(0.1)


def with_celery(app, url, folder, broker, fund_id, user_id, workers):
    """The job built by a worker of ``workers`` pool processes: its wall time, task times and peaks."""
    secret = secrets.token_hex(16)
    settings = {"DATABASE_URL": url, "SECRET_KEY": secret, "REPORT_JOB_RUNNER": "celery",
                "CELERY_BROKER_URL": broker, "INSTANCE_PATH": str(folder / "instance")}
    log = folder / f"worker-{workers}.log"
    with started_worker(settings, workers, log) as worker:
        job_id = new_job(app, fund_id, user_id)
        sender = create_app({name: value for name, value in settings.items() if name != "INSTANCE_PATH"})
        started = time.perf_counter()
        runner.submit(sender, job_id)
        job = finished_job(app, job_id, worker)
        wall = time.perf_counter() - started
        main_peak = peak_rss_mb(worker.pid)
    return {"workers": workers, "parts": job.parts_total, "status": job.status.value, "error": job.error,
            "pdf_bytes": job.file_size, "wall_s": round(wall, 2), "main_process_max_rss_mb": main_peak,
            **from_log(log.read_text(encoding="utf-8", errors="replace"))}


@contextmanager
def started_worker(settings, workers, log):
    """``flask --app tracker worker -c workers``, ready; stopped (warm shutdown) on the way out."""
    environment = {name: value for name, value in os.environ.items() if not name.startswith("TRACKER_")}
    environment |= {f"TRACKER_{name}": str(value) for name, value in settings.items()}
    with log.open("w", encoding="utf-8") as output:
        worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "tracker", "worker",  # noqa: S603 # nosec B603
                                   "--concurrency", str(workers), "--loglevel", "INFO"],
                                  env=environment, stdout=output, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_until(lambda: " ready." in log.read_text(encoding="utf-8", errors="replace"), worker, "The worker")
        yield worker
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def finished_job(app, job_id, worker):
    deadline = time.monotonic() + JOB_SECONDS
    while True:
        with database(app).new_session() as session:
            read_only(session)  # on SQLite, no write lock taken from the workers
            job = session.get(ReportJob, job_id)
            if job.status not in (JobStatus.QUEUED, JobStatus.RUNNING):
                return job
        if worker.poll() is not None or time.monotonic() > deadline:
            raise click.ClickException(f"the worker ended or the job did not (status {job.status.value})")
        time.sleep(0.25)


def from_log(text):
    """Task times, pool process and copy peaks, as the worker logged them."""
    times = {}
    for name, seconds in TASK.findall(text):
        times.setdefault(name.rsplit(".", 1)[1], []).append(round(float(seconds), 3))
    pool = sorted((float(peak) for peak in dict(POOL_PROCESS.findall(text)).values()), reverse=True)  # by pid
    copies = [float(peak) for peak in COPY.findall(text)]
    return {"task_s": {name: round(sum(values), 2) for name, values in times.items()},
            "part_s": times.get(tasks.PART_TASK_NAME.rsplit(".", 1)[1], []),
            "pool_processes_max_rss_mb": pool, "copy_process_max_rss_mb": max(copies, default=None),
            "peak_rss_mb": max([*pool, *copies], default=0)}


def estimate(run, cores=ESTIMATED_CORES):
    """The wall time with ``cores`` workers, from one worker's task times (see the module's docstring)."""
    serial = run["task_s"]
    assembling = serial.get("build_report", 0)
    loads = [assembling] * cores
    for seconds in sorted(run["part_s"], reverse=True):
        heapq.heapreplace(loads, loads[0] + seconds)
    return round(assembling + max(loads) + serial.get("number_report_contents", 0)
                 + serial.get("stitch_report", 0), 1)


def new_job(app, fund_id, user_id):
    with app.app_context(), database(app).new_session() as session:
        job = jobs.create_job(session, ACTOR, session.get(User, user_id), fund=session.get(Fund, fund_id),
                              audience="donor")
        session.commit()
        return job.id


def in_one_process(app, url, folder, fund_id, user_id):
    """Every step of the job in one child process, as the thread runner builds it: its time and peak memory."""
    job_id = new_job(app, fund_id, user_id)
    started = time.perf_counter()
    # Our own module, no shell, fixed arguments.
    done = subprocess.run([sys.executable, "-m", "tracker.bench.report_parts", url, str(job_id)],  # noqa: S603 # nosec B603
                          capture_output=True, text=True, check=False)
    if done.returncode:
        raise click.ClickException(f"the one-process build failed ({done.returncode}): {done.stderr[-2000:]}")
    built = json.loads(done.stdout.strip().splitlines()[-1])
    with database(app).new_session() as session:
        job = session.get(ReportJob, job_id)
        status, size = job.status.value, job.file_size
    return {"status": status, "pdf_bytes": size, "wall_s": round(time.perf_counter() - started, 2), **built,
            "peak_rss_mb": max(built["max_rss_mb"], built["copy_process_max_rss_mb"] or 0)}


def bench_user(session, hasher):
    return auth_services.create_user(session, hasher, ACTOR,
                                     email=f"donor-{secrets.token_hex(4)}@example.org", display_name="Bench donor",
                                     role="donor", password=PASSWORD)


# In the child process --------------------------------------------------------------------------------------


def child(url, job_id):
    """Build job ``job_id`` in this process: its time, peak memory and its copy's, as one JSON line."""
    started = time.perf_counter()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(16)})
    app.logger.disabled = True
    copy = CopyPeak()
    stitching.LOG.addHandler(copy)
    stitching.LOG.setLevel(logging.INFO)
    jobs.run_job(app, int(job_id))
    database(app).engine.dispose()
    print(json.dumps({"s": round(time.perf_counter() - started, 2), "max_rss_mb": peak_rss_mb(),
                      "copy_process_max_rss_mb": max(copy.peaks, default=None)}))


class CopyPeak(logging.Handler):
    """The peak memory of the process the stitch copies in, as :func:`tracker.reports.stitch.stitch_apart`
    logs it."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.peaks = []

    def emit(self, record):
        if getattr(record, "peak_rss_mb", None) is not None:
            self.peaks.append(record.peak_rss_mb)


if __name__ == "__main__":
    child(*sys.argv[1:3])
