"""The compiled accelerator and the pure-Python path agree, token for token.

``thresher.stages.filter._fastwords`` is optional (built where a C compiler exists);
every function it provides has a pure-Python twin in ``_words`` / ``gopher_repetition``.
These tests run both on generated text (hypothesis), on the rules' edge cases, on the
golden documents (whole filter chain: decisions, signals, rewritten text) and, where the
shared folder exists, on every distinct chunk of real web pages.
"""

from __future__ import annotations

import gzip
import json
import os
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from thresher.document import Document
from thresher.registry import step_class
from thresher.stages.filter import _words
from thresher.stages.filter.gopher_repetition import (
    CNGramIndex,
    NGramIndex,
    find_duplicates,
    split_lines,
    split_paragraphs,
)

fast = pytest.importorskip(
    "thresher.stages.filter._fastwords", reason="the C accelerator is not built (no compiler at install)"
)
if _words._fast is None and os.environ.get("THRESHER_PURE_PYTHON", "") in ("", "0"):
    pytest.fail("the accelerator is built but _words does not use it")
_words.configure_accelerator(fast)  # where THRESHER_PURE_PYTHON left it unconfigured

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "filters" / "docs.jsonl.gz"
FILTERS = ("gopher_repetition", "gopher_quality", "c4_quality", "fineweb_quality")

# characters that exercise every branch of the word split: letters (cased, uncased,
# non-Latin), digits (ASCII and not), the simple affixes, the regex-only affixes,
# hyphens, dots, apostrophes, symbols, sentence ends, CJK, emoji, every kind of space
ALPHABET = (
    "abcsxyzASZéßΩжªʰ" "0123٣²１①" "([{\"“‘«„»,:;!?)]}”’»" ".'’-–—…/@#$£€%&*+=<>^_~|\\\xad" "。！？।"
    "中文" "😀✓©" " \t\n\r\x0b\x0c\x1c\x85\u2028\u3000"
)
CHUNKS = [
    "don't", "Don't", "cannot", "dont", "im", "Im", "e.g.", "U.S.", "Mr.", "a.", "z.", "(a.", "8)",
    "):", "(see", "below):", "''", "’’", "'''", "well-known", "x-ray-like", "-well", "well-", "a--b",
    "3.5", "1,000", "12:30", "1.2.3", "1.", "3.5.", "(3.5)", "$5", "10km", "10km.", "word,", "word.",
    "WORD.", "AB.", "(word),", "\"word\"", "“word”", "«word»", "word...", "wait...", "https://x.com/a.",
    "x@y.com", "٣.٥", "²³", "１", "１１", "１2", "2１", "(１)", "10am", "3p.m.", "y'all", "o'clock", ":)", ":-)))", "…", "..", "a.b", "end.The",
    # _words._word_core: possessives, apostrophes and soft hyphens inside words, dashes and
    # slashes between words, and the specials and doubled affixes it leaves to Python
    "Trotsky's", "Trotsky’s", "JOHN'S", "(Trotsky’s).", "“Trotsky’s”", "rock'n'roll", "rock’n", "rock's's",
    "that's", "That’s", "Let's", "it's-a", "y'all's", "well-known—and", "well–known", "his/her", "his/her,",
    "and/or", "and/or,", "w/o", "x/", "/x", "a//b", "a-/b", "l’amour", "co\xadop", "a\xad\xadb", "a'\xadb",
    "'s", "s's", "x's", "a-b's", "a—b’S.", "ab'", "'ab", "na\xadme’s", "é’s", "ж-ж/ж",
    # a currency sign before a number
    "$5", "$5.", "($1,000.50)", "€1.5", "£10", "₹٣", "$²", "$1.", "$1.2.3", "$", "$$5", "US$5", "$5%", "$5m", "$a",
    # _words._inert_core: chunks the full algorithm keeps whole
    "word[1]", "word,[2]", "snake_case", "a_b_c:", "mp3", "H2O", "AT&T", "a#b", "x\x00y", "O'Neil", "3rd", "5t",
    "10kmh", "abcdefg1", "abc1defgh", "US$", "a*b", "a^b", "a=b", "a~b", "Ab's", "ab’", "a©b", "ab1.", "a[1]-b",
    # _words._dotted_core, and "#" as a simple prefix
    "word...", "word..", "word…", "word……", "word….", "5...", "A.", "USA.", "PhD.", "ÉA.", "AÉ.", "I.", "a.", "Mr.",
    "cannot...", "(USA.)", "U.S.A.", "x1A.", "#tag", "#tag.", "#1", "##", "#.", "#", "#:)", "#Mr.",
    # a final period after the suffix rule's characters only (not every islower / isdigit)
    "café.", "中.", "x².", "①.", "٣.", "(①.)", "ʰ.", "ª.", "ⓐ.", "ⅰ.", "𝑎.", "𐐨.", "a①.",
    # a number then a unit, and the shapes next to it
    "10km", "3.5GB", "20%", "16.057%", "(10km),", "10%.", "1,000MB", "٣5km", "5km/h", "2.6GHz", "1am", "12pm", "5th",
    "2018-08-25", "10-15.", "2+2", "1--2", "mid-2019", "--user", "11/19/2019", "a,b", "1,a", "x:y", "x:1", "a*b",
    "3*4", "a-", "-a", "a~1", "a~b",
]


