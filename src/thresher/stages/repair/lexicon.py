"""The English frequency lexicon that deleted-character repair reasons with.

Word frequencies come from wordfreq (its data ships inside the wheel, so nothing is
fetched at run time). They are kept as Zipf values (log10 of occurrences per billion
words, the scale wordfreq itself reports): 0 means "not in the list", 3 is a word seen
about once per million words, 6 a function word.

Besides the plain lookup, the lexicon holds an *accent index*: every listed word that
contains non-ASCII letters ("café", "résumé", "étienne"), keyed by what is left of it
once those letters are deleted ("caf", "rsum", "tienne"). That is the inverse of the
damage we repair, so a damaged word finds its candidates in one dictionary lookup.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache


@dataclass(slots=True)
class Lexicon:
    """Zipf frequencies of one language's words, and the accent index built from them."""

    zipf_of: dict[str, float]
    accents: dict[str, list[tuple[str, float]]] = field(default_factory=dict)

    def zipf(self, word: str) -> float:
        """Zipf frequency of ``word`` (lower-cased by the caller); 0.0 when unlisted."""
        return self.zipf_of.get(word, 0.0)


def _strip_non_ascii(word: str) -> str:
    return "".join(c for c in word if c.isascii())


@lru_cache(maxsize=4)
def load_lexicon(lang: str = "en") -> Lexicon:
    """Load (once per process) the wordfreq list of ``lang`` as a :class:`Lexicon`.

    Raises a clear ImportError naming the extra when wordfreq is missing.
    """
    try:
        import wordfreq
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("restore_deleted_chars needs wordfreq: pip install 'thresher[repair]'") from exc
    freqs: dict[str, float] = wordfreq.get_frequency_dict(lang, wordlist="best")
    zipf_of = {w: round(math.log10(f) + 9.0, 3) for w, f in freqs.items() if f > 0}
    accents: dict[str, list[tuple[str, float]]] = {}
    for word, z in zipf_of.items():
        if word.isascii():
            continue
        deleted = [c for c in word if not c.isascii()]
        # only words whose non-ASCII characters are letters (accents), not symbols
        if not all(c.isalpha() for c in deleted):
            continue
        key = _strip_non_ascii(word)
        if len(key) < 2 or not key.isalpha():
            continue
        accents.setdefault(key, []).append((word, z))
    for cands in accents.values():
        cands.sort(key=lambda wz: (-wz[1], wz[0]))
    return Lexicon(zipf_of=zipf_of, accents=accents)
