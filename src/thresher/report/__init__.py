"""The run report (one self-contained HTML file) and the local inspector.

``write_report`` is what the executor calls at the end of every run: it never raises,
because a run that wrote its data must not fail on its report; the problem is logged
and the report left out. ``build_report`` is the same with errors raised (the CLI's
``thresher report`` uses it). Heavy imports (pyarrow, Jinja2) happen inside the calls.
"""

from __future__ import annotations

import logging
from pathlib import Path

__all__ = ["build_report", "write_report"]

log = logging.getLogger("thresher.report")


def build_report(out: Path, path: Path | None = None) -> Path:
    """Write ``out/report.html`` (or ``path``); raises a ThresherError on a bad folder."""
    from thresher.report.html_report import build_report as _build

    return _build(Path(out), path)


def write_report(out: Path) -> Path:
    """Write ``out/report.html``; on any failure log one warning and return the path
    the report would have had (which then does not exist)."""
    target = Path(out) / "report.html"
    try:
        return build_report(Path(out))
    except Exception as exc:  # noqa: BLE001 - the run's data is written; the report is extra
        log.warning("report not written for %s: %s: %s", out, type(exc).__name__, exc)
        return target
