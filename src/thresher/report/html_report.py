"""``report.html``: one self-contained page that shows what a run decided, and why.

One file with inline CSS and SVG and no script at all (its Content-Security-Policy
forbids scripts), so it opens from disk or an e-mail attachment, and a hostile document
in a sample can run nothing even if escaping failed. Its size does not grow with the
run: histograms are binned in Python and samples are capped per reason, so a
100,000-document run gives a report of a few hundred kilobytes.
"""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path
from typing import Any

from thresher.report.data import STATUSES, Folder, open_folder
from thresher.report.spans import document_html
from thresher.report.summary import breakdown, folder_summary, funnel, histograms, main_signals, sample_rows
from thresher.report.svg import KEPT_COLOUR, REJECTED_COLOUR, bar_svg, funnel_svg, histogram_svg, legend_svg
from thresher.report.templating import render, stylesheet

REPORT_NAME = "report.html"
# Three samples per reason show whether a rule fires on what it should without making
# the report long; the inspector lists all of them.
SAMPLES_PER_REASON = 3
# Characters of a sample shown in the report (about a screen of text).
SAMPLE_CHARS = 1500
# Languages and domains listed (the inspector lists and filters all of them).
TOP_VALUES = 15


def report_context(folder: Folder) -> dict[str, Any]:
    """Everything the report template shows, computed from the folder."""
    index = folder.index
    summary = folder_summary(folder)
    names = main_signals(index, folder.stats)
    hists = histograms(index, names)
    samples: list[dict[str, Any]] = []
    for reason, sampled in sample_rows(index, SAMPLES_PER_REASON).items():
        docs: list[dict[str, Any]] = []
        for row in sampled:
            try:
                doc = folder.document(row)
            except Exception as exc:  # noqa: BLE001 - one unreadable sample must not lose the page
                docs.append({"id": index.ids[row], "error": f"unreadable ({exc})"})
                continue
            step = doc.verdict.step or ""
            docs.append({
                "id": doc.id,
                "url": doc.url or "",
                "status": doc.verdict.status,
                "reasons": doc.verdict.reasons,
                "error": doc.error,
                "signals": {k: v for k, v in sorted(doc.signals.items()) if k.startswith(step + ".")},
                "html": document_html(doc, SAMPLE_CHARS),
                "n_edits": sum(len(g.edits) for g in doc.edits),
            })
        count = int((index.reason == index.reasons.index(reason)).sum())
        samples.append({"reason": reason, "count": count, "docs": docs})
    rows = funnel(folder.stats)
    totals = summary["totals"]
    max_seen = max([r.seen for r in rows] + [1])
    max_rate = max([r.docs_per_second or 0.0 for r in rows] + [1e-9])
    return {
        "title": f"thresher report: {folder.out.name}",
        "folder": str(folder.out),
        "generated": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "summary": summary,
        "totals": totals,
        "statuses": STATUSES,
        "funnel": rows,
        "max_seen": max_seen,
        "max_rate": max_rate,
        "bar": bar_svg,
        "funnel_bar": funnel_svg,
        "kept_colour": KEPT_COLOUR,
        "rejected_colour": REJECTED_COLOUR,
        "hists": [histogram_svg(h) for h in hists],
        "legend": legend_svg(),
        "samples": samples,
        "languages": breakdown(index.language, index.languages, index.status, TOP_VALUES),
        "domains": breakdown(index.domain, index.domains, index.status, TOP_VALUES),
        "n_docs": index.n,
        "css": stylesheet(),
        "config": folder.plan.get("config") if isinstance(folder.plan.get("config"), dict) else None,
    }


def build_report(out: Path, path: Path | None = None) -> Path:
    """Write the report of output folder ``out`` (to ``out/report.html`` by default).

    Raises :class:`~thresher.report.data.OutputFolderError` (a one-line message) when
    ``out`` is not a readable output folder.
    """
    folder = open_folder(Path(out), keep_text=False)
    html = render("report.html", **report_context(folder))
    target = Path(path) if path is not None else folder.out / REPORT_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, target)
    return target
