"""segment_sentences runs a compiled twin of its rules when built: both give the same spans."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from itertools import islice
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thresher.stages.segment import sentences
from thresher.stages.segment.sentences import segment_sentences_python

compiled = sentences._compiled() or pytest.skip(
    "the compiled twin is not built (no compiler at install, or THRESHER_PURE_PYTHON=1)",
    allow_module_level=True,
)

CASES = json.loads((Path(__file__).parent / "sentence_cases.json").read_text("utf-8"))["cases"]
# pieces that reach every rule: stops of several scripts, abbreviations, initials,
# openers, closing quotes, spaces and line breaks of several kinds, cased and caseless
PIECES = [
    "Dr", "St", "e.g", "etc", "Inc", "U.S", "J", "word", "land", "p", "79", "3.5",
    ".", "..", "...", "…", "!", "?", "?!", "。", "！", "؟", "।", "۔",
    " ", "  ", "\t", "\n", "\r\n", "\u2028", "\u00a0", "\u3000",
    '"', "'", "\u201c", "\u201d", "(", ")", "[", "\u00ab", "\u00bb",
    "The", "the", "İstanbul", "ß", "Σ", "東京", "שלום", "١٢", "é", "\U0001d400",
    # ordinals before listed words ("am 3. Juli", "im 19. Jahrhundert")
    "3", "19", "123", "2021", "Juli", "JULI", "Jänner", "Jahrhundert", "Jan", "Mal", "Julius",
]
# the rule for ordinals: 1 to 4 digits (ASCII or not), one or more periods or a closer,
# then listed words in several cases, longer or cut words, and unlisted ones
ORDINALS = ["1", "3", "19", "123", "2021", "٣", "x3", "3.3", "(3", "\u00b2"]
AFTER = [". ", ".  ", ".\u00a0", ".\t", ". \u3000", ".. ", ".) ", '." ', "! ", ".\n"]
FOLLOWERS = sorted(sentences._ordinal_followers())
WORDS = [
    st.sampled_from(FOLLOWERS),
    st.sampled_from(FOLLOWERS).map(str.capitalize),
    st.sampled_from(FOLLOWERS).map(str.upper),
    st.sampled_from(FOLLOWERS).map(lambda w: w.capitalize() + "s"),
    st.sampled_from(FOLLOWERS).map(lambda w: w.capitalize()[:-1]),
    st.sampled_from(["Then", "Introduction", "İ", "İst", "Июль", "Kalenderwochenende", '"Juli', "9"]),
]


@pytest.mark.parametrize("case", CASES, ids=[c["rule"] for c in CASES])
def test_golden_cases(case: dict[str, object]) -> None:
    text = str(case["text"])
    assert compiled.sentences(text, 0, len(text), sys.maxsize) == segment_sentences_python(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=60).map("".join), st.integers(-3, 80), st.integers(-3, 90))
def test_generated_text(text: str, start: int, stop: int) -> None:
    assert sentences.segment_sentences(text, start, stop) == segment_sentences_python(text, start, stop)
    assert sentences.segment_sentences(text) == segment_sentences_python(text)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", " ", "am ", "\n", "vom "]),
            st.sampled_from(ORDINALS),
            st.sampled_from(AFTER),
            st.one_of(*WORDS),
            st.sampled_from(["", " ", ". ", ", ", "-", "'s", "\n", " 2021. "]),
        ).map("".join),
        min_size=1,
        max_size=8,
    ).map("".join),
    st.integers(-3, 120),
    st.integers(-3, 130),
)
def test_generated_ordinals(text: str, start: int, stop: int) -> None:
    assert sentences.segment_sentences(text, start, stop) == segment_sentences_python(text, start, stop)
    assert sentences.segment_sentences(text) == segment_sentences_python(text)


def test_every_word_after_ordinals() -> None:
    """Every listed word, as written, capitalised and upper-cased, after ordinals, a
    year, a word with a period and ordinals in or before a bracket: both twins give the
    same spans, and a listed word after a day number keeps the sentence whole."""
    for word in FOLLOWERS:
        for form in (word, word.capitalize(), word.upper()):
            for before in ("am 3.", "im 19.", "seit 2021.", "Nr.", "(7.", "das 3.)"):
                text = f"Es war {before} {form} gut. {before} {form}"
                assert compiled.sentences(text, 0, len(text), sys.maxsize) == segment_sentences_python(text)
        text = f"Es war am 3. {word.capitalize()} gut. Dann nicht."
        whole = text[: text.index(" Dann")]
        assert [s.of(text) for s in segment_sentences_python(text)] == [whole, "Dann nicht."]


def test_configure_sentences_checks_the_words_after_ordinals() -> None:
    never, final = sentences._abbreviations()
    words = sentences._ordinal_followers()
    text = "Am 3. Juli. Dann."
    try:
        with pytest.raises(TypeError):
            compiled.configure_sentences(sentences.Span, never, final, set(words))
        with pytest.raises(TypeError):
            compiled.configure_sentences(sentences.Span, never, final, frozenset([3]))
        # a failed call leaves the tables as they were
        assert compiled.sentences(text, 0, len(text), sys.maxsize) == segment_sentences_python(text)
        compiled.configure_sentences(sentences.Span, never, final, frozenset())
        spans = compiled.sentences(text, 0, len(text), sys.maxsize)
        assert [s.of(text) for s in spans] == ["Am 3.", "Juli.", "Dann."]
        # words beyond Latin letters are looked up in the set (no hash of theirs)
        compiled.configure_sentences(sentences.Span, never, final, frozenset(["июль", "i\u0307st"]))
        for sample, want in [
            ("Am 3. Июль. Dann.", ["Am 3. Июль.", "Dann."]),
            ("Am 3. ИЮЛЬ war.", ["Am 3. ИЮЛЬ war."]),
            ("Am 3. İst war.", ["Am 3. İst war."]),
            ("Am 3. Juli war.", ["Am 3.", "Juli war."]),
        ]:
            assert [s.of(sample) for s in compiled.sentences(sample, 0, len(sample), sys.maxsize)] == want
        # without the argument (as the mash-up filter calls it): the segmenter's own list
        compiled.configure_sentences(sentences.Span, never, final)
        assert compiled.sentences(text, 0, len(text), sys.maxsize) == segment_sentences_python(text)
    finally:
        compiled.configure_sentences(sentences.Span, never, final, words)


def test_corpus_pages(shared_dir: Path) -> None:
    path = shared_dir / "data" / "corpus" / "web-text.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in islice(fh, 300)]
    texts = [r.get("text_main") or "" for r in rows] + [r.get("text_full") or "" for r in rows]
    assert sum(map(len, texts)) > 100_000
    for text in texts:
        assert sentences.segment_sentences(text) == segment_sentences_python(text)
    # ranges deep inside a page (the compiled twin reads only the range it is given):
    # every line, and the page from each line break on
    for text in texts[:100]:
        pos = 0
        for line in text.split("\n"):
            ranges = [(pos, pos + len(line)), (pos, len(text)), (pos + 1, pos + len(line) + 1)]
            for a, b in ranges:
                assert sentences.segment_sentences(text, a, b) == segment_sentences_python(text, a, b)
            pos += len(line) + 1


def test_pure_python_switch() -> None:
    code = "from thresher.stages.segment import sentences as s; print(s._compiled() is None)"
    env = {"THRESHER_PURE_PYTHON": "1", "PATH": ""}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
