"""``gopher_repetition``: drop documents that repeat themselves (Gopher, Rae et al. 2021).

The rules and thresholds are Table A1 of the Gopher paper
(https://arxiv.org/abs/2112.11446), with the splitting, ordering and defaults of
datatrove 0.10.1's ``GopherRepetitionFilter`` so that decisions match FineWeb's:

- paragraphs are ``text.strip()`` split on two or more newlines; lines are the text
  split on one or more newlines (not stripped, so a trailing newline makes an empty
  line);
- a duplicate paragraph/line is one equal to an earlier one; its characters count
  towards the character fractions, which are taken over ``len(text)``;
- the top n-gram share is (length of the most frequent n-gram joined with spaces) x
  (its count) / ``len(text)``; ties go to the n-gram seen first;
- the duplicate n-gram share walks the words left to right: an n-gram already seen
  adds its characters (words joined without spaces) and skips n words, an unseen one
  is remembered and the walk advances one word;
- rules run in that order and the first that fires names the drop, with datatrove's
  reason names (``dup_para_frac``, ``dup_para_char_frac``, ``dup_line_frac``,
  ``dup_line_char_frac``, ``top_{n}_gram``, ``duplicated_{n}_n_grams``, ``empty``).

Speed: words come from the shared split (:mod:`._words`) and n-grams are compared as
64-bit hashes instead of joined strings: with the compiled accelerator, one hash-table
pass per n over a profile of word lengths and hashes (:class:`CNGramIndex`; the
duplicate n-grams of all n in one call), and repeated paragraphs and lines counted over
spans of the text without a string per piece (``_fastwords.dup_pieces``); without it,
one sort per n in numpy (:class:`NGramIndex`) and Python sets, with the same results. Known difference:
datatrove compares duplicate 5..10-grams as words joined *without* a separator, so
``["ab", "c"]`` equals ``["a", "bc"]`` there and not here (measured in
``benchmarks/filters.py``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from types import ModuleType
from typing import ClassVar

import numpy as np
import regex
from pydantic import Field

from thresher.document import Document
from thresher.step import KEEP, Decision, Filter, Params

from . import _words
from ._words import analyse

REASON_ALIASES: dict[str, str] = {}  # every reason is datatrove's own name

# the regex module splits on this pattern several times faster than re (measured on the
# shared web corpus); the pieces are the same
_PARAGRAPHS = regex.compile(r"\n{2,}")


class GopherRepetitionParams(Params):
    """datatrove 0.10.1's parameters and defaults (Gopher Table A1); ``None`` disables a rule."""

    dup_line_frac: float | None = Field(0.3, ge=0, le=1)
    dup_para_frac: float | None = Field(0.3, ge=0, le=1)
    dup_line_char_frac: float | None = Field(0.2, ge=0, le=1)
    dup_para_char_frac: float | None = Field(0.2, ge=0, le=1)
    top_n_grams: tuple[tuple[int, float], ...] = ((2, 0.2), (3, 0.18), (4, 0.16))
    dup_n_grams: tuple[tuple[int, float], ...] = (
        (5, 0.15), (6, 0.14), (7, 0.13), (8, 0.12), (9, 0.11), (10, 0.10),
    )
    language: str = "eng"  # datatrove's word-tokeniser language; English rules are used


def split_paragraphs(text: str) -> list[str]:
    """``re.split(r"\n{2,}", text.strip())``, with the faster ``str.split`` where equal."""
    s = text.strip()
    if "\n\n\n" in s:
        return _PARAGRAPHS.split(s)
    return s.split("\n\n")


def split_lines(text: str) -> list[str]:
    """``re.split(r"\n+", text)``: empty pieces survive only at the two ends."""
    parts = text.split("\n")
    if len(parts) < 3:
        return parts
    return [parts[0], *filter(None, parts[1:-1]), parts[-1]]


def find_duplicates(items: list[str]) -> tuple[int, int]:
    """(number of items equal to an earlier one, their total characters).

    Each distinct item is counted once as "first", so the duplicates are what the set of
    distinct items leaves over: counts and characters come from C-level set and sum calls.
    """
    distinct = set(items)
    n_dup = len(items) - len(distinct)
    if not n_dup:
        return 0, 0
    return n_dup, sum(map(len, items)) - sum(map(len, distinct))


_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit multiplier (the golden-ratio constant)


def _dup_pieces(text: str, paragraphs: bool) -> tuple[int, int, int]:
    """(pieces, duplicated pieces, their characters) of ``text`` cut into paragraphs or
    lines; the compiled word module counts them without a string per piece."""
    fast = _words._fast
    if fast is not None:
        counts: tuple[int, int, int] = fast.dup_pieces(text, paragraphs, 2 if paragraphs else 1)
        return counts
    pieces = split_paragraphs(text) if paragraphs else split_lines(text)
    n_dup, dup_chars = find_duplicates(pieces)
    return len(pieces), n_dup, dup_chars


