"""A trigram language model of English for the contextual apostrophe model.

The model is CMU Sphinx's generic US English language model (``en-us.lm.bin``: 72,547
words, 4,548 of them with an apostrophe, 2.05 million bigrams and 1.67 million
trigrams, BSD licence), which the ``pocketsphinx`` wheel ships, read with pocketsphinx's own
n-gram reader. Nothing is downloaded.

It compares the two readings of a candidate in its sentence: the log10 probability of
the word and of the next two words, given the two before, once with the apostrophe and
once without ("the player's ball was" against "the players ball was", "it's a" against
"its a"). The contextual model (:mod:`.context_model`) takes the difference as features
(:func:`lm_features`): the fit pages alone see too few of the contexts that tell "its"
from "it’s" or a plural from a possessive; a model fitted on far more text has seen them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from thresher.stages.repair.context_model import wrapped_break

# a window of characters either side of the candidate: enough for two words
_WINDOW = 60
_TOKEN = re.compile(r"[A-Za-z]+|\n|[^\sA-Za-z]")
_BOUNDARY = frozenset(".!?:;\n")
_UNKNOWN = -50.0  # log10: the reader gives an unknown word about -23,000
_CLIP = 8.0


class TrigramLM:
    """Log10 probabilities of the shipped model (whether a word is listed is cached)."""

    def __init__(self) -> None:
        try:
            import pocketsphinx
        except ImportError as exc:  # pragma: no cover - the extra installs it
            raise ImportError(
                "restore_deleted_chars's contextual model needs pocketsphinx (its English "
                "language model): pip install 'thresher[repair]'"
            ) from exc
        pocketsphinx.set_loglevel("FATAL")
        path = f"{pocketsphinx.get_model_path()}/en-us/en-us.lm.bin"
        self._model: Any = pocketsphinx.NGramModel(pocketsphinx.Config(), pocketsphinx.LogMath(), path)
        self._scale = math.log10(1.0001)  # the reader's log base
        self._known: dict[str, bool] = {}  # bounded: 200,000 words

    def logprob(self, word: str, *history: str) -> float:
        """log10 P(word | history), the nearest word of the history first."""
        return float(self._model.prob([word, *history])) * self._scale

    def known(self, word: str) -> bool:
        hit = self._known.get(word)
        if hit is None:
            hit = self.logprob(word) > _UNKNOWN
            if len(self._known) < 200_000:
                self._known[word] = hit
        return hit

    def contrast(
        self, bare: str, apostrophe: str, before: list[str], after: list[str]
    ) -> tuple[float, float] | None:
        """How much likelier the reading with the apostrophe is: the difference of the
        log10 probability of the word given ``before`` (nearest first), and of the
        words ``after`` it given the word; None when either reading is not in the model."""
        if not (self.known(bare) and self.known(apostrophe)):
            return None
        with_apostrophe = self._window(apostrophe, before, after)
        without = self._window(bare, before, after)
        return with_apostrophe[0] - without[0], with_apostrophe[1] - without[1]

    def _window(self, word: str, before: list[str], after: list[str]) -> tuple[float, float]:
        here = self.logprob(word, *before[:2])
        following = 0.0
        h1, h2 = word, before[0] if before else ""
        for w in after:
            if w == "<unk>":
                break
            following += self.logprob(w, h1, h2) if h2 else self.logprob(w, h1)
            h1, h2 = w, h1
        return here, following


@lru_cache(maxsize=1)
def load_lm() -> TrigramLM:
    """The model, loaded once per process (0.2 s)."""
    return TrigramLM()


def words_before(lm: TrigramLM, text: str, start: int) -> list[str]:
    """The two words before ``text[start]``, nearest first, lower-cased (``<unk>`` for a
    word the model does not list), ending at ``<s>`` at a sentence or line boundary (not
    at a line break that wraps a sentence, :func:`context_model.wrapped_break`);
    other punctuation is skipped, a digit ends the context."""
    return _words(lm, reversed(_tokens(text, max(0, start - _WINDOW), start)), "<s>")


def words_after(lm: TrigramLM, text: str, end: int) -> list[str]:
    """The two words after ``text[end - 1]``, as :func:`words_before` reads them, ending at
    ``</s>``."""
    return _words(lm, iter(_tokens(text, end, end + _WINDOW)), "</s>")


def _tokens(text: str, lo: int, hi: int) -> list[str]:
    """The tokens of ``text[lo:hi]``; a line break that wraps a sentence is none."""
    tokens: list[str] = _TOKEN.findall(text, lo, hi)
    if "\n" not in tokens:
        return tokens  # most windows: no line break to look at
    return [
        m.group()
        for m in _TOKEN.finditer(text, lo, hi)
        if m.group() != "\n" or not wrapped_break(text, m.start())
    ]


def _words(lm: TrigramLM, tokens: Iterator[str], boundary: str) -> list[str]:
    out: list[str] = []
    for tok in tokens:
        if tok.isalpha():
            w = tok.lower()
            out.append(w if lm.known(w) else "<unk>")
            if len(out) == 2:
                break
        elif tok in _BOUNDARY:
            out.append(boundary)
            break
        elif tok.isdigit():
            break
    return out


def _level(x: float) -> str:
    for bound in (-4.0, -2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 4.0):
        if x < bound:
            return str(bound)
    return "inf"


def lm_features(group: str, contrast: tuple[float, float] | None) -> list[tuple[str, float]]:
    """The features of :meth:`TrigramLM.contrast` for a candidate of ``group`` (``S``
    for a possessive, else its kind): the two differences and their sum, clipped to
    +-8 and scaled by 1/4, and the sum's level; ``lmo`` when a reading is unknown."""
    if contrast is None:
        return [(f"lmo|{group}", 1.0)]
    here = max(-_CLIP, min(_CLIP, contrast[0]))
    following = max(-_CLIP, min(_CLIP, contrast[1]))
    total = max(-_CLIP, min(_CLIP, contrast[0] + contrast[1]))
    return [
        (f"lm|{group}", total / 4),
        (f"lml|{group}", here / 4),
        (f"lmr|{group}", following / 4),
        (f"lmb|{group}|{_level(total)}", 1.0),
    ]
