"""``flask bench-toc``: time the analysis and SVG rendering of a large synthetic theory of change."""

import importlib
import json

import click


@click.command("bench-toc")
@click.option("--nodes", "node_count", type=click.IntRange(min=6, max=5000), default=200, show_default=True,
              help="How many nodes the synthetic ToC has.")
@click.option("--repeat", type=click.IntRange(min=1, max=100), default=5, show_default=True,
              help="How many times to render it; best, median and worst times are printed.")
@click.option("--seed", type=int, default=7, show_default=True, help="Seed of the synthetic graph.")
def bench_toc_command(node_count, repeat, seed):
    """(Developers) Render a synthetic ToC of --nodes nodes and print the timings as JSON."""
    # Imported when the command runs: the benchmarks stay out of the app's import graph (fast start).
    bench = importlib.import_module("tracker.bench.toc")
    click.echo(json.dumps(bench.benchmark(node_count, repeat, seed)))
