"""``flask --app tracker bench-report --workers 1,2``: the donor portfolio PDF rendered in parts by worker processes.

For each number of workers, on the same synthetic portfolio (:class:`tracker.bench.report.Synthetic`): one
process plans the job (:func:`tracker.reports.parts.plan`), that many processes render the parts at the same
time, each taking the next one as it frees up, in the order the plan sends them (longest first), as Celery's
workers take tasks (:func:`tracker.reports.parts.run_part`), one
process numbers the contents (:func:`tracker.reports.parts.number_front`) and one stitches the parts
(:func:`tracker.reports.parts.stitch`), copying them in a process of its own. Each process reports its own time
and peak memory (``VmHWM``), the stitch also its copy's; the wall time is the parent's, process starts
included, as a queue would see it. With ``--one-process``, the job is also built by one process doing every
step (:func:`tracker.reports.jobs.run_job`, as the thread runner does): the peak of a process that is reused.

From the one-worker run's time per part, it estimates the wall time on 8 cores: the parts dealt to 8 workers
(longest first), plus each worker's fixed cost (start, app, assembling the report), plus planning, numbering
and the stitch, which stay serial.
"""

import heapq
import json
import logging
import queue
import secrets

# The child Python (this module) runs one step so that its peak memory is measured alone.
import subprocess  # nosec B404
import sys
import threading
import time

from tracker import create_app
from tracker.audit.services import Actor
from tracker.auth import services as auth_services
from tracker.auth.models import User
from tracker.common.memory import peak_rss_mb
from tracker.db import database
from tracker.portfolio.models import Fund
from tracker.reports import jobs
from tracker.reports import parts
from tracker.reports import stitch as stitching
from tracker.reports.models import ReportJob

RSS_TARGET_MB = 500
SPEED_UP_TARGET = 0.65
ESTIMATED_CORES = 8
PASSWORD = secrets.token_urlsafe(18)
ACTOR = Actor.command_line("benchmark")


