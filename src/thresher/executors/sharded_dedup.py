"""``near_dedup_sharded``: ``near_dedup`` whose global phase never gathers the corpus.

``near_dedup`` (by the dedup stage) distributes bucketing by groups of bands (one task
per worker) and verification by chunk through ``ctx.map``, but each bucketing task holds
a key per document of the whole corpus for each of its bands, and the driver merges every edge and runs the union-find over every document
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
reduce statistics differ. The bucket semantics (keys truncated to the same bits, a
star per bucket plus every pair in small buckets) and the verification are
``near_dedup``'s own, imported or mirrored: a change there must be mirrored here, and
the equivalence test says when it was not.
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
    Params = ShardedNearDedupParams  # type: ignore[assignment]  # a subclass of NearDedupParams
    params: ShardedNearDedupParams

    def reduce(self, ctx: GlobalContext) -> dict[str, Any]:
        t0 = time.perf_counter()
        p = self.params
        wd = str(ctx.workdir)
        offsets = base.shard_offsets(wd, ctx.n_shards)
        parts = p.partitions or max(2, 2 * max(ctx.workers, 1))
        counts: dict[str, int] = {}

        def seed(folder: Path) -> None:
            edges = ctx.map(bucket_range, [(wd, str(folder), b, r, parts, ctx.n_shards, p.all_pairs)
                                           for b in range(p.bands) for r in range(parts)])
            out = ctx.map(verify_partition, [(wd, str(folder), q, parts, p.bands, ctx.n_shards, p.verify,
                                              p.threshold) for q in range(parts)])
            counts["bucket_edges"] = int(sum(edges))
            counts["candidate_pairs"] = int(sum(o[0] for o in out))
            counts["verified_pairs"] = int(sum(o[1] for o in out))

        cc = label_shards(ctx.workdir, offsets, parts, ctx.map, seed)
        return {"documents": int(offsets[-1]), "partitions": parts, **counts, **cc,
                "seconds": round(time.perf_counter() - t0, 3)}


def bucket_range(args: tuple[str, str, int, int, int, int, int]) -> int:
    """Bucket one band's keys of one hash range, with ``near_dedup``'s bucket semantics.

    As in ``near_dedup``, keys are compared on their bits above ``ceil(log2 n)`` (so the
    buckets are the same), a bucket yields a star from its first (lowest) document to
    each member, and a bucket of at most ``all_pairs`` documents every other pair too.
    """
    wd, folder, band, r, parts, n_shards, all_pairs = args
    counts = [int(load(shard_path(wd, "count", s), mmap=False)[0]) for s in range(n_shards)]
    shift = np.uint64(max(1, (sum(counts) - 1).bit_length()))
    keys_parts, idx_parts = [], []
    start = 0
    for s in range(n_shards):
        valid = load(shard_path(wd, "valid", s), mmap=False)
        idx = np.flatnonzero(valid)
        keys = np.asarray(load(shard_path(wd, "bands", s))[idx, band]) >> shift
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
    run = np.cumsum(new) - 1
    run_start = np.flatnonzero(new)
    run_size = np.diff(np.append(run_start, len(keys)))
    first_pos = run_start[run]
    members = np.flatnonzero(~new)
    left, right = [idx[first_pos[members]]], [idx[members]]
    small = members[run_size[run[members]] <= all_pairs]
    for d in range(1, int(run_size[run[small]].max(initial=1)) - 1):
        ok = small - d > first_pos[small]
        left.append(idx[small[ok] - d])
        right.append(idx[small[ok]])
    src, dst = np.concatenate(left), np.concatenate(right)
    dest = partition_of(src, parts)
    for q in range(parts):
        sel = dest == q
        save_atomic(Path(folder) / f"cand-b{band:04d}-r{r:04d}-q{q:04d}.npy", np.stack([src[sel], dst[sel]]))
    return len(src)


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
    _verify_chunk((wd, q, n_shards, mode, threshold))
    sim = load(part_path(wd, "sim", q), mmap=False)
    kept = np.ones(len(sim), bool) if mode == "none" else sim >= np.float32(threshold)
    write_split(Path(folder), 0, q, parts, *both_ways(edges[0, kept], edges[1, kept]))
    return int(edges.shape[1]), int(kept.sum())


__all__ = ["ShardedNearDedup", "bucket_range", "verify_partition"]
