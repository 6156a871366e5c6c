"""Connected components over a partitioned edge list, in tasks of bounded memory.

The global phase of near-duplicate detection ends in a union-find over every verified
pair. Done in one process (``dedup.base.connected_components``) it needs 8 bytes per
document of the whole corpus in one place. Here the edges never meet in one process:
they are shuffled between ``parts`` partitions through files in the work folder (any
executor's ``map`` runs the tasks: Ray tasks on a cluster, a process pool locally), and
the components are found by iterated star contraction (Kiveris, Lattanzi, Mirrokni,
Rastogi and Vassilvitskii, "Connected Components in MapReduce and Beyond", SoCC 2014):

- *large-star* at node u: connect every neighbour v > u to m(u), the smallest of u and
  its neighbours;
- *small-star* at node u: connect u and every neighbour v <= u to the smallest of them.

Alternated, they converge (in O(log² n) rounds, a handful in practice) to one star per
component whose centre is the component's smallest node: the same label as the serial
union-find (the lowest global index), so results do not depend on the partitioning.

Each round task loads the edges keyed to its partition (both directions of every
edge), groups them by node with one sort, and writes the new edges split by the
partition of their key: memory per task is the partition's edges, O(E / parts), except
that a star centre holds its whole component (the largest cluster bounds it).
Convergence is detected without gathering edges: each task returns the count and an
order-free checksum of the edge set it received; when a small-star + large-star cycle
leaves both unchanged, the graph is a fixed point of both, i.e. a set of stars.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from thresher.stages.dedup.base import load, mix64, save_atomic, shard_path

T = TypeVar("T")
R = TypeVar("R")
Mapper = Callable[[Callable[[T], R], Iterable[T]], list[R]]

SHUFFLE = "shuffle"
# Star contraction converges in a handful of rounds on real duplicate graphs (5-8 on the
# test graphs, chains of 10^4 nodes included); the bound only stops a bug from looping.
MAX_ROUNDS = 200


def partition_of(nodes: np.ndarray, parts: int) -> np.ndarray:
    """The partition of each node: a hash, so that dense runs of ids spread evenly."""
    return (mix64(nodes.astype(np.uint64)) % np.uint64(parts)).astype(np.int64)


def _round_file(folder: Path, rnd: int, src: int, dst: int) -> Path:
    return folder / f"r{rnd:03d}-{src:04d}-{dst:04d}.npy"


def write_split(folder: Path, rnd: int, src: int, parts: int, key: np.ndarray, other: np.ndarray) -> None:
    """Write directed edges ``key -> other`` into one file per destination partition."""
    dest = partition_of(key, parts)
    order = np.argsort(dest, kind="stable")
    key, other, dest = key[order], other[order], dest[order]
    bounds = np.searchsorted(dest, np.arange(parts + 1))
    for q in range(parts):
        a, b = bounds[q], bounds[q + 1]
        save_atomic(_round_file(folder, rnd, src, q), np.stack([key[a:b], other[a:b]]))


def both_ways(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """An undirected edge set as directed edges keyed at each end (self loops dropped)."""
    keep = a != b
    a, b = a[keep], b[keep]
    return np.concatenate([a, b]), np.concatenate([b, a])


def _load_partition(folder: Path, rnd: int, q: int, parts: int) -> tuple[np.ndarray, np.ndarray]:
    pieces = [load(_round_file(folder, rnd, s, q), mmap=False) for s in range(parts)]
    edges = np.concatenate(pieces, axis=1) if pieces else np.zeros((2, 0), np.int64)
    if edges.shape[1] == 0:
        return edges[0], edges[1]
    order = np.lexsort((edges[1], edges[0]))
    edges = edges[:, order]
    keep = np.ones(edges.shape[1], dtype=bool)
    keep[1:] = (np.diff(edges[0]) != 0) | (np.diff(edges[1]) != 0)
    return edges[0, keep], edges[1, keep]


def _checksum(u: np.ndarray, v: np.ndarray) -> int:
    """Order-free fingerprint of a set of directed edges (a sum of their hashes)."""
    if len(u) == 0:
        return 0
    h = mix64(u.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) ^ v.astype(np.uint64))
    return int(np.sum(h, dtype=np.uint64))


def star_round(args: tuple[str, int, int, int, str]) -> tuple[int, int]:
    """One large- or small-star step for partition ``q``; returns (edges in, checksum in)."""
    folder_s, rnd, q, parts, kind = args
    folder = Path(folder_s)
    u, v = _load_partition(folder, rnd, q, parts)  # sorted by (u, v), unique
    n_in, check = len(u), _checksum(u, v)
    if len(u) == 0:
        write_split(folder, rnd + 1, q, parts, u, v)
        return n_in, check
    starts = np.flatnonzero(np.concatenate([[True], u[1:] != u[:-1]]))
    group = np.cumsum(np.concatenate([[True], u[1:] != u[:-1]])) - 1
    if kind == "large":
        # m(u) = min(u, min neighbour); neighbours sorted, so the first is the smallest
        m = np.minimum(u[starts], v[starts])[group]
        sel = v > u
        a, b = v[sel], m[sel]
    else:
        low = v <= u
        # smallest of u and its neighbours <= u: the first neighbour if it is <= u
        first_low = np.where(low[starts], v[starts], u[starts])
        m = np.minimum(first_low, u[starts])[group]
        a = np.concatenate([v[low], u[starts]])
        b = np.concatenate([m[low], np.minimum(first_low, u[starts])])
    write_split(folder, rnd + 1, q, parts, *both_ways(a, b))
    return n_in, check


def final_labels(args: tuple[str, int, int, int, list[int]]) -> int:
    """At the fixed point, each centre (a node whose neighbours are all larger) writes
    ``(member, centre, size)`` for its star, split by the shard of the member."""
    folder_s, rnd, q, parts, offsets = args
    folder = Path(folder_s)
    u, v = _load_partition(folder, rnd, q, parts)
    offs = np.asarray(offsets, dtype=np.int64)
    n_shards = len(offs) - 1
    if len(u):
        starts = np.flatnonzero(np.concatenate([[True], u[1:] != u[:-1]]))
        ends = np.concatenate([starts[1:], [len(u)]])
        centre = v[starts] > u[starts]
        deg = ends - starts
        group = np.cumsum(np.concatenate([[True], u[1:] != u[:-1]])) - 1
        in_centre = centre[group]
        members = np.concatenate([v[in_centre], u[starts][centre]])
        labels = np.concatenate([u[in_centre], u[starts][centre]])
        sizes = np.concatenate([(deg + 1)[group][in_centre], (deg + 1)[centre]])
    else:
        members = labels = sizes = np.zeros(0, np.int64)
    shard = np.searchsorted(offs, members, side="right") - 1
    order = np.argsort(shard, kind="stable")
    members, labels, sizes, shard = members[order], labels[order], sizes[order], shard[order]
    bounds = np.searchsorted(shard, np.arange(n_shards + 1))
    for s in range(n_shards):
        a, b = bounds[s], bounds[s + 1]
        save_atomic(folder / f"final-{q:04d}-s{s:06d}.npy", np.stack([members[a:b], labels[a:b], sizes[a:b]]))
    return len(members)


def shard_result(args: tuple[str, str, int, int, list[int]]) -> int:
    """``[label, size]`` per document of one shard (singletons: itself, 1), as the
    ``result`` array that ``near_dedup``'s apply phase reads."""
    folder_s, workdir, s, parts, offsets = args
    folder = Path(folder_s)
    lo, hi = offsets[s], offsets[s + 1]
    result = np.stack([np.arange(lo, hi, dtype=np.int64), np.ones(hi - lo, dtype=np.int64)], axis=1)
    dups = 0
    for q in range(parts):
        members, labels, sizes = load(folder / f"final-{q:04d}-s{s:06d}.npy", mmap=False)
        result[members - lo, 0] = labels
        result[members - lo, 1] = sizes
        dups += int(np.count_nonzero(members != labels))
    save_atomic(shard_path(workdir, "result", s), result)
    return dups