def c_scan(text: str, want_words: bool = True) -> tuple[Any, ...]:
    """The C scan from a cache of its own: what it splits in C is never read by the Python
    path (misses it hands to Python land in the shared cache, with Python's answer)."""
    return tuple(fast.scan(text, {}, _words._FLAGS, _words._cache_missed_chunk,
                           _words._FLAGS.__getitem__, want_words, _words._CHUNK_CACHE_MAX))


def assert_same_split(text: str) -> None:
    """The C scan of ``text`` equals the Python split, totals and sentence count."""
    ref = _words._analyse_py(text)
    words, n_words, n_symbol, n_alpha, chars, n_sent, profile = c_scan(text)
    assert words == ref.words
    assert profile == fast.ngram_profile(list(words))
    assert (n_words, n_symbol, n_alpha, chars) == (len(ref.words), ref.n_symbol, ref.n_alpha, ref.content_chars)
    assert n_sent == _words._count_sentences_py(text)
    assert c_scan(text, want_words=False)[::6] == (None, None)


@pytest.fixture(autouse=True)
def cold_caches() -> Iterator[None]:
    """Each test starts and ends with empty caches (a cache filled by one path and read by
    the other would hide a difference)."""
    _words._CHUNK_CACHE.clear()
    _words._FLAGS.clear()
    yield
    _words._CHUNK_CACHE.clear()
    _words._FLAGS.clear()


@pytest.mark.parametrize("chunk", CHUNKS)
def test_edge_chunks_split_alike(chunk: str) -> None:
    assert c_scan(chunk)[0] == _words._chunk_tokens(chunk)
    assert_same_split(f"Some {chunk} text. {chunk}")


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=80))
def test_generated_text_splits_alike(text: str) -> None:
    assert_same_split(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(CHUNKS + ["the", "of", "a", "."]), max_size=40))
def test_generated_chunk_sequences_split_alike(chunks: list[str]) -> None:
    assert_same_split(" ".join(chunks))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "bb", "ccc", "dd", "e", "ab", "c"]), max_size=80), st.integers(1, 11))
def test_ngram_statistics_agree(words: list[str], n: int) -> None:
    np_index, c_index = NGramIndex(words), CNGramIndex(words, fast)
    assert c_index.max_chars(n) == np_index.max_chars(n)
    assert c_index.top(n) == np_index.top(n)
    assert c_index.dup(n) == np_index.dup(n)


