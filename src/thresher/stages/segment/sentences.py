"""Rule-based sentence and line segmentation with character offsets.

Why our own rules and not a compiled model: the cleaning stage needs offsets into the
exact text it edits, must segment a 50 MB single line without a hang, and must run at
well over 10 MB/s per core. One regular-expression pass finds every candidate boundary
(terminal punctuation, optional closing quotes or brackets, then horizontal space); a
few Python checks per candidate decide it; a compiled twin of the same rules (in the
mash-up filter's accelerator) runs them when it is built. Measured by
``benchmarks/cleaning.py`` on the main text of all 6,955 pages of
../shared/data/corpus/web-text.jsonl.gz, CPU time on one core of the (shared, loaded)
development machine: 43 MB/s by the Python rules, 246 MB/s by the compiled twin. The
compiled alternative, blingfire 0.1.8 (``text_to_sentences_and_offsets``), measured in
the same run: 6.6 MB/s, and it misses 4 of the first 24
golden cases (no split after "Dr." is fine, but it never splits at line breaks, before
a digit or before a lower-case fragment). The benchmark times it too when installed.

Decisions, in order:

- A line break always ends a sentence (ordinary pages put blocks on separate lines;
  hard-wrapped prose is rare in extracted web text and then only costs a split).
- ``!``, ``?``, ``…`` and ``.`` end a sentence when the next word starts upper case, a
  digit, or an opening quote/bracket; CJK full stops end one with no space after.
- A period after a known abbreviation (``St.``, ``Dr.``, ``e.g.``, see
  ``abbreviations.txt``), after a single letter (initials: ``J. R. R. Tolkien``) or
  after a token with an inner period (``U.S.``) does not, except for abbreviations
  marked ``final`` (``etc.``, ``Inc.``) before an upper-case word.
- A period after an ordinal number does not end a sentence before a word that follows
  ordinals (``after_ordinals.txt``: German and Luxembourgish months and their
  abbreviations, nouns such as ``Jahrhundert``, ``Mal``, ``Platz``): "am 3. Juli 2021",
  "im 19. Jahrhundert", "zum 3. Mal". German writes ordinals as digits and a period and
  capitalises nouns, so the capital says nothing there. Only a single period (no
  closing quote) after a token of one to three ASCII digits counts, and the word is the
  run of letters after the space, compared lower-cased, read no further than the line.
  English numbered headings ("1. Introduction", "Chapter 2. Methods") and "It cost 3.
  Then..." still split: their next word is not listed. The price: a sentence ending in
  a bare number before a listed word that is also English ("... was 3. April came") and
  list numbers before English dates ("27. Jun, 2012 / Ann says:") stay whole.
- A period before a lower-case word ends a sentence only after an ordinary word of
  three or more letters: flat text stitched from fragments ("...seems rational. land,
  factories...") has such sentences, while "approx. the" and "p. 79" stay whole.
- Decimals, URLs and e-mail addresses contain no space after their periods, so they
  never produce a candidate.
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from importlib import resources
from types import ModuleType
from typing import Literal, NamedTuple

from thresher import accelerators

SpanKind = Literal["sentence", "line"]


class Span(NamedTuple):
    """A segment of a text: ``text[start:end]``, trimmed of surrounding whitespace."""

    start: int
    end: int
    kind: SpanKind

    def of(self, text: str) -> str:
        """The segment's text."""
        return text[self.start : self.end]


# Building the named tuple through tuple.__new__ skips a Python-level constructor
# call per span: measurable when a page has tens of thousands of lines.
_tuple_new = tuple.__new__

