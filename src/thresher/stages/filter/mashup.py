"""Step ``mashup_filter``: drop pages stitched together from many sources.

A "sentence salad" is a page built by taking sentences from a dozen other pages and
shuffling them into one text (the seed page of issue 3). Each sentence is fluent, so
quality filters that look at words or lines pass it; what gives it away is the
*order*: neighbouring sentences do not continue each other, and furniture of several
different sites sits in one text. Signals (all recorded as ``mashup_filter.<name>``):

- ``coherence_z``: how much more nearby sentences (up to four apart, weighted by
  closeness) share content words than they would in a random order of the same
  sentences, as a z-score against the exact mean and variance over all orders.
  Written text scores well above 0 (each sentence picks up what the ones before
  said); a shuffle about 0.
- ``typography_mix``: how evenly the sentences split between curly quotes and
  apostrophes (’ “) and straight ones (' "): one site keeps one convention, a
  salad of several sites mixes them (0: one convention, 0.5: half and half).
- ``dash_mix``: the same for dashes (spaced or unspaced em dash, spaced en dash,
  spaced hyphen, double hyphen): 1 - (share of the commonest style).
- ``language_mix``: share of sentences whose function words are of another language
  than most of the page's (salads of pages from a multilingual crawl mix languages).
- ``style_z``: the same z-score as ``coherence_z`` for *how* nearby sentences are
  written (sixteen cheap markers: length, word length, capitals, digits, person,
  tense, punctuation; see :func:`_style_markers`). Salads of pages on one topic share
  their words, so ``coherence_z`` alone misses many of them; their sources still
  differ in style, and a page written by one hand keeps its style for a stretch.
- ``sites``: distinct sites named in page titles that ``clean_furniture`` removed.
- ``furniture_kinds``, ``flat``, ``pronoun_orphans`` (sentences that open with a
  third-person pronoun and share no content word with the sentence before),
  ``date_inversions`` (consecutive year mentions going back in time): recorded for the
  reader, but not in the score: fitted on the tuning salads they carried no weight or
  the wrong sign (real pages carry more kinds of furniture than salads of their
  sentences; every benchmark salad is flat by construction).

They combine into ``score``, a logistic model (weights in :data:`WEIGHTS`) read as the
probability that the page is a salad; the page is dropped with reason
``multi_source_mashup`` when the score reaches ``threshold``. Pages with too
few prose sentences to judge order (fewer than ``short_sentences``) are kept; pages
with fewer than ``min_sentences`` are judged at the stricter ``short_threshold``
(signal ``short``).

Speed: the passes over the characters of the judged sentences (the first sentences
by the segmenter's rules, their lower case, the content-word stems, the style
markers, the quote and dash conventions, the function words, the years) run in the
optional compiled module ``_mashfeat`` (``_mashfeat.c``) where the install built it,
in one call per page (:func:`page_evidence`) that makes no Span and no str. It
returns counts; the floats are made from them by the Python code both paths share,
so that the compiled path and the pure-Python one (``THRESHER_PURE_PYTHON=1``, or no
compiler) give the same signals, bit for bit (tests/stages/filter/test_mashfeat.py,
test_mashup_judge.py). Measured by ``benchmarks/cleaning.py --parts throughput``
(6,955 corpus pages, CPU time of one process, best of three runs on a shared
machine): 5.0 MB/s with the Python passes, 40.6 MB/s with the compiled ones (26.7
MB/s when each feature had its own call and the segmenter made Spans). What is left
is about a third each: the compiled call, numpy's reductions for the two z-scores
(kept in numpy: the same floats on both paths), and the Python of the step.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType
from typing import NamedTuple

import numpy as np
from pydantic import Field

from thresher import accelerators
from thresher.document import Document
from thresher.stages.clean.rules import site_of_title
from thresher.stages.segment import Span, segment_sentences
from thresher.stages.segment.sentences import _abbreviations, _ordinal_followers
from thresher.step import KEEP, Decision, Filter, Params

# Weights of the logistic score, in raw units of each signal, and the thresholds
# (MashupParams). Fitted by scripts/fit_mashup_weights.py: logistic regression (L2 1.0
# on standardised signals) on the tuning half of benchmarks/cleaning.py only (corpus
# pages whose id ends in an even hex digit; ``--salads 3000``): 3,000 salads of random
# pages, 3,000 of same-topic pages, the half's real pages (up to 3,000) as they are and
# the same flattened, judged at 20 prose sentences or more, on their first 120
# sentences (max_sentences). The threshold 0.72 is the lowest at which both kinds of
# salad reached precision 0.96 against both kinds of real page on the tuning half
# (``--precision 0.96``): a margin over the 0.95 aimed at, because with 300 real pages a
# set the false alarms of two samples of the same half were 1.4% and 3.4%; the
# held-out half is reported by the benchmark. ``log_sentences`` is positive: at equal coherence, a longer page is
# more suspect, because the z-score of written text grows with its length while a
# salad's does not. Tried and left out (no gain on the tuning half, or none that held
# on the other): the variation of sentence length, a mix of first- or second-person
# sentences, within-page idf weights and a multilingual stop list for the similarity,
# pronoun orphans, date inversions, furniture kinds; then, beside ``style_z``: an
# entity z-score (capitalised words in place of content words), discourse connectives
# opening a sentence that shares no word with the one before, the share of neighbours
# sharing a word, and the typography and dash mixes over prose sentences only. Checked
# on the seed page (score 0.999: z -0.6 over 80 prose sentences, two sites).
WEIGHTS: dict[str, float] = {
    "bias": -3.784,
    "coherence_z": -1.281,
    "typography_mix": 8.549,
    "dash_mix": 4.659,
    "language_mix": 9.746,
    "style_z": -0.847,
    "log_sentences": 1.314,
    "sites": 0.622,
}

# Pairs up to this many sentences apart count (weighted 1/distance): a paragraph stays
# on its topic for several sentences, a salad not even for one. Tried 2, 4, 10 and all
# pairs on salads and pages of corpus lines 0-2999: 4 was best, by a small margin.
_REACH = 4
# numpy's ufuncs called directly: ndarray.sum is add.reduce behind a Python wrapper
_add = np.add.reduce
_multiply = np.multiply
# Style persists longer than a topic's words: the style z-score counts pairs up to 8
# apart (on the tuning half, reach 4 / 8 / 16 caught 0.946 / 0.948 / 0.950 of the
# same-topic salads at precision 0.95 and flagged 0.035 / 0.029 / 0.029 of real pages).
_STYLE_REACH = 8
# Words are compared by their first five letters, a crude stemmer that works across
# languages ("revolution", "revolutionary"); 5 beat 6 and 7 on the tuning salads.
_STEM = 5
# The first five letters of every word of four letters or more: a word start (no
# letter before it), then four or five letters. Found by the regex engine directly,
# the stems cost no Python per word.
_WORD_STEM = re.compile(r"(?<![^\W\d_])[^\W\d_]{4,5}")
# A year 1500-2099. No leading \b: a pattern that opens with a digit lets the regex
# engine skip to the next 1 or 2 (three times faster); the word start is checked after.
_YEAR = re.compile(r"(?:1[5-9]|20)\d\d(?!\w)")
_PRONOUN_START = re.compile(r"(?:He|She|They|It|His|Her|Their|Its|Him|Them)\b")
# Function words of four letters or more, which say nothing about the topic.
_STOP = frozenset(
    [
        "that",
        "this",
        "with",
        "from",
        "have",
        "were",
        "been",
        "they",
        "their",
        "them",
        "then",
        "than",
        "there",
        "these",
        "those",
        "what",
        "when",
        "where",
        "which",
        "while",
        "would",
        "could",
        "should",
        "about",
        "after",
        "before",
        "into",
        "onto",
        "over",
        "under",
        "also",
        "just",
        "only",
        "some",
        "such",
        "very",
        "more",
        "most",
        "much",
        "many",
        "other",
        "others",
        "each",
        "every",
        "both",
        "either",
        "your",
        "yours",
        "ours",
        "will",
        "shall",
        "does",
        "done",
        "being",
        "because",
        "though",
        "although",
        "since",
        "until",
        "upon",
        "whom",
        "whose",
        "here",
        "even",
        "still",
        "well",
        "like",
        "said",
        "says",
        "make",
        "made",
        "take",
        "took",
        "first",
        "last",
        "same",
        "another",
        "among",
        "across",
        "again",
        "against",
        "between",
        "through",
        "during",
        "without",
        "within",
        "around",
        "ever",
        "never",
        "always",
        "often",
    ]
)
_STOP_STEMS = frozenset(w[:_STEM] for w in _STOP)
_FURNITURE = frozenset(
    [
        "page_title",
        "call_to_action",
        "credit",
        "author_bio",
        "network_footer",
        "reference_list",
        "breadcrumb",
        "related_question",
        "essay_mill",
        "forum_meta",
        "author_stub",
        "cookie_notice",
        "share_buttons",
        "navigation",
        "copyright",
        "read_more",
        "related_links",
        "slogan",
    ]
)


class MashupParams(Params):
    """Parameters of ``mashup_filter``."""

    threshold: float = Field(
        0.72, ge=0.0, le=1.0, description="Score at or above which the page is a multi-source mash-up."
    )
    min_sentences: int = Field(
        20, ge=4, le=1000, description="Prose sentences from which a page is judged at ``threshold``."
    )
    short_sentences: int = Field(
        10,
        ge=4,
        le=1000,
        description=(
            "A page of this many prose sentences or more, but fewer than min_sentences, is judged at"
            " short_threshold (less order to go on); fewer: kept unjudged."
        ),
    )
    short_threshold: float = Field(
        0.97,
        ge=0.0,
        le=1.0,
        description=(
            "Score at or above which a short page is a mash-up. 0.97: the lowest at which the short"
            " same-topic salads of the tuning half reached precision 0.95 against short real pages"
            " (scripts/fit_mashup_weights.py --salads 3000); few short salads reach it"
        ),
    )
    max_sentences: int = Field(
        120,
        ge=10,
        le=100_000,
        description=(
            "Sentences looked at (the first ones): bounds the work per page. 120: on the benchmark's"
            " held-out half, 80 / 120 / 200 gave precision 0.951 / 0.957 / 0.960 at recall 0.952 /"
            " 0.952 / 0.955 (random salads), at 9.2 / 8.0 / 6.7 MB/s (each fitted on the tune half)."
        ),
    )
    flat_chars: int = Field(2000, ge=100, description="A text this long without a line break counts as flat.")


@dataclass(frozen=True, slots=True)
class Evidence:
    """The measured signals of one page, and the score they make."""

    sentences: int
    prose_sentences: int
    short: bool  # fewer than min_sentences (distinct) prose sentences: judged at short_threshold
    coherence_z: float
    typography_mix: float
    dash_mix: float
    language_mix: float
    style_z: float
    sites: int
    furniture_kinds: int
    flat: bool
    pronoun_orphans: float
    date_inversions: float

    def score(self) -> float:
        """Probability that the page is a salad, by the logistic model of WEIGHTS."""
        logit = (
            WEIGHTS["bias"]
            + WEIGHTS["coherence_z"] * self.coherence_z
            + WEIGHTS["typography_mix"] * self.typography_mix
            + WEIGHTS["dash_mix"] * self.dash_mix
            + WEIGHTS["language_mix"] * self.language_mix
            + WEIGHTS["style_z"] * self.style_z
            + WEIGHTS["log_sentences"] * math.log(max(1, self.prose_sentences))
            + WEIGHTS["sites"] * self.sites
        )
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, logit))))


class MashupFilter(Filter):
    """Drop pages whose sentences come from several sources in no order."""

    name = "mashup_filter"
    Params = MashupParams
    params: MashupParams

    def decide(self, doc: Document) -> Decision:
        ev = self.evidence(doc)
        if ev is None:
            return KEEP
        score = round(ev.score(), 4)
        for k in (
            "sentences",
            "coherence_z",
            "typography_mix",
            "dash_mix",
            "language_mix",
            "style_z",
            "sites",
            "furniture_kinds",
            "flat",
            "pronoun_orphans",
            "date_inversions",
        ):
            self.signal(doc, k, getattr(ev, k))
        self.signal(doc, "score", score)
        if ev.short:
            self.signal(doc, "short", True)
        if score >= (self.params.short_threshold if ev.short else self.params.threshold):
            return Decision.drop("multi_source_mashup")
        return KEEP

    def evidence(self, doc: Document) -> Evidence | None:
        """The signals of ``doc``, or ``None`` when it has too few sentences to judge."""
        text = doc.text
        fewest = min(self.params.min_sentences, self.params.short_sentences)
        if len(text) < fewest * 30:
            # cannot hold that many sentences of three content words: skip the work
            return None
        # the first sentences are enough to judge the order: bound the work per page
        n, prose, page = page_evidence(text, self.params.max_sentences, fewest)
        self.signal(doc, "sentences", n)
        if prose is None:
            return None
        self.signal(doc, "prose_sentences", prose.prose)
        if page is None:
            return None
        z = 0.0 if prose.sim is None else _similarity_z(prose.sim, clear=False)
        if z is None:
            return None
        sites, kinds = _furniture(doc)
        return Evidence(
            sentences=n,
            prose_sentences=prose.prose,
            short=min(prose.prose, prose.distinct) < self.params.min_sentences,
            coherence_z=round(z, 3),
            typography_mix=round(_typography_value(*page.typography), 4),
            dash_mix=round(_dash_value(*page.dashes), 4),
            language_mix=round(_mix_of_languages(page.languages), 4),
            style_z=round(style_z(_finish_markers(page.markers)), 3),
            sites=sites,
            furniture_kinds=kinds,
            flat=len(text) >= self.params.flat_chars and "\n" not in text.strip(),
            pronoun_orphans=round(prose.orphans / n, 4),
            date_inversions=round(_inversions(page.years), 4),
        )


class ProseFeatures(NamedTuple):
    """What the content-word stems of a page's sentences give (:func:`prose_features`)."""

    prose: int  # sentences of three content words or more
    distinct: int  # distinct stem sets among them
    sim: np.ndarray | None  # their cosine matrix (zero diagonal); None: no stem shared, or too few to judge
    orphans: int  # sentences opening with a pronoun that share no stem with the one before


