"""``line_dedup`` / ``paragraph_dedup``: remove lines or paragraphs repeated across the corpus.

A unit (a line, or a paragraph: text between blank lines) that occurs in more than
``max_count`` documents is boilerplate or a copy: it is removed, as an edit labelled
``duplicate_line`` / ``duplicate_paragraph``, from every document, or from every document
but the first that holds it (``keep="first"``, the default: C4's "all but one of any
three-sentence span occurring more than once" and Dolma's paragraph Bloom filter both
keep one copy). Units are compared after normalisation (:class:`NormParams`); empty
units are ignored. A document left without text is rejected (``empty_after_dedup``)
unless ``reject_empty`` is off.

Memory is bounded by an on-disk, hash-partitioned exact count instead of a sketch:

- **map** writes each shard's unit hashes (64-bit xxh3, in document order) and, split
  into ``partitions`` files by hash, each document's distinct unit hashes with their
  positions;
- **reduce** runs one task per partition (it holds ~1/partitions of the corpus' distinct
  (document, unit) records, 24 bytes each, while sorting), keeps the units counted in
  more than ``max_count`` documents with their first holder, then one task per shard
  marks the units to remove;
- **apply** turns the marks into edits.

False-positive rate: a unit is wrongly counted as repeated only if its 64-bit hash
collides with another unit's: probability ≈ U / 2^64 per unit for U distinct units in
the corpus (5·10^-10 at U = 10^10). It is set by the hash width, not by memory; to trade
memory for speed, raise ``partitions`` (memory per task ∝ 1 / partitions).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any, ClassVar, Literal

import numpy as np
import xxhash
from pydantic import Field

from thresher.document import Document, Edit
from thresher.stages.dedup import base
from thresher.stages.dedup.base import NormParams, load, normalize, part_path, save_atomic, shard_path
from thresher.step import GlobalContext, GlobalStep, ShardContext

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")


class UnitDedupParams(NormParams):
    """When a unit counts as repeated, which copy survives, and the reduce partitioning."""

    max_count: int = Field(1, ge=1, description="units found in more documents than this are removed")
    keep: Literal["first", "none"] = "first"
    reject_empty: bool = True
    partitions: int = Field(16, ge=1, le=4096, description="hash partitions of the on-disk count")


class _UnitDedup(GlobalStep):
    """Shared body of line and paragraph dedup; subclasses say what a unit is."""

    unit: ClassVar[str] = ""
    Params = UnitDedupParams
    params: UnitDedupParams

    def units(self, text: str) -> Iterator[tuple[int, int]]:
        """``(start, end)`` of each unit, ``end`` past its separator, covering the text."""
        raise NotImplementedError

    def _hashed(self, text: str) -> tuple[list[tuple[int, int]], list[int]]:
        spans, hashes = [], []
        for start, end in self.units(text):
            key = normalize(text[start:end], self.params)
            if key:
                spans.append((start, end))
                hashes.append(xxhash.xxh3_64_intdigest(key.encode("utf-8", "surrogatepass")))
        return spans, hashes

    # ---- phase 1 -----------------------------------------------------------------------

    def map_shard(self, docs: list[Document], ctx: ShardContext) -> None:
        """Write unit hashes in order, and each document's distinct hashes by partition."""
        all_hashes: list[int] = []
        offsets = [0]
        distinct_h: list[int] = []
        distinct_pos: list[int] = []
        for pos, doc in enumerate(docs):
            _, hashes = self._hashed(doc.text)
            all_hashes.extend(hashes)
            offsets.append(len(all_hashes))
            uniq = sorted(set(hashes))
            distinct_h.extend(uniq)
            distinct_pos.extend([pos] * len(uniq))
        wd, s, parts = ctx.workdir, ctx.shard_index, self.params.partitions
        save_atomic(shard_path(wd, "units", s), np.array(all_hashes, dtype=np.uint64))
        save_atomic(shard_path(wd, "unit_offsets", s), np.array(offsets, dtype=np.int64))
        h = np.array(distinct_h, dtype=np.uint64)
        p_of = (h % np.uint64(parts)).astype(np.int64)
        pos_arr = np.array(distinct_pos, dtype=np.uint64)
        for p in range(parts):
            mine = p_of == p
            save_atomic(shard_path(wd, f"ucount{p:04d}", s), np.stack([h[mine], pos_arr[mine]]))
        base.write_count(wd, s, len(docs))

    # ---- phase 2 -----------------------------------------------------------------------

    def reduce(self, ctx: GlobalContext) -> dict[str, Any]:
        """Count documents per unit by partition; mark the repeated units of each shard."""
        t0 = time.perf_counter()
        wd, parts = str(ctx.workdir), self.params.partitions
        offsets = base.shard_offsets(wd, ctx.n_shards)
        distinct = ctx.map(
            _count_partition, [(wd, p, ctx.n_shards, self.params.max_count) for p in range(parts)]
        )
        freq = np.concatenate([load(part_path(wd, "frequent", p), mmap=False) for p in range(parts)], axis=1)
        freq = freq[:, np.argsort(freq[0], kind="stable")]
        save_atomic(part_path(wd, "frequent_all", 0), freq)
        removed = ctx.map(
            _mark_shard, [(wd, s, int(offsets[s]), self.params.keep) for s in range(ctx.n_shards)]
        )
        return {
            "documents": int(offsets[-1]),
            "distinct_units": int(sum(distinct)),
            "repeated_units": int(freq.shape[1]),
            "removed_units": int(sum(removed)),
            "seconds": round(time.perf_counter() - t0, 3),
            "peak_rss_mb": base.peak_rss_mb(),
        }

    # ---- phase 3 -----------------------------------------------------------------------

    def apply_shard(self, docs: list[Document], ctx: ShardContext) -> None:
        """Remove the marked units as edits; reject documents left empty."""
        wd, s = ctx.workdir, ctx.shard_index
        base.check_count(wd, s, len(docs), self.label)
        counts = load(shard_path(wd, "unit_remove", s), mmap=False)
        offsets = load(shard_path(wd, "unit_offsets", s), mmap=False)
        label = f"duplicate_{self.unit}"
        for pos, doc in enumerate(docs):
            spans, _ = self._hashed(doc.text)
            mine = counts[offsets[pos] : offsets[pos + 1]]
            if len(mine) != len(spans):
                raise base.ThresherError(f"{self.label}: document {doc.id} changed between map and apply")
            edits = [
                Edit(a, b, "remove", label, f"{self.unit} found in {int(c)} documents")
                for (a, b), c in zip(spans, mine, strict=True)
                if c > 0
            ]
            self.signal(doc, "removed", len(edits))
            if edits:
                doc.apply_edits(self.label, edits)
                if self.params.reject_empty and not doc.text.strip():
                    doc.reject(self.label, "empty_after_dedup")


