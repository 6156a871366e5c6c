"""MinHash signatures: unbiased estimates, independence from the batch, case folding."""

from __future__ import annotations

import random

import numpy as np
import pytest
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


def test_window_hash_is_the_polynomial_of_its_tokens() -> None:
    """The prefix-sum computation equals sum_t tok[i+t] * B^(n-1-t) mod 2^64 per window,
    and the windows that straddle two documents belong to nobody."""
    from thresher.stages.dedup.minhash import _BASE, _finalise, _windows

    rng = np.random.default_rng(3)
    counts = np.array([7, 0, 2, 5, 12])
    tok = rng.integers(1, 2**63, int(counts.sum()), dtype=np.uint64)
    n = 5
    win = _windows(tok, counts, n)
    starts = np.concatenate([[0], np.cumsum(counts)])
    for d, c in enumerate(counts.tolist()):
        own = win.hashes[win.spans[d, 0] : win.spans[d, 1]]
        grams = [tok[starts[d] + i : starts[d] + i + n] for i in range(c - n + 1)] if c >= n else []
        if 0 < c < n:
            grams = [tok[starts[d] : starts[d] + c]]
        expected = []
        for g in grams:
            poly = 0
            for value in g.tolist():
                poly = (poly * _BASE + value) % 2**64
            expected.append(poly)
        assert own.tolist() == _finalise(np.array(expected, dtype=np.uint64)).tolist()
        assert (win.owner[win.spans[d, 0] : win.spans[d, 1]] == d).all()
    # every other window (those running into the next document) belongs to nobody
    assert np.count_nonzero(win.owner < len(counts)) == int((win.spans[:, 1] - win.spans[:, 0]).sum())


@pytest.mark.parametrize("length", [1, 7, 8, 9, 16, 17, 24, 25, 40])
def test_a_word_hashes_alike_whatever_follows_it(length: int) -> None:
    """Only the word's own bytes count (the mask by shift, for every length class)."""
    word = "".join(random.Random(length).choices("abcdefghij", k=length))
    texts = [f"{word} zzzzzzzz", f"{word}.qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq", word.upper()]
    sh = shingle(texts, n=1)
    assert sh.hashes[sh.offsets[0]] == sh.hashes[sh.offsets[1]] == sh.hashes[sh.offsets[2]]
    other = shingle([word[:-1] + "k"], n=1)
    assert other.hashes[0] != sh.hashes[0]


def test_windows_and_compacted_shingles_give_the_same_signatures() -> None:
    from thresher.stages.dedup.minhash import windows

    texts = ["", "one two three", "a b c d e f g h", "x " * 300, "..."]
    for k in (64, 100):  # a power of two (top bits) and not (multiply-shift)
        direct = signatures(windows(texts), k, seed=2)
        compact = signatures(shingle(texts), k, seed=2)
        assert (direct == compact).all()


def test_power_tables_beyond_the_kept_size_are_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    from thresher.stages.dedup import minhash

    text = " ".join(f"w{i}" for i in range(100))
    expected = minhash.windows([text]).hashes
    monkeypatch.setattr(minhash, "_powers_cache", minhash._power_table(8))
    monkeypatch.setattr(minhash, "_POWERS_KEPT", 16)
    assert (minhash.windows([text]).hashes == expected).all()  # 101 entries needed
    assert len(minhash._powers_cache[0]) == 8
    minhash.windows(["a b c d e f g h i j"])  # 11 entries: grown to 16 and kept
    assert len(minhash._powers_cache[0]) == 16
