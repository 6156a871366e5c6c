"""Distributed connected components (star contraction over partition files) and the
sharded near-dup step: the same labels as the serial union-find, whatever the number of
partitions; the same rejected documents and cluster ids as ``near_dedup``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.executors.test_ray import near_dup_corpus, output_bytes

from thresher import Pipeline
from thresher.executors.shuffle_cc import both_ways, label_shards, write_split
from thresher.stages.dedup.base import connected_components, load, shard_path
from thresher.step import serial_map


def labels_via_shuffle(tmp: Path, n: int, src: np.ndarray, dst: np.ndarray, parts: int,
                       shard_sizes: list[int]) -> np.ndarray:
    offsets = np.concatenate([[0], np.cumsum(shard_sizes)]).astype(np.int64)
    assert offsets[-1] == n

    def seed(folder: Path) -> None:
        # the edges arrive from `parts` sources, as the verification tasks write them
        for q, (a, b) in enumerate(zip(np.array_split(src, parts), np.array_split(dst, parts), strict=True)):
            write_split(folder, 0, q, parts, *both_ways(a, b))

    stats = label_shards(tmp, offsets, parts, serial_map, seed)
    assert stats["rounds"] >= 1
    res = np.concatenate([load(shard_path(tmp, "result", s), mmap=False) for s in range(len(shard_sizes))])
    return res


def expected(n: int, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    lab = connected_components(n, src, dst)
    return np.stack([lab, np.bincount(lab, minlength=n)[lab]], axis=1)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(1, 60), data=st.data(), parts=st.integers(1, 5))
def test_same_components_as_union_find(tmp_path_factory: pytest.TempPathFactory, n: int, data: st.DataObject,
                                       parts: int) -> None:
    m = data.draw(st.integers(0, 3 * n))
    src = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m)), dtype=np.int64)
    dst = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m)), dtype=np.int64)
    cut = sorted(data.draw(st.lists(st.integers(0, n), max_size=3)))
    sizes = [b - a for a, b in zip([0, *cut], [*cut, n], strict=True)]
    got = labels_via_shuffle(tmp_path_factory.mktemp("cc"), n, src, dst, parts, sizes)
    assert np.array_equal(got, expected(n, src, dst))


def test_long_chain_and_big_star_converge(tmp_path: Path) -> None:
    """A path of 3,000 nodes in shuffled order (the worst case for label propagation)
    and a star of 2,000 around its largest node."""
    rng = np.random.default_rng(0)
    perm = rng.permutation(3000)
    chain_src, chain_dst = perm[:-1], perm[1:]
    star_src = np.full(1999, 4999)
    star_dst = np.arange(3000, 4999)
    src = np.concatenate([chain_src, star_src]).astype(np.int64)
    dst = np.concatenate([chain_dst, star_dst]).astype(np.int64)
    got = labels_via_shuffle(tmp_path, 5000, src, dst, 4, [1234, 2000, 1766])
    assert np.array_equal(got, expected(5000, src, dst))
    assert got[:3000, 0].max() == 0 and got[3000:, 1].min() == 2000


def test_sharded_step_rejects_what_near_dedup_rejects(tmp_path: Path) -> None:
    from thresher.executors.sharded_dedup import ShardedNearDedup
    from thresher.stages.write import read_records

    paths = near_dup_corpus(tmp_path / "in", n_files=4, per_file=30)
    runs = {}
    for name, params in (("near_dedup", {}), ("near_dedup_sharded", {"partitions": 3})):
        cfg = {"input": {"paths": paths}, "steps": [{name: params}], "output": {"path": str(tmp_path / name)}}
        runs[name] = Pipeline.from_config(cfg).run(workers=2)
    a, b = runs["near_dedup"], runs["near_dedup_sharded"]
    assert a.rejected > 5 and (a.kept, a.rejected) == (b.kept, b.rejected)
    assert ShardedNearDedup.name == "near_dedup_sharded"

    def clusters(out: Path) -> list[tuple[str, str, int, int]]:
        rows = []
        for kind in ("kept", "rejected"):
            for p in sorted((out / kind).iterdir()):
                for d in read_records(p):
                    sig = {k.split(".", 1)[1]: v for k, v in d.signals.items()}
                    rows.append((kind, d.id, sig["cluster_id"], sig["cluster_size"]))
        return sorted(rows)

    assert clusters(tmp_path / "near_dedup") == clusters(tmp_path / "near_dedup_sharded")
    assert len(output_bytes(tmp_path / "near_dedup")) == len(output_bytes(tmp_path / "near_dedup_sharded"))
