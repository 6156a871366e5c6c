"""``near_dedup``: MinHash LSH near-duplicate clusters, in bounded memory.

Phases (see :mod:`thresher.stages.dedup.base` for the file conventions):

1. **map** (per shard): shingle hashes, one-permutation MinHash signatures and band keys
   (:mod:`thresher.stages.dedup.minhash`), written as ``.npy`` arrays; with
   ``verify="exact"`` the shard's shingle hashes too (4 bytes per shingle).
2. **reduce**: one bucketing task per worker takes its share of the bands, one band at
   a time: it sorts that band's records (band key high bits and document index packed
   in one uint64, 8 bytes per document) and emits an edge from every document to the
   first document of its bucket. The candidate edges are deduplicated, split into chunks
   that are verified in parallel (exact Jaccard of the shingle sets, or the signature
   estimate), and the kept edges are merged by a vectorised union-find over int64
   arrays. No Python object per document is ever built. The representative of a
   cluster is its lowest global index, i.e. the lowest ``(shard, position)``:
   independent of the number of workers.
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

import bisect
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import Field, model_validator

from thresher.document import Document
from thresher.stages.dedup import base
from thresher.stages.dedup.base import load, part_path, save_atomic, shard_path
from thresher.stages.dedup.minhash import EMPTY, band_keys, signatures, windows
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
    all_pairs: int = Field(
        32, ge=2, le=100_000, description="buckets up to this size yield every pair, larger ones a star"
    )
    audit_sample: int = Field(
        0, ge=0, le=10_000_000, description="kept pairs re-checked by exact Jaccard when verify is not exact"
    )
    case_fold: Literal["ascii", "unicode"] = "ascii"
    # Text per numpy batch. Small batches pay numpy's per-call overhead (measured on the
    # benchmark corpus of benchmarks/dedup.py, 3,800 documents, one core: 64 KiB batches
    # cost 1.4x 1 MiB ones); large ones leave the cache. With the allocator warmed up
    # (base.keep_freed_memory), 256 KiB and 1 MiB measured alike on 12,000 documents
    # (0.66-0.78 s and 0.68-0.75 s CPU over 6 interleaved runs); 1 MiB makes fewer calls.
    batch_chars: int = Field(1 << 20, ge=1, le=1 << 30, description="characters hashed per numpy batch")

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

    @property
    def _keep_shingles(self) -> bool:
        return self.params.verify == "exact" or self.params.audit_sample > 0

    # ---- phase 1 -----------------------------------------------------------------------

    def map_shard(self, docs: list[Document], ctx: ShardContext) -> None:
        """Write this shard's signatures, band keys (and shingles for the exact check)."""
        p = self.params
        base.keep_freed_memory()
        sigs: list[np.ndarray] = []
        shingles: list[np.ndarray] = []
        spans: list[np.ndarray] = []
        stored = 0
        for texts in _batches(docs, p.batch_chars):
            if p.case_fold == "unicode":
                # ASCII is folded inside the hash; only non-ASCII text needs str.lower()
                texts = [t if t.isascii() else t.lower() for t in texts]
            win = windows(texts, p.unit, p.shingle_size)
            sigs.append(signatures(win, p.num_perm, p.seed))
            if self._keep_shingles:
                # every window is stored (those owned by nobody too, 4 bytes each: less
                # than compacting costs); each document's span says which are its own
                shingles.append(win.hashes.astype(np.uint32))
                spans.append(win.spans + stored)
                stored += len(win.hashes)
        sig = np.concatenate(sigs) if sigs else np.zeros((0, p.num_perm), dtype=np.uint32)
        wd, s = ctx.workdir, ctx.shard_index
        save_atomic(shard_path(wd, "sig", s), sig)
        save_atomic(shard_path(wd, "bands", s), band_keys(sig, p.bands, p.rows, p.seed))
        save_atomic(shard_path(wd, "valid", s), sig[:, 0] != EMPTY if len(sig) else np.zeros(0, bool))
        if self._keep_shingles:
            save_atomic(
                shard_path(wd, "shingles", s),
                np.concatenate(shingles) if shingles else np.zeros(0, np.uint32),
            )
            save_atomic(
                shard_path(wd, "shingle_spans", s),
                np.concatenate(spans) if spans else np.zeros((0, 2), np.int64),
            )
        base.write_count(wd, s, len(docs))  # last: the shard's map is complete once this exists

    # ---- phase 2 -----------------------------------------------------------------------

    def reduce(self, ctx: GlobalContext) -> dict[str, Any]:
        """Bucket per band, verify candidates, cluster; write per-shard results."""
        t0 = time.perf_counter()
        p = self.params
        wd = str(ctx.workdir)
        offsets = base.shard_offsets(wd, ctx.n_shards)
        n = int(offsets[-1])
        # one bucketing task per worker (each reads every shard's keys once), bands split
        # evenly between them
        groups = base.chunks(p.bands, min(p.bands, max(ctx.workers, 1)))
        counts = ctx.map(
            _band_edges, [(wd, t, lo, hi, ctx.n_shards, p.all_pairs) for t, (lo, hi) in enumerate(groups)]
        )
        edges = _merge_edges(wd, len(groups), n)
        candidates = edges.shape[1]
        n_chunks = max(1, min(4 * max(ctx.workers, 1), -(-candidates // 20_000)))
        for i, (a, b) in enumerate(base.chunks(candidates, n_chunks)):
            save_atomic(part_path(wd, "cand", i), edges[:, a:b])
        del edges
        ctx.map(_verify_chunk, [(wd, i, ctx.n_shards, p.verify, p.threshold) for i in range(n_chunks)])
        src, dst, sim = _kept_edges(wd, n_chunks, p.threshold, p.verify)
        save_atomic(Path(wd) / "pairs.npy", np.stack([src, dst]))
        save_atomic(Path(wd) / "pairs_similarity.npy", sim)
        audit = _audit(wd, ctx.n_shards, src, dst, sim, p) if p.audit_sample and p.verify != "exact" else {}
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
            "verified_pairs": len(sim),
            "clusters": int(np.count_nonzero(sizes > 1)),
            "duplicates": duplicates,
            "largest_cluster": int(sizes.max()) if n else 0,
            **audit,
            "seconds": round(time.perf_counter() - t0, 3),
            "peak_rss_mb": base.peak_rss_mb(),
        }

    # ---- phase 3 -----------------------------------------------------------------------

    def apply_shard(self, docs: list[Document], ctx: ShardContext) -> None:
        """Record cluster id and size on every document; reject all but the representative."""
        base.apply_clusters(self, docs, ctx, "result", "near_duplicate")


def _batches(docs: list[Document], max_chars: int) -> Iterator[list[str]]:
    """Consecutive texts of about ``max_chars`` characters (at least one text each)."""
    batch: list[str] = []
    size = 0
    for doc in docs:
        if batch and size + len(doc.text) > max_chars:
            yield batch
            batch, size = [], 0
        batch.append(doc.text)
        size += len(doc.text)
    if batch:
        yield batch


def _sorted_set(x: np.ndarray) -> np.ndarray:
    """Sorted distinct values (a plain sort: faster than ``np.unique`` on small arrays)."""
    x = np.sort(x)
    if len(x) < 2:
        return x
    keep = np.empty(len(x), dtype=bool)
    keep[0] = True
    np.not_equal(x[1:], x[:-1], out=keep[1:])
    return x[keep]


def _overlap(a: np.ndarray, b: np.ndarray) -> int:
    """Size of the intersection of two sorted distinct arrays.

    numpy's stable sort of 32-bit integers is a timsort, which finds the two sorted runs
    of the concatenation and merges them in linear time; a common value then sits next
    to its twin. Measured on two sets of 1,500: 6.7 µs, against 21.8 µs for a binary
    search of one set's values in the other.
    """
    if not len(a) or not len(b):
        return 0
    both = np.sort(np.concatenate([a, b]), kind="stable")
    return int(np.count_nonzero(both[1:] == both[:-1]))


# ---- reduce tasks (module level: picklable for process pools and Ray) ---------------------


_COMPARE_BLOCK = 1 << 20  # records compared per numpy call: bounds the temporaries


def _band_edges(args: tuple[str, int, int, int, int, int]) -> int:
    """Bucket bands ``[lo, hi)``: an edge from each document to the first of its bucket.

    Each record is one uint64: the band key's high bits with the document's global index
    in the low ``ceil(log2 n)`` bits. One in-place sort then orders records by key and,
    within a key, by index, so the first of a bucket is its lowest index. Memory: 8
    bytes per document plus 1 for the equality mask (temporaries are blockwise), one band
    at a time; the task's distinct edges are merged as it goes. Grouping bands in one
    task reads each shard's files once per task instead of once per band.
    Truncating keys to ``64 - ceil(log2 n)`` bits (44 bits at 1 million documents, 40 at
    16 million) adds chance collisions with probability ~n / 2^(64 - log2 n) per document;
    the verification discards them.
    """
    wd, task, lo, hi, n_shards, all_pairs = args
    valid = [load(shard_path(wd, "valid", s), mmap=False) for s in range(n_shards)]
    keys = [load(shard_path(wd, "bands", s)).view(np.ndarray) for s in range(n_shards)]
    n = sum(len(v) for v in valid)
    idx_bits = max(1, (n - 1).bit_length())
    shift = np.uint64(idx_bits)
    n_records = sum(int(v.sum()) for v in valid)
    merged = np.zeros((2, 0), dtype=np.int64)
    total = 0
    for band in range(lo, hi):
        records = np.empty(n_records, dtype=np.uint64)
        at = start = 0
        for s in range(n_shards):
            idx = np.flatnonzero(valid[s])
            records[at : at + len(idx)] = (keys[s][idx, band] >> shift << shift) | (idx + start).astype(
                np.uint64
            )
            at += len(idx)
            start += len(valid[s])
        src, dst = _bucket_edges(records, idx_bits, all_pairs)
        del records
        total += len(src)
        merged = _union_edges(merged, np.stack([src, dst]), n)
    save_atomic(part_path(wd, "edges", task), merged)
    return total


def _bucket_edges(records: np.ndarray, idx_bits: int, all_pairs: int) -> tuple[np.ndarray, np.ndarray]:
    """Sort one band's records (in place) and return its edges as global indices."""
    shift = np.uint64(idx_bits)
    records.sort()
    m = len(records)
    same = np.empty(max(m - 1, 0), dtype=bool)
    for a in range(0, m - 1, _COMPARE_BLOCK):
        b = min(a + _COMPARE_BLOCK, m - 1)
        np.equal(records[a + 1 : b + 1] >> shift, records[a:b] >> shift, out=same[a:b])
    # records in a bucket of two or more: the first of each such bucket and its members
    members = np.flatnonzero(same) + 1
    del same
    heads = np.ones(len(members), dtype=bool)  # a member whose predecessor is not a member
    heads[1:] = members[1:] != members[:-1] + 1
    head_pos = members[heads] - 1
    firsts = head_pos[np.cumsum(heads) - 1]
    # a star around the first of each bucket, and in buckets of at most ``all_pairs``
    # documents every other pair too (what a query-based LSH reports): more pairs to
    # verify, but a pair of copies is declared directly, not only through the first
    bucket_size = np.diff(np.append(np.flatnonzero(heads), len(members)))[np.cumsum(heads) - 1] + 1
    left, right = [firsts], [members]
    small = bucket_size <= all_pairs
    m_small, f_small = members[small], firsts[small]
    for d in range(1, int(bucket_size[small].max(initial=1)) - 1):
        ok = m_small - d > f_small
        left.append(m_small[ok] - d)
        right.append(m_small[ok])
    low = np.uint64((1 << idx_bits) - 1)
    src = (records[np.concatenate(left)] & low).astype(np.int64)
    dst = (records[np.concatenate(right)] & low).astype(np.int64)
    return src, dst


def _union_edges(merged: np.ndarray, edges: np.ndarray, n: int) -> np.ndarray:
    """The distinct edges of both ``(2, m)`` arrays, sorted by (representative, member)."""
    if not edges.shape[1]:
        return merged
    edges = np.concatenate([merged, edges], axis=1)
    if n < 2**32:
        packed = np.unique(edges[0].astype(np.uint64) << np.uint64(32) | edges[1].astype(np.uint64))
        del edges
        return np.stack([(packed >> np.uint64(32)).astype(np.int64), (packed & base.MASK32).astype(np.int64)])
    order = np.lexsort((edges[1], edges[0]))
    edges = edges[:, order]
    keep = np.concatenate([[True], (np.diff(edges[0]) != 0) | (np.diff(edges[1]) != 0)])
    return edges[:, keep]


def _merge_edges(wd: str, tasks: int, n: int) -> np.ndarray:
    """All bucketing tasks' edges, each pair once, sorted by (representative, member).

    Tasks are merged one at a time into the running set of distinct edges, so memory
    follows the number of distinct edges, not bands × edges (the same bucket usually
    repeats in many bands).
    """
    merged = np.zeros((2, 0), dtype=np.int64)
    for t in range(tasks):
        merged = _union_edges(merged, load(part_path(wd, "edges", t), mmap=False), n)
    return merged


class _ShardReader:
    """Rows of the per-shard arrays addressed by global index (memory-mapped, lazily)."""

    def __init__(self, wd: str, n_shards: int) -> None:
        self.wd = wd
        self.offsets = base.shard_offsets(wd, n_shards)
        self._starts = self.offsets.tolist()  # for bisect: one lookup costs ~0.3 µs
        self._maps: dict[tuple[str, int], np.ndarray] = {}

    def array(self, kind: str, shard: int) -> np.ndarray:
        key = (kind, shard)
        if key not in self._maps:
            # a plain ndarray view of the memory map: np.memmap's Python-level __getitem__
            # costs more than the read itself on the one-row lookups made here
            self._maps[key] = load(shard_path(self.wd, kind, shard)).view(np.ndarray)
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

    def windows(self, g: int) -> np.ndarray:
        """Document ``g``'s stored shingle hashes, in text order, repeats included."""
        s = bisect.bisect_right(self._starts, g) - 1
        a, b = self.array("shingle_spans", s)[g - self._starts[s]]
        return self.array("shingles", s)[a:b]


class _ExactJaccard:
    """Exact Jaccard similarity of two documents' stored shingle sets.

    A document is in several candidate pairs, so its sorted set is kept (up to
    :data:`_SET_CACHE` of them). Two documents with the same sequence of shingle hashes
    (copies, the commonest candidates) are similar 1.0 without building either set.
    """

    def __init__(self, reader: _ShardReader) -> None:
        self.reader = reader
        self.cache: dict[int, np.ndarray] = {}

    def shingle_set(self, g: int, windows: np.ndarray) -> np.ndarray:
        """Document ``g``'s sorted set, from its ``windows`` unless it is cached."""
        got = self.cache.get(g)
        if got is None:
            if len(self.cache) >= _SET_CACHE:
                self.cache.clear()
            got = self.cache[g] = _sorted_set(windows)
        return got

    def __call__(self, a: int, b: int) -> float:
        wa, wb = self.reader.windows(a), self.reader.windows(b)
        if len(wa) == len(wb) and np.array_equal(wa, wb):
            return 1.0
        set_a, set_b = self.shingle_set(a, wa), self.shingle_set(b, wb)
        inter = _overlap(set_a, set_b)
        union = len(set_a) + len(set_b) - inter
        return inter / union if union else 1.0


# A candidate whose signature estimate is this far below the threshold skips the exact
# check: at 128 bins the estimate's standard deviation is at most 0.044 (sqrt(J(1-J)/k)),
# so a pair at the threshold falls 0.25 below it with probability < 10^-8.
_PREFILTER_MARGIN = 0.25
_SET_CACHE = 4096  # shingle sets kept per verification task (a document is in several pairs)


def _verify_chunk(args: tuple[str, int, int, str, float]) -> int:
    """Similarity of each candidate pair of one chunk: exact Jaccard or signature estimate.

    With ``exact``, pairs whose signature estimate is far below the threshold keep the
    estimate (they are rejected either way) and the others get their exact Jaccard.
    """
    wd, chunk, n_shards, mode, threshold = args
    edges = load(part_path(wd, "cand", chunk), mmap=False)
    reader = _ShardReader(wd, n_shards)
    m = edges.shape[1]
    sim = np.empty(m, dtype=np.float32)
    for a in range(0, m, 1024):  # bounded memory: 1024 pairs of signatures at a time
        sa = reader.signatures(edges[0, a : a + 1024])
        sb = reader.signatures(edges[1, a : a + 1024])
        sim[a : a + 1024] = (sa == sb).mean(axis=1)
    if mode == "exact":
        jaccard = _ExactJaccard(reader)
        todo = np.flatnonzero(sim >= threshold - _PREFILTER_MARGIN)
        for j, a, b in zip(todo.tolist(), edges[0, todo].tolist(), edges[1, todo].tolist(), strict=True):
            sim[j] = jaccard(a, b)
    save_atomic(part_path(wd, "sim", chunk), sim)
    return m


def _audit(
    wd: str, n_shards: int, src: np.ndarray, dst: np.ndarray, sim: np.ndarray, p: NearDedupParams
) -> dict[str, Any]:
    """Exact Jaccard of an evenly spaced (deterministic) sample of the kept pairs.

    Reports the share of sampled pairs that really reach the threshold (an estimate of
    pair precision) and the mean absolute error of the similarity the pairs were kept on.
    """
    if not len(src):
        return {"audit_pairs": 0}
    pick = np.unique(np.linspace(0, len(src) - 1, min(p.audit_sample, len(src))).astype(np.int64))
    jaccard = _ExactJaccard(_ShardReader(wd, n_shards))
    exact = np.array([jaccard(a, b) for a, b in zip(src[pick].tolist(), dst[pick].tolist(), strict=True)])
    return {
        "audit_pairs": len(pick),
        "audit_precision": round(float(np.mean(exact >= p.threshold)), 4),
        "audit_mean_abs_error": round(float(np.mean(np.abs(exact - sim[pick]))), 4),
    }


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