class PageFeatures(NamedTuple):
    """The style, convention, language and date counts of a page (:func:`page_features`)."""

    markers: np.ndarray  # per sentence, the raw style markers (see _raw_markers)
    typography: tuple[int, int, int]  # (1 if two conventions in the region, curly sentences, straight ones)
    dashes: tuple[int, int, int, int, int, int]  # (1 if two styles may be in the region, sentences per style)
    languages: list[int]  # per sentence of the first ones with a language: its index in _LANGUAGES
    years: list[int]  # the first year of each sentence that holds one


def page_evidence(
    text: str, max_sentences: int, fewest: int
) -> tuple[int, ProseFeatures | None, PageFeatures | None]:
    """What the step measures on ``text``: the number of its first sentences (at most
    ``max_sentences``), their stems (``None`` below ``fewest`` sentences) and their
    style, conventions, languages and years (``None`` also below ``fewest`` prose
    sentences or distinct ones). One call of the accelerator where it is built: it
    segments, lower-cases and measures without a Span or a str per sentence."""
    if _fast is not None:
        n, prose, page = _fast.judge(
            text, max_sentences, _QUICK_CHARS, _CAP_CHARS, fewest, _LANGUAGE_SENTENCES
        )
        if prose is None:
            return n, None, None
        n_prose, distinct, sim, orphans = prose
        matrix = None if sim is None else np.frombuffer(sim, dtype=np.float64).reshape(n_prose, n_prose)
        prose_f = ProseFeatures(n_prose, distinct, matrix, orphans)
        if page is None:
            return n, prose_f, None
        markers, typography, dashes, languages, years = page
        raw = np.frombuffer(markers, dtype=np.float64).reshape(n, _N_MARKERS)
        return n, prose_f, PageFeatures(raw, typography, dashes, languages, years)
    spans = _first_sentences(text, max_sentences)
    if len(spans) < fewest or not spans:
        return len(spans), None, None
    low = _lower_same_length(text[: spans[-1].end])
    prose_f = _prose_features_py(low, text, spans, fewest)
    if prose_f.prose < fewest or prose_f.distinct < fewest:
        return len(spans), prose_f, None
    return len(spans), prose_f, page_features(text, low, spans)


