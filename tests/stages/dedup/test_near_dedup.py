"""near_dedup: planted near-duplicates are clustered, deterministically, in every bad case."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from dedup_driver import make_docs, run_global, split
from hypothesis import given, settings
from hypothesis import strategies as st

from thresher.errors import ConfigError
from thresher.stages.dedup.near import NearDedup

VOCAB = [f"w{i}" for i in range(20_000)]


def page(rng: random.Random, n: int = 300) -> str:
    return " ".join(rng.choices(VOCAB, k=n))


def edit(rng: random.Random, text: str, n_subs: int) -> str:
    words = text.split()
    for i in rng.sample(range(len(words)), n_subs):
        words[i] = "x" + words[i]
    return " ".join(words)


def jaccard(a: str, b: str, n: int = 5) -> float:
    def grams(t: str) -> set[tuple[str, ...]]:
        w = t.lower().split()
        return {tuple(w[i : i + n]) for i in range(len(w) - n + 1)}

    sa, sb = grams(a), grams(b)
    return len(sa & sb) / len(sa | sb)


@pytest.fixture(scope="module")
def corpus() -> list[str]:
    """40 unrelated pages, then 20 copies: 10 light edits (J ≥ 0.8), 10 heavy (J < 0.5)."""
    rng = random.Random(7)
    pages = [page(rng) for _ in range(40)]
    light = [edit(rng, pages[i], 3) for i in range(10)]
    heavy = [edit(rng, pages[i], 40) for i in range(10, 20)]
    assert all(jaccard(pages[i], light[i]) >= 0.8 for i in range(10))
    assert all(jaccard(pages[10 + i], heavy[i]) < 0.5 for i in range(10))
    return pages + light + heavy


def clusters(docs: list) -> set[frozenset[str]]:
    by: dict[object, set[str]] = {}
    for d in docs:
        by.setdefault((d.signals["near_dedup.cluster_id"]), set()).add(d.id)
    return {frozenset(v) for v in by.values()}


def test_light_edits_cluster_with_their_page_and_heavy_edits_do_not(
    corpus: list[str], tmp_path: Path
) -> None:
    docs = make_docs(corpus)
    stats = run_global(NearDedup(), split(docs, 3), tmp_path)
    rejected = {d.id for d in docs if not d.alive}
    assert rejected == {f"d{40 + i}" for i in range(10)}
    for i in range(10):
        page_doc, copy = docs[i], docs[40 + i]
        assert copy.verdict.reasons == ["near_duplicate"]
        assert copy.signals["near_dedup.cluster_id"] == i  # the representative: lowest index
        assert page_doc.signals["near_dedup.cluster_size"] == 2
    assert all(d.signals["near_dedup.cluster_size"] == 1 for d in docs[10:40])
    assert stats["duplicates"] == 10 and stats["clusters"] == 10


def test_same_clusters_serial_pool_and_any_sharding(corpus: list[str], tmp_path: Path) -> None:
    serial = make_docs(corpus)
    run_global(NearDedup(), split(serial, 4), tmp_path / "a")
    pooled = make_docs(corpus)
    run_global(NearDedup(), split(pooled, 4), tmp_path / "b", workers=2)
    assert [(d.signals, d.verdict) for d in serial] == [(d.signals, d.verdict) for d in pooled]
    one = make_docs(corpus)
    run_global(NearDedup(), [one], tmp_path / "c")
    assert clusters(one) == clusters(serial)


@pytest.mark.parametrize("verify", ["signature", "none"])
def test_other_verification_modes_find_the_light_edits(
    corpus: list[str], tmp_path: Path, verify: str
) -> None:
    docs = make_docs(corpus)
    run_global(NearDedup(verify=verify), split(docs, 2), tmp_path)
    rejected = {d.id for d in docs if not d.alive}
    assert {f"d{40 + i}" for i in range(10)} <= rejected
    if verify == "signature":  # the heavy edits are far below the threshold
        assert rejected == {f"d{40 + i}" for i in range(10)}


def test_char_shingles(corpus: list[str], tmp_path: Path) -> None:
    docs = make_docs(corpus[:5] + [corpus[0].upper()])
    run_global(NearDedup(unit="char", shingle_size=9), [docs], tmp_path)
    assert [d.alive for d in docs] == [True] * 5 + [False]


def test_bad_input_empty_short_and_identical(tmp_path: Path) -> None:
    texts = ["", "", "   ", "one", "one", "two words", "Two  WORDS!", "three different words here"]
    docs = make_docs(texts)
    run_global(NearDedup(), split(docs, 3) + [[]], tmp_path)  # and an empty shard
    status = {d.id: d.alive for d in docs}
    # documents without a single word never match anything; short ones match their copies
    assert status == {
        "d0": True,
        "d1": True,
        "d2": True,
        "d3": True,
        "d4": False,
        "d5": True,
        "d6": False,
        "d7": True,
    }


def test_every_document_identical(tmp_path: Path) -> None:
    text = page(random.Random(3), 50)
    docs = make_docs([text] * 3000)
    stats = run_global(NearDedup(), split(docs, 5), tmp_path)
    assert sum(d.alive for d in docs) == 1 and docs[0].alive
    assert {d.signals["near_dedup.cluster_size"] for d in docs} == {3000}
    assert stats["largest_cluster"] == 3000 and stats["candidate_pairs"] == 2999


def test_no_duplicates(tmp_path: Path) -> None:
    rng = random.Random(11)
    docs = make_docs([page(rng, 80) for _ in range(500)])
    stats = run_global(NearDedup(), split(docs, 2), tmp_path)
    assert all(d.alive for d in docs) and stats["duplicates"] == 0


def test_rerun_of_a_shard_map_overwrites_cleanly(corpus: list[str], tmp_path: Path) -> None:
    first = make_docs(corpus)
    run_global(NearDedup(), split(first, 2), tmp_path)
    again = make_docs(corpus)
    run_global(NearDedup(), split(again, 2), tmp_path)  # same folder: every file replaced
    assert [d.signals for d in first] == [d.signals for d in again]
    assert not list(tmp_path.glob("*.tmp-*"))


def test_apply_refuses_different_documents(corpus: list[str], tmp_path: Path) -> None:
    from thresher.errors import ThresherError
    from thresher.step import ShardContext

    docs = make_docs(corpus)
    step = NearDedup()
    run_global(step, [docs], tmp_path)
    with pytest.raises(ThresherError, match="same documents"):
        step.apply_shard(docs[:-1], ShardContext(0, 1, tmp_path))


def test_pairs_file_holds_verified_similarities(corpus: list[str], tmp_path: Path) -> None:
    run_global(NearDedup(), [make_docs(corpus)], tmp_path)
    pairs = np.load(tmp_path / "pairs.npy")
    sims = np.load(tmp_path / "pairs_similarity.npy")
    assert sorted(map(tuple, pairs.T.tolist())) == [(i, 40 + i) for i in range(10)]
    for (a, b), s in zip(pairs.T, sims, strict=True):
        assert abs(s - jaccard(corpus[a], corpus[b])) < 0.02  # tokenisation is the same here


@pytest.mark.parametrize(
    "params",
    [{"bands": 30, "rows": 5}, {"threshold": 1.5}, {"unit": "sentence"}, {"num_perm": 0}, {"shingles": 5}],
)
def test_invalid_parameters_are_refused_with_the_range(params: dict) -> None:
    with pytest.raises(ConfigError, match="near_dedup"):
        NearDedup(**params)


def test_audit_sample_reports_exact_precision_of_signature_pairs(corpus: list[str], tmp_path: Path) -> None:
    stats = run_global(NearDedup(verify="none", audit_sample=100), [make_docs(corpus)], tmp_path)
    # without verification the heavy edits that share a bucket are kept: the audit sees them
    kept = stats["verified_pairs"]
    assert stats["audit_pairs"] == kept
    assert stats["audit_precision"] == pytest.approx(10 / kept)
    assert 0 <= stats["audit_mean_abs_error"] < 0.5


@pytest.mark.parametrize("all_pairs,expected", [(32, [(0, 1), (0, 2), (1, 2)]), (2, [(0, 1), (0, 2)])])
def test_small_buckets_yield_every_pair_large_ones_a_star(
    tmp_path: Path, all_pairs: int, expected: list[tuple[int, int]]
) -> None:
    text = page(random.Random(1), 40)
    docs = make_docs([text, text, text, page(random.Random(2), 40)])
    run_global(NearDedup(all_pairs=all_pairs), [docs], tmp_path)
    assert sorted(map(tuple, np.load(tmp_path / "pairs.npy").T.tolist())) == expected
    assert [d.alive for d in docs] == [True, False, False, True]


@pytest.mark.parametrize("case_fold,alive", [("ascii", [True, True]), ("unicode", [True, False])])
def test_unicode_case_folding_is_optional(tmp_path: Path, case_fold: str, alive: list[bool]) -> None:
    docs = make_docs(["Élan über Ärger éclat", "élan Über ärger Éclat"])
    run_global(NearDedup(case_fold=case_fold, shingle_size=2), [docs], tmp_path)
    assert [d.alive for d in docs] == alive


@settings(max_examples=60, deadline=None)
@given(st.sets(st.integers(0, 50)), st.sets(st.integers(0, 50)))
def test_overlap_counts_the_intersection(a: set[int], b: set[int]) -> None:
    from thresher.stages.dedup.near import _overlap

    arr = [np.array(sorted(x), dtype=np.uint32) for x in (a, b)]
    assert _overlap(arr[0], arr[1]) == len(a & b)


def test_verified_similarity_is_exact_for_copies_and_edits(tmp_path: Path) -> None:
    """Copies (same shingle sequence) are 1.0 without building sets; a copy with its
    shingles reordered and an edited page get their exact Jaccard."""
    rng = random.Random(4)
    base = page(rng, 200)
    words = base.split()
    rotated = " ".join(words[100:] + words[:100])  # same 5-grams but 4 at the seam
    edited = edit(rng, base, 2)
    docs = make_docs([base, base, rotated, edited])
    run_global(NearDedup(), [docs], tmp_path)
    pairs = np.load(tmp_path / "pairs.npy")
    sims = dict(
        zip(map(tuple, pairs.T.tolist()), np.load(tmp_path / "pairs_similarity.npy").tolist(), strict=True)
    )
    assert sims[(0, 1)] == 1.0
    assert sims[(0, 2)] == pytest.approx(jaccard(base, rotated), abs=1e-6)
    assert sims[(0, 3)] == pytest.approx(jaccard(base, edited), abs=1e-6)