# A candidate boundary: terminal punctuation, closing quotes/brackets, horizontal space.
# Possessive-free, bounded quantifiers keep it linear on pathological input. The
# pattern opens with one character class that names every character a candidate can
# start with: the regex engine then skips in C to the next such character instead of
# trying the pattern at every position (measured on the corpus's main text: the scan
# for candidates took 0.62 s of CPU when the pattern opened with a lookahead, ~0.1 s
# this way). The lookbehind after the first character picks the branch the first
# character belongs to: Latin-script stops need space after them, CJK ones do not.
_LATIN_STOPS = ".!?\u2026\u061f\u06d4\u0964"
_CJK_STOP_CHARS = "\u3002\uff01\uff1f"
_CANDIDATE = re.compile(
    rf"[{_LATIN_STOPS}{_CJK_STOP_CHARS}]"
    rf"(?:(?<=[{_LATIN_STOPS}])[{_LATIN_STOPS}]{{0,9}}[\"'\u201d\u2019\u00bb)\]]{{0,4}}[ \t\u00a0\u3000]+"
    rf"|(?<=[{_CJK_STOP_CHARS}])[{_CJK_STOP_CHARS}]*[\"'\u201d\u2019\u300d\u300f)\]]{{0,4}}[ \t\u00a0\u3000]*)"
)
_CJK_STOPS = frozenset("\u3002\uff01\uff1f")
_OPENERS = frozenset("\"'\u201c\u2018\u00ab([\u300c\u300e\u00bf\u00a1")
_TRAILING = "\"'\u201d\u2019\u00bb)]"
# a line's text from its first to its last non-space character
_LINE = re.compile(r"[^\s\u2028\u2029](?:[^\r\n\u2028\u2029]*[^\s\u2028\u2029])?")


@lru_cache(maxsize=1)
def _abbreviations() -> tuple[frozenset[str], frozenset[str]]:
    """(never final, may be final) abbreviations, lower case, without the last period."""
    never: set[str] = set()
    final: set[str] = set()
    text = resources.files("thresher.stages.segment").joinpath("abbreviations.txt").read_text("utf-8")
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        word, _, flag = line.partition(" ")
        (final if flag.strip() == "final" else never).add(word)
    return frozenset(never), frozenset(final)


@lru_cache(maxsize=1)
def _ordinal_followers() -> frozenset[str]:
    """Words that follow an ordinal number ("3. Juli", "19. Jahrhundert"), lower case.

    The compiled twin is handed them by :func:`_compiled`; a caller of its
    ``configure_sentences`` that passes only the abbreviations (the mash-up filter) gets
    them from here too.
    """
    text = resources.files("thresher.stages.segment").joinpath("after_ordinals.txt").read_text("utf-8")
    return frozenset(w for w in (raw.strip() for raw in text.splitlines()) if w and not w.startswith("#"))


@lru_cache(maxsize=1)
def _ordinal_longest() -> int:
    return max(map(len, _ordinal_followers()), default=0)


def segment_lines(text: str) -> list[Span]:
    """Non-blank lines, each trimmed of leading and trailing whitespace."""
    new = _tuple_new
    return [new(Span, (m.start(), m.end(), "line")) for m in _LINE.finditer(text)]