def prose_features(low: str, text: str, spans: list[Span], fewest: int) -> ProseFeatures:
    """Stems of every sentence, by the accelerator where it is built, else in Python.

    ``low`` is ``text[:spans[-1].end]`` lower-cased at the same offsets. The matrix is
    only built when the prose sentences and their distinct sets both reach ``fewest``.
    """
    if _fast is not None:
        n, distinct, sim, orphans = _fast.prose(low, text, spans, fewest)
        matrix = None if sim is None else np.frombuffer(sim, dtype=np.float64).reshape(n, n)
        return ProseFeatures(n, distinct, matrix, orphans)
    return _prose_features_py(low, text, spans, fewest)


def _prose_features_py(low: str, text: str, spans: list[Span], fewest: int) -> ProseFeatures:
    """The pure-Python twin of ``_mashfeat.prose``."""
    bags = _bags(low, spans)
    # list items, menu entries and captions carry no continuity to measure: judge
    # the order of the sentences that say something (three content words or more)
    prose = [b for b in bags if len(b) >= 3]
    # a sentence repeated says nothing about order (and spam that repeats itself is
    # the repetition filters' case, not a mash-up): count each sentence once
    distinct = len(set(prose))
    sim = None
    if len(prose) >= fewest and distinct >= fewest:
        words = list(itertools.chain.from_iterable(prose))
        vocab = dict(zip(dict.fromkeys(words), itertools.count()))  # word -> id, in C
        # only a word found in two sentences can make two sentences similar
        if len(vocab) < len(words):
            sim = _cosine_matrix(prose, words, vocab)
            np.fill_diagonal(sim, 0.0)
    return ProseFeatures(len(prose), distinct, sim, _orphans(text, spans, bags))


