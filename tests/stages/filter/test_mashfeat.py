"""The compiled features of mashup_filter (``_mashfeat``) equal their pure-Python twins.

``thresher.stages.filter._mashfeat`` is optional (built where a C compiler exists). It
returns counts, and the Python code shared by both paths turns them into the step's
floats, so identical counts give identical signals, bit for bit. Compared here on
generated text built to hit every class the rules read (letters of every script,
combining marks, characters outside the Basic Multilingual Plane, CJK and
right-to-left text, digits of other scripts, lone surrogates, the case mappings that
change a string's length or depend on context), on sentences from the segmenter and
on arbitrary spans, and, where the shared folder exists, on real pages and salads of
them through the whole step.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.support.corpus import corpus_pages
from tests.support.corpus import salads as make_salads

from thresher.document import Document
from thresher.stages.filter import mashup
from thresher.stages.filter.mashup import MashupFilter
from thresher.stages.segment import Span
from thresher.stages.segment.sentences import segment_sentences_python as segment_sentences

fast = pytest.importorskip(
    "thresher.stages.filter._mashfeat", reason="the C accelerator is not built (no compiler at install)"
)
mashup.configure_accelerator(fast)  # also under THRESHER_PURE_PYTHON=1, where the step does not load it

# Pieces of generated text: words the rules look for (stop words, function words of
# the six languages, pronouns, markers of person and tense, years), and characters of
# every class they test.
_WORDS = [
    "the",
    "and",
    "of",
    "that",
    "with",
    "from",
    "their",
    "was",
    "were",
    "had",
    "is",
    "are",
    "has",
    "have",
    "you",
    "your",
    "i",
    "my",
    "we",
    "our",
    "der",
    "die",
    "und",
    "nicht",
    "für",
    "le",
    "la",
    "les",
    "dans",
    "pour",
    "avec",
    "el",
    "los",
    "por",
    "para",
    "il",
    "di",
    "che",
    "è",
    "della",
    "o",
    "não",
    "He",
    "She",
    "They",
    "It",
    "Its",
    "His",
    "Her",
    "Him",
    "Them",
    "Their",
    "The",
    "A",
    "An",
    "This",
    "These",
    "But",
    "However",
    "And",
    "revolution",
    "revolutionary",
    "Revolutionadmired",
    "walked",
    "talked",
    "stem",
    "stems",
    "stemming",
    "1999",
    "2021",
    "1500",
    "1499",
    "2099",
    "2100",
    "19٩٩",
    "20٢١",
    "１９９９",
    "19²³",
    "1999a",
    "a1999",
    "_1999",
    "x2020",
]
_CHARS = (
    " ",
    " ",
    " ",
    "  ",
    ".",
    ". ",
    "! ",
    "? ",
    "…",
    "。",
    "！",
    "，",
    ",",
    ";",
    ":",
    "(",
    ")",
    "'",
    '"',
    "\u2018",
    "\u2019",
    "\u201c",
    "\u201d",
    "\u2014",
    " \u2014 ",
    "\u2013",
    " \u2013 ",
    " - ",
    "--",
    "-",
    "_",
    "\n",
    "\t",
    "\u00a0",
    "É",
    "é",
    "e\u0301",
    "\u0301",
    "ß",
    "İ",
    "Σ",
    "ΟΔΟΣ ",
    "\u212a",
    "ª",
    "²",
    "Ⅻ",
    "½",
    "٣",
    "५",
    "０",
    "𝟙",
    "𝐀𝐁𝐂𝐃𝐄",
    "𠀀𠀁",
    "😀",
    "中文字符",
    "日本語です",
    "עברית",
    "العربية",
    "ไทย",
    "\ud800",
    "\udfff",
    "\x00",
    "\u200b",
    "\u0130stanbul",
)
_PIECES = st.one_of(
    st.sampled_from(_WORDS),
    st.sampled_from(_CHARS),
    st.text(min_size=1, max_size=6),  # anything at all, surrogates included
    st.text(alphabet=st.characters(codec=None, categories=("L", "M", "N")), min_size=1, max_size=7),
)


@st.composite
def _pages(draw: st.DrawFn) -> tuple[str, list[Span]]:
    """A text and sentences of it: from the segmenter, or arbitrary ordered spans."""
    pieces = draw(st.lists(_PIECES, min_size=1, max_size=80))
    text = "".join(p + (" " if draw(st.booleans()) else "") for p in pieces)
    if draw(st.booleans()):
        spans = segment_sentences(text)
    else:
        cuts = sorted(set(draw(st.lists(st.integers(0, len(text)), min_size=2, max_size=30))))
        spans = [Span(a, b, "sentence") for a, b in zip(cuts[::2], cuts[1::2], strict=False) if b > a]
    if not spans:
        spans = [Span(0, len(text), "sentence")] if text else []
    return text, spans


def _same_prose(text: str, spans: list[Span], fewest: int) -> None:
    low = mashup._lower_same_length(text[: spans[-1].end])
    py = mashup._prose_features_py(low, text, spans, fewest)
    n, distinct, sim, orphans = fast.prose(low, text, spans, fewest)
    assert (n, distinct, orphans) == (py.prose, py.distinct, py.orphans)
    assert (sim is None) == (py.sim is None)
    if py.sim is not None:
        assert sim is not None
        assert bytes(sim) == py.sim.tobytes()  # every bit of every similarity


def _same_page(text: str, spans: list[Span]) -> None:
    low = mashup._lower_same_length(text[: spans[-1].end])
    markers, typography, dashes, languages, years = fast.page(text, low, spans, mashup._LANGUAGE_SENTENCES)
    assert bytes(markers) == mashup._raw_markers(text, spans).tobytes()
    assert typography == mashup._typography_counts(text, spans)
    assert dashes == mashup._dash_counts(text, spans)
    assert languages == mashup._sentence_languages(low, spans)
    assert years == mashup._sentence_years(text, spans)


@settings(max_examples=400, deadline=None)
@given(_pages(), st.integers(1, 6))
def test_generated_text_gives_the_same_features(page: tuple[str, list[Span]], fewest: int) -> None:
    text, spans = page
    if not spans:
        return
    _same_prose(text, spans, fewest)
    _same_page(text, spans)


@settings(max_examples=400, deadline=None)
@given(_pages(), st.integers(0, 400), st.integers(0, 400), st.integers(0, 40))
def test_generated_text_gives_the_same_sentences(
    page: tuple[str, list[Span]], a: int, b: int, limit: int
) -> None:
    """The compiled segmenter gives the first ``limit`` spans of segment_sentences, on
    any range of the text."""
    text, _ = page
    assert fast.sentences(text, 0, len(text), 10**6) == segment_sentences(text)
    start, stop = min(a, b, len(text)), min(max(a, b), len(text))
    assert fast.sentences(text, start, stop, limit) == segment_sentences(text, start, stop)[:limit]


_SEGMENTER_CASES = [
    # abbreviations (never final, may be final), initials, inner periods, decimals, URLs
    (
        "Dr. Smith met St. Peter. He left e.g. early. J. R. R. Tolkien wrote. It cost 2.50 dollars. "
        "See example.com/a.html. Next one. The U.S. Army came. Ph.D. students etc. And Inc. Then."
    ),
    # ellipses, runs of stops longer than the pattern takes, closers, openers, lower-case starts
    (
        'Wait... what? No!!! Yes.......... . Stop!!!!!!!!!!!! Go. "Quoted." (Bracket.) ¿Qué? ¡Sí! '
        "word. lower case after a long word. approx. the p. 79 a.m. then"
    ),
    # CJK stops without spaces, closers after them, Arabic and Devanagari stops
    "中文句子。第二句！第三句？」『引用。』后面 مرحبا؟ نعم۔ हिंदी। अगला",
    # line breaks of every kind, lines of only spaces, a candidate at the end of a line
    "One line.\nTwo line. \r\nThree\u2028four\u2029five.  \n   \n\x0bsix\x0c. Seven.\x85 Eight.",
    # characters of other classes right after the stop
    "End. ²nd. End. Ⅻ. End. ǅ title. End. 1st. End. 𝐀bc. End. \ud800x. End.\u00a0Next. End.\u3000Next.",
    # the word before the stop: title case, digits, an opening quote, a long run of letters
    "Words aǅbc. next one. Words abcd. next one. Words ab2. next. Words \u201cquoted. next. Words x. next.",
]


def test_the_segmenter_cases() -> None:
    for text in _SEGMENTER_CASES:
        assert fast.sentences(text, 0, len(text), 10**6) == segment_sentences(text)
        for k in range(len(text) + 1):  # every start and every stop
            assert fast.sentences(text, k, len(text), 10**6) == segment_sentences(text, k)
            assert fast.sentences(text, 0, k, 10**6) == segment_sentences(text, 0, k)


def test_the_classes_the_rules_depend_on() -> None:
    """Cases chosen by hand, each of which a careless port gets wrong."""
    cases = [
        # a stem is not taken from a word that starts before the sentence
        "Sentencewithout space.Continuing words here again. Another sentence here again.",
        # length-changing lower case (İ) and the context-dependent final sigma
        "İstanbul İİİ ΟΔΟΣ ΟΔΟΣ words. ΟΔΟΣ words sigma ΣΣΣΣ. Words words.",
        # digits of other scripts in years, years glued to words, a year at the end
        "In 19٩٩ it fell. x2020 and 2021a. In 1999 and 2005. Then 1888. It was 1501",
        # digits that are not decimal: not a year, and letters for the stems (as \w says)
        "In 19²³ and 20¹⁹ then 1999² and 1999. Ⅻ½²³ words ²abcde Ⅻabcd.",
        # pronouns with and without a boundary, at the end of the text
        "Itself began here. Its words stay. Hero stood. It",
        # all the dash styles and both conventions of quotes
        'A \u2014 b. c\u2014d. e \u2013 f. g - h. i--j. \u201cq\u201d don\'t. "x" it\u2019s.',
        # function words of two languages in one sentence (a tie goes to the first listed)
        "the and der die. le la el los. the of and to.",
        # CJK without spaces, right-to-left text, non-BMP letters and surrogates
        "中文字符中文字符。日本語です日本語です。עברית עברית. 𝐀𝐁𝐂𝐃𝐄𝐀𝐁𝐂 \ud800abcd\udfff efgh.",
    ]
    for text in cases:
        spans = segment_sentences(text)
        _same_prose(text, spans, 1)
        _same_page(text, spans)
        for k in range(1, len(text)):  # every cut into two spans
            cut = [Span(0, k, "sentence"), Span(k, len(text), "sentence")]
            _same_prose(text, cut, 1)
            _same_page(text, cut)


def test_bad_spans_are_an_error_not_a_crash() -> None:
    text = "Some words here. More words there."
    low = text.lower()
    for spans in (
        [Span(5, 3, "sentence")],
        [Span(0, 99, "sentence")],
        [Span(10, 20, "sentence"), Span(0, 5, "sentence")],
    ):
        with pytest.raises(ValueError, match="spans"):
            fast.prose(low, text, spans, 1)
        with pytest.raises(ValueError, match="spans"):
            fast.page(text, low, spans, 30)
    with pytest.raises(TypeError):
        fast.prose(low, text, [(0, "x")], 1)


def test_pure_python_switch() -> None:
    """THRESHER_PURE_PYTHON=1 leaves the accelerator unloaded; by default it is used."""
    code = "import thresher.stages.filter.mashup as m; print(m._fast is None)"
    env = {**os.environ, "THRESHER_PURE_PYTHON": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
    env["THRESHER_PURE_PYTHON"] = "0"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


Outputs = list[tuple[str, tuple[str, ...], list[tuple[str, object]]]]


def _step_outputs(texts: list[str], accelerated: bool, monkeypatch: pytest.MonkeyPatch) -> Outputs:
    monkeypatch.setattr(mashup, "_fast", fast if accelerated else None)
    docs = MashupFilter()([Document(str(i), t) for i, t in enumerate(texts)])
    return [(d.verdict.status, tuple(d.verdict.reasons), sorted(d.signals.items())) for d in docs]


def test_real_pages_give_the_same_features_and_signals(
    shared_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first 400 corpus pages, as they are, flattened and shuffled into salads:
    the same features, and the whole step the same signals (unrounded: the rounding
    of the step is switched off, so that a difference in the last bit would show)."""
    texts = corpus_pages(shared_dir, 400)
    salads = make_salads(texts, 100, pages=6, sentences=15, seed=3, segment=segment_sentences)
    pages = texts + [" ".join(t.split()) for t in texts[:100]] + salads
    for text in pages:
        assert fast.sentences(text, 0, len(text), 10**6) == segment_sentences(text)
    for accelerated in (True, False):
        monkeypatch.setattr(mashup, "_fast", fast if accelerated else None)
        firsts = [mashup._first_sentences(t, 120) for t in pages]
        if accelerated:
            c_firsts = firsts
    assert c_firsts == firsts
    monkeypatch.setattr(mashup, "_fast", fast)
    for text in pages:
        spans = mashup._first_sentences(text, 120)
        if spans:
            _same_prose(text, spans, 10)
            _same_page(text, spans)
    monkeypatch.setattr(mashup, "round", lambda x, n=None: x, raising=False)
    py = _step_outputs(pages, False, monkeypatch)
    c = _step_outputs(pages, True, monkeypatch)
    assert c == py
    judged = sum(any(k == "mashup_filter.score" for k, _ in signals) for _, _, signals in c)
    assert judged > 300  # most pages were judged: the comparison covers the whole step
