"""``flask bench`` at a tiny scale: the command runs and prints every figure (not the timings themselves)."""

import json

from tracker.bench import bench_command
from tracker.bench.data import Sizes

PAGE_KEYS = {"small_ms_p50", "full_ms_p50", "small_ms_p95", "full_ms_p95", "ratio", "queries_small", "queries_full"}


def test_sizes_scale_the_default_portfolio_and_its_tenth():
    full = Sizes.scaled(0.1)
    assert full.as_dict() == {"projects": 30, "outcomes": 3000, "stories": 1500, "claims": 300}
    assert full.fraction(0.1).as_dict() == {"projects": 3, "outcomes": 300, "stories": 150, "claims": 30}


def test_bench_prints_one_json_object_with_every_figure(app):
    result = app.test_cli_runner().invoke(bench_command, [
        "--scale", "0.002", "--repeat", "3", "--import-rows", "50", "--requests", "16"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert set(figures["pages"]) == {"portfolio", "outcomes", "stories", "search"}
    for page in figures["pages"].values():
        assert set(page) == PAGE_KEYS
        assert page["queries_small"] == page["queries_full"]
    assert set(figures["report"]) >= {"full_s", "weasyprint_s", "ratio"}
    assert set(figures["import"]) == {"rows", "import_s", "parse_s", "ratio"}
    assert figures["tracing"]["evidence"] == 1000
    assert set(figures["throughput"]) >= {"page_rps", "bare_rps", "ratio"}
    assert figures["database"] == "sqlite" and figures["scale"] == 0.002
    assert set(figures["targets"]) == {"page_ratio", "page_queries_equal", "report_ratio", "import_ratio",
                                       "throughput_ratio"}