def page_features(text: str, low: str, spans: list[Span]) -> PageFeatures:
    """Style markers, conventions, languages and years of the sentences, by the
    accelerator where it is built, else in Python (``low`` as for :func:`prose_features`)."""
    if _fast is not None:
        markers, typography, dashes, languages, years = _fast.page(text, low, spans, _LANGUAGE_SENTENCES)
        raw = np.frombuffer(markers, dtype=np.float64).reshape(len(spans), _N_MARKERS)
        return PageFeatures(raw, typography, dashes, languages, years)
    return PageFeatures(
        _raw_markers(text, spans),
        _typography_counts(text, spans),
        _dash_counts(text, spans),
        _sentence_languages(low, spans),
        _sentence_years(text, spans),
    )


# The segmenter is asked first for this many characters per sentence wanted: most
# pages give max_sentences sentences in fewer (the mean sentence of the corpus's main
# text is about 100 characters), and segmenting the whole bound of 250 a sentence for
# every page cost a fifth of the step (measured on corpus lines 0-1999). When the
# first try falls short, the bound is segmented as before.
_QUICK_CHARS = 150
# The bound: at most this many characters per sentence wanted are segmented.
_CAP_CHARS = 250


def _first_sentences(text: str, max_sentences: int) -> list[Span]:
    """The first ``max_sentences`` sentences of ``text``, segmenting at most
    ``max_sentences * 250`` characters (a bound on the work per page).

    The same sentences as segmenting the bound at once: when a shorter prefix already
    holds two sentences more than wanted, the wanted ones end before the sentence that
    the prefix's end cuts, so the cut cannot change them (checked on the first 2,000
    corpus pages and the benchmark's salads: identical signals).
    """
    cap = min(len(text), max_sentences * _CAP_CHARS)
    quick = min(cap, max_sentences * _QUICK_CHARS)
    if _fast is not None:  # the segmenter's rules in C, stopping at the sentences wanted
        spans = _fast.sentences(text, 0, quick, max_sentences + 2)
        if quick < cap and len(spans) < max_sentences + 2:
            spans = _fast.sentences(text, 0, cap, max_sentences)
        return spans[:max_sentences]
    spans = segment_sentences(text, 0, quick)
    if quick < cap and len(spans) < max_sentences + 2:
        spans = segment_sentences(text, 0, cap)
    return spans[:max_sentences]


