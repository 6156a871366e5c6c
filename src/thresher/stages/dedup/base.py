"""What the deduplication steps share: files, hashing, text normalisation, union-find.

Every dedup step is a :class:`~thresher.step.GlobalStep` run in three phases (per-shard
map, corpus-wide reduce, per-shard apply). The phases talk through files in one work
folder, never through Python objects, so that any executor (a process pool, Ray tasks)
can run them and a killed shard can be re-run:

- file names carry the shard index (``<kind>-<shard:06d>.npy``) or the partition index;
- every file is written under a temporary name and moved into place with ``os.replace``,
  so a reader sees either the old complete file or the new complete file;
- arrays are plain ``.npy`` files (memory-mappable, no pickles).

A document is addressed by its global index ``offset[shard] + position``; the offsets
come from the per-shard counts written in the map phase. Ordering by global index is
ordering by ``(shard, position)``, which is how every step picks its deterministic
representative: the lowest index of a group.
"""

from __future__ import annotations

import functools
import os
import resource
import sys
import unicodedata
from itertools import pairwise
from pathlib import Path
from typing import Literal

import numpy as np
import regex

from thresher.document import Document
from thresher.errors import ThresherError
from thresher.step import GlobalStep, Params, ShardContext

U64 = np.uint64
MASK32 = U64(0xFFFFFFFF)

# ---- files -------------------------------------------------------------------------------


def shard_path(workdir: Path | str, kind: str, shard: int) -> Path:
    """The file of one shard's array of ``kind`` (``sig``, ``bands``, ``result``...)."""
    return Path(workdir) / f"{kind}-{shard:06d}.npy"


def part_path(workdir: Path | str, kind: str, part: int) -> Path:
    """The file of one reduce partition's array of ``kind``."""
    return Path(workdir) / f"{kind}-p{part:04d}.npy"


def save_atomic(path: Path, array: np.ndarray) -> None:
    """Write ``array`` as ``.npy`` under a temporary name, then move it into place.

    A shard that is killed mid-write leaves only a ``.tmp`` file, which the re-run
    overwrites; readers never see a half-written array.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as fh:
        np.save(fh, np.ascontiguousarray(array), allow_pickle=False)
    os.replace(tmp, path)


def load(path: Path, mmap: bool = True) -> np.ndarray:
    """Read an array written by :func:`save_atomic`; a missing file names the phase at fault."""
    if not path.exists():
        raise ThresherError(
            f"dedup work file {path} is missing: the map phase did not complete for this shard"
        )
    return np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)


def shard_offsets(workdir: Path | str, n_shards: int, kind: str = "count") -> np.ndarray:
    """Global index of each shard's first document (length ``n_shards + 1``)."""
    counts = np.array([int(load(shard_path(workdir, kind, s), mmap=False)[0]) for s in range(n_shards)])
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)


def write_count(workdir: Path | str, shard: int, n: int, kind: str = "count") -> None:
    save_atomic(shard_path(workdir, kind, shard), np.array([n], dtype=np.int64))


def check_count(workdir: Path | str, shard: int, n: int, step: str, kind: str = "count") -> None:
    """The apply phase must see the documents the map phase saw, in the same order."""
    expected = int(load(shard_path(workdir, kind, shard), mmap=False)[0])
    if expected != n:
        raise ThresherError(
            f"{step}: shard {shard} had {expected} live documents in the map phase but {n} in the "
            "apply phase; the executor must pass the same documents in the same order"
        )


def apply_clusters(step: GlobalStep, docs: list[Document], ctx: ShardContext, kind: str, reason: str) -> None:
    """Phase 3 of the clustering steps: record each document's cluster id and size, and
    reject every member but the representative (the cluster's lowest global index)."""
    check_count(ctx.workdir, ctx.shard_index, len(docs), step.label)
    result = load(shard_path(ctx.workdir, kind, ctx.shard_index), mmap=False)
    first = int(shard_offsets(ctx.workdir, ctx.shard_index + 1)[-1]) - len(docs)
    for pos, doc in enumerate(docs):
        cluster, size = int(result[pos, 0]), int(result[pos, 1])
        step.signal(doc, "cluster_id", cluster)
        step.signal(doc, "cluster_size", size)
        if cluster != first + pos:
            doc.reject(step.label, reason)