def run_child(*arguments, stdin=None):
    """Run one step in a child process of its own; ``Popen`` of ``python -m tracker.bench.report_parts``."""
    # Our own module, no shell, fixed arguments.
    return subprocess.Popen([sys.executable, "-m", "tracker.bench.report_parts", *map(str, arguments)],  # noqa: S603 # nosec B603
                            stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def result_of(process):
    out, err = process.communicate()
    if process.returncode:
        raise RuntimeError(f"bench step failed ({process.returncode}): {err[-2000:]}")
    return json.loads(out.strip().splitlines()[-1])


def rendered_by(workers, url, folder, job_id, order):
    """The parts in ``order`` rendered by ``workers`` processes at once, each taking the next part as it frees
    up, as Celery's workers take the next task (one at a time): the figures of each process."""
    waiting = queue.SimpleQueue()
    for index in order:
        waiting.put(index)
    running = [run_child("serve", url, folder, job_id, stdin=subprocess.PIPE) for _worker in range(workers)]
    feeders = [threading.Thread(target=feed, args=(process, waiting)) for process in running]
    for feeder in feeders:
        feeder.start()
    for feeder in feeders:
        feeder.join()
    return [result_of(process) for process in running]


def feed(process, waiting):
    """Hand ``process`` the next waiting part each time it says the last one is done; then close its input."""
    while True:
        try:
            index = waiting.get_nowait()
        except queue.Empty:
            break
        process.stdin.write(f"{index}\n")
        process.stdin.flush()
        if not process.stdout.readline():  # it ended: result_of tells why
            break
    process.stdin.close()
    process.stdin = None  # closed: communicate() only reads what is left


def new_job(app, fund_id, user_id):
    with app.app_context(), database(app).new_session() as session:
        job = jobs.create_job(session, ACTOR, session.get(User, user_id), fund=session.get(Fund, fund_id),
                              audience="donor")
        session.commit()
        return job.id


def fanned_out(app, url, folder, fund_id, user_id, workers):
    """Plan, render in ``workers`` processes at once, stitch: the figures of each process and the wall time."""
    job_id = new_job(app, fund_id, user_id)
    started = time.perf_counter()
    planned = result_of(run_child("plan", url, folder, job_id))
    order = planned.pop("order")
    planned["parts"] = count = len(order)
    rendered = rendered_by(workers, url, folder, job_id, order)
    rendering = time.perf_counter() - started
    numbered = result_of(run_child("number", url, folder, job_id))
    stitched = result_of(run_child("stitch", url, folder, job_id))
    wall = time.perf_counter() - started
    with database(app).new_session() as session:
        job = session.get(ReportJob, job_id)
        status, size, error = job.status.value, job.file_size, job.error
    return {"workers": workers, "parts": count, "status": status, "error": error, "pdf_bytes": size,
            "wall_s": round(wall, 2), "plan_and_render_s": round(rendering, 2), "plan": planned,
            "render": rendered, "number": numbered, "stitch": stitched,
            "peak_rss_mb": max(step.get(figure) or 0 for step in (planned, numbered, stitched, *rendered)
                               for figure in ("max_rss_mb", "copy_process_max_rss_mb"))}


def estimate(run, cores=ESTIMATED_CORES):
    """The wall time with ``cores`` workers, from one worker's time per part (see the module's docstring)."""
    worker = run["render"][0]
    fixed = worker["s"] - sum(worker["part_s"])
    loads = [0.0] * cores
    for seconds in sorted(worker["part_s"], reverse=True):
        heapq.heapreplace(loads, loads[0] + seconds)
    return round(run["plan"]["s"] + fixed + max(loads) + run["number"]["s"] + run["stitch"]["s"], 1)


def in_one_process(app, url, folder, fund_id, user_id):
    """Every step of the job in one process, as the thread runner builds it: its time and peak memory."""
    job_id = new_job(app, fund_id, user_id)
    started = time.perf_counter()
    built = result_of(run_child("whole", url, folder, job_id))
    with database(app).new_session() as session:
        job = session.get(ReportJob, job_id)
        status, size = job.status.value, job.file_size
    return {"status": status, "pdf_bytes": size, "wall_s": round(time.perf_counter() - started, 2), **built,
            "peak_rss_mb": max(built["max_rss_mb"], built.get("copy_process_max_rss_mb") or 0)}


def figures(synthetic_app, url, folder, fund_id, user_id, worker_counts, one_process=False):
    """The figures of each number of workers in ``worker_counts``, side by side, with the targets (and with
    ``one_process``, those of the job built in one process)."""
    runs = [fanned_out(synthetic_app, url, folder, fund_id, user_id, workers) for workers in worker_counts]
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


def bench_user(session, hasher):
    return auth_services.create_user(session, hasher, ACTOR,
                                     email=f"donor-{secrets.token_hex(4)}@example.org", display_name="Bench donor",
                                     role="donor", password=PASSWORD)


# In the child processes ----------------------------------------------------------------------------------


def child(step, url, folder, job_id):
    """One step of the job in this process: its time and peak memory as one JSON line (and per part times)."""
    started = time.perf_counter()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(16), "REPORT_FOLDER": folder})
    app.logger.disabled = True
    job_id = int(job_id)
    figures = {}
    if step == "plan":
        figures["order"] = parts.plan(app, job_id)
    elif step == "number":
        parts.number_front(app, job_id)
    elif step == "serve":
        figures["part_s"] = []
        for line in sys.stdin:
            begun = time.perf_counter()
            parts.run_part(app, job_id, int(line))
            figures["part_s"].append(round(time.perf_counter() - begun, 3))
            print(json.dumps({"part": int(line), "s": figures["part_s"][-1]}), flush=True)
        figures["parts"] = len(figures["part_s"])
    else:
        copy = CopyPeak()
        stitching.LOG.addHandler(copy)
        stitching.LOG.setLevel(logging.INFO)
        (jobs.run_job if step == "whole" else parts.stitch)(app, job_id)
        figures["copy_process_max_rss_mb"] = max(copy.peaks, default=None)
    database(app).engine.dispose()
    print(json.dumps({"s": round(time.perf_counter() - started, 2),
                      "max_rss_mb": peak_rss_mb(),
                      **figures}))


class CopyPeak(logging.Handler):
    """The peak memory of the process the stitch copies in (:func:`tracker.reports.stitch.stitch_apart` logs
    it)."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.peaks = []

    def emit(self, record):
        if getattr(record, "peak_rss_mb", None) is not None:
            self.peaks.append(record.peak_rss_mb)


if __name__ == "__main__":
    child(*sys.argv[1:])
