"""MinHash signatures: unbiased estimates, independence from the batch, case folding."""

from __future__ import annotations

import random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from thresher.stages.dedup.minhash import EMPTY, band_keys, shingle, signatures


def word_set(text: str, n: int = 5) -> set[tuple[str, ...]]:
    w = text.lower().split()
    return {tuple(w[i : i + n]) for i in range(len(w) - n + 1)}


def test_agreement_estimates_jaccard() -> None:
    rng = random.Random(5)
    vocab = [f"v{i}" for i in range(5000)]
    errors = []
    for _ in range(40):
        a = rng.choices(vocab, k=400)
        b = list(a)
        for i in rng.sample(range(400), rng.randint(1, 40)):
            b[i] = "new" + b[i]
        ta, tb = " ".join(a), " ".join(b)
        sa, sb = word_set(ta), word_set(tb)
        true = len(sa & sb) / len(sa | sb)
        sig = signatures(shingle([ta, tb]), 256, seed=9)
        errors.append((sig[0] == sig[1]).mean() - true)
    errors_arr = np.array(errors)
    # standard error of one estimate at k=256 is at most 0.031; the mean error is the bias
    assert abs(errors_arr.mean()) < 0.015
    assert np.abs(errors_arr).max() < 0.13


def test_short_documents_are_densified_and_empty_ones_marked() -> None:
    sig = signatures(shingle(["", "one two", "one two", "...", "a b c d e f"]), 64, seed=1)
    assert (sig[0] == EMPTY).all() and (sig[3] == EMPTY).all()
    assert (sig[1] == sig[2]).all() and (sig[1] != EMPTY).all()
    assert len(set(sig[1].tolist())) == 1  # one shingle: every bin borrows its value
    assert len(set(sig[4].tolist())) == 2  # two shingles fill 64 bins


def test_ascii_case_and_punctuation_do_not_matter() -> None:
    texts = ["The Quick brown fox, jumps over: the lazy dog!", "the quick BROWN fox jumps over the lazy dog"]
    sig = signatures(shingle(texts), 128, seed=1)
    assert (sig[0] == sig[1]).all()


def test_long_words_and_non_ascii_hash_apart() -> None:
    texts = ["a" * 40 + " x", "a" * 41 + " x", "über café", "uber cafe", "Über café"]
    sig = signatures(shingle(texts, n=2), 64, seed=1)
    assert not (sig[0] == sig[1]).all()
    assert not (sig[2] == sig[3]).all()
    assert not (sig[2] == sig[4]).all()  # non-ASCII capitals are not folded by the hash


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.text(alphabet="ab cD\néß.-", max_size=60), min_size=1, max_size=8),
    st.sampled_from(["word", "char"]),
)
def test_a_signature_does_not_depend_on_its_batch(texts: list[str], unit: str) -> None:
    together = signatures(shingle(texts, unit, 3), 32, seed=4)  # type: ignore[arg-type]
    for i, t in enumerate(texts):
        alone = signatures(shingle([t], unit, 3), 32, seed=4)  # type: ignore[arg-type]
        assert (alone[0] == together[i]).all()


def test_band_keys_agree_exactly_when_rows_agree() -> None:
    sig = np.array([[1, 2, 3, 4], [1, 2, 9, 4], [1, 2, 3, 4]], dtype=np.uint32)
    keys = band_keys(sig, bands=2, rows=2, seed=0)
    assert keys[0, 0] == keys[1, 0] == keys[2, 0]
    assert keys[0, 1] != keys[1, 1] and keys[0, 1] == keys[2, 1]
