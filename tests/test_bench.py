"""``flask bench`` at a tiny scale: the command runs and prints every figure (not the timings themselves)."""

import json
import shutil

import pytest
import sqlalchemy as sa

from tests.conftest import skip_or_fail
from tracker import migrate
from tracker.bench import measure
from tracker.bench.data import Sizes

pytestmark = pytest.mark.heavy

PAGE_KEYS = {"small_ms_p50", "full_ms_p50", "small_ms_p95", "full_ms_p95", "ratio", "queries_small", "queries_full"}


def test_sizes_scale_the_default_portfolio_and_its_tenth():
    full = Sizes.scaled(0.1)
    assert full.as_dict() == {"projects": 30, "outcomes": 3000, "stories": 1500, "claims": 300}
    assert full.fraction(0.1).as_dict() == {"projects": 3, "outcomes": 300, "stories": 150, "claims": 30}


def test_bench_prints_one_json_object_with_every_figure(app):
    result = app.test_cli_runner().invoke(args=[
        "bench", "--scale", "0.002", "--repeat", "1", "--import-rows", "20", "--no-throughput"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert set(figures["pages"]) == {"portfolio", "outcomes", "stories", "search", "home_grantee", "home_me",
                                     "home_donor", "home_admin"}
    for page in figures["pages"].values():
        assert set(page) == PAGE_KEYS
        assert page["queries_small"] == page["queries_full"]
    assert set(figures["report"]) >= {"full_s", "weasyprint_s", "ratio"}
    assert set(figures["import"]) == {"rows", "import_s", "parse_s", "ratio"}
    assert figures["tracing"]["evidence"] == 1000
    assert figures["database"] == "sqlite" and figures["scale"] == 0.002
    assert set(figures["targets"]) == {"page_ratio", "page_queries_equal", "report_ratio", "import_ratio"}


def test_gunicorn_serves_the_app_and_the_load_generator_counts_its_requests(tmp_path):
    url = f"sqlite:///{tmp_path / 'served.sqlite'}"
    engine = sa.create_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    (tmp_path / "instance").mkdir()

    with measure.gunicorn(url, "k" * 64, tmp_path / "instance", workers=1) as port:
        rate = measure.requests_per_second(port, "/healthz", {}, requests=8, clients=2)
        refused = measure.get(port, "/", {})

    assert rate > 0
    assert refused in (302, 303)


def test_the_load_generator_refuses_to_report_a_rate_for_failing_pages(tmp_path):
    url = f"sqlite:///{tmp_path / 'served.sqlite'}"
    engine = sa.create_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    (tmp_path / "instance").mkdir()

    with measure.gunicorn(url, "k" * 64, tmp_path / "instance", workers=1) as port, \
            pytest.raises(RuntimeError, match="answered"):
        measure.requests_per_second(port, "/no-such-page", {}, requests=4, clients=1)


def test_bench_audit_prints_the_access_overviews_server_time_as_json(app):
    result = app.test_cli_runner().invoke(args=["bench-audit", "--entries", "2000", "--repeat", "2"])

    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["entries"] == 2000
    assert {"page_ms_p50", "page_ms_p95", "queries"} <= set(figures)


def test_bench_report_builds_the_portfolio_on_real_celery_workers_with_each_number_of_pool_processes(app):
    if shutil.which("redis-server") is None:
        skip_or_fail("redis-server is not installed: bench-report --workers runs real Celery workers")
    result = app.test_cli_runner().invoke(args=["bench-report", "--projects", "2", "--workers", "1,2", "--skip-demo",
                                                "--one-process"])

    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)["portfolio_in_parts"]
    assert [(run["workers"], run["status"], len(run["pool_processes_max_rss_mb"])) for run in figures["runs"]] == [
        (1, "done", 1), (2, "done", 2)]
    assert all(len(run["part_s"]) == run["parts"] and run["copy_process_max_rss_mb"] > 0 for run in figures["runs"])
    assert figures["in_one_process"]["status"] == "done" and figures["in_one_process"]["copy_process_max_rss_mb"] > 0
    assert figures["peak_rss_mb"] == max(run["peak_rss_mb"] for run in [*figures["runs"], figures["in_one_process"]])
    assert {"estimated_wall_s_8_workers", "wall_ratio_2_to_1", "wall_ratio_target"} <= set(figures)


@pytest.mark.parametrize("workers", ["0", "one", "1,,2"])
def test_bench_report_refuses_numbers_of_workers_it_cannot_use(app, workers):
    result = app.test_cli_runner().invoke(args=["bench-report", "--workers", workers, "--skip-demo"])

    assert result.exit_code == 2 and "--workers" in result.output
