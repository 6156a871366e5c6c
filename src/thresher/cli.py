"""The command line: a thin layer over the library.

Errors are one line on stderr and exit code 1, never a traceback (set THRESHER_DEBUG=1
to see one).
"""

from __future__ import annotations

import json
import os
import sys

# Parallelism comes from worker processes, one per core: numerical libraries must not
# start their own threads on top (a BLAS pool per worker made small matrix products 25
# times slower here). Set before numpy is first imported; an explicit setting wins.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
from pathlib import Path
from typing import Annotated, Any

import typer

from thresher.errors import ThresherError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="thresher: turn raw web crawl data into clean training text, and explain every decision.",
)


def _progress_printer(console: Any) -> tuple[Any, Any]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )
    state: dict[str, Any] = {"task": None, "docs": 0, "seconds": 0.0}

    def on_event(event: str, info: dict[str, Any]) -> None:
        if event == "segment":
            desc = f"segment {info['segment'] + 1}/{info['segments']}"
            state["task"] = progress.add_task(desc, total=info["total"], completed=info["total"] - info["todo"],
                                              rate="")
        elif event == "shard" and state["task"] is not None:
            state["docs"] += info["counts"]["read"]
            state["seconds"] += info["seconds"]
            rate = f"{state['docs'] / state['seconds']:.0f} docs/s/worker" if state["seconds"] else ""
            progress.update(state["task"], advance=1, rate=rate)
        elif event == "reduce":
            progress.console.print(f"  grouping across shards: {info['step']}")

    return progress, on_event


@app.command()
def run(
    config: Annotated[Path, typer.Argument(help="pipeline YAML (input, steps, output)")],
    input: Annotated[list[str] | None, typer.Option("--input", "-i", help="input paths or globs (replace input.paths)")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="output folder (replaces output.path)")] = None,
    workers: Annotated[int | None, typer.Option("--workers", "-w", min=1, help="worker processes (default: cores)")] = None,
    executor: Annotated[str | None, typer.Option("--executor", help="local (default) or ray")] = None,
    address: Annotated[str | None, typer.Option("--address", help="Ray cluster address (with --executor ray)")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="replace the output of another configuration")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bars")] = False,
) -> None:
    """Run a YAML pipeline. A rerun of the same command resumes an interrupted run.

    Example: thresher run pipeline.yaml --input 'crawl/*.warc.gz' --output out --workers 2
    """
    from rich.console import Console

    from thresher.pipeline import Pipeline

    console = Console(stderr=True)
    pipe = Pipeline.from_yaml(config)
    if quiet:
        result = pipe.run(input=input, output=output, workers=workers, executor=executor, address=address,
                          overwrite=overwrite)
    else:
        progress, on_event = _progress_printer(console)
        with progress:
            result = pipe.run(input=input, output=output, workers=workers, executor=executor, address=address,
                              overwrite=overwrite, progress=on_event)
    _print_summary(console, result)


def _print_summary(console: Any, result: Any) -> None:
    from rich.table import Table

    table = Table(title=f"thresher: {result.out}", show_header=True)
    table.add_column("documents")
    table.add_column("count", justify="right")
    for k in ("read", "kept", "rejected", "quarantined"):
        table.add_row(k, str(getattr(result, k)))
    for reason, n in sorted(result.rejected_by.items(), key=lambda kv: -kv[1]):
        table.add_row(f"  rejected by {reason}", str(n))
    console.print(table)
    skipped = f", {result.shards_skipped} already complete" if result.shards_skipped else ""
    console.print(f"{result.shards} shards{skipped}, {result.seconds:.1f} s")


@app.command()
def explain(
    file: Annotated[str, typer.Argument(help="a text file, or - for standard input")],
    config: Annotated[Path | None, typer.Option("--config", "-c", help="take the steps from this pipeline YAML")] = None,
    html: Annotated[Path | None, typer.Option("--html", help="also write an HTML page that shows every edit")] = None,
    indent: Annotated[int | None, typer.Option("--indent", help="indent the JSON output")] = None,
) -> None:
    """Explain what the pipeline does to one text document, as one JSON object.

    Prints {"text", "edits": [{"start", "end", "action", "label", "reason", "original",
    "replacement"}], "verdict": {"keep", "reasons"}, "signals"}, offsets into the input.

    Example: thresher explain page.txt --indent 2
    """
    from thresher.config import load_yaml
    from thresher.explain import explain as explain_text

    if file == "-":
        text = sys.stdin.read()
    else:
        try:
            text = Path(file).read_text(encoding="utf-8")
        except OSError as exc:
            raise ThresherError(f"{file}: cannot read ({exc.strerror})") from None
        except UnicodeDecodeError as exc:
            raise ThresherError(f"{file}: invalid UTF-8 at byte {exc.start}") from None
    steps = None
    if config is not None:
        cfg = load_yaml(config)
        steps = [{s.name: s.params} for s in cfg.steps]
    result = explain_text(text, steps, doc_id=file)
    if html is not None:
        try:
            from thresher.report.explain_html import write_explain_html  # type: ignore[import-not-found]
        except ImportError:
            raise ThresherError("--html needs the report module of this build") from None
        write_explain_html(text, result, html)
    sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=indent) + "\n")


