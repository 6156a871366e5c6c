"""What a run did, as plain data: the funnel of steps, the signals worth a histogram,
and samples of rejected documents. The report and the inspector render these."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from thresher.report.data import Folder, Index
from thresher.report.svg import Histogram, histogram

LENGTH = "length"
# A signal recorded on fewer than 1% of documents (a rare path of one step) says little
# about the run as a whole; the inspector still offers it for filtering.
_MIN_COVERAGE = 0.01
# More histograms than this make the report long and slow to scan; the inspector shows
# any signal on request.
MAX_HISTOGRAMS = 24


@dataclass(slots=True)
class FunnelRow:
    """One step of the run: what it saw, dropped (by reason) and edited, and how fast."""

    step: str
    name: str
    seen: int
    dropped: int
    dropped_by: list[tuple[str, int]]
    quarantined: int
    edited_docs: int
    edits: list[tuple[str, int]]
    seconds: float

    @property
    def docs_per_second(self) -> float | None:
        return self.seen / self.seconds if self.seconds > 0 else None

    def to_dict(self) -> dict[str, Any]:
        return {"step": self.step, "name": self.name, "seen": self.seen, "dropped": self.dropped,
                "dropped_by": dict(self.dropped_by), "quarantined": self.quarantined,
                "edited_docs": self.edited_docs, "edits": dict(self.edits), "seconds": self.seconds,
                "docs_per_second": self.docs_per_second}


def _int(v: Any) -> int:
    return int(v) if isinstance(v, int | float) else 0


def funnel(stats: dict[str, Any]) -> list[FunnelRow]:
    """The per-step rows of stats.json, tolerant of fields an older version lacked."""
    rows = []
    for s in stats.get("steps") or []:
        if not isinstance(s, dict):
            continue
        dropped = {str(k): _int(v) for k, v in (s.get("dropped") or {}).items()}
        edits = {str(k): _int(v) for k, v in (s.get("edits") or {}).items()}
        rows.append(FunnelRow(
            step=str(s.get("step", s.get("name", "?"))),
            name=str(s.get("name", s.get("step", "?"))),
            seen=_int(s.get("seen")),
            dropped=sum(dropped.values()),
            dropped_by=sorted(dropped.items(), key=lambda kv: (-kv[1], kv[0])),
            quarantined=_int(s.get("quarantined")),
            edited_docs=_int(s.get("edited_docs")),
            edits=sorted(edits.items(), key=lambda kv: (-kv[1], kv[0])),
            seconds=float(s.get("seconds") or 0.0),
        ))
    return rows


def signal_names(index: Index, stats: dict[str, Any]) -> list[str]:
    """Numeric signals in pipeline order (then by name): the length first."""
    order = {str(s.get("step")): i for i, s in enumerate(stats.get("steps") or []) if isinstance(s, dict)}
    names = sorted(index.signals, key=lambda k: (order.get(k.partition(".")[0], len(order)), k))
    return [LENGTH, *names]


def main_signals(index: Index, stats: dict[str, Any]) -> list[str]:
    """The signals worth a histogram, most telling first: the length, then the signals
    of the steps that dropped the most documents (the numbers decisions were taken on),
    then the others in pipeline order; each common enough and not constant."""
    drops: dict[str, int] = {}
    for s in stats.get("steps") or []:
        if isinstance(s, dict):
            drops[str(s.get("step"))] = sum(v for v in (s.get("dropped") or {}).values() if isinstance(v, int))
    names = signal_names(index, stats)
    rank = {name: i for i, name in enumerate(names)}
    names.sort(key=lambda k: (k != LENGTH, -drops.get(k.partition(".")[0], 0), rank[k]))
    out = []
    for name in names:
        v = values_of(index, name)
        ok = v[np.isfinite(v)]
        if name != LENGTH and (ok.size < max(1, _MIN_COVERAGE * index.n) or np.ptp(ok) == 0):
            continue
        out.append(name)
        if len(out) >= MAX_HISTOGRAMS:
            break
    return out


def values_of(index: Index, name: str) -> np.ndarray:
    """A numeric column by signal name, ``length`` being the characters of the text."""
    if name == LENGTH:
        return index.length.astype(np.float64)
    return index.signals[name]


def histograms(index: Index, names: list[str], mask: np.ndarray | None = None) -> list[Histogram]:
    """Histograms of ``names`` over the documents in ``mask`` (all when None)."""
    rejected = index.status != 0
    out = []
    for name in names:
        v = values_of(index, name)
        if mask is not None:
            out.append(histogram(name, v[mask], rejected[mask]))
        else:
            out.append(histogram(name, v, rejected))
    return out


def sample_rows(index: Index, per_reason: int) -> dict[str, list[int]]:
    """Up to ``per_reason`` rows per rejection reason (and for quarantine), spread evenly
    over the run so that a sample is not only the first shard's documents."""
    out: dict[str, list[int]] = {}
    for code, reason in enumerate(index.reasons):
        if not reason:
            continue
        rows = np.flatnonzero(index.reason == code)
        if rows.size > per_reason:
            rows = rows[np.linspace(0, rows.size - 1, per_reason).round().astype(int)]
        out[reason] = [int(r) for r in rows]
    return dict(sorted(out.items(), key=lambda kv: -int((index.reason == index.reasons.index(kv[0])).sum())))


def folder_summary(folder: Folder) -> dict[str, Any]:
    """The overview of a run as JSON: totals, reasons, funnel, dedup and reader stats."""
    stats = folder.stats
    return {
        "folder": str(folder.out),
        "totals": folder.totals(),
        "rejected_by": stats.get("rejected_by") or {},
        "steps": [r.to_dict() for r in funnel(stats)],
        "global": stats.get("global") or {},
        "reader": stats.get("reader") or {},
        "shards": stats.get("shards"),
        "seconds": stats.get("seconds"),
        "warnings": folder.warnings,
    }


def breakdown(codes: np.ndarray, vocab: list[str], status: np.ndarray, top: int) -> list[dict[str, Any]]:
    """The ``top`` most common values of a categorical column, with kept and rejected
    counts (code 0, the empty value, is listed as "(none)")."""
    if codes.size == 0:
        return []
    total = np.bincount(codes, minlength=len(vocab))
    kept = np.bincount(codes[status == 0], minlength=len(vocab))
    out = []
    for i in np.argsort(-total, kind="stable")[:top]:
        if total[i] == 0:
            break
        out.append({"value": vocab[i] or "(none)", "documents": int(total[i]), "kept": int(kept[i]),
                    "rejected": int(total[i] - kept[i])})
    return out
