"""``thresher explain --html``: one document, every edit marked in place, the verdict
explained. One self-contained file with no script, like the report.

``result`` is explain's JSON (edit offsets into ``text``, the input), so the page shows
exactly what the command printed: each removed sentence struck through with its label
(its reason on hover), each repair as old -> new, each flag highlighted, and the
signals of the step that rejected the document first, since those are the numbers the
decision was taken on.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any

from thresher.report.spans import marked_html
from thresher.report.templating import render, stylesheet


def explain_context(text: str, result: dict[str, Any], title: str = "") -> dict[str, Any]:
    """What the explain page shows, from explain's JSON."""
    edits = [e for e in result.get("edits") or [] if isinstance(e, dict)]
    verdict = result.get("verdict") or {}
    signals = result.get("signals") or {}
    groups: dict[str, dict[str, Any]] = {}
    for k, v in signals.items():
        step, _, name = str(k).partition(".")
        groups.setdefault(step, {})[name or step] = v
    deciding = str(verdict.get("step") or "")
    counts = Counter((str(e.get("step", "")), str(e.get("action", "")), str(e.get("label", ""))) for e in edits)
    by_step: dict[str, list[tuple[str, str, int]]] = {}
    for (step, action, label), n in sorted(counts.items()):
        by_step.setdefault(step, []).append((action, label, n))
    return {
        "title": title or "thresher explain",
        "css": stylesheet(),
        "verdict": verdict,
        "deciding": deciding,
        "deciding_signals": groups.get(deciding, {}),
        "groups": {k: v for k, v in groups.items() if k != deciding},
        "edit_counts": by_step,
        "edits": edits,
        "marked": marked_html(text, edits),
        "chars_in": len(text),
        "chars_out": len(str(result.get("text") or "")),
        "final": str(result.get("text") or ""),
    }


def write_explain_html(text: str, result: dict[str, Any], path: Path) -> None:
    """Write the explain page of ``text`` (the input) and ``result`` (explain's JSON)."""
    path = Path(path)
    html = render("explain.html", **explain_context(text, result, f"thresher explain: {path.stem}"))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, path)