def line_bounds(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of the lines :func:`segment_lines` returns, as plain pairs.

    For callers that visit every line of every page and keep few of them (the
    furniture cleaner): building a :class:`Span` per line cost about 40% of
    ``segment_lines`` on the corpus's main text.
    """
    return [m.span() for m in _LINE.finditer(text)]


def segment_sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentences of ``text[start:end]`` with offsets into ``text``, trimmed.

    See the module docstring for the rules. ``start``/``end`` let a caller segment only
    the lines it needs (the cleaner skips content lines that no rule could match).
    Runs the compiled twin of these rules when it is built (see :func:`_load_compiled`),
    else :func:`segment_sentences_python`; both give the same spans.
    """
    compiled = _compiled()
    if compiled is not None:
        return compiled.sentences(text, start, len(text) if end is None else end, sys.maxsize)
    return segment_sentences_python(text, start, end)


@lru_cache(maxsize=1)
def _compiled() -> ModuleType | None:
    """The compiled twin of :func:`segment_sentences_python`, or None.

    It lives in the mash-up filter's accelerator (``thresher.stages.filter._mashfeat``,
    whose ``sentences`` reads the same rules character by character: 2.3x faster on the
    corpus's main text, same spans on all 6,955 pages). ``THRESHER_PURE_PYTHON=1``, or
    a build without a C compiler, leaves the Python rules in charge; the tests compare
    the two (tests/stages/segment/test_compiled_twin.py, tests/stages/filter/test_mashfeat.py).
    Loaded on first use, so that importing this module imports no other stage.
    """
    module = accelerators.load("thresher.stages.filter._mashfeat")
    if module is None:
        return None
    module.configure_sentences(Span, *_abbreviations(), _ordinal_followers())
    return module


def segment_sentences_python(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """:func:`segment_sentences` by the Python rules (the reference for the compiled twin)."""
    never, final = _abbreviations()
    spans: list[Span] = []
    append = spans.append
    stop = len(text) if end is None else end
    # one scan for the candidates of the whole range: they never cross a line break
    # (no line-break character in the pattern), so each belongs to the line it starts in
    cands = _CANDIDATE.finditer(text, start, stop)
    m = next(cands, None)
    for line in _LINE.finditer(text, start, stop):
        first, end_of_line = line.span()
        s = first
        while m is not None and m.start() < end_of_line:
            cut = m.end()
            # a candidate that reaches the end of the line ends the line, not a sentence
            if cut < end_of_line:
                group = m.group()
                if _is_boundary(text, m.start(), group, cut, first, end_of_line, never, final):
                    append(_tuple_new(Span, (s, m.start() + len(group.rstrip()), "sentence")))
                    s = cut
            m = next(cands, None)
        append(_tuple_new(Span, (s, end_of_line, "sentence")))
    return spans


def _is_boundary(
    text: str,
    punct_start: int,
    match: str,
    nxt_pos: int,
    line_start: int,
    line_end: int,
    never: frozenset[str],
    final: frozenset[str],
) -> bool:
    if match[0] in _CJK_STOPS:
        return True
    nxt = text[nxt_pos]
    head = text[nxt_pos + 1] if nxt in _OPENERS and nxt_pos + 1 < len(text) else nxt
    # caseless scripts (CJK, Arabic, Hebrew) count as upper case: no case to go by
    upper_next = (head.isalpha() and not head.islower()) or head.isdigit()
    punct = match.rstrip().rstrip(_TRAILING)
    if "?" in punct or "!" in punct or "\u061f" in punct or "\u0964" in punct or "\u06d4" in punct:
        return upper_next
    # a period or an ellipsis: look at the word before it
    # the word before the punctuation; look back a bounded distance so a 50 MB line
    # without spaces stays linear
    lo = max(line_start, punct_start - 64)
    ws = max(text.rfind(" ", lo, punct_start), text.rfind("\t", lo, punct_start), lo - 1)
    token = text[ws + 1 : punct_start].lstrip("\"'\u201c\u2018([\u00ab")
    if punct.startswith(("..", "…")):
        return upper_next and bool(token)
    if not token:
        return upper_next
    low = token.lower()
    if low in never:
        return False
    if low in final:
        return nxt.isupper()
    if len(token) == 1 and token.isalpha():
        return False  # an initial
    if "." in token and not token[-1].isdigit():  # 2.72 is a number, not an abbreviation
        # U.S., e.g., Ph.D.: an abbreviation with inner periods; a URL or file name
        # before a full stop ends the sentence if a capital follows
        return nxt.isupper() and ("/" in token or len(token) > 6 and token.count(".") == 1)
    if upper_next:
        # an ordinal before a month or a noun: "am 3. Juli", "im 19. Jahrhundert"
        if len(token) <= 3 and token.isascii() and token.isdigit() and match.rstrip() == ".":
            j = nxt_pos
            lim = min(line_end, nxt_pos + _ordinal_longest() + 1)
            while j < lim and text[j].isalpha():
                j += 1
            return text[nxt_pos:j].lower() not in _ordinal_followers()
        return True
    return nxt.islower() and len(token) >= 3 and token.isalpha() and token.islower()