@app.command()
def verify(out: Annotated[Path, typer.Argument(help="an output folder of thresher run")]) -> None:
    """Check a finished output folder: manifest complete, files intact, accounting exact.

    Exits 1 and lists every discrepancy otherwise. Example: thresher verify out
    """
    from thresher.verify import verify as verify_dir

    problems, totals = verify_dir(out)
    if problems:
        for p in problems[:50]:
            typer.echo(f"FAIL {p}", err=True)
        if len(problems) > 50:
            typer.echo(f"... and {len(problems) - 50} more", err=True)
        raise typer.Exit(1)
    typer.echo(f"OK {out}: {totals['shards']} shards, {totals['files']} files; read {totals['read']} = kept "
               f"{totals['kept']} + rejected {totals['rejected']} + quarantined {totals['quarantined']}")


@app.command()
def demo(
    folder: Annotated[Path, typer.Argument(help="where to write the synthetic crawl and the output")] = Path("demo-out"),
    workers: Annotated[int | None, typer.Option("--workers", "-w", min=1)] = None,
) -> None:
    """Generate a small synthetic crawl, run the default pipeline on it, print a summary.

    Example: thresher demo demo-out   (then: thresher verify demo-out/out)
    """
    from rich.console import Console

    from thresher.configs import step_name
    from thresher.demo import demo_config, make_crawl
    from thresher.pipeline import Pipeline

    console = Console(stderr=True)
    data = folder / "data"
    make_crawl(data)
    cfg = demo_config(data, folder / "out")
    console.print(f"demo crawl written to {data}; pipeline: {', '.join(step_name(s) for s in cfg['steps'])}")
    progress, on_event = _progress_printer(console)
    with progress:
        result = Pipeline.from_config(cfg).run(workers=workers, overwrite=True, progress=on_event)
    _print_summary(console, result)
    console.print(f"output: {folder / 'out'} (kept/, rejected/, quarantine/, stats.json"
                  + (", report.html)" if (folder / "out" / "report.html").exists() else ")"))



@app.command()
def report(
    out: Annotated[Path, typer.Argument(help="an output folder of thresher run")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="where to write (default: OUT/report.html)")] = None,
) -> None:
    """Write the self-contained HTML report of a run (one file, no external assets).

    Runs write it at the end as OUT/report.html; this rewrites it, e.g. after a run with
    output.report: false. Example: thresher report out
    """
    from thresher.report import build_report

    path = build_report(out, output)
    typer.echo(f"report written to {path} ({path.stat().st_size / 1e6:.2f} MB)")


@app.command()
def inspect(
    out: Annotated[Path, typer.Argument(help="an output folder of thresher run")],
    port: Annotated[int, typer.Option("--port", "-p", min=0, max=65535, help="port (0: any free port)")] = 8001,
    host: Annotated[str, typer.Option("--host", help="interface to bind; other than loopback exposes your data")] = "127.0.0.1",
    get: Annotated[str | None, typer.Option("--get", help="print one page (e.g. '/docs.json?status=rejected') and exit, without serving")] = None,
) -> None:
    """Browse an output folder in a local web page: documents, filters, edits, clusters.

    Every page has a .json twin and takes its filters as URL parameters.
    Example: thresher inspect out --port 8001   (then open http://127.0.0.1:8001/)
    """
    from thresher.report.inspect import get_page, serve

    if get is not None:
        status, body = get_page(out, get)
        sys.stdout.write(body if body.endswith("\n") else body + "\n")
        if status >= 400:
            raise typer.Exit(1)
        return
    serve(out, host=host, port=port, echo=lambda msg: typer.echo(msg, err=True))


def main() -> None:
    """Entry point: library errors become one line and exit code 1."""
    debug = bool(os.environ.get("THRESHER_DEBUG"))
    try:
        # without standalone mode, click returns the code of a typer.Exit instead of raising
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except ThresherError as exc:
        if debug:
            raise
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        typer.echo("interrupted: rerun the same command to resume", err=True)
        sys.exit(130)
    except Exception as exc:  # click usage errors and the unexpected
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if debug:
            raise
        typer.echo(f"error: {type(exc).__name__}: {exc} (set THRESHER_DEBUG=1 for a traceback)", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
