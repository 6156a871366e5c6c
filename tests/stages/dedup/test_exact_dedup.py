"""exact_dedup: identical normalised texts, one representative, any partitioning."""

from __future__ import annotations

from pathlib import Path

import pytest
from dedup_driver import make_docs, run_global, split

from thresher.errors import ConfigError
from thresher.stages.dedup.exact import ExactDedup

TEXTS = ["Hello world", "hello   WORLD", "Hello world!", "", "", "other text", "Hello world"]


def test_case_and_whitespace_copies_are_duplicates(tmp_path: Path) -> None:
    docs = make_docs(TEXTS)
    stats = run_global(ExactDedup(), split(docs, 3), tmp_path)
    assert [d.alive for d in docs] == [True, False, True, True, False, True, False]
    assert docs[1].verdict.reasons == ["exact_duplicate"]
    assert docs[6].signals == {"exact_dedup.cluster_id": 0, "exact_dedup.cluster_size": 3}
    assert docs[5].signals == {"exact_dedup.cluster_id": 5, "exact_dedup.cluster_size": 1}
    assert stats["duplicates"] == 3 and stats["clusters"] == 2


def test_normalisation_is_configurable(tmp_path: Path) -> None:
    docs = make_docs(TEXTS)
    run_global(ExactDedup(lowercase=False, strip_punctuation=True), [docs], tmp_path)
    assert [d.alive for d in docs] == [True, True, False, True, False, True, False]


@pytest.mark.parametrize("partitions,shards,workers", [(1, 1, 1), (7, 4, 1), (3, 2, 2)])
def test_same_result_for_any_partitioning_and_pool(
    tmp_path: Path, partitions: int, shards: int, workers: int
) -> None:
    texts = [f"text {i % 37}" for i in range(500)]
    docs = make_docs(texts)
    run_global(ExactDedup(partitions=partitions), split(docs, shards), tmp_path, workers)
    assert [d.alive for d in docs] == [i < 37 for i in range(500)]
    assert all(d.signals["exact_dedup.cluster_id"] == i % 37 for i, d in enumerate(docs))


def test_every_document_identical_and_none_duplicated(tmp_path: Path) -> None:
    same = make_docs(["x"] * 20_000)
    run_global(ExactDedup(), split(same, 3), tmp_path / "same")
    assert sum(d.alive for d in same) == 1
    distinct = make_docs([f"doc {i}" for i in range(2000)])
    stats = run_global(ExactDedup(), split(distinct, 3) + [[]], tmp_path / "distinct")
    assert all(d.alive for d in distinct) and stats["duplicates"] == 0


def test_invalid_partitions() -> None:
    with pytest.raises(ConfigError, match="partitions"):
        ExactDedup(partitions=0)
