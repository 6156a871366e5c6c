"""``_mashfeat.judge``, the one call that segments, lower-cases and measures a page,
gives what the pure-Python path of ``mashup.page_evidence`` gives, bit for bit.

The compiled path skips the Span objects and the lower-cased str of the Python path:
its segmentation (the segmenter's rules on a prefix, then on the bound), its lower
case (every code point, and the context-dependent final sigma), and the features of
the sentences are compared here on generated text, on every code point, and where the
shared folder exists on real pages and salads of them.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.support.corpus import corpus_pages
from tests.support.corpus import salads as make_salads

from thresher.stages.filter import mashup
from thresher.stages.segment.sentences import segment_sentences_python

fast = pytest.importorskip(
    "thresher.stages.filter._mashfeat", reason="the C accelerator is not built (no compiler at install)"
)
mashup.configure_accelerator(fast)  # also under THRESHER_PURE_PYTHON=1, where the step does not load it

sys.path.insert(0, str(Path(__file__).parent))
from test_mashfeat import _CHARS, _PIECES, _WORDS


@contextmanager
def _path(accelerated: bool) -> Iterator[None]:
    saved = mashup._fast
    mashup._fast = fast if accelerated else None
    try:
        yield
    finally:
        mashup._fast = saved


def _evidence(text: str, max_sentences: int, fewest: int, accelerated: bool) -> tuple[object, ...]:
    """page_evidence by one path, as comparable values (matrices as bytes)."""
    with _path(accelerated):
        n, prose, page = mashup.page_evidence(text, max_sentences, fewest)
    out: list[object] = [n]
    if prose is not None:
        sim = None if prose.sim is None else (prose.sim.shape, prose.sim.tobytes())
        out.append((prose.prose, prose.distinct, sim, prose.orphans))
    else:
        out.append(None)
    if page is not None:
        out.append((page.markers.shape, page.markers.tobytes(), page.typography, page.dashes))
        out.append((page.languages, page.years))
    return tuple(out)


def _same(text: str, max_sentences: int, fewest: int) -> tuple[object, ...]:
    c = _evidence(text, max_sentences, fewest, True)
    assert c == _evidence(text, max_sentences, fewest, False)
    return c


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=120), st.booleans(), st.integers(10, 40), st.integers(4, 12))
def test_generated_text(pieces: list[str], spaced: bool, max_sentences: int, fewest: int) -> None:
    text = (" " if spaced else "").join(pieces)
    _same(text, max_sentences, fewest)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_WORDS + list(_CHARS)), min_size=30, max_size=400), st.integers(10, 30))
def test_generated_text_past_the_first_try(pieces: list[str], max_sentences: int) -> None:
    """Texts longer than the first prefix the segmenter is asked for (max_sentences *
    _QUICK_CHARS characters) and than the bound, so that both tries and the cut run."""
    text = " ".join(pieces) * 3
    _same(text, max_sentences, 4)


def test_the_prefix_and_the_bound() -> None:
    """Sentences ending right at, before and after the first prefix and the bound."""
    quick, cap = 10 * mashup._QUICK_CHARS, 10 * mashup._CAP_CHARS
    for length in (9, 10, 11, 12, 13):
        for width in (
            quick // length - 2,
            quick // length,
            quick // length + 1,
            cap // length,
            cap // length + 1,
        ):
            for shift in range(-3, 4):
                words = ["Word" + "x" * max(0, width - 6) + "."] * (length + 1)
                text = " " * max(0, shift) + " ".join(words) + " tail"
                _same(text, 10, 4)


def test_judged_pages_have_all_features() -> None:
    text = " ".join(
        f"Sentence {w} number {i} talks about rivers and {w} valleys." for i, w in enumerate(_WORDS)
    )
    n, prose, page, langs_years = _same(text, 120, 10)
    assert n == len(_WORDS)
    assert prose is not None and page is not None and langs_years is not None


def test_lower_case_of_every_code_point() -> None:
    """The lower case judge() uses equals _lower_same_length: code point by code point
    (every one, surrogates too), and in runs that hold the characters whose lower case
    is longer (İ) or depends on the context (Σ)."""
    step = 4096
    for lo in range(0, 0x110000, step):
        chunk = "".join(map(chr, range(lo, min(lo + step, 0x110000))))
        assert fast.lower(chunk) == mashup._lower_same_length(chunk), hex(lo)
        assert fast.lower(chunk + "\u0130") == mashup._lower_same_length(chunk + "\u0130"), hex(lo)
    for text in (
        "ΟΔΟΣ",
        "ΟΔΟΣ ΟΔΟΣ.",
        "Σ",
        "ΑΣ",
        "ΑΣΑ",
        "ΑΣ\u0301",
        "ΑΣ\u0301Α",
        "İΟΔΟΣ",
        "ΟΔΟΣİ",
        "aΣ1",
        "",
    ):
        assert fast.lower(text) == mashup._lower_same_length(text)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["Σ", "σ", "Α", "a", " ", "\u0301", "'", ".", "İ", "1", "ς"]), max_size=12).map(
        "".join
    )
)
def test_lower_case_around_sigma(text: str) -> None:
    assert fast.lower(text) == mashup._lower_same_length(text)


def test_the_abbreviations_the_segmenter_reads() -> None:
    """Every abbreviation, as written, capitalised and upper-cased, before a capital and
    a lower-case word: the compiled segmenter's table gives the Python rules' spans."""
    from thresher.stages.segment.sentences import _abbreviations

    never, final = _abbreviations()
    for word in sorted(never | final):
        for form in (word, word.capitalize(), word.upper()):
            for after in (" Next word here.", " next word here.", " 1999 was.", ' "Quoted."'):
                text = f"It was {form}.{after} Then {form}. End"
                assert fast.sentences(text, 0, len(text), 10**6) == segment_sentences_python(text)


def test_bad_arguments_are_an_error() -> None:
    with pytest.raises(ValueError):
        fast.judge("Some text.", 0, 150, 250, 10, 30)
    with pytest.raises(ValueError):
        fast.judge("Some text.", 120, 0, 250, 10, 30)
    assert fast.judge("", 120, 150, 250, 10, 30) == (0, None, None)
    assert fast.judge("One. Two.", 120, 150, 250, 10, 30) == (2, None, None)


def test_real_pages(shared_dir: Path) -> None:
    """The first 300 corpus pages, flattened, and salads of their sentences."""
    texts = corpus_pages(shared_dir, 300)
    salads = make_salads(texts, 60, pages=5, sentences=20, seed=5, segment=segment_sentences_python)
    judged = 0
    for text in texts + [" ".join(t.split()) for t in texts[:60]] + salads:
        judged += len(_same(text, 120, 10)) == 4
        _same(text, 30, 10)
    assert judged > 250


def test_years_across_sentences_and_gaps() -> None:
    """A year is sought over the whole region, sentence ends and gaps included: a
    match that starts in one sentence, or in a gap, or is refused (inside a longer
    number), resumes the scan after it. Every cut into two sentences, with and without
    a gap between them, against the Python rules."""
    from thresher.stages.segment import Span

    for text in (
        "In 1999 2012021 x1999 19991 2020. 1871 and 2000s 1500",
        "a 119990 20201999 1 2 12 2099 1600",
    ):
        low = mashup._lower_same_length(text)
        for a in range(1, len(text) - 1):
            for gap in (0, 1, 2, 3):
                b = min(a + gap, len(text) - 1)
                spans = [Span(0, a, "sentence"), Span(b, len(text), "sentence")]
                years = fast.page(text, low, spans, 30)[4]
                assert years == mashup._sentence_years(text, spans), (text, a, b)
