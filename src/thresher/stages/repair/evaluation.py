"""Pages of the shared web corpus for measuring the repair steps (benchmarks/repair.py and
the gate in the tests read them the same way)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path


def corpus_texts(corpus: Path, limit: int) -> list[str]:
    """The ``text_main`` of the first ``limit`` pages of the corpus."""
    texts: list[str] = []
    with gzip.open(corpus, "rt", encoding="utf-8") as fh:
        for line in fh:
            texts.append(json.loads(line).get("text_main") or "")
            if len(texts) >= limit:
                break
    return texts


def english_pages(corpus: Path, limit: int, min_chars: int = 300) -> list[str]:
    """The first ``limit`` pages of at least ``min_chars`` that CLD2 reliably reads as English."""
    import pycld2

    out: list[str] = []
    with gzip.open(corpus, "rt", encoding="utf-8") as fh:
        for line in fh:
            text = json.loads(line).get("text_main") or ""
            if len(text) < min_chars:
                continue
            try:
                reliable, _, langs = pycld2.detect(text)
            except pycld2.error:
                continue
            if reliable and langs[0][1] == "en":
                out.append(text)
                if len(out) >= limit:
                    break
    return out