def test_the_c_paths_rest_on_facts_about_the_rules() -> None:
    """What the C side assumes instead of asking Python."""
    # the letters and digits of the punctuation set come from the cheap part of it
    odd = {c for c in _words.punctuation_set() if c.isalpha() or c.isdigit()}
    assert not {c for c in _words.terminal_punctuation() if c.isalpha() or c.isdigit()}
    assert odd == {"１"}  # a full-width digit, in datatrove's list
    # hyphenated letters re-join into no special case
    spelled = regex.compile(r"^(?:\p{L}+-|-\p{L}+|\p{L}+(?:-\p{L}+)+|-\p{L}+-)$")
    assert not [k for k in _words._WHOLE if spelled.match(k)]
    # the simple affixes fit the C tables; "." and "-" are decided separately
    assert len(_words._SIMPLE_PREFIX) <= 32 and len(_words._SIMPLE_SUFFIX) <= 32
    assert not {".", "-"} & (_words._SIMPLE_PREFIX | _words._SIMPLE_SUFFIX)
    assert set(string.ascii_letters).isdisjoint(_words._SIMPLE_PREFIX | _words._SIMPLE_SUFFIX)


def test_the_environment_switch_forces_the_python_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THRESHER_PURE_PYTHON", "1")
    assert _words._load_accelerator() is None
    monkeypatch.setenv("THRESHER_PURE_PYTHON", "0")
    assert _words._load_accelerator() is fast


def run_chain(texts: list[str]) -> list[tuple[Any, ...]]:
    _words._ANALYSES.clear()
    steps = [step_class(n)(**({"filter_no_terminal_punct": False} if n == "c4_quality" else {})) for n in FILTERS]
    docs = [Document(id=str(i), text=t) for i, t in enumerate(texts)]
    for step in steps:
        step(docs)
    _words._ANALYSES.clear()
    return [(d.verdict.status, d.verdict.reasons, d.text, dict(d.signals)) for d in docs]


def test_golden_chain_is_identical_on_both_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    """Decisions, every signal and the C4 text: the same with and without the accelerator."""
    with gzip.open(GOLDEN, "rt", encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f]
    with_c = run_chain(texts)
    _words._CHUNK_CACHE.clear()
    _words._FLAGS.clear()
    monkeypatch.setattr(_words, "_fast", None)
    assert run_chain(texts) == with_c


@pytest.mark.shared
def test_every_chunk_of_real_pages_splits_alike(shared_dir: Path) -> None:
    """All distinct chunks of 400 real pages (about 90,000), each split from a cold cache."""
    texts: list[str] = []
    with gzip.open(shared_dir / "data" / "corpus" / "web-text.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            texts.append(json.loads(line)["text_main"] or "")
            if len(texts) == 400:
                break
    chunks = sorted({c for t in texts for c in t.split()})
    assert len(chunks) > 10_000
    cache: dict[str, tuple[str, ...]] = {}
    got = [fast.scan(c, cache, _words._FLAGS, _words._cache_missed_chunk, _words._FLAGS.__getitem__, True, 10**7)[0]
           for c in chunks]
    _words._CHUNK_CACHE.clear()
    assert [_words._chunk_tokens(c) for c in chunks] == got
    for t in texts[:100]:
        assert_same_split(t)


# pieces of lines for c4_quality: words, sentence ends, an ellipsis, a curly bracket, long
# words, and every line separator and blank str.splitlines() and str.strip() know
C4_PIECES = [
    "The", "cat", "sat.", "Is", "it?", "Yes!", "said \"no\"", "it's '", "wait...", "{x}", "a" * 12,
    "e.g.", " ", "  ", "\t", "\u3000", "\n", "\n", "\n\n", "\r\n", "\r", "\x0b", "\x0c", "\x1c", "\x85",
    "\u2028", "\u2029", "\x1f",
    # citations, and the phrases (split by a citation, in other cases, after a Kelvin sign
    # or U+0130, whose lower case is ASCII)
    "[1]", "[12]", "[٣]", "[edit]", "[citation needed]", "[x]", "[", "]", "java[1]script", "JavaScript",
    "lorem ipsum", "Lorem [2]ipsum", "terms of use", "Privacy Policy", "uses coo\u212aies", "\u0130", "lorem",
]


def c4_outcome(text: str, params: dict[str, Any]) -> tuple[Any, ...]:
    doc = Document(id="x", text=text)
    step_class("c4_quality")(**params)([doc])
    edits = [e.to_dict() for g in doc.edits for e in g.edits]
    return doc.verdict.status, doc.verdict.reasons, doc.text, dict(doc.signals), edits


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(C4_PIECES), max_size=60),
    st.sampled_from([-1, 0, 1, 3]),
    st.sampled_from([-1, 2, 5]),
    st.sampled_from([-1, 4, 1000]),
    st.booleans(),
    st.booleans(),
    st.lists(st.booleans(), min_size=4, max_size=4),
)
def test_c4_line_pass_is_identical_on_both_paths(
    pieces: list[str], min_words: int, min_sentences: int, max_word: int, punct: bool, curly: bool,
    switches: list[bool],
) -> None:
    """The compiled c4 line pass gives the decision, signals, text and edits of the Python one."""
    text = " ".join(pieces) if len(pieces) % 3 else "".join(pieces)
    params = {"min_words_per_line": min_words, "min_num_sentences": min_sentences, "max_word_length": max_word,
              "filter_no_terminal_punct": punct, "filter_curly_bracket": curly, "remove_citations": switches[0],
              "filter_lorem_ipsum": switches[1], "filter_javascript": switches[2], "filter_policy": switches[3]}
    with_c = c4_outcome(text, params)
    fast_module = _words._fast
    _words._fast = None
    try:
        assert c4_outcome(text, params) == with_c
    finally:
        _words._fast = fast_module


