"""``registry bench``: measure the registry at national scale beside floors from the same run."""

import shlex
import sys
from pathlib import Path

import click

from bench.scale import parse_scale
from bench.steps import ORDER, STEPS


def _scale(ctx, param, value):
    try:
        return parse_scale(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def _steps(ctx, param, value):
    if not value:
        return None
    names = [n.strip() for n in value.split(",") if n.strip()]
    unknown = [n for n in names if n not in STEPS]
    if unknown:
        raise click.BadParameter(f"unknown step(s) {', '.join(unknown)}; the steps are "
                                 f"{', '.join(STEPS)}")
    return names


@click.command("bench")
@click.option("--engine", type=click.Choice(["sqlite", "postgres", "both"]), default="both",
              show_default=True, help="Which storage engine(s) to measure.")
@click.option("--scale", "scale", default="full", show_default=True, callback=_scale,
              help="tiny, small, moderate (about 100,000 submissions), full (500 providers x "
                   "150 cells x 120 months, over 1,000,000), or a fraction of full like 0.1.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("docs/performance.md"), show_default=True,
              help="The report; text outside its generated block is kept.")
@click.option("--steps", callback=_steps,
              help=f"Comma-separated steps (and the steps they need): {', '.join(ORDER)}. "
                   "Default: all.")
@click.option("--postgres-url", envvar="REGISTRY_BENCH_POSTGRES_URL",
              default="postgresql://postgres@127.0.0.1:5432/postgres", show_default=True,
              help="PostgreSQL server; a database bench_<random> is created on it and "
                   "dropped afterwards (with ?schema=S: schemas S and S_floor instead).")
@click.option("--samples", type=click.IntRange(1), help="Queries per kind (default 200; "
                                                         "20 at tiny scale).")
@click.option("--http-seconds", type=click.FloatRange(0.5), default=20.0, show_default=True,
              help="How long the HTTP load runs (the /health floor runs half as long).")
@click.option("--http-clients", type=click.IntRange(1), default=16, show_default=True)
@click.option("--work-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where the data set and SQLite stores go (default: a temporary directory, "
                   "removed afterwards).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the raw results as JSON.")
def bench(engine, scale, out, steps, postgres_url, samples, http_seconds, http_clients,
          work_dir, json_path):
    """Generate a national-scale data set, import it through the application and measure
    import, rebuild, queries, ledger verification and the API, each beside a floor
    measured in the same run, then write the report (default docs/performance.md).

    Progress goes to stderr. Each step runs in its own process, so its peak memory is
    its own. Timings on a shared 2-core machine are noisy. Before writing anything, the
    run checks that the disks it writes to (the work directory, and a PostgreSQL server's
    data directory on this machine) have room for it, and stops saying what to do if not.
    """
    from bench import report
    from bench.runner import Options, run, save_json
    from bench.space import NotEnoughSpace
    engines = ["sqlite", "postgres"] if engine == "both" else [engine]
    command = "registry bench " + " ".join(shlex.quote(a) for a in sys.argv[2:]) \
        if len(sys.argv) > 1 and sys.argv[1] == "bench" else \
        f"registry bench --engine {engine} --scale {scale.name}"
    options = Options(engines=engines, scale=scale, steps=steps, postgres_url=postgres_url,
                      samples=samples, http_seconds=http_seconds, http_clients=http_clients,
                      work_dir=work_dir, keep=work_dir is not None, command=command.strip())
    try:
        result = run(options)
    except NotEnoughSpace as error:
        raise click.ClickException(str(error)) from None
    report.write(result, out)
    if json_path:
        save_json(result, json_path)
    click.echo(f"report written to {out}")
    failures = result.failures()
    if failures:
        click.echo(f"failed steps: {', '.join(failures)}", err=True)
        sys.exit(1)
