"""``exact_dedup``: documents whose normalised text is identical, one representative kept.

- **map**: a 128-bit xxh3 hash of each document's normalised text (``(n, 2)`` uint64).
  Two different texts share a 128-bit hash with probability ~n²/2^129: for 10^10
  documents, ~10^-19.
- **reduce**: ``partitions`` tasks, each taking the hashes whose value falls in its range
  (``h0 % partitions``), sorting them with their global indices and writing, for every
  document of a group of two or more, its representative (the group's lowest global
  index) and the group size. The merge fills one int64 array per field over all
  documents (16 bytes per document) and writes per-shard results.
- **apply**: ``exact_dedup.cluster_id`` / ``cluster_size`` on every document; all but the
  representative are rejected as ``exact_duplicate``.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import xxhash
from pydantic import Field

from thresher.document import Document
from thresher.stages.dedup import base
from thresher.stages.dedup.base import NormParams, load, normalize, part_path, save_atomic, shard_path
from thresher.step import GlobalContext, GlobalStep, ShardContext


class ExactDedupParams(NormParams):
    """Normalisation (see :class:`NormParams`) and the number of reduce partitions."""

    partitions: int = Field(16, ge=1, le=65_536, description="hash-range partitions of the reduce")


class ExactDedup(GlobalStep):
    """Reject documents whose normalised text repeats an earlier document's."""

    name = "exact_dedup"
    Params = ExactDedupParams
    params: ExactDedupParams

    def map_shard(self, docs: list[Document], ctx: ShardContext) -> None:
        """Write the 128-bit hash of each document's normalised text."""
        out = np.empty((len(docs), 2), dtype=np.uint64)
        for i, doc in enumerate(docs):
            digest = xxhash.xxh3_128_digest(normalize(doc.text, self.params).encode("utf-8", "surrogatepass"))
            out[i] = np.frombuffer(digest, dtype="<u8")
        save_atomic(shard_path(ctx.workdir, "exact", ctx.shard_index), out)
        base.write_count(ctx.workdir, ctx.shard_index, len(docs))

    def reduce(self, ctx: GlobalContext) -> dict[str, Any]:
        """Group equal hashes per partition, then write each shard's representatives."""
        t0 = time.perf_counter()
        wd = str(ctx.workdir)
        parts = self.params.partitions
        offsets = base.shard_offsets(wd, ctx.n_shards)
        n = int(offsets[-1])
        ctx.map(_exact_partition, [(wd, p, parts, ctx.n_shards) for p in range(parts)])
        rep = np.arange(n, dtype=np.int64)
        size = np.ones(n, dtype=np.int64)
        for p in range(parts):
            groups = load(part_path(wd, "exact_groups", p), mmap=False)
            rep[groups[0]] = groups[1]
            size[groups[0]] = groups[2]
        for s in range(ctx.n_shards):
            a, b = offsets[s], offsets[s + 1]
            save_atomic(shard_path(wd, "exact_result", s), np.stack([rep[a:b], size[a:b]], axis=1))
        return {
            "documents": n,
            "clusters": int(np.count_nonzero((rep == np.arange(n)) & (size > 1))),
            "duplicates": int(np.count_nonzero(rep != np.arange(n))),
            "largest_cluster": int(size.max()) if n else 0,
            "seconds": round(time.perf_counter() - t0, 3),
            "peak_rss_mb": base.peak_rss_mb(),
        }

    def apply_shard(self, docs: list[Document], ctx: ShardContext) -> None:
        """Record cluster id and size; reject every copy but the representative."""
        base.apply_clusters(self, docs, ctx, "exact_result", "exact_duplicate")


def _exact_partition(args: tuple[str, int, int, int]) -> int:
    """Groups of equal hashes in one hash range: ``(3, m)`` int64 of (document, representative, size)."""
    wd, part, parts, n_shards = args
    hashes, index = [], []
    start = 0
    for s in range(n_shards):
        h = load(shard_path(wd, "exact", s))
        mine = np.flatnonzero(h[:, 0] % np.uint64(parts) == part)
        hashes.append(np.asarray(h[mine]))
        index.append(mine + start)
        start += len(h)
    h = np.concatenate(hashes) if hashes else np.zeros((0, 2), np.uint64)
    idx = np.concatenate(index) if index else np.zeros(0, np.int64)
    order = np.lexsort((idx, h[:, 1], h[:, 0]))  # by hash, then by index: first = lowest
    h, idx = h[order], idx[order]
    new = np.ones(len(idx), dtype=bool)
    new[1:] = (h[1:, 0] != h[:-1, 0]) | (h[1:, 1] != h[:-1, 1])
    group = np.cumsum(new) - 1
    starts = np.flatnonzero(new)
    sizes = np.diff(np.append(starts, len(idx)))
    in_dup = sizes[group] > 1
    out = np.stack([idx[in_dup], idx[starts[group[in_dup]]], sizes[group[in_dup]]]).astype(np.int64)
    save_atomic(part_path(wd, "exact_groups", part), out)
    return int(out.shape[1])