@functools.cache
def keep_freed_memory() -> None:
    """Let this process's allocator keep freed blocks of up to 31 MiB for reuse.

    The map phase allocates and frees ~20 bytes of numpy temporaries per byte of text
    in every batch. glibc's malloc starts by serving blocks above 128 KiB with fresh
    mmaps and by returning free memory above twice that at the top of the heap, so
    every batch faulted its temporaries in again: 37,000 page faults and 0.08-0.2 s of
    system time for the map of 12,000 benchmark documents (benchmarks/dedup.py), a
    third of the work. glibc raises both thresholds by itself when a mapped block is
    freed (``M_MMAP_THRESHOLD`` in mallopt(3): to that block's size, at most 32 MiB);
    allocating and freeing one untouched 31 MiB block triggers that rule once: 10,000
    faults, 0.03-0.1 s. The process then keeps up to 62 MiB of freed memory instead of
    returning it at once. Other allocators just see one allocation, never touched.
    """
    np.empty(31 << 20, dtype=np.uint8)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


# ---- hashing -----------------------------------------------------------------------------


def mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser (Steele et al., 2014) over a uint64 array: a bijection that
    spreads every input bit over every output bit, so bins and bands see uniform bits."""
    x = x ^ (x >> U64(30))
    x = x * U64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> U64(27))
    x = x * U64(0x94D049BB133111EB)
    return x ^ (x >> U64(31))


def seed_u64(seed: int, salt: int) -> np.uint64:
    """A 64-bit constant derived from the user's seed and a per-use salt."""
    return mix64(np.array([(seed * 0x9E3779B97F4A7C15 + salt) & 0xFFFFFFFFFFFFFFFF], dtype=U64))[0]


# ---- union-find over integer arrays -------------------------------------------------------


def connected_components(n: int, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Label each of ``n`` nodes with the smallest node of its connected component.

    Vectorised hook-and-compress (Shiloach & Vishkin, 1982): every round hooks the
    larger root of each edge under the smaller one (``np.minimum.at``), then halves
    paths by pointer jumping. Memory is one int64 per node plus the edges; no Python
    object per node. The smallest index as label makes the representative independent
    of edge order, hence of the number of workers.
    """
    parent = np.arange(n, dtype=np.int64)
    if len(src) == 0:
        return parent
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    while True:
        ps, pd = parent[src], parent[dst]
        differ = ps != pd
        if not differ.any():
            break
        lo = np.minimum(ps[differ], pd[differ])
        hi = np.maximum(ps[differ], pd[differ])
        np.minimum.at(parent, hi, lo)
        while True:  # compress until every node points at a root
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand
    return parent


# ---- text normalisation ------------------------------------------------------------------

_PUNCT = regex.compile(r"[\p{P}\p{S}]+")
_DIGITS = regex.compile(r"\p{N}+")
_SPACE = regex.compile(r"\s+")


class NormParams(Params):
    """How text is normalised before it is compared; shared by exact, line and paragraph dedup.

    The defaults follow datatrove's ``simplify_text`` used by its exact and sentence
    dedup: case and whitespace differences do not make two texts different.
    """

    lowercase: bool = True
    collapse_whitespace: bool = True
    strip_punctuation: bool = False
    strip_digits: bool = False
    unicode_form: Literal["none", "NFC", "NFKC"] = "NFC"


def normalize(text: str, p: NormParams) -> str:
    """Apply the configured normalisation (cheap steps only run when enabled)."""
    if p.unicode_form != "none" and not text.isascii():
        text = unicodedata.normalize(p.unicode_form, text)
    if p.lowercase:
        text = text.lower()
    if p.strip_punctuation:
        text = _PUNCT.sub(" ", text)
    if p.strip_digits:
        text = _DIGITS.sub("0", text)
    if p.collapse_whitespace:
        text = _SPACE.sub(" ", text).strip()
    return text


def chunks(n: int, parts: int) -> list[tuple[int, int]]:
    """``parts`` contiguous ``[start, end)`` ranges covering ``range(n)`` (some may be empty)."""
    bounds = np.linspace(0, n, parts + 1).astype(np.int64)
    return [(int(a), int(b)) for a, b in pairwise(bounds.tolist())]