class LineDedup(_UnitDedup):
    """Remove lines that occur in more than ``max_count`` documents."""

    name = "line_dedup"
    unit = "line"

    def units(self, text: str) -> Iterator[tuple[int, int]]:
        start = 0
        while start < len(text):
            nl = text.find("\n", start)
            end = len(text) if nl < 0 else nl + 1
            yield start, end
            start = end


class ParagraphDedup(_UnitDedup):
    """Remove paragraphs (text between blank lines) that occur in more than ``max_count`` documents."""

    name = "paragraph_dedup"
    unit = "paragraph"

    def units(self, text: str) -> Iterator[tuple[int, int]]:
        start = 0
        for m in _PARAGRAPH_BREAK.finditer(text):
            yield start, m.end()
            start = m.end()
        if start < len(text):
            yield start, len(text)


# ---- reduce tasks (module level: picklable) ---------------------------------------------


def _count_partition(args: tuple[str, int, int, int]) -> int:
    """Documents per unit in one hash partition; write the repeated ones with first holder."""
    wd, part, n_shards, max_count = args
    hs, firsts = [], []
    start = 0
    for s in range(n_shards):
        arr = load(shard_path(wd, f"ucount{part:04d}", s), mmap=False)
        hs.append(arr[0])
        firsts.append(arr[1].astype(np.int64) + start)
        start += int(load(shard_path(wd, "count", s), mmap=False)[0])
    h = np.concatenate(hs) if hs else np.zeros(0, np.uint64)
    g = np.concatenate(firsts) if firsts else np.zeros(0, np.int64)
    del hs, firsts
    order = np.lexsort((g, h))
    h, g = h[order], g[order]
    new = np.ones(len(h), dtype=bool)
    new[1:] = h[1:] != h[:-1]
    starts = np.flatnonzero(new)
    counts = np.diff(np.append(starts, len(h)))
    rep = counts > max_count
    out = np.stack([h[starts[rep]], g[starts[rep]].astype(np.uint64), counts[rep].astype(np.uint64)])
    save_atomic(part_path(wd, "frequent", part), out)
    return len(starts)


def _mark_shard(args: tuple[str, int, int, str]) -> int:
    """Per unit of one shard: the number of documents holding it if it is removed, else 0."""
    wd, shard, first_index, keep = args
    units = load(shard_path(wd, "units", shard), mmap=False)
    offsets = load(shard_path(wd, "unit_offsets", shard), mmap=False)
    freq = load(part_path(wd, "frequent_all", 0))
    out = np.zeros(len(units), dtype=np.int64)
    if len(units) and freq.shape[1]:
        at = np.minimum(np.searchsorted(freq[0], units), freq.shape[1] - 1)
        hit = freq[0][at] == units
        if keep == "first":
            doc = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets)) + first_index
            hit &= freq[1][at].astype(np.int64) != doc
        out[hit] = freq[2][at[hit]].astype(np.int64)
    save_atomic(shard_path(wd, "unit_remove", shard), out)
    return int(np.count_nonzero(out))