def components(folder: Path, parts: int, mapper: Mapper, first_round: int = 0) -> tuple[int, list[dict[str, int]]]:
    """Alternate star steps from the edges of round ``first_round`` to the fixed point;
    returns the round holding the stars and a log of the rounds."""
    log: list[dict[str, int]] = []
    rnd = first_round
    history: list[tuple[int, int]] = []
    for step in range(MAX_ROUNDS):
        kind = "large" if step % 2 == 0 else "small"
        out = mapper(star_round, [(str(folder), rnd, q, parts, kind) for q in range(parts)])
        n_in = sum(o[0] for o in out)
        check = sum(o[1] for o in out) & 0xFFFFFFFFFFFFFFFF
        log.append({"round": rnd, "edges": n_in})
        history.append((n_in, check))
        rnd += 1
        # the input of a large step equal to that of the previous large step: a whole
        # cycle changed nothing, so the edge set is a fixed point of both steps
        if kind == "large" and len(history) >= 3 and history[-1] == history[-3]:
            return rnd - 1, log
    raise RuntimeError(f"star contraction did not converge in {MAX_ROUNDS} rounds")


def label_shards(workdir: Path, offsets: np.ndarray, parts: int, mapper: Mapper,
                 seed_edges: Callable[[Path], None]) -> dict[str, Any]:
    """The whole phase: ``seed_edges(folder)`` writes round 0 (``write_split`` by each of
    ``parts`` sources), then stars, then one ``result`` array per shard."""
    folder = Path(workdir) / SHUFFLE
    shutil.rmtree(folder, ignore_errors=True)  # a re-run of the reduce starts clean
    folder.mkdir(parents=True)
    seed_edges(folder)
    rnd, log = components(folder, parts, mapper)
    offs = [int(x) for x in offsets]
    mapper(final_labels, [(str(folder), rnd, q, parts, offs) for q in range(parts)])
    dups = mapper(shard_result, [(str(folder), str(workdir), s, parts, offs) for s in range(len(offs) - 1)])
    shutil.rmtree(folder, ignore_errors=True)
    return {"rounds": len(log), "duplicates": int(sum(dups)), "round_edges": [r["edges"] for r in log]}


__all__ = ["both_ways", "components", "label_shards", "partition_of", "star_round", "write_split"]
