"""Union-find over integer arrays and the shared normalisation."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from thresher.stages.dedup.base import NormParams, connected_components, normalize


def reference_components(n: int, edges: list[tuple[int, int]]) -> list[int]:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return [find(i) for i in range(n)]


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 60).flatmap(
        lambda n: st.tuples(
            st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=80)
        )
    )
)
def test_components_match_a_plain_union_find(case: tuple[int, list[tuple[int, int]]]) -> None:
    n, edges = case
    src = np.array([a for a, _ in edges], dtype=np.int64)
    dst = np.array([b for _, b in edges], dtype=np.int64)
    labels = connected_components(n, src, dst)
    assert labels.tolist() == reference_components(n, edges)
    # order of the edges does not matter
    assert connected_components(n, dst[::-1], src[::-1]).tolist() == labels.tolist()


def test_a_long_chain_collapses_to_its_smallest_node() -> None:
    n = 100_000
    perm = np.random.default_rng(0).permutation(n)
    labels = connected_components(n, perm[:-1], perm[1:])
    assert (labels == 0).all()


def test_normalisation_options() -> None:
    assert normalize("  Hello,\n WORLD 2024 ", NormParams()) == "hello, world 2024"
    p = NormParams(strip_punctuation=True, strip_digits=True)
    assert normalize("Hello, world 2024!", p) == "hello world 0"
    assert normalize("A  B", NormParams(lowercase=False, collapse_whitespace=False)) == "A  B"
    assert normalize("ﬁ", NormParams(unicode_form="NFKC")) == "fi"