def coherence_z(bags: list[frozenset[str]]) -> float | None:
    """z-score of the neighbour similarity against all orders of the same sentences.

    Similarity is the cosine of content-word sets; neighbours are sentences one to
    ``_REACH`` apart, weighted by closeness 1/distance: sentences close together share
    more words than far apart ones in written text, in a shuffle they do not. The
    statistic is a quadratic assignment (Mantel) statistic, so its mean and variance
    over *every* order of the sentences have a closed form (:func:`_null_moments`):
    exact, deterministic, and far cheaper than sampling random orders (which this
    replaced: 100 orders measured 4x the time and scattered the z of one page by
    about 0.1). ``None`` when every order scores the same: there is no order to judge.
    """
    n = len(bags)
    if n < 4:
        return 0.0
    words = list(itertools.chain.from_iterable(bags))
    vocab = dict(zip(dict.fromkeys(words), itertools.count()))  # word -> id, in C
    # only a word found in two sentences can make two sentences similar: none, no order
    if len(vocab) == len(words):
        return 0.0
    return _similarity_z(_cosine_matrix(bags, words, vocab))


def _similarity_z(sim: np.ndarray, clear: bool = True) -> float | None:
    """The z-score of :func:`coherence_z` from the cosine matrix of its sentences
    (its diagonal is cleared here, unless ``clear`` is false: the matrices of
    :func:`page_evidence` have a zero diagonal); ``None`` when every order scores the
    same."""
    n = len(sim)
    if n < 4:
        return 0.0
    if clear:
        np.fill_diagonal(sim, 0.0)
    observed = 0.0
    for d in range(1, min(_REACH, n - 1) + 1):
        observed += 2.0 * float(sim.trace(d)) / d
    rows = _add(sim, axis=1)
    mean, var = _null_moments(n, float(_add(rows, None)), float(_add(sim * sim, None)), float(rows @ rows))
    if var < 1e-12:
        return None
    return (observed - mean) / var**0.5


@lru_cache(maxsize=256)
def _position_terms(n: int, reach: int = _REACH) -> tuple[float, float, float]:
    """Sum, sum of squares and sum of squared row sums of the position weights
    A[a, b] = 1/|a - b| for 1 <= |a - b| <= _REACH (the neighbour pairs)."""
    rows = [0.0] * n
    t1 = t2 = 0.0
    for d in range(1, min(reach, n - 1) + 1):
        t1 += 2.0 * (n - d) / d
        t2 += 2.0 * (n - d) / (d * d)
        for i in range(n - d):
            rows[i] += 1.0 / d
            rows[i + d] += 1.0 / d
    return t1, t2, sum(r * r for r in rows)


def _null_moments(n: int, t1b: float, t2b: float, t3b: float, reach: int = _REACH) -> tuple[float, float]:
    """Mean and variance of sum_{a != b} A[a, b] * S[p(a), p(b)] over all permutations p.

    ``t1b``, ``t2b``, ``t3b`` are the sum, the sum of squares and the sum of squared row
    sums of the symmetric similarity S (zero diagonal). Pairs of index pairs share two
    indices, one, or none; counting each case gives Mantel's moments (checked against
    20,000 random permutations in tests/stages/filter/test_mashup.py).
    """
    t1a, t2a, t3a = _position_terms(n, reach)
    n2 = n * (n - 1)
    n3 = n2 * (n - 2)
    n4 = n3 * (n - 3)
    mean = t1a * t1b / n2
    second = (
        2.0 * t2a * t2b / n2
        + 4.0 * (t3a - t2a) * (t3b - t2b) / n3
        + (t1a * t1a - 4.0 * t3a + 2.0 * t2a) * (t1b * t1b - 4.0 * t3b + 2.0 * t2b) / n4
    )
    return mean, max(0.0, second - mean * mean)


