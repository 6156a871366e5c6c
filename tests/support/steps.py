"""Small steps for testing the executors, independent of the real stages."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import Field

from thresher.document import Document, Edit
from thresher.step import Decision, Filter, GlobalContext, GlobalStep, Params, ShardContext, Step, Transformer


class MinWordsParams(Params):
    min_words: int = Field(default=3, ge=0)


class MinWords(Filter):
    name = "test_min_words"
    Params = MinWordsParams

    def decide(self, doc: Document) -> Decision:
        n = len(doc.text.split())
        self.signal(doc, "words", n)
        return Decision.drop("too_few_words") if n < self.params.min_words else Decision(True)  # type: ignore[attr-defined]


class DropDigits(Transformer):
    """Removes every run of digits (an edit per run)."""

    name = "test_drop_digits"

    def edits(self, doc: Document) -> list[Edit]:
        import re

        return [Edit(m.start(), m.end(), "remove", "digits", "digits removed") for m in re.finditer(r"\d+", doc.text)]


class Explode(Step):
    """Raises on documents whose text contains 'EXPLODE': they must be quarantined."""

    name = "test_explode"

    def process(self, doc: Document) -> None:
        if "EXPLODE" in doc.text:
            raise RuntimeError("boom")


class SlowParams(Params):
    seconds: float = 0.01


class Slow(Step):
    name = "test_slow"
    Params = SlowParams

    def process(self, doc: Document) -> None:
        time.sleep(self.params.seconds)  # type: ignore[attr-defined]


class ExactDup(GlobalStep):
    """A minimal exact-duplicate remover over the three phases (keeps the first copy)."""

    name = "test_exact_dup"

    def map_shard(self, docs: list[Document], ctx: ShardContext) -> None:
        hashes = np.array([hash_text(d.text) for d in docs], dtype=np.uint64)
        tmp = ctx.workdir / f".h-{ctx.shard_index}.tmp"
        with open(tmp, "wb") as f:
            np.save(f, hashes)
        os.replace(tmp, ctx.workdir / f"h-{ctx.shard_index:05d}.npy")

    def reduce(self, ctx: GlobalContext) -> dict[str, Any]:
        first: dict[int, tuple[int, int]] = {}
        for shard in range(ctx.n_shards):
            for pos, h in enumerate(np.load(ctx.workdir / f"h-{shard:05d}.npy").tolist()):
                first.setdefault(h, (shard, pos))
        for shard in range(ctx.n_shards):
            hs = np.load(ctx.workdir / f"h-{shard:05d}.npy").tolist()
            dup = np.array([first[h] != (shard, pos) for pos, h in enumerate(hs)], dtype=bool)
            np.save(ctx.workdir / f"dup-{shard:05d}.npy", dup)
        return {"unique": len(first)}

    def apply_shard(self, docs: list[Document], ctx: ShardContext) -> None:
        dup = np.load(Path(ctx.workdir) / f"dup-{ctx.shard_index:05d}.npy")
        assert len(dup) == len(docs)
        for d, is_dup in zip(docs, dup.tolist(), strict=True):
            if is_dup:
                d.reject(self.label, "exact_duplicate")


def hash_text(text: str) -> int:
    import hashlib

    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


class Hang(Step):
    """Loops forever on documents that contain 'HANG' (a pathological document)."""

    name = "test_hang"

    def process(self, doc: Document) -> None:
        while "HANG" in doc.text:
            pass
