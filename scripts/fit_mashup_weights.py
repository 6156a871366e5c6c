"""Fit the weights and the threshold of ``mashup_filter`` on the tuning half of the corpus.

Run from the project root (needs ../shared/data):

    .venv/bin/python scripts/fit_mashup_weights.py [--salads N] [--cache FILE]

Builds the benchmark's mash-up sets of the *tune* half only (corpus pages whose id ends
in an even hex digit; ``benchmarks/cleaning.py`` builds them the same way): salads of
random pages, salads of same-topic pages, real pages as they are and flattened. Runs
``clean_furniture`` and ``mashup_filter`` on them, reads the recorded signals of the
pages judged, and fits a logistic regression (L2 penalty 1.0 on standardised signals,
Newton's method) of salad against real page. The threshold printed is the lowest (in
steps of 0.01) at which each salad kind reaches precision ``--precision`` (default 0.96,
a margin over the 0.95 aimed at) against each real kind on the tuning half; the
shipped ``short_threshold`` comes from a run at ``--precision 0.95``. Prints
:data:`WEIGHTS` to paste into ``src/thresher/stages/filter/mashup.py``; the held-out
half is for the benchmark.
"""

from __future__ import annotations

import argparse
import math
import pickle
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from cleaning import REAL_KINDS, SALAD_KINDS, mashup_sets

from thresher.document import Document
from thresher.stages.clean.furniture import CleanFurniture
from thresher.stages.filter.mashup import MashupFilter

# the signals of the score, in the order of WEIGHTS ("log_sentences" is derived)
SIGNALS = ("coherence_z", "typography_mix", "dash_mix", "language_mix", "style_z", "log_sentences", "sites")


def signal_rows(docs: list[Document], short: bool) -> np.ndarray:
    """One row of SIGNALS per page judged, short (judged at short_threshold) or not."""
    rows = []
    for d in docs:
        sig = {k.split(".", 1)[1]: v for k, v in d.signals.items() if k.startswith("mashup_filter.")}
        if "score" not in sig or sig.get("short", False) != short:
            continue
        sig["log_sentences"] = math.log(max(1, sig["prose_sentences"]))
        rows.append([float(sig[k]) for k in SIGNALS])
    return np.array(rows, dtype=np.float64).reshape(len(rows), len(SIGNALS))


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1.0) -> tuple[float, np.ndarray]:
    """Logistic regression on standardised columns; weights returned in raw units."""
    mu, sd = x.mean(axis=0), x.std(axis=0)
    sd[sd == 0] = 1.0
    z = np.hstack([np.ones((len(x), 1)), (x - mu) / sd])
    w = np.zeros(z.shape[1])
    penalty = l2 * np.diag(np.r_[0.0, np.ones(len(w) - 1)])
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(z @ w)))
        grad = z.T @ (p - y) + penalty @ w
        hess = z.T @ (z * (p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-10:
            break
    raw = w[1:] / sd
    return float(w[0] - (raw * mu).sum()), raw


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--salads", type=int, default=3000, help="salads and real pages of each kind")
    ap.add_argument("--cache", type=Path, help="pickle of the cleaned sets (made if absent)")
    ap.add_argument(
        "--precision", type=float, default=0.96,
        help="precision each salad kind must reach against each real kind on the tuning half (0.96: a margin)",
    )
    args = ap.parse_args()
    if args.cache and args.cache.exists():
        sets = pickle.loads(args.cache.read_bytes())
    else:
        clean = CleanFurniture()
        sets = {}
        for kind, texts in mashup_sets("tune", args.salads).items():
            sets[kind] = clean([Document(f"{kind}-{i}", t) for i, t in enumerate(texts)])
        if args.cache:
            args.cache.write_bytes(pickle.dumps(sets))
    mash = MashupFilter()
    rows, short_rows = {}, {}
    for kind, docs in sets.items():
        mash(docs)
        rows[kind] = signal_rows(docs, short=False)
        short_rows[kind] = signal_rows(docs, short=True)
    x = np.vstack([rows[k] for k in SALAD_KINDS + REAL_KINDS])
    y = np.concatenate(
        [np.full(len(rows[k]), 1.0 if k in SALAD_KINDS else 0.0) for k in SALAD_KINDS + REAL_KINDS]
    )
    bias, raw = fit(x, y)

    def flagged(kind: str, t: float, table: dict[str, np.ndarray] = rows) -> float:
        logit = bias + table[kind] @ raw
        return float((1.0 / (1.0 + np.exp(-logit)) >= t).mean()) if len(logit) else 0.0

    def lowest(salad_kinds: tuple[str, ...], table: dict[str, np.ndarray]) -> float:
        """The lowest threshold at which each salad kind reaches ``--precision``."""
        for t in np.arange(0.30, 0.995, 0.01):
            if all(
                flagged(s, t, table) > 0
                and flagged(s, t, table) / (flagged(s, t, table) + flagged(r, t, table)) >= args.precision
                for s in salad_kinds
                for r in REAL_KINDS
            ):
                return round(float(t), 2)
        return 0.99

    threshold = lowest(SALAD_KINDS, rows)
    # short pages: same-topic salads only (too few salads of random pages are short)
    short_threshold = lowest(SALAD_KINDS[1:], short_rows)
    print("judged pages:", {k: len(v) for k, v in rows.items()})
    print("judged short pages:", {k: len(v) for k, v in short_rows.items()})
    print("WEIGHTS = {")
    print(f'    "bias": {bias:.3f},')
    for name, w in zip(SIGNALS, raw):
        print(f'    "{name}": {w:.3f},')
    print("}")
    print(f"threshold {threshold}")
    print(f"short_threshold {short_threshold}")
    for kind in SALAD_KINDS + REAL_KINDS:
        print(
            f"  tune: {kind}: {flagged(kind, threshold):.3f} of judged flagged at {threshold},"
            f" {flagged(kind, short_threshold, short_rows):.3f} of short ones at {short_threshold}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