class NGramIndex:
    """64-bit hashes of the n-grams of one word list, built incrementally in n.

    A word's hash is Python's string hash (already cached on the string objects the
    split shares); an n-gram's is ``h(n-1 words) * M + h(last word)`` modulo 2**64.
    Two different n-grams of one document collide with probability about 2**-60:
    negligible against the corpus sizes this runs on, and far cheaper than joining
    strings as datatrove does.
    """

    def __init__(self, words: Sequence[str]) -> None:
        n = len(words)
        self.n_words = n
        self._h: dict[int, np.ndarray] = {
            1: np.fromiter(map(hash, words), dtype=np.int64, count=n).view(np.uint64)
        }
        self.cum = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, words), dtype=np.int64, count=n), out=self.cum[1:])

    def max_chars(self, n: int) -> int:
        """Length of the longest n-gram joined with spaces."""
        if n > self.n_words:
            return 0
        return int((self.cum[n:] - self.cum[:-n]).max()) + n - 1

    def hashes(self, n: int) -> np.ndarray:
        """Hash of the n-gram starting at each position (length ``n_words - n + 1``)."""
        have = max(k for k in self._h if k <= n)
        cur = self._h[have]
        h1 = self._h[1]
        for k in range(have + 1, n + 1):
            m = self.n_words - k + 1
            cur = cur[:m] * _MIX + h1[k - 1 :] if m > 0 else np.empty(0, dtype=np.uint64)
            self._h[k] = cur
        return cur

    def groups(self, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per distinct n-gram: its count and its first position; and positions sorted by n-gram.

        An unstable sort plus a minimum per group is cheaper than a stable sort.
        """
        h = self.hashes(n)
        m = len(h)
        if m == 0:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty, empty
        order = np.argsort(h)
        s = h[order]
        new = np.empty(m, dtype=bool)
        new[0] = True
        np.not_equal(s[1:], s[:-1], out=new[1:])
        starts = np.flatnonzero(new)
        counts = np.diff(starts, append=m)
        firsts = np.minimum.reduceat(order, starts)
        return counts, firsts, order


    def top(self, n: int) -> tuple[int, int]:
        """See :func:`top_ngram`."""
        return _top_ngram_np(self, n)

    def dup(self, n: int) -> tuple[int, bool]:
        """See :func:`duplicate_ngram_chars`."""
        return _duplicate_ngram_chars_np(self, n)

    def dup_many(self, ns: Sequence[int]) -> Iterator[tuple[int, bool]]:
        """:meth:`dup` for each n in order, until one finds no repeat; then (0, False)."""
        repeats = True
        for n in ns:
            result = self.dup(n) if repeats else (0, False)
            repeats = result[1]
            yield result


class CNGramIndex:
    """The same statistics as :class:`NGramIndex`, from the compiled accelerator.

    Same hashes, same walk, same results; each call is one C pass over a profile of the
    words (their lengths and hashes in one array) made when the index is built.
    """

    def __init__(self, words: Sequence[str], accelerator: ModuleType, profile: bytes | None = None) -> None:
        self.n_words = len(words)
        self._c = accelerator
        # word lengths and hashes in one array, made once (by the word split, if given)
        self._profile = accelerator.ngram_profile(words) if profile is None else profile

    def max_chars(self, n: int) -> int:
        """Length of the longest n-gram joined with spaces."""
        return int(self._c.ngram_max_chars(self._profile, n))

    def top(self, n: int) -> tuple[int, int]:
        """See :func:`top_ngram`."""
        chars, count = self._c.ngram_top(self._profile, n)
        return int(chars), int(count)

    def dup(self, n: int) -> tuple[int, bool]:
        """See :func:`duplicate_ngram_chars`."""
        chars, repeats = self._c.ngram_dup(self._profile, n)
        return int(chars), bool(repeats)

    def dup_many(self, ns: Sequence[int]) -> Iterator[tuple[int, bool]]:
        """:meth:`dup` for each n in order, until one finds no repeat; then (0, False).

        One C call: each n's hashes extend the previous n's, and one table serves all.
        """
        return iter(self._c.ngram_dup_many(self._profile, ns))


def ngram_index(words: Sequence[str], profile: bytes | None = None) -> NGramIndex | CNGramIndex:
    """The n-gram statistics of ``words``: compiled when the accelerator is built."""
    fast = _words._fast
    return CNGramIndex(words, fast, profile) if fast is not None else NGramIndex(words)


def top_ngram(index: NGramIndex | CNGramIndex, n: int) -> tuple[int, int]:
    """(characters of the most frequent n-gram joined with spaces times its count, its count)."""
    return index.top(n)


def _top_ngram_np(index: NGramIndex, n: int) -> tuple[int, int]:
    counts, firsts, _ = index.groups(n)
    if len(counts) == 0:
        return 0, 0
    top = int(counts.max())
    # ties: the n-gram seen first wins, as with Counter.most_common
    i = int(firsts[counts == top].min())
    return int(index.cum[i + n] - index.cum[i] + (n - 1)) * top, top


def top_ngram_chars(index: NGramIndex | CNGramIndex, n: int) -> int:
    """Characters of the most frequent n-gram (joined with spaces) times its count."""
    return top_ngram(index, n)[0]


def duplicate_ngram_chars(index: NGramIndex | CNGramIndex, n: int) -> tuple[int, bool]:
    """Characters in n-grams that repeat an earlier one, walking as datatrove does.

    Also says whether any n-gram occurs twice at all (if none does, no longer one can).
    """
    return index.dup(n)


def _duplicate_ngram_chars_np(index: NGramIndex, n: int) -> tuple[int, bool]:
    """The walk of :func:`duplicate_ngram_chars` on the numpy index.

    datatrove walks every position: an n-gram already seen adds its characters and
    skips n positions (the skipped n-grams are not remembered), an unseen one is
    remembered. Here only the positions whose n-gram occurred earlier are visited;
    a first occurrence counts as remembered unless a skip jumped over it. Also says
    whether any n-gram occurs twice at all (if none does, no longer one can).
    """
    counts, firsts, _ = index.groups(n)
    m = index.n_words - n + 1
    if m <= 0 or len(counts) == m:
        return 0, False
    is_first = np.zeros(m, dtype=bool)
    is_first[firsts] = True
    h = index.hashes(n).tolist()
    first = is_first.tolist()
    cum = index.cum
    skipped_first: set[int] = set()  # n-grams whose first occurrence was jumped over
    late: set[int] = set()  # ... and that were remembered later
    total = 0
    next_free = 0
    for j in np.flatnonzero(~is_first).tolist():
        if j < next_free:
            continue
        x = h[j]
        if x not in skipped_first or x in late:
            total += int(cum[j + n] - cum[j])
            for q in range(j + 1, min(j + n, m)):
                if first[q]:
                    skipped_first.add(h[q])
            next_free = j + n
        else:
            late.add(x)
    return total, True


class GopherRepetition(Filter):
    """Drops documents whose paragraphs, lines or n-grams repeat (see module docstring)."""

    name = "gopher_repetition"
    Params: ClassVar[type[Params]] = GopherRepetitionParams
    params: GopherRepetitionParams

    def decide(self, doc: Document) -> Decision:
        p = self.params
        text = doc.text
        if not text:
            return Decision.drop("empty")
        n_chars = len(text)

        n_paragraphs, n_dup, dup_chars = _dup_pieces(text, paragraphs=True)
        self.signal(doc, "dup_para_frac", n_dup / n_paragraphs)
        if p.dup_para_frac and n_dup / n_paragraphs > p.dup_para_frac:
            return Decision.drop("dup_para_frac")
        self.signal(doc, "dup_para_char_frac", dup_chars / n_chars)
        if p.dup_para_char_frac and dup_chars / n_chars > p.dup_para_char_frac:
            return Decision.drop("dup_para_char_frac")

        n_lines, n_dup, dup_chars = _dup_pieces(text, paragraphs=False)
        self.signal(doc, "dup_line_frac", n_dup / n_lines)
        if p.dup_line_frac and n_dup / n_lines > p.dup_line_frac:
            return Decision.drop("dup_line_frac")
        self.signal(doc, "dup_line_char_frac", dup_chars / n_chars)
        if p.dup_line_char_frac and dup_chars / n_chars > p.dup_line_char_frac:
            return Decision.drop("dup_line_char_frac")

        analysis = analyse(text)
        words = analysis.words
        index = ngram_index(words, analysis.ngram_profile)
        # Upper bounds spare most sorts: an n-gram occurs at most as often as the most
        # frequent shorter n-gram that starts it, and is at most as long as the longest
        # n-gram window. Exact counts are computed only where the bound could fire.
        # The bounds hold only from shorter to longer n-grams, so they are taken from
        # the counts of the n already measured that are no larger than the current one:
        # a configuration may list its n in any order.
        top_counts: dict[int, int] = {}  # n -> count of the most frequent n-gram

        def bound(n: int) -> int | None:
            shorter = [count for m, count in top_counts.items() if m <= n]
            return min(shorter) if shorter else None

        for n, frac in p.top_n_grams:
            if len(words) < n:
                continue
            max_count = bound(n)
            if max_count is not None and max_count * index.max_chars(n) <= frac * n_chars:
                continue  # cannot exceed the threshold: share not computed (no signal)
            chars, count = top_ngram(index, n)
            top_counts[n] = count
            share = chars / n_chars
            self.signal(doc, f"top_{n}_gram", share)
            if share > frac:
                return Decision.drop(f"top_{n}_gram")

        dup_ns = sorted({n for n, _ in p.dup_n_grams})
        # no n-gram repeats, so no longer one does either
        no_repeat = bool(dup_ns) and bound(dup_ns[0]) == 1
        # dup_many stops at the first n without a repeat, which is valid in increasing n
        shares = (
            dict.fromkeys(dup_ns, 0.0)
            if no_repeat
            else {n: dup / n_chars for n, (dup, _) in zip(dup_ns, index.dup_many(dup_ns))}
        )
        for n, frac in p.dup_n_grams:
            share = shares[n]
            self.signal(doc, f"duplicated_{n}_n_grams", share)
            if share > frac:
                return Decision.drop(f"duplicated_{n}_n_grams")
        return KEEP
