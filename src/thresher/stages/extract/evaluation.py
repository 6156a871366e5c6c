"""The two published ways of scoring main-text extraction, and loaders for their data.

Shared by ``benchmarks/extraction.py`` and the quality gate in
``tests/stages/extract/test_quality_gate.py`` so that the benchmark and the gate can never
disagree on how a page is scored. Written from the published descriptions:

- ScrapingHub's article-extraction-benchmark: word 4-gram shingles (tokens ``\\w+``, case
  kept) counted as multisets; per page, true/false positives and negatives are normalised
  to sum to one; precision is averaged over pages that predicted something, recall over
  pages whose gold has something; F1 is the harmonic mean of the two averages.
- trafilatura's evaluation: every must-keep (``with``) and must-drop (``without``)
  segment is tested as a whitespace-normalised substring of the extraction; the counts
  are summed over all pages before precision, recall and F1.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

_TOKEN = re.compile(r"\w+")


@dataclass(slots=True, frozen=True)
class Page:
    """One evaluation page: its HTML bytes and what the scorer compares against."""

    key: str
    html: bytes
    url: str
    gold_text: str = ""  # AEB: the article body
    keep: tuple[str, ...] = ()  # trafilatura set: segments that must be in the output
    drop: tuple[str, ...] = ()  # trafilatura set: segments that must not be


@dataclass(slots=True, frozen=True)
class Score:
    precision: float
    recall: float
    f1: float


def _shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    # a text shorter than n tokens is one (short) shingle, as in the reference scorer
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def shingle_counts(gold: str, pred: str) -> tuple[float, float, float]:
    """Normalised (tp, fp, fn) of one page under the AEB word-4-gram scheme."""
    g, p = _shingles(gold), _shingles(pred)
    tp = sum((g & p).values())
    fp = sum((p - g).values())
    fn = sum((g - p).values())
    s = tp + fp + fn
    return (tp / s, fp / s, fn / s) if s else (0.0, 0.0, 0.0)


def aeb_score(counts: Iterable[tuple[float, float, float]]) -> Score:
    """Macro precision/recall over pages and the F1 of the two averages."""
    precisions: list[float] = []
    recalls: list[float] = []
    for tp, fp, fn in counts:
        if tp + fp > 0:
            precisions.append(1.0 if fp == fn == 0 else tp / (tp + fp))
        if tp + fn > 0:
            recalls.append(1.0 if fp == fn == 0 else tp / (tp + fn))
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls) if recalls else 0.0
    return Score(p, r, 2 * p * r / (p + r) if p + r else 0.0)


def _norm(s: str) -> str:
    return " ".join(s.split())


def segment_counts(page: Page, pred: str | None) -> tuple[int, int, int, int]:
    """(tp, fn, fp, tn) of one page under trafilatura's containment test."""
    if not pred:
        return 0, len(page.keep), 0, len(page.drop)
    text = _norm(pred)
    tp = sum(1 for s in page.keep if _norm(s) in text)
    fp = sum(1 for s in page.drop if _norm(s) in text)
    return tp, len(page.keep) - tp, fp, len(page.drop) - fp


def segment_score(counts: Iterable[tuple[int, int, int, int]]) -> Score:
    tp = fn = fp = 0
    for a, b, c, _ in counts:
        tp, fn, fp = tp + a, fn + b, fp + c
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return Score(p, r, 2 * p * r / (p + r) if p + r else 0.0)


def load_aeb(folder: Path) -> list[Page]:
    """The 181 AEB pages, in key order."""
    gold = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key in sorted(gold):
        html = gzip.decompress((folder / "html" / f"{key}.html.gz").read_bytes())
        pages.append(Page(key, html, gold[key].get("url", ""), gold[key].get("articleBody", "")))
    return pages


def load_trafilatura_eval(folder: Path) -> list[Page]:
    """The trafilatura evaluation pages (``eval/`` or ``cache/``), in key order."""
    data = json.loads((folder / "evaldata.json").read_text(encoding="utf-8"))
    pages = []
    for url in sorted(data):
        item = data[url]
        for sub in ("eval", "cache"):
            path = folder / sub / item["file"]
            if path.is_file():
                break
        else:
            continue
        pages.append(
            Page(
                url,
                path.read_bytes(),
                url,
                keep=tuple(s for s in item.get("with", []) if s),
                drop=tuple(s for s in item.get("without", []) if s),
            )
        )
    return pages


def is_held_out(key: str) -> bool:
    """The held-out half of a set: decided by a hash of the page key, not by its content.

    Constants were tuned on the other half of the trafilatura set only; the held-out half
    measure how the rules generalise (the same split is applied to AEB).
    """
    return hashlib.sha1(key.encode("utf-8")).digest()[0] % 2 == 1


def files_digest(folder: Path, pattern: str) -> str:
    """SHA-256 over the names and bytes of the files matching ``pattern``, sorted."""
    h = hashlib.sha256()
    for path in sorted(folder.glob(pattern)):
        h.update(path.relative_to(folder).as_posix().encode("utf-8"))
        h.update(path.read_bytes())
    return h.hexdigest()
