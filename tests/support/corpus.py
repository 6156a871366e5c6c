"""Pages of ../shared/data/corpus and sentence salads made of them, for the tests that
compare two implementations on real text."""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Callable, Sequence
from pathlib import Path

from thresher.stages.segment import Span


def corpus_pages(shared_dir: Path, n: int) -> list[str]:
    """The main text of the first ``n`` pages of the corpus."""
    texts: list[str] = []
    with gzip.open(shared_dir / "data" / "corpus" / "web-text.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            texts.append(json.loads(line)["text_main"] or "")
            if len(texts) == n:
                break
    return texts


def salads(
    texts: Sequence[str],
    n: int,
    pages: int,
    sentences: int,
    seed: int,
    segment: Callable[[str], list[Span]],
) -> list[str]:
    """``n`` flat paragraphs, each the first ``sentences`` sentences of ``pages`` random
    pages of ``texts``, shuffled together (the kind of page the mash-up filter flags)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        sents = [s.of(t) for t in rng.sample(list(texts), pages) for s in segment(t)[:sentences]]
        rng.shuffle(sents)
        out.append(" ".join(sents))
    return out
