"""``gopher_quality``: Gopher's document-quality heuristics (Rae et al. 2021, appendix A).

Thresholds are the paper's, with datatrove 0.10.1's parameter names, defaults, order of
rules and reason names, so that decisions match FineWeb's:

1. words are the shared English word split (:mod:`._words`, spaCy-compatible); the
   word-count and mean-length rules use only words with at least one character that is
   not punctuation ("non-symbol words"); the other ratios divide by all words;
2. ``gopher_short_doc`` / ``gopher_long_doc``: fewer than 50 / more than 100,000
   non-symbol words;
3. ``gopher_below_avg_threshold`` / ``gopher_above_avg_threshold``: mean non-symbol
   word length outside [3, 10];
4. ``gopher_too_many_hashes`` / ``gopher_too_many_ellipsis``: ``#`` or ellipses
   (``...`` and ``…``) per word above 0.1;
5. ``gopher_too_many_bullets``: more than 90 % of lines (``str.splitlines``) start with
   ``•`` or ``-``; ``gopher_too_many_end_ellipsis``: more than 30 % end with an ellipsis;
6. ``gopher_below_alpha_threshold``: fewer than 80 % of words contain a letter
   (datatrove calls the parameter ``max_non_alpha_words_ratio``; it is a minimum share
   of alphabetic words, and we keep the name so configurations carry over);
7. the stop-word rule: fewer than 2 of the 8 stop words ("the", "be", "to", "of",
   "and", "that", "have", "with"; case-sensitive, as in datatrove) occur.

Reason mapping: datatrove names rule 7 ``gopher_enough_stop_words`` although it fires
when there are too *few*; thresher calls it ``gopher_too_few_stop_words``
(:data:`REASON_ALIASES` maps thresher's name to datatrove's).

Bad input: datatrove divides by the word count and by the line count and takes the
mean of an empty list when the word-count rule is disabled; here a document with no
words is dropped as ``gopher_short_doc`` whatever the parameters (no division by zero).
"""

from __future__ import annotations

from operator import methodcaller
from typing import ClassVar

from pydantic import Field

from thresher.document import Document
from thresher.step import KEEP, Decision, Filter, Params

from . import _words
from ._words import analyse

STOP_WORDS: tuple[str, ...] = ("the", "be", "to", "of", "and", "that", "have", "with")

REASON_ALIASES: dict[str, str] = {"gopher_too_few_stop_words": "gopher_enough_stop_words"}

# the per-line tests, as C-level calls that map() runs without a Python loop per line
_starts_bullet = methodcaller("startswith", ("•", "-"))
_ends_ellipsis = methodcaller("endswith", ("...", "…"))


def _marks(text: str) -> tuple[int, int, int, int, int]:
    """``#`` and ellipses in ``text``; its lines (at least one, as ``splitlines() or [""]``),
    those that start with a bullet and those that end with an ellipsis."""
    fast = _words._fast
    if fast is not None:  # one pass, the same counts
        n_hashes, n_ellipses, n_lines, n_bullets, n_ends = fast.gopher_marks(text)
        return n_hashes, n_ellipses, max(n_lines, 1), n_bullets, n_ends
    lines = text.splitlines() or [""]
    return (
        text.count("#"),
        text.count("...") + text.count("…"),
        len(lines),
        sum(map(_starts_bullet, map(str.lstrip, lines))),
        sum(map(_ends_ellipsis, map(str.rstrip, lines))),
    )


class GopherQualityParams(Params):
    """datatrove 0.10.1's parameters and defaults; ``None`` (or 0) disables a rule."""

    min_doc_words: int | None = Field(50, ge=0)
    max_doc_words: int | None = Field(100000, ge=0)
    min_avg_word_length: float | None = Field(3, ge=0)
    max_avg_word_length: float | None = Field(10, ge=0)
    max_symbol_word_ratio: float | None = Field(0.1, ge=0)
    max_bullet_lines_ratio: float | None = Field(0.9, ge=0, le=1)
    max_ellipsis_lines_ratio: float | None = Field(0.3, ge=0, le=1)
    max_non_alpha_words_ratio: float | None = Field(0.8, ge=0, le=1)
    min_stop_words: int | None = Field(2, ge=0)
    stop_words: tuple[str, ...] | None = None
    language: str = "eng"  # datatrove's word-tokeniser language; English rules are used


class GopherQuality(Filter):
    """Drops documents that fail Gopher's quality rules (see module docstring)."""

    name = "gopher_quality"
    Params: ClassVar[type[Params]] = GopherQualityParams
    params: GopherQualityParams

    def setup(self) -> None:
        self._stop = frozenset(STOP_WORDS if self.params.stop_words is None else self.params.stop_words)

    def decide(self, doc: Document) -> Decision:
        p = self.params
        text = doc.text
        a = analyse(text)
        words = a.words
        n_words = len(words)
        n_symbol, n_alpha, content_chars = a.n_symbol, a.n_alpha, a.content_chars
        n_content = n_words - n_symbol  # words with a character that is not punctuation
        self.signal(doc, "n_words", n_content)
        if (p.min_doc_words and n_content < p.min_doc_words) or n_content == 0:
            return Decision.drop("gopher_short_doc")
        if p.max_doc_words and n_content > p.max_doc_words:
            return Decision.drop("gopher_long_doc")

        mean_len = content_chars / n_content
        self.signal(doc, "mean_word_length", mean_len)
        if p.min_avg_word_length and mean_len < p.min_avg_word_length:
            return Decision.drop("gopher_below_avg_threshold")
        if p.max_avg_word_length and mean_len > p.max_avg_word_length:
            return Decision.drop("gopher_above_avg_threshold")

        n_hashes, n_ellipses, n_lines, n_bullets, n_end_ellipses = _marks(text)
        hash_ratio = n_hashes / n_words
        ellipsis_ratio = n_ellipses / n_words
        self.signal(doc, "hash_word_ratio", hash_ratio)
        self.signal(doc, "ellipsis_word_ratio", ellipsis_ratio)
        if p.max_symbol_word_ratio and hash_ratio > p.max_symbol_word_ratio:
            return Decision.drop("gopher_too_many_hashes")
        if p.max_symbol_word_ratio and ellipsis_ratio > p.max_symbol_word_ratio:
            return Decision.drop("gopher_too_many_ellipsis")

        if p.max_bullet_lines_ratio:
            bullets = n_bullets / n_lines
            self.signal(doc, "bullet_lines_ratio", bullets)
            if bullets > p.max_bullet_lines_ratio:
                return Decision.drop("gopher_too_many_bullets")
        if p.max_ellipsis_lines_ratio:
            ends = n_end_ellipses / n_lines
            self.signal(doc, "end_ellipsis_lines_ratio", ends)
            if ends > p.max_ellipsis_lines_ratio:
                return Decision.drop("gopher_too_many_end_ellipsis")

        if p.max_non_alpha_words_ratio:
            alpha = n_alpha / n_words
            self.signal(doc, "alpha_words_ratio", alpha)
            if alpha < p.max_non_alpha_words_ratio:
                return Decision.drop("gopher_below_alpha_threshold")

        if p.min_stop_words:
            found = len(self._stop.intersection(words))
            self.signal(doc, "stop_words", found)
            if found < p.min_stop_words:
                return Decision.drop("gopher_too_few_stop_words")
        return KEEP
