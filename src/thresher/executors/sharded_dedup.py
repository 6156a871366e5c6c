"""``near_dedup_sharded``: ``near_dedup`` whose global phase never gathers the corpus.

``near_dedup`` (by the dedup stage) distributes bucketing by band and verification by
chunk through ``ctx.map``, but each band task holds a key per document of the whole
corpus, and the driver merges every edge and runs the union-find over every document
(8 bytes each, plus the edges). On a cluster that is the part that does not scale out.
This step keeps ``near_dedup``'s map and apply phases and its parameters, and replaces
the reduce by three shuffles through the work folder, each task bounded by its share:

1. **buckets by hash range**: task ``(band, r)`` reads that band's keys of every shard
   (memory-mapped) and keeps those with ``key % parts == r``; it sorts them and emits an
   edge from each document to the first (lowest index) of its bucket, as ``near_dedup``
   does, split by the partition of the edge's first node. Memory: ~1/parts of a band.
2. **verification by partition**: task ``q`` merges its candidate edges from all bands
   (each pair once) and verifies them with ``near_dedup``'s own check (exact Jaccard or
   signature estimate), keeping those at or above the threshold.
3. **connected components** by iterated star contraction across partitions
   (:mod:`thresher.executors.shuffle_cc`), then one ``result`` file per shard in the
   format ``near_dedup``'s apply phase reads.

The representative of a cluster is its lowest global index, as in ``near_dedup``, so
the two steps reject the same documents with the same cluster ids (tested); only the
reduce statistics differ. Bucket keys are compared in full here, where ``near_dedup``
truncates them to make room for the index; the extra chance collisions it sees are
removed by verification either way.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import Field

from thresher.executors.shuffle_cc import both_ways, label_shards, partition_of, write_split
from thresher.stages.dedup import base
from thresher.stages.dedup.base import load, part_path, save_atomic, shard_path
from thresher.stages.dedup.near import NearDedup, NearDedupParams, _verify_chunk
from thresher.step import GlobalContext


class ShardedNearDedupParams(NearDedupParams):
    """``near_dedup``'s parameters, and how many partitions the reduce shuffles into."""

    partitions: int = Field(0, ge=0, le=4096, description="reduce partitions; 0: twice the workers (at least 2)")


class ShardedNearDedup(NearDedup):
    """MinHash LSH near-duplicate clusters with a partitioned, distributed reduce."""

    name = "near_dedup_sharded"
    Params = ShardedNearDedupParams
    params: ShardedNearDedupParams

    def reduce(self, ctx: GlobalContext) -> dict[str, Any]:
        t0 = time.perf_counter()
        p = self.params
        wd = str(ctx.workdir)
        offsets = base.shard_offsets(wd, ctx.n_shards)
        parts = p.partitions or max(2, 2 * max(ctx.workers, 1))
        counts: dict[str, int] = {}

        def seed(folder: Path) -> None:
            edges = ctx.map(bucket_range, [(wd, str(folder), b, r, parts, ctx.n_shards)
                                           for b in range(p.bands) for r in range(parts)])
            out = ctx.map(verify_partition, [(wd, str(folder), q, parts, p.bands, ctx.n_shards, p.verify,
                                              p.threshold) for q in range(parts)])
            counts["bucket_edges"] = int(sum(edges))
            counts["candidate_pairs"] = int(sum(o[0] for o in out))
            counts["verified_pairs"] = int(sum(o[1] for o in out))

        cc = label_shards(ctx.workdir, offsets, parts, ctx.map, seed)
        return {"documents": int(offsets[-1]), "partitions": parts, **counts, **cc,
                "seconds": round(time.perf_counter() - t0, 3)}


def bucket_range(args: tuple[str, str, int, int, int, int]) -> int:
    """Bucket one band's keys of one hash range; edges (first of bucket, member)."""
    wd, folder, band, r, parts, n_shards = args
    keys_parts, idx_parts = [], []
    start = 0
    for s in range(n_shards):
        valid = load(shard_path(wd, "valid", s), mmap=False)
        idx = np.flatnonzero(valid)
        keys = np.asarray(load(shard_path(wd, "bands", s))[idx, band])
        mine = keys % np.uint64(parts) == np.uint64(r)
        keys_parts.append(keys[mine])
        idx_parts.append(idx[mine] + start)
        start += len(valid)
    keys = np.concatenate(keys_parts) if keys_parts else np.zeros(0, np.uint64)
    idx = np.concatenate(idx_parts).astype(np.int64) if idx_parts else np.zeros(0, np.int64)
    del keys_parts, idx_parts
    order = np.lexsort((idx, keys))  # by key, then index: the first of a bucket is its lowest
    keys, idx = keys[order], idx[order]
    new = np.ones(len(keys), dtype=bool)
    new[1:] = keys[1:] != keys[:-1]
    first = idx[np.flatnonzero(new)][np.cumsum(new) - 1]
    src, dst = first[~new], idx[~new]
    dest = partition_of(src, parts)
    for q in range(parts):
        sel = dest == q
        save_atomic(Path(folder) / f"cand-b{band:04d}-r{r:04d}-q{q:04d}.npy", np.stack([src[sel], dst[sel]]))
    return int(len(src))


def verify_partition(args: tuple[str, str, int, int, int, int, str, float]) -> tuple[int, int]:
    """Each candidate pair of partition ``q`` once, verified; kept pairs seed the stars."""
    wd, folder, q, parts, bands, n_shards, mode, threshold = args
    pieces = [load(Path(folder) / f"cand-b{b:04d}-r{r:04d}-q{q:04d}.npy", mmap=False)
              for b in range(bands) for r in range(parts)]
    edges = np.concatenate(pieces, axis=1) if pieces else np.zeros((2, 0), np.int64)
    del pieces
    if edges.shape[1]:
        order = np.lexsort((edges[1], edges[0]))
        edges = edges[:, order]
        keep = np.ones(edges.shape[1], dtype=bool)
        keep[1:] = (np.diff(edges[0]) != 0) | (np.diff(edges[1]) != 0)
        edges = edges[:, keep]
    # near_dedup's own check, on this partition's pairs (its "chunk" q)
    save_atomic(part_path(wd, "cand", q), edges)
    _verify_chunk((wd, q, n_shards, mode))
    sim = load(part_path(wd, "sim", q), mmap=False)
    kept = np.ones(len(sim), bool) if mode == "none" else sim >= np.float32(threshold)
    write_split(Path(folder), 0, q, parts, *both_ways(edges[0, kept], edges[1, kept]))
    return int(edges.shape[1]), int(kept.sum())


__all__ = ["ShardedNearDedup", "bucket_range", "verify_partition"]