def _cosine_matrix(bags: list[frozenset[str]], words: list[str], vocab: dict[str, int]) -> np.ndarray:
    """Cosine similarities of the word sets, through the words they share.

    ``words``: the words of every set, set after set; ``vocab``: an id per word.
    Sparse on purpose: every pair of sentences sharing a word gets its weight through
    one ``bincount``. A dense matrix product would call BLAS, whose threads fight the
    worker processes of a pipeline (measured: 50 ms instead of 2 ms per page here).
    A word of one set only adds to the diagonal, which the caller clears; all the
    weights of one pair of sets are equal, so their sum is the same in any order.
    """
    n = len(bags)
    lens = np.fromiter(map(len, bags), dtype=np.int64, count=n)
    c_arr = np.fromiter(map(vocab.__getitem__, words), dtype=np.int64, count=len(words))
    s_arr = np.repeat(np.arange(n), lens)
    weight = np.where(lens > 0, 1.0 / np.sqrt(np.maximum(lens, 1)), 0.0)
    order = np.argsort(c_arr, kind="stable")
    s_arr, c_arr = s_arr[order], c_arr[order]
    counts = np.bincount(c_arr, minlength=len(vocab))
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    sizes = counts[c_arr]  # per entry: how many sentences share its word
    left = np.repeat(np.arange(len(s_arr)), sizes)
    within = np.arange(len(left)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    right = starts[c_arr][left] + within
    a, b2 = s_arr[left], s_arr[right]
    flat = np.bincount(a * n + b2, weights=weight[a] * weight[b2], minlength=n * n)
    return flat.reshape(n, n)


def _lower_same_length(text: str) -> str:
    """``text.lower()`` with the offsets of ``text``: a character whose lower case is
    longer ("\u0130" -> "i" + a combining dot) keeps only its first character."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join([c.lower()[:1] for c in text])


def _bags(low: str, spans: list[Span]) -> list[frozenset[str]]:
    """Per sentence, the stems of its content words (``low`` is the lower-cased text)."""
    findall = _WORD_STEM.findall
    stop = _STOP_STEMS
    return [frozenset(findall(low, sp.start, sp.end)) - stop for sp in spans]


def _furniture(doc: Document) -> tuple[int, int]:
    """Distinct sites named in removed page titles, and distinct furniture kinds removed."""
    if not doc.edits:
        return 0, 0
    removed = [e for group in doc.edits for e in group.edits if e.action == "remove"]
    kinds = {e.label for e in removed} & _FURNITURE
    if "page_title" not in kinds:
        return 0, len(kinds)
    sites = {site_of_title(e.original) for e in removed if e.label == "page_title"}
    sites.discard(None)
    sites.discard("")
    return len(sites), len(kinds)


def _orphans(text: str, spans: list[Span], bags: list[frozenset[str]]) -> int:
    """Sentences opening with a third-person pronoun that share no content word with
    the sentence before (the pronoun has no antecedent there)."""
    orphans = 0
    match = _PRONOUN_START.match
    for i in range(1, len(spans)):
        start = spans[i].start
        # every pronoun of the list starts with one of these letters: a cheap test first
        if text[start] in "HSTI" and match(text, start) and not (bags[i] & bags[i - 1]):
            orphans += 1
    return orphans


# Style markers of a sentence (see _style_markers): capitals after a space and digits
# are counted by these; the rest are substring tests.
_ARTICLE_START = ("The ", "A ", "An ")
_FIRST_PERSON = ("i ", "my ", "we ", "our ")
_ANAPHORIC_START = ("He ", "She ", "They ", "It ", "This ", "These ", "But ", "However", "And ")


_N_MARKERS = 18


def _style_markers(text: str, spans: list[Span]) -> np.ndarray:
    """Per sentence, eighteen cheap measures of how it is written (one row each).

    Length (log of characters), characters per word, capitals, ASCII digits and "-ed"
    endings per word, and whether it speaks in the first person, in the second, holds
    a present or a past auxiliary, a comma, a parenthesis, a straight quote or
    apostrophe, a curly one, a colon or semicolon, a dash, ends with a question mark,
    opens with an article, or with a pronoun or connective. A page written by one hand
    keeps its habits for a stretch (the forum post says "I" and "you" for several
    sentences, the encyclopedia gives dates and parentheses); a salad interleaves the
    habits of its sources at random. Taken alone, each of the first sixteen told
    same-topic salads from real pages with an AUC of 0.57 to 0.79 on the tuning half
    (long sentences, capitals and present tense the best); chosen for cost: a few
    substring tests per sentence. All sentences count, menus and headings too: their
    style runs in blocks on a real page (on the tuning half, prose sentences only
    caught 0.943 of same-topic salads at precision 0.95, all sentences 0.946).
    """
    return _finish_markers(_raw_markers(text, spans))


def _raw_markers(text: str, spans: list[Span]) -> np.ndarray:
    """The markers of :func:`_style_markers` as counts: characters + 1, spaces + 1,
    capitals after a space, digits and "ed " endings, then the seventeen 0/1 tests."""
    if not spans:
        return np.zeros((0, _N_MARKERS))
    base = spans[0].start
    region = text[base : spans[-1].end]
    low = region.lower()
    if len(low) != len(region):  # a character whose lower case is longer: keep offsets
        low = "".join([c.lower()[:1] for c in region])
    rows = []
    for sp in spans:
        s = text[sp.start : sp.end]
        lw = low[sp.start - base : sp.end - base]
        rows.append(
            (
                len(s) + 1,
                s.count(" ") + 1,
                0,  # capitals after a space and digits: counted below for all at once
                0,
                lw.count("ed "),
                " i " in lw or " my " in lw or " we " in lw or " our " in lw or lw.startswith(_FIRST_PERSON),
                "you" in lw,
                " is " in lw or " are " in lw or " has " in lw or " have " in lw,
                " was " in lw or " were " in lw or " had " in lw,
                "," in s,
                "(" in s,
                '"' in s or "'" in s,
                "\u201c" in s or "\u2019" in s,
                ";" in s or ":" in s,
                "\u2014" in s or " - " in s or "\u2013" in s,
                s.endswith("?"),
                s.startswith(_ARTICLE_START),
                s.startswith(_ANAPHORIC_START),
            )
        )
    out = np.array(rows, dtype=np.float64)
    # capitals after a space and ASCII digits, through running counts over the region's
    # code points: two regex scans per sentence cost a third of this function
    codes = np.frombuffer(region.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    starts = np.fromiter((sp.start for sp in spans), dtype=np.int64, count=len(spans)) - base
    ends = np.fromiter((sp.end for sp in spans), dtype=np.int64, count=len(spans)) - base
    caps = np.zeros(len(codes) + 1, dtype=np.int64)
    caps[2:] = np.cumsum((codes[:-1] == 32) & (codes[1:] - 65 < 26))  # ends at the capital
    digits = np.zeros(len(codes) + 1, dtype=np.int64)
    digits[1:] = np.cumsum(codes - 48 < 10)
    # a capital after a space counts when both lie in the sentence: its space at start or later
    out[:, 2] = caps[ends] - caps[np.minimum(starts + 1, ends)]
    out[:, 3] = digits[ends] - digits[starts]
    return out


def _finish_markers(out: np.ndarray) -> np.ndarray:
    """The raw markers of :func:`_raw_markers` made comparable across sentences, in
    place: log of the length, characters per word, and per word the counts."""
    chars, words = out[:, 0].copy(), out[:, 1].copy()
    out[:, 0] = np.log(chars)
    out[:, 1] = chars / words
    out[:, 2:5] /= words[:, None]
    return out


def style_z(markers: np.ndarray) -> float:
    """z-score of how much nearby sentences share their style, against all orders.

    The similarity of two sentences is the dot product of their standardised marker
    rows (``S = F F^T / k``), neighbours weighted as in :func:`coherence_z`, and the
    same exact Mantel moments (:func:`_null_moments`). ``S`` is never built: with
    centred columns its sum, sum of squares and squared row sums come from ``F`` and
    the k x k matrix ``F^T F`` (O(n k^2) instead of O(n^2 k), and no BLAS call on an
    n x n product). 0 when fewer than four sentences or no marker varies.
    """
    n, k = markers.shape if markers.ndim == 2 else (0, 0)
    if n < 4 or k == 0:
        return 0.0
    # markers.std(axis=0) and the centring by markers.mean(axis=0), the operations of
    # numpy's own mean and var, done once (the same floats, in half the calls)
    centred = markers - _add(markers, axis=0) / n
    sd = np.sqrt(_add(centred * centred, axis=0) / n)
    f = centred / np.where(sd > 0, sd, 1.0) / math.sqrt(k)
    # the ufuncs called directly (ndarray.sum is add.reduce behind a Python wrapper),
    # the products into one buffer: the same operations on the same values, so the
    # same floats, with a third fewer calls on arrays of about 2,000 numbers
    observed = 0.0
    buf = np.empty(f.shape)
    for d in range(1, min(_STYLE_REACH, n - 1) + 1):
        observed += 2.0 * float(_add(_multiply(f[:-d], f[d:], out=buf[: n - d]), None)) / d
    sq = _add(_multiply(f, f, out=buf), axis=1)  # the diagonal of F F^T, left out of S
    gram = np.einsum("ij,ik->jk", f, f)
    # centred columns: every row of F F^T sums to 0, so a row of S sums to -sq
    t1b = float(-_add(sq, None))
    sq_sq = float(_add(sq * sq, None))
    t2b = float(_add(gram * gram, None)) - sq_sq
    t3b = sq_sq
    mean, var = _null_moments(n, t1b, t2b, t3b, _STYLE_REACH)
    if var < 1e-12:
        return 0.0
    return (observed - mean) / var**0.5


def _date_inversions(text: str, spans: list[Span]) -> float:
    """Share of consecutive year mentions (the first of each sentence) that go back."""
    return _inversions(_sentence_years(text, spans))


def _sentence_years(text: str, spans: list[Span]) -> list[int]:
    """The first year mentioned in each sentence that mentions one, in order."""
    years: list[int] = []
    k, last = 0, -1
    for m in _YEAR.finditer(text, spans[0].start, spans[-1].end):
        p = m.start()
        if p and (text[p - 1].isalnum() or text[p - 1] == "_"):
            continue  # inside a longer number or word
        while k < len(spans) and spans[k].end <= p:
            k += 1
        if k < len(spans) and spans[k].start <= p and k != last:
            years.append(int(m.group()))
            last = k
    return years


def _inversions(years: list[int]) -> float:
    """Share of consecutive years that go back; 0 below four years."""
    if len(years) < 4:
        return 0.0
    back = sum(1 for a, b in itertools.pairwise(years) if b < a)
    return back / (len(years) - 1)


# Quote marks and apostrophes: curly (typeset) and straight (typed). A straight
# apostrophe counts only between letters, so that a quoted word or a prime does not.
_CURLY = "\u2018\u2019\u201c\u201d"
_STRAIGHT_APOSTROPHE = re.compile("[^\\W\\d_]'[^\\W\\d_]")


def _typography_mix(text: str, spans: list[Span]) -> float:
    """min(curly, straight) / (curly + straight), counting the sentences that hold
    each convention; 0 below four such counts (too few to call a mix)."""
    return _typography_value(*_typography_counts(text, spans))


def _typography_value(mixed: int, curly: int, straight: int) -> float:
    """The mix of :func:`_typography_mix` from its counts."""
    if not mixed or curly + straight < 4:
        return 0.0
    return min(curly, straight) / (curly + straight)


def _typography_counts(text: str, spans: list[Span]) -> tuple[int, int, int]:
    """Whether the region holds both conventions and, if so, the sentences holding
    curly marks and those holding straight ones (0, 0 otherwise)."""
    region = text[spans[0].start : spans[-1].end]
    if not any(c in region for c in _CURLY) or ('"' not in region and "'" not in region):
        return 0, 0, 0  # one convention at most: no mix (most pages end here)
    curly = straight = 0
    for sp in spans:
        s = text[sp.start : sp.end]
        # substring tests first: most sentences hold neither convention
        curly += any(c in s for c in _CURLY)
        straight += '"' in s or ("'" in s and _STRAIGHT_APOSTROPHE.search(s) is not None)
    return 1, curly, straight


# Dash styles, in the order tried (the first found in a sentence is its style).
_DASHES = (" \u2014 ", "\u2014", " \u2013 ", " - ", "--")


def _dash_mix(text: str, spans: list[Span]) -> float:
    """1 - share of the commonest dash style, over sentences holding a dash; 0 below
    three such sentences."""
    return _dash_value(*_dash_counts(text, spans))


def _dash_value(mixed: int, *counts: int) -> float:
    """The mix of :func:`_dash_mix` from its counts."""
    total = sum(counts)
    return 0.0 if not mixed or total < 3 else 1.0 - max(counts) / total


def _dash_counts(text: str, spans: list[Span]) -> tuple[int, int, int, int, int, int]:
    """Whether the region may hold two dash styles and, if so, the sentences of each
    style of _DASHES (zeros otherwise)."""
    region = text[spans[0].start : spans[-1].end]
    if "\u2014" not in region and sum(d in region for d in _DASHES[2:]) <= 1:
        return 0, 0, 0, 0, 0, 0  # one style at most (most pages end here)
    counts = dict.fromkeys(_DASHES, 0)
    for sp in spans:
        s = text[sp.start : sp.end]
        for d in _DASHES:
            if d in s:
                counts[d] += 1
                break
    c = [counts[d] for d in _DASHES]
    return 1, c[0], c[1], c[2], c[3], c[4]


# The commonest function words of the languages most frequent in the corpus (listed by
# hand for thresher): a sentence is given the language of which it holds the most,
# if it holds two or more.
_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": "the and of to is that for with was are this have from not but they which",
        "de": "der die das und ist nicht mit auf den dem ein eine sich auch von zu im f\u00fcr",
        "fr": "le la les et est des une que pour dans pas qui sur du au avec",
        "es": "el la los las y es que de del en por para una con se no",
        "it": "il di che \u00e8 per una non sono della con gli le del",
        "pt": "o de que e do da em um para com n\u00e3o uma os no se na",
    }.items()
}
# word -> the languages it is a function word of, in the order of _FUNCTION_WORDS
_LANGUAGES = tuple(_FUNCTION_WORDS)
_LANGUAGES_OF: dict[str, tuple[int, ...]] = {}
for _i, _lang in enumerate(_LANGUAGES):
    for _w in _FUNCTION_WORDS[_lang]:
        _LANGUAGES_OF[_w] = (*_LANGUAGES_OF.get(_w, ()), _i)
_TOKEN = re.compile(r"[^\W\d_]+")
_LANGUAGE_SENTENCES = 30


def _language_mix(low: str, spans: list[Span]) -> float:
    """Share of the sentences with a language that is not the page's commonest.

    Only the first ``_LANGUAGE_SENTENCES`` sentences are read: a salad shuffles its
    sources through the whole page, so its first sentences show the mix as well, and
    this pass over every word was a third of the step's time (30 sentences: a
    salad of k pages shows several of them there).
    """
    return _mix_of_languages(_sentence_languages(low, spans))


def _sentence_languages(low: str, spans: list[Span]) -> list[int]:
    """Per sentence of the first ``_LANGUAGE_SENTENCES`` holding two function words or
    more of one language, the index in _LANGUAGES of the one it holds most of."""
    langs: list[int] = []
    findall = _TOKEN.findall
    of = _LANGUAGES_OF
    for sp in spans[:_LANGUAGE_SENTENCES]:
        counts = [0] * len(_LANGUAGES)
        for t in findall(low, sp.start, sp.end):
            for i in of.get(t, ()):
                counts[i] += 1
        hits = max(counts)
        if hits >= 2:
            langs.append(counts.index(hits))  # ties: the first language listed
    return langs


def _mix_of_languages(langs: list[int]) -> float:
    """Share of the sentences whose language is not the commonest; 0 below five."""
    if len(langs) < 5:
        return 0.0
    top = max(langs.count(x) for x in set(langs))
    return 1.0 - top / len(langs)


def _load_accelerator() -> ModuleType | None:
    """The compiled twin of the feature passes (``_mashfeat.c``), unless absent or
    switched off: ``THRESHER_PURE_PYTHON=1`` forces the pure-Python path (the tests
    compare both)."""
    module = accelerators.load("thresher.stages.filter._mashfeat")  # types: _mashfeat.pyi
    if module is None:
        return None
    configure_accelerator(module)
    return module


def configure_accelerator(module: ModuleType) -> None:
    """Hand the stop stems and the function words (with a bit per language), and the
    segmenter's abbreviations and words that follow an ordinal number, to the compiled
    module, which only reads them."""
    words = [(w, sum(1 << i for i in langs)) for w, langs in sorted(_LANGUAGES_OF.items())]
    module.configure(sorted(_STOP_STEMS), words, len(_LANGUAGES))
    module.configure_sentences(Span, *_abbreviations(), _ordinal_followers())


_fast = _load_accelerator()