@settings(max_examples=400, deadline=None)
@given(st.one_of(
    st.text(alphabet="ab \t\n\r\u3000😀", max_size=40),  # one, two and four bytes a character
    # hundreds of short pieces, many repeated: the table grows
    st.lists(st.sampled_from(["a", "b", "ab", "", "a😀", "\u3000b"]), max_size=400).map("\n".join),
))
def test_repeated_paragraphs_and_lines_count_alike(text: str) -> None:
    """dup_pieces counts what splitting into paragraphs / lines and find_duplicates count."""
    paragraphs, lines = split_paragraphs(text), split_lines(text)
    assert fast.dup_pieces(text, True, 2) == (len(paragraphs), *find_duplicates(paragraphs))
    assert fast.dup_pieces(text, False, 1) == (len(lines), *find_duplicates(lines))


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="a#.…•- \t\n\r\x0b\x85\u2028\u3000", max_size=50))
def test_gopher_marks_and_chunk_counts_agree(text: str) -> None:
    lines = text.splitlines()
    assert fast.gopher_marks(text) == (
        text.count("#"),
        text.count("...") + text.count("…"),
        len(lines),
        sum(1 for s in lines if s.lstrip().startswith(("•", "-"))),
        sum(1 for s in lines if s.rstrip().endswith(("...", "…"))),
    )
    assert fast.count_chunks(text) == len(text.split())


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "bb", "ccc", "dd", "e", "ab", "c"]), max_size=80),
    st.lists(st.integers(1, 12), max_size=7),
)
def test_duplicate_ngrams_of_many_n_agree(words: list[str], ns: list[int]) -> None:
    """One call for several n gives what one call per n gives, stopping as the filter does."""
    np_index, c_index = NGramIndex(words), CNGramIndex(words, fast)
    expected, repeats = [], True
    for n in ns:
        expected.append(c_index.dup(n) if repeats else (0, False))
        repeats = expected[-1][1]
    assert list(c_index.dup_many(ns)) == expected == list(np_index.dup_many(ns))


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=string.printable + "\x00\x1f\x7f", max_size=60))
def test_ascii_text_splits_alike(text: str) -> None:
    """ASCII tokens take their flags from per-character tables in C; totals and sentences agree."""
    assert_same_split(text)
