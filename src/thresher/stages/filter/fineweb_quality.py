"""``fineweb_quality``: the line-level rules FineWeb added (Penedo et al. 2024).

The thresholds were chosen for FineWeb by ablation (https://arxiv.org/abs/2406.17557,
section 3.3): parameters, defaults, order and reason names are datatrove 0.10.1's
``FineWebQualityFilter``. Lines are the text split on ``\\n`` with blank lines
(whitespace only) dropped; in order:

1. ``empty``: no non-blank line;
2. ``line_punct_ratio``: fewer than 12 % of lines end in sentence-final punctuation
   (Unicode's Sentence_Terminal characters; ``line_punct_exclude_zero`` exempts
   documents where no line does);
3. ``short_line_ratio``: more than 67 % of lines have at most 30 characters;
4. ``char_dup_ratio``: characters of lines that repeat an earlier line exceed 1 % of
   the characters that are not newlines;
5. ``list_ratio``: more than 0.3 newlines per word (the shared word split; when the
   newlines per whitespace-separated chunk are already within the limit, the split is
   skipped, since every chunk holds at least one word: the ``list_ratio_bound`` signal
   is then recorded instead of ``list_ratio``).

Bad input: where datatrove would divide by zero (a text of newlines and blanks only
reaches rule 1; a text made only of newlines has no non-newline characters), the
document is dropped as ``empty`` instead.
"""

from __future__ import annotations

from operator import itemgetter, methodcaller
from typing import ClassVar

from pydantic import Field

from thresher.document import Document
from thresher.step import KEEP, Decision, Filter, Params

from . import _words
from ._words import analyse, terminal_punctuation
from .gopher_repetition import find_duplicates

REASON_ALIASES: dict[str, str] = {}  # every reason is datatrove's own name


class FineWebQualityParams(Params):
    """datatrove 0.10.1's parameters and defaults."""

    line_punct_thr: float = Field(0.12, ge=0, le=1)
    line_punct_exclude_zero: bool = False
    stop_chars: tuple[str, ...] | None = None  # None: Unicode Sentence_Terminal characters
    short_line_thr: float = Field(0.67, ge=0, le=1)
    short_line_length: int = Field(30, ge=0)
    char_duplicates_ratio: float = Field(0.01, ge=0, le=1)
    new_line_ratio: float = Field(0.3, ge=0)
    language: str = "eng"  # datatrove's word-tokeniser language; English rules are used


class FineWebQuality(Filter):
    """Drops documents that look like lists, menus or repeated boilerplate."""

    name = "fineweb_quality"
    Params: ClassVar[type[Params]] = FineWebQualityParams
    params: FineWebQualityParams

    def setup(self) -> None:
        stop = self.params.stop_chars
        self._stop: tuple[str, ...] = tuple(terminal_punctuation()) if stop is None else tuple(stop)
        # single characters can be tested with one set look-up on the last character
        self._stop_set = frozenset(self._stop) if all(len(c) == 1 for c in self._stop) else None

    def decide(self, doc: Document) -> Decision:
        p = self.params
        text = doc.text
        # the per-line tests run as C-level map/filter calls, not a Python loop per line
        lines = list(filter(str.strip, text.split("\n")))
        if not lines:
            return Decision.drop("empty")
        n = len(lines)
        if self._stop_set is not None:
            ending = sum(map(self._stop_set.__contains__, map(itemgetter(-1), lines)))
        else:
            ending = sum(map(methodcaller("endswith", self._stop), lines))
        ratio = ending / n
        self.signal(doc, "line_punct_ratio", ratio)
        if ratio < p.line_punct_thr and not (ratio == 0 and p.line_punct_exclude_zero):
            return Decision.drop("line_punct_ratio")

        ratio = sum(map(p.short_line_length.__ge__, map(len, lines))) / n
        self.signal(doc, "short_line_ratio", ratio)
        if ratio > p.short_line_thr:
            return Decision.drop("short_line_ratio")

        non_newline = len(text) - text.count("\n")
        ratio = find_duplicates(lines)[1] / non_newline  # > 0: a non-blank line exists
        self.signal(doc, "char_dup_ratio", ratio)
        if ratio > p.char_duplicates_ratio:
            return Decision.drop("char_dup_ratio")

        newlines = text.count("\n")
        # every whitespace-separated chunk holds at least one word: when the ratio over
        # chunks already passes, the exact word split is not needed
        fast = _words._fast
        n_chunks = fast.count_chunks(text) if fast is not None else len(text.split())
        if n_chunks and newlines / n_chunks <= p.new_line_ratio:
            self.signal(doc, "list_ratio_bound", newlines / n_chunks)
            return KEEP
        n_words = len(analyse(text).words)
        if n_words == 0:  # only characters the word split drops: nothing to read
            return Decision.drop("empty")
        ratio = newlines / n_words
        self.signal(doc, "list_ratio", ratio)
        if ratio > p.new_line_ratio:
            return Decision.drop("list_ratio")
        return KEEP
