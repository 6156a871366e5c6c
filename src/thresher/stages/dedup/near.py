"""``near_dedup``: MinHash LSH near-duplicate clusters, in bounded memory.

Phases (see :mod:`thresher.stages.dedup.base` for the file conventions):

1. **map** (per shard): shingle hashes, one-permutation MinHash signatures and band keys
   (:mod:`thresher.stages.dedup.minhash`), written as ``.npy`` arrays; with
   ``verify="exact"`` the shard's shingle hashes too (4 bytes per shingle).
2. **reduce**: one task per band sorts that band's ``(key, document)`` records (an
   in-memory argsort of two integer arrays per band, ~33 bytes per document, run one
   band per worker) and emits an edge from every document to the first document of its
   bucket. The candidate edges are deduplicated, split into chunks that are verified in
   parallel (exact Jaccard of the shingle sets, or the signature estimate), and the kept
   edges are merged by a vectorised union-find over int64 arrays. No Python object per
   document is ever built. The representative of a cluster is its lowest global index,
   i.e. the lowest ``(shard, position)``: independent of the number of workers.
3. **apply** (per shard): every document gets ``cluster_id`` (the global index of its
   cluster's representative) and ``cluster_size``; all but the representative are
   rejected as ``near_duplicate``.

Default parameters: word 5-grams (as Gopher and FineWeb), 128 bins, 20 bands × 5 rows.
The LSH curve ``1 - (1 - s^5)^20`` passes a pair of similarity 0.8 with probability
0.9997 and one of 0.5 with 0.47; the exact check then removes every candidate below the
0.8 threshold, which is where precision comes from. FineWeb's 14 × 8 without a check
passes 0.8 with probability 0.92 only (its S-curve midpoint is ~0.72).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import Field, model_validator

from thresher.document import Document
from thresher.stages.dedup import base
from thresher.stages.dedup.base import load, part_path, save_atomic, shard_path
from thresher.stages.dedup.minhash import EMPTY, band_keys, shingle, signatures
from thresher.step import GlobalContext, GlobalStep, Params, ShardContext


class NearDedupParams(Params):
    """Shingling, MinHash, LSH and verification parameters (ranges checked at build time)."""

    unit: Literal["word", "char"] = "word"
    shingle_size: int = Field(5, ge=1, le=64, description="words (or UTF-8 bytes) per shingle")
    num_perm: int = Field(128, ge=8, le=4096, description="MinHash bins per signature")
    bands: int = Field(20, ge=1, le=1024)
    rows: int = Field(5, ge=1, le=64)
    seed: int = Field(1, ge=0, le=2**32 - 1)
    threshold: float = Field(0.8, ge=0.0, le=1.0, description="Jaccard similarity of a duplicate")
    verify: Literal["exact", "signature", "none"] = "exact"
    case_fold: Literal["ascii", "unicode"] = "ascii"
    batch_size: int = Field(256, ge=1, le=100_000, description="documents hashed per numpy batch")

    @model_validator(mode="after")
    def _bands_fit(self) -> NearDedupParams:
        if self.bands * self.rows > self.num_perm:
            raise ValueError(
                f"bands × rows ({self.bands} × {self.rows}) must be at most num_perm ({self.num_perm})"
            )
        return self


class NearDedup(GlobalStep):
    """Cluster near-duplicate documents with MinHash LSH; keep one per cluster."""

    name = "near_dedup"
    Params = NearDedupParams
    params: NearDedupParams

    # ---- phase 1 -----------------------------------------------------------------------

    def map_shard(self, docs: list[Document], ctx: ShardContext) -> None:
        """Write this shard's signatures, band keys (and shingles for the exact check)."""
        p = self.params
        sigs: list[np.ndarray] = []
        shingles: list[np.ndarray] = []
        lengths: list[np.ndarray] = []
        for i in range(0, len(docs), p.batch_size):
            texts = [d.text for d in docs[i : i + p.batch_size]]
            if p.case_fold == "unicode":
                # ASCII is folded inside the hash; only non-ASCII text needs str.lower()
                texts = [t if t.isascii() else t.lower() for t in texts]
            sh = shingle(texts, p.unit, p.shingle_size)
            sigs.append(signatures(sh, p.num_perm, p.seed))
            if p.verify == "exact":
                shingles.append(sh.hashes.astype(np.uint32))
                lengths.append(np.diff(sh.offsets))
        sig = np.concatenate(sigs) if sigs else np.zeros((0, p.num_perm), dtype=np.uint32)
        wd, s = ctx.workdir, ctx.shard_index
        save_atomic(shard_path(wd, "sig", s), sig)
        save_atomic(shard_path(wd, "bands", s), band_keys(sig, p.bands, p.rows, p.seed))
        save_atomic(shard_path(wd, "valid", s), sig[:, 0] != EMPTY if len(sig) else np.zeros(0, bool))
        if p.verify == "exact":
            offsets = np.zeros(len(docs) + 1, dtype=np.int64)
            if lengths:
                np.cumsum(np.concatenate(lengths), out=offsets[1:])
            save_atomic(shard_path(wd, "shingles", s), np.concatenate(shingles) if shingles else offsets[:0])
            save_atomic(shard_path(wd, "shingle_offsets", s), offsets)
        base.write_count(wd, s, len(docs))  # last: the shard's map is complete once this exists

    # ---- phase 2 -----------------------------------------------------------------------

    def reduce(self, ctx: GlobalContext) -> dict[str, Any]:
        """Bucket per band, verify candidates, cluster; write per-shard results."""
        t0 = time.perf_counter()
        p = self.params
        wd = str(ctx.workdir)
        offsets = base.shard_offsets(wd, ctx.n_shards)
        n = int(offsets[-1])
        counts = ctx.map(_band_edges, [(wd, b, ctx.n_shards) for b in range(p.bands)])
        edges = _merge_edges(wd, p.bands, n)
        candidates = edges.shape[1]
        n_chunks = max(1, min(4 * max(ctx.workers, 1), -(-candidates // 20_000)))
        for i, (a, b) in enumerate(base.chunks(candidates, n_chunks)):
            save_atomic(part_path(wd, "cand", i), edges[:, a:b])
        del edges
        ctx.map(_verify_chunk, [(wd, i, ctx.n_shards, p.verify) for i in range(n_chunks)])
        src, dst, sim = _kept_edges(wd, n_chunks, p.threshold, p.verify)
        save_atomic(Path(wd) / "pairs.npy", np.stack([src, dst]))
        save_atomic(Path(wd) / "pairs_similarity.npy", sim)
        labels = base.connected_components(n, src, dst)
        del src, dst
        sizes = np.bincount(labels, minlength=n)
        for s in range(ctx.n_shards):
            lab = labels[offsets[s] : offsets[s + 1]]
            save_atomic(shard_path(wd, "result", s), np.stack([lab, sizes[lab]], axis=1))
        duplicates = int(n - np.count_nonzero(labels == np.arange(n)))
        return {
            "documents": n,
            "bucket_edges": int(sum(counts)),
            "candidate_pairs": int(candidates),
            "verified_pairs": int(len(sim)),
            "clusters": int(np.count_nonzero(sizes > 1)),
            "duplicates": duplicates,
            "largest_cluster": int(sizes.max()) if n else 0,
            "seconds": round(time.perf_counter() - t0, 3),
            "peak_rss_mb": base.peak_rss_mb(),
        }

    # ---- phase 3 -----------------------------------------------------------------------

    def apply_shard(self, docs: list[Document], ctx: ShardContext) -> None:
        """Record cluster id and size on every document; reject all but the representative."""
        base.check_count(ctx.workdir, ctx.shard_index, len(docs), self.label)
        result = load(shard_path(ctx.workdir, "result", ctx.shard_index), mmap=False)
        first = int(base.shard_offsets(ctx.workdir, ctx.shard_index + 1)[-1]) - len(docs)
        for pos, doc in enumerate(docs):
            cluster, size = int(result[pos, 0]), int(result[pos, 1])
            self.signal(doc, "cluster_id", cluster)
            self.signal(doc, "cluster_size", size)
            if cluster != first + pos:
                doc.reject(self.label, "near_duplicate")


# ---- reduce tasks (module level: picklable for process pools and Ray) ---------------------


def _band_edges(args: tuple[str, int, int]) -> int:
    """Bucket one band: an edge from each document to the first of its bucket."""
    wd, band, n_shards = args
    keys_parts, idx_parts = [], []
    start = 0
    for s in range(n_shards):
        valid = load(shard_path(wd, "valid", s), mmap=False)
        keys = load(shard_path(wd, "bands", s))[:, band]
        idx = np.flatnonzero(valid)
        keys_parts.append(np.asarray(keys[idx]))
        idx_parts.append(idx + start)
        start += len(valid)
    keys = np.concatenate(keys_parts) if keys_parts else np.zeros(0, np.uint64)
    idx = np.concatenate(idx_parts) if idx_parts else np.zeros(0, np.int64)
    del keys_parts, idx_parts
    order = np.argsort(keys, kind="stable")  # stable: ties stay in index order
    keys = keys[order]
    same = keys[1:] == keys[:-1]
    del keys
    run_start = np.flatnonzero(np.concatenate([[True], ~same]))
    run_of = np.cumsum(np.concatenate([[True], ~same])) - 1
    members = np.flatnonzero(np.concatenate([[False], same]))  # not the first of their run
    firsts = idx[order[run_start[run_of[members]]]]
    others = idx[order[members]]
    save_atomic(part_path(wd, "edges", band), np.stack([firsts, others]).astype(np.int64))
    return len(members)


def _merge_edges(wd: str, bands: int, n: int) -> np.ndarray:
    """All bands' edges, each pair once, sorted by (representative, member)."""
    parts = [load(part_path(wd, "edges", b), mmap=False) for b in range(bands)]
    edges = np.concatenate(parts, axis=1) if parts else np.zeros((2, 0), np.int64)
    if edges.shape[1] == 0:
        return edges
    if n < 2**32:
        packed = np.unique(edges[0].astype(np.uint64) << np.uint64(32) | edges[1].astype(np.uint64))
        return np.stack([(packed >> np.uint64(32)).astype(np.int64), (packed & base.MASK32).astype(np.int64)])
    order = np.lexsort((edges[1], edges[0]))
    edges = edges[:, order]
    keep = np.concatenate([[True], (np.diff(edges[0]) != 0) | (np.diff(edges[1]) != 0)])
    return edges[:, keep]


class _ShardReader:
    """Rows of the per-shard arrays addressed by global index (memory-mapped, lazily)."""

    def __init__(self, wd: str, n_shards: int) -> None:
        self.wd = wd
        self.offsets = base.shard_offsets(wd, n_shards)
        self._maps: dict[tuple[str, int], np.ndarray] = {}

    def array(self, kind: str, shard: int) -> np.ndarray:
        key = (kind, shard)
        if key not in self._maps:
            self._maps[key] = load(shard_path(self.wd, kind, shard))
        return self._maps[key]

    def locate(self, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        shard = np.searchsorted(self.offsets, g, side="right") - 1
        return shard, g - self.offsets[shard]

    def signatures(self, g: np.ndarray) -> np.ndarray:
        shard, pos = self.locate(g)
        out = np.empty((len(g), self.array("sig", 0).shape[1]), dtype=np.uint32)
        for s in np.unique(shard):
            m = shard == s
            out[m] = self.array("sig", int(s))[pos[m]]
        return out

    def shingle_set(self, g: int) -> np.ndarray:
        shard, pos = self.locate(np.array([g]))
        s, i = int(shard[0]), int(pos[0])
        off = self.array("shingle_offsets", s)
        return np.unique(self.array("shingles", s)[off[i] : off[i + 1]])


def _verify_chunk(args: tuple[str, int, int, str]) -> int:
    """Similarity of each candidate pair of one chunk: exact Jaccard or signature estimate."""
    wd, chunk, n_shards, mode = args
    edges = load(part_path(wd, "cand", chunk), mmap=False)
    reader = _ShardReader(wd, n_shards)
    m = edges.shape[1]
    if mode != "exact":
        sim = np.empty(m, dtype=np.float32)
        for a in range(0, m, 4096):  # bounded memory: 4096 pairs of signatures at a time
            sa = reader.signatures(edges[0, a : a + 4096])
            sb = reader.signatures(edges[1, a : a + 4096])
            sim[a : a + 4096] = (sa == sb).mean(axis=1)
    else:
        sim = np.empty(m, dtype=np.float32)
        last, set_a = -1, np.zeros(0, np.uint32)
        for j in range(m):  # edges are sorted by representative: its set is reused
            u, v = int(edges[0, j]), int(edges[1, j])
            if u != last:
                set_a, last = reader.shingle_set(u), u
            set_b = reader.shingle_set(v)
            inter = len(np.intersect1d(set_a, set_b, assume_unique=True))
            union = len(set_a) + len(set_b) - inter
            sim[j] = inter / union if union else 1.0
    save_atomic(part_path(wd, "sim", chunk), sim)
    return m


def _kept_edges(wd: str, n_chunks: int, threshold: float, mode: str) -> tuple[np.ndarray, ...]:
    """The verified edges and their similarity (all candidates when ``verify="none"``)."""
    src, dst, sims = [], [], []
    for i in range(n_chunks):
        edges = load(part_path(wd, "cand", i), mmap=False)
        sim = load(part_path(wd, "sim", i), mmap=False)
        keep = np.ones(len(sim), bool) if mode == "none" else sim >= np.float32(threshold)
        src.append(edges[0, keep])
        dst.append(edges[1, keep])
        sims.append(sim[keep])
    return np.concatenate(src), np.concatenate(dst), np.concatenate(sims)
