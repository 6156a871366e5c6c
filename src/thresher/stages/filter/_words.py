"""Word splitting shared by the FineWeb filter set, computed once per text.

datatrove 0.10.1 (the reference for ``gopher_repetition``, ``gopher_quality``,
``c4_quality`` and ``fineweb_quality``) splits English text into words with a blank
spaCy English pipeline, and counts C4 sentences with spaCy's ``sentencizer``; each of
its filters tokenises the document again, which is where almost all of its time goes.
thresher needs neither spaCy nor datatrove at run time: this module reproduces the
behaviour of spaCy's English tokenizer on the cases that occur in web text, with the
same algorithm shape and rules written here from spaCy's documented behaviour:

1. split on whitespace (any ``str.isspace`` character; whitespace tokens are dropped,
   as datatrove's ``strip_strings`` drops them);
2. per chunk, repeatedly strip one prefix and one suffix (punctuation, quotes,
   brackets, currency signs, symbols, ``'s``, a trailing ``.`` after a lower-case
   letter, a digit, or two capitals, units after digits), stopping when the rest is a
   special case (contractions such as ``don't`` -> ``do`` ``n't``, abbreviations such as
   ``e.g.``, ``Mr.``, emoticons);
3. a rest that looks like a URL stays whole; otherwise it is split at infixes (``...``,
   hyphens between letters, ``,`` between letters, ``.`` between a lower-case and an
   upper-case letter, ``:<>=/`` before a letter, arithmetic signs between digits).

Chunk results are cached (web text is Zipfian: most chunks repeat), so a document
costs one ``str.split`` plus one dictionary look-up per chunk. The agreement with
spaCy is measured by ``benchmarks/filters.py``; the differences we accept are named
there and in :data:`TOKENISATION_DIFFERENCES`.

:func:`analyse` caches its result per text in a small LRU, so that the filters of a
chain (which the executor runs step after step over the same batch) split each text
once: the cache is keyed by the text itself, so a step that rewrites the text (C4)
naturally gets a fresh split.

The loop that costs per character and per word has a compiled twin,
``_fastwords`` (``_fastwords.c``, built at install where a C compiler exists, skipped
where not): whitespace chunking, the chunk shapes of :func:`_chunk_tokens`' fast paths
(split in place, without a chunk string or a chunk-cache look-up), the cache look-up
for the other chunks, the per-token flags and the per-document totals and sentence
count. It reads the rules' tables from this module and asks this module (the
``_cache_missed_chunk`` and ``_FLAGS`` callbacks) about any chunk or token it does not handle,
so the rules live in one place. Both paths give the same results
(``tests/stages/filter/test_fastwords.py``); ``THRESHER_PURE_PYTHON=1`` forces the
Python one.
"""

from __future__ import annotations

import string
import sys
import unicodedata
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import chain, compress
from types import ModuleType

import regex

from thresher import accelerators

TOKENISATION_DIFFERENCES: tuple[str, ...] = (
    (
        "spaCy's exception table is reproduced by rule (contractions, abbreviations with a period, "
        "common emoticons), not entry by entry: rare entries (some emoticons, 'y'all', 'c'mon') differ"
    ),
    "spaCy's special-case matcher is reproduced only for whole-word specials within one chunk",
    "spaCy's URL pattern is approximated (labels + lower-case top-level domain + optional path)",
    (
        "character classes use Unicode properties (\\p{Ll}, \\p{Lo}, \\p{Lu}, \\p{L}, \\p{So}) where "
        "spaCy lists ranges by hand; they differ on a few rare scripts"
    ),
    (
        "the sentence-final characters are Unicode's Sentence_Terminal property; spaCy's sentencizer "
        "and datatrove's TERMINAL_PUNCTUATION list older subsets of it"
    ),
    (
        "duplicate 5..10-grams are compared word by word; datatrove joins the words without a "
        "separator, so ['ab', 'c'] equals ['a', 'bc'] there"
    ),
)

# ---- character sets -------------------------------------------------------------------

# datatrove's PUNCTUATION_SET: ASCII punctuation, the C0/C1 control characters other than
# tab and newline, a handful of CJK / full-width / typographic marks, and the terminal
# punctuation. A "symbol word" (excluded from Gopher's word counts) is made only of these.
_EXTRA_PUNCT = "—”％１〈、━【「」，】；“《„’∶´．（–？！：～«〉》）。…►»"
_CONTROLS = "".join(
    chr(x) for a, b in ((0, 9), (11, 13), (13, 32), (127, 160)) for x in range(a, b)
)


@cache
def terminal_punctuation() -> frozenset[str]:
    """Unicode's Sentence_Terminal characters (the set FineWeb and the sentencizer use).

    Computed on first use (one regex pass over the code space, ~0.1 s), not at import.
    """
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    return frozenset(regex.findall(r"\p{Sentence_Terminal}", every)) | frozenset("៖៙៚")  # Khmer signs datatrove also lists


@cache
def punctuation_set() -> frozenset[str]:
    """Characters that make a token a "symbol word" for Gopher's rules."""
    return frozenset(string.punctuation + _EXTRA_PUNCT + _CONTROLS) | terminal_punctuation()


# ---- the tokenizer's rules -------------------------------------------------------------

_PUNCT = r",:;!?¿؟¡()\[\]{}<>_#*&。？！，、；：～·।،۔؛٪"
_QUOTES = r"'\"”“`‘´’‚,„»«「」『』（）〔〕【】《》〈〉⟦⟧"
_CURRENCY = r"\$|£|€|¥|฿|US\$|C\$|A\$|₽|﷼|[₠-₿]"
_UNITS = (
    "km|km²|km³|m|m²|m³|dm|dm²|dm³|cm|cm²|cm³|mm|mm²|mm³|ha|µm|nm|yd|in|ft|kg|g|mg|µg|t|lb|oz|"
    "m/s|km/h|kmh|mph|hPa|Pa|mbar|mb|MB|kb|KB|gb|GB|tb|TB|T|G|M|K|%"
)
# Letters and digits after which a final "." is a suffix of its own (the rest of the
# suffix rule's look-behind is punctuation); the fast paths test one character against it.
_PERIOD_AFTER_CLASS = r"0-9²\p{Ll}\p{Lo}"
# spaCy's "icons": other symbols (emoji, arrows, box drawing), one token each.
_ICON = r"[\p{So}--[\u00A6\u00A9\u00AE\u00B0]]|[\u00A6\u00A9\u00AE\u00B0]"

_PREFIX = regex.compile(
    rf"(?V1)^(?:[§%=—–…{_PUNCT}{_QUOTES}]|\+(?![0-9])|……|\.\.+|US\$|C\$|A\$|{_CURRENCY}|{_ICON})"
)
# Leftmost match wins (as with spaCy's search over its alternation).
_SUFFIX = regex.compile(
    rf"(?V1)(?:……|…|\.\.+|[{_PUNCT}{_QUOTES}]|{_ICON}|'s|'S|’s|’S|—|–"
    rf"|(?<=[0-9])\+|(?<=°[FfCcKk])\."
    rf"|(?<=[0-9])(?:{_CURRENCY})|(?<=[0-9])(?:{_UNITS})"
    rf"|(?<=[{_PERIOD_AFTER_CLASS}%\-+…{_PUNCT}{_QUOTES}])\.|(?<=\p{{Lu}}\p{{Lu}})\.)$"
)
_INFIX = regex.compile(
    rf"(?V1)\.\.+|…|{_ICON}"
    r"|(?<=[0-9])[+\-*^](?=[0-9-])"
    rf"|(?<=[\p{{Ll}}\p{{Lo}}{_QUOTES}])\.(?=[\p{{Lu}}{_QUOTES}])"
    r"|(?<=\p{L}),(?=\p{L})"
    r"|(?<=[\p{L}0-9])(?:-|–|—|--|---|——|~)(?=\p{L})"
    r"|(?<=[\p{L}0-9])[:<>=/](?=\p{L})"
)
_URL = regex.compile(
    r"^(?:[\w+\-.]{2,}://)?(?:\S+(?::\S*)?@)?"
    r"(?:(?:[A-Za-z0-9\u00a1-\uffff][A-Za-z0-9\u00a1-\uffff_-]{0,62})?[A-Za-z0-9\u00a1-\uffff]\.)+"
    r"[\p{Ll}\u00a1-\uffff]{2,63}\.?(?::\d{2,5})?(?:[/?#]\S*)?$"
)


def _special_cases() -> dict[str, tuple[str, ...]]:
    """Chunks that are split (or kept whole) by table rather than by rule.

    Written for thresher from the behaviour of spaCy's English exceptions: contractions
    split into the word and the clitic, with straight and curly apostrophes, in lower
    and title case, and without the apostrophe where the result is not an English word.
    """
    out: dict[str, tuple[str, ...]] = {}

    def add(parts: tuple[str, ...], no_apostrophe: bool = True) -> None:
        for apo in ("'", "’"):
            ps = tuple(p.replace("'", apo) for p in parts)
            for variant in (ps, (ps[0][:1].upper() + ps[0][1:],) + ps[1:]):
                out["".join(variant)] = variant
        if no_apostrophe:
            bare = tuple(p.replace("'", "") for p in parts)
            for variant in (bare, (bare[0][:1].upper() + bare[0][1:],) + bare[1:]):
                out["".join(variant)] = variant

    # pronouns and question words with their clitics
    clitics = {
        "i": ("'m", "'d", "'ll", "'ve", "'dve", "'llve"),
        "you": ("'d", "'ll", "'re", "'ve", "'dve", "'llve"),
        "we": ("'d", "'ll", "'re", "'ve", "'dve", "'llve"),
        "they": ("'d", "'ll", "'re", "'ve", "'dve", "'llve"),
        "he": ("'d", "'ll", "'s", "'dve", "'llve"),
        "she": ("'d", "'ll", "'s", "'dve", "'llve"),
        "it": ("'d", "'ll", "'s", "'dve", "'llve"),
    }
    for w in ("how", "what", "when", "where", "who", "why", "that", "there", "these", "those", "this"):
        clitics[w] = ("'d", "'ll", "'re", "'s", "'ve", "'dve", "'llve")
    # forms that are English words without the apostrophe keep only the apostrophe form
    words_without = {"ill", "well", "hell", "shell", "were", "its", "shed", "whore", "wholl", "id", "theses"}
    for base, cls in clitics.items():
        for c in cls:
            if c.endswith("ve") and len(c) > 3:  # "'dve" -> word, "'d", "'ve"
                parts: tuple[str, ...] = (base, c[:-2], "'ve")
            else:
                parts = (base, c)
            bare = "".join(parts).replace("'", "")
            add(parts, no_apostrophe=bare not in words_without)
    out["I'm"] = ("I", "'m")
    # the pronoun "I" is written upper case
    for key in [k for k in out if k.startswith("i") and out[k][0] == "i" and len(out[k]) > 1]:
        upper = ("I",) + out[key][1:]
        out["".join(upper)] = upper
    out["Id"] = ("I", "d")
    out["id"] = ("i", "d")

    # negations: the stem keeps what precedes "n't" ("ca", "wo", "sha", "ai")
    for stem in (
        "ai", "are", "ca", "could", "dare", "did", "does", "do", "had", "has", "have", "is", "may",
        "might", "must", "need", "ought", "sha", "should", "was", "were", "wo", "would",
    ):
        add((stem, "n't"))
        add((stem, "n't", "'ve"))
    for modal in ("could", "might", "must", "should", "would"):
        add((modal, "'ve"))
    for whole, parts in {"cannot": ("can", "not"), "gonna": ("gon", "na"), "gotta": ("got", "ta")}.items():
        out[whole] = parts
        out[whole.title()] = (parts[0].title(),) + parts[1:]
    out["let's"] = ("let", "'s")
    out["Let's"] = ("Let", "'s")

    # words with a period that stay whole
    for abbr in (
        "Mr.", "Mrs.", "Ms.", "Dr.", "Prof.", "St.", "Mt.", "Jr.", "Co.", "co.", "Corp.",
        "Inc.", "Ltd.", "Bros.", "Gov.", "Gen.", "Sen.", "Rep.", "Rev.", "Adm.", "Messrs.", "vs.",
        "v.s.", "e.g.", "E.g.", "E.G.", "i.e.", "I.e.", "I.E.", "a.m.", "p.m.", "Ph.D.", "D.C.",
        "N.Y.", "N.C.", "N.D.", "N.H.", "N.J.", "N.M.", "S.C.",
        "Jan.", "Feb.", "Mar.", "Apr.", "Jun.", "Jul.", "Aug.", "Sep.", "Sept.", "Oct.", "Nov.",
        "Dec.", "Ala.", "Ariz.", "Ark.", "Calif.", "Colo.", "Conn.", "Del.", "Fla.", "Ga.", "Ia.",
        "Id.", "Ill.", "Ind.", "Kan.", "Kans.", "Ky.", "La.", "Mass.", "Md.", "Mich.", "Minn.",
        "Miss.", "Mo.", "Mont.", "Neb.", "Nebr.", "Nev.", "Okla.", "Ore.", "Pa.", "Tenn.", "Va.",
        "Wash.", "Wis.", "Ak.", "ä.", "ö.", "ü.",
    ):
        out[abbr] = (abbr,)
    for c in string.ascii_lowercase:  # "a." .. "z."
        out[c + "."] = (c + ".",)
    for h in range(1, 13):  # times: the hour and the marker are two words
        for m in ("a.m.", "p.m.", "am", "pm"):
            out[f"{h}{m}"] = (str(h), m)
    wholes = ["‘s", "'em", "'s", "'S", "o'clock", "ma'am", "''", "’’", "and/or", "w/o", "'bout", "'nuff"]
    wholes += [p + w for w in ("cause", "cos", "coz", "cuz") for p in ("'", "’")]
    wholes += [g + apo for g in ("doin", "goin", "havin", "lovin", "nothin", "nuthin", "somethin", "ol")
               for apo in ("'", "’")]
    for whole in wholes:
        out[whole] = (whole,)
        out[whole[0].upper() + whole[1:]] = (whole[0].upper() + whole[1:],)
    out["y'all"] = ("y'", "all")
    # common emoticons stay whole
    for emo in (
        ":)", ":-)", ":(", ":-(", ";)", ";-)", ":D", ":-D", ":P", ":-P", ":p", ":/", ":-/", "<3",
        "</3", ":'(", ":')", ":|", ":-|", "=)", "=(", ":]", ":[", ":o", ":O", "^_^", "-_-", "o.O",
        "O.o", "0.0", ":))", ":((", "XD", "xD", ":3", ":*", ";_;", "-__-", "._.", ":>", ":}",
        "):", "(:", "8)", "8-)", "(=", "=D", "=/", ")-:", "(-:", "=]", "[=", "[:", "]=", ":-]", "<33",
    ):
        out[emo] = (emo,)
    return out


_SPECIALS: dict[str, tuple[str, ...]] = _special_cases()
# specials that are one token (abbreviations, emoticons): candidates for re-joining
_WHOLE: dict[str, bool] = {k: True for k, v in _SPECIALS.items() if len(v) == 1}
_WHOLE_MAX = max(map(len, _WHOLE))  # characters of the longest: longer joins are no special
# the proper prefixes of the whole-word specials (the first token of a window that re-joins)
_WHOLE_PREFIXES = frozenset(k[:j] for k in _WHOLE for j in range(1, len(k)))
_QUOTE_PAIRS = ("''", "’’")
_CHUNK_CACHE: dict[str, tuple[str, ...]] = {}
_CHUNK_CACHE_MAX = 500_000  # distinct chunks; ~100 MB at worst, then the cache restarts


# The longest suffix of fixed length is 4 characters ("km/h", "mbar"); only a run of
# dots can be longer. A search confined to the last characters finds the same leftmost
# suffix unless its match starts right at the window's edge (then a run of dots may
# start earlier), and it spares the regex a try at every position of a long chunk.
_SUFFIX_WINDOW = 8


# No suffix ends in an ASCII digit, and the only ones that end in a letter are a unit
# after a digit ("10km": at most 4 letters, so a digit among the last 6 characters) and
# "'s" / "’s": a chunk ending otherwise needs no search at all.
_DIGITS = frozenset("0123456789")


def _suffix(s: str, pre: int) -> regex.Match[str] | None:
    """``_SUFFIX.search(s, pre)``, trying the last characters first."""
    last = s[-1]
    if last in _DIGITS or (
        last.isalpha() and _DIGITS.isdisjoint(s[-6:]) and not (last in "sS" and s[-2:-1] in ("'", "’"))
    ):
        return None
    start = len(s) - _SUFFIX_WINDOW
    if start > pre:
        m = _SUFFIX.search(s, start)  # lookbehinds still see the characters before start
        if m is None or m.start() != start:
            return m
    return _SUFFIX.search(s, pre)


def _split_chunk(chunk: str) -> tuple[str, ...]:
    """Tokens of one whitespace-free chunk, following spaCy's affix loop."""
    special = _SPECIALS.get(chunk)
    if special is not None:
        return special
    prefixes: list[str] = []
    suffixes: list[str] = []
    s = chunk
    last = -1
    while s and len(s) != last:
        if s in _SPECIALS:
            break
        last = len(s)
        m = _PREFIX.match(s)
        pre = m.end() if m else 0
        if pre:
            rest = s[pre:]
            if rest and rest in _SPECIALS:
                prefixes.append(s[:pre])
                s = rest
                break
        m = _suffix(s, pre) if pre < len(s) else None
        suf = len(s) - m.start() if m else 0
        if suf:
            rest = s[:-suf]
            if rest and rest in _SPECIALS:
                suffixes.append(s[-suf:])
                s = rest
                break
        if pre and suf and pre + suf <= len(s):
            prefixes.append(s[:pre])
            suffixes.append(s[-suf:])
            s = s[pre:-suf]
        elif pre:
            prefixes.append(s[:pre])
            s = s[pre:]
        elif suf:
            suffixes.append(s[-suf:])
            s = s[:-suf]
    out = prefixes
    if s:
        special = _SPECIALS.get(s)
        if special is not None:
            out.extend(special)
        elif _URL.match(s):
            out.append(s)
        else:
            start = 0
            for m in _INFIX.finditer(s):
                a, b = m.span()
                if a == 0:
                    continue
                if a != start:
                    out.append(s[start:a])
                if a != b:
                    out.append(s[a:b])
                start = b
            if start < len(s):
                out.append(s[start:])
    out.extend(reversed(suffixes))
    if len(out) > 1:
        out = _merge_specials(out)
    return tuple(out)


def _in_quote_run(toks: list[str], i: int, width: int) -> bool:
    before = toks[i - 1] if i > 0 else ""
    after = toks[i + width] if i + width < len(toks) else ""
    return before in ("'", "’") or after in ("'", "’")


def _merge_specials(toks: list[str]) -> list[str]:
    """Re-join neighbours that spell a whole-word special case (``z`` ``.`` -> ``z.``).

    spaCy 3 runs a matcher over the split tokens for special cases that affix
    splitting tore apart (``Author(s):`` ends in the emoticon ``):``); this is its
    greedy, longest-first equivalent within one chunk.
    """
    # a window re-joins only if its first token starts a whole-word special: most chunks
    # have no such token, and are answered by one C-level pass
    if not any(map(_WHOLE_PREFIXES.__contains__, toks[:-1])):
        return toks
    out: list[str] = []
    i = 0
    n = len(toks)
    lens = list(map(len, toks))
    while i < n:
        for width in (3, 2):
            if i + width <= n and sum(lens[i : i + width]) <= _WHOLE_MAX:  # else no special
                joined = "".join(toks[i : i + width])
                if joined in _QUOTE_PAIRS and _in_quote_run(toks, i, width):
                    continue  # spaCy pairs up a lone '' but not the marks of a longer run
                if _WHOLE.get(joined, False):
                    out.append(joined)
                    i += width
                    break
        else:
            out.append(toks[i])
            i += 1
    return out


# trailing characters that split off an alphabetic word on their own (spaCy's plain
# suffixes; "." is decided separately: it splits after a lower-case letter)
_SIMPLE_SUFFIX = frozenset(",:;!?)]}\"”’»“«")
_SIMPLE_PREFIX = frozenset("([{\"“‘«„»#")
_NUMBER = regex.compile(r"\d+(?:[.,:]\d+)+")  # 1,000 3.5 12:30 1.2.3: one token each
# ASCII digits joined by arithmetic signs: each sign is an infix (2018-08-25, 10-15, 2+2)
_DIGIT_OPS = regex.compile(r"[0-9]+(?:[+\-*^][0-9]+)+")
_OPS = regex.compile(r"([+\-*^])")
# the one-character currency signs of _CURRENCY (a prefix before a number)
_CURRENCY_SIGNS = frozenset("$£€¥฿₽﷼" + "".join(map(chr, range(0x20A0, 0x20C0))))


_PERIOD_AFTER = regex.compile(rf"(?V1)[{_PERIOD_AFTER_CLASS}]")
_PERIOD_AFTER_SEEN: dict[str, bool] = {c: True for c in string.ascii_lowercase + string.digits}


def _period_splits_after(c: str) -> bool:
    """Whether the suffix rule splits a final ``.`` off after the letter or digit ``c``.

    The rule's own character class, not ``str.islower`` / ``str.isdigit``: those also
    hold for ``①``, ``٣``, ``ª``-like modifier letters, after which the full algorithm
    keeps the period (``①.`` is one token).
    """
    v = _PERIOD_AFTER_SEEN.get(c)
    if v is None:
        v = _PERIOD_AFTER_SEEN[c] = _PERIOD_AFTER.match(c) is not None
    return v


def _period_after_bmp() -> str:
    """The characters of the Basic Multilingual Plane in :data:`_PERIOD_AFTER` (for the C side)."""
    return "".join(_PERIOD_AFTER.findall("".join(map(chr, range(0x10000)))))


def _number_unit(s: str) -> int:
    """Where the unit starts in a number followed by a unit (``10km``, ``3.5GB``, ``20%``), else 0.

    The unit is a suffix right after an ASCII digit, ``%`` or a letters-only unit, and
    the number stays whole (digits, or digit groups joined by ``.,:``); neither the chunk
    nor the number may be a special case (``1am`` is).
    """
    if s[-1] == "%":
        cut = len(s) - 1
    elif s[-1].isalpha():
        cut = len(s) - 1
        while cut > 0 and s[cut - 1].isalpha():
            cut -= 1
        if s[cut:] not in _LETTER_UNITS:
            return 0
    else:
        return 0
    num = s[:cut]
    if not num or num[-1] not in _DIGITS or not (num.isdigit() or _NUMBER.fullmatch(num)):
        return 0
    return 0 if s in _SPECIALS or num in _SPECIALS else cut


def _plain(s: str) -> bool:
    """A run that spaCy keeps as one token: letters only or digits only, not special."""
    return (s.isalpha() or s.isdigit()) and s not in _SPECIALS


def _chunk_tokens(chunk: str) -> tuple[str, ...]:
    """Tokens of ``chunk``: fast paths for the common shapes, else the full algorithm.

    The fast paths cover a word or number wrapped in plain punctuation (``(word),``)
    and hyphenated words (``well-known``); they give what the full algorithm gives,
    and any special case met on the way sends the chunk to the full algorithm.
    """
    special = _SPECIALS.get(chunk)
    if special is not None:
        return special
    if chunk.isalpha() or chunk.isdigit():
        return (chunk,)
    s = chunk
    head: list[str] = []
    tail: list[str] = []
    while len(s) > 1 and s[0] in _SIMPLE_PREFIX:
        head.append(s[0])
        s = s[1:]
        if s in _SPECIALS:
            return _split_chunk(chunk)
    while len(s) > 1:
        last = s[-1]
        if last in _SIMPLE_SUFFIX or (last == "." and (s[-2] in _SIMPLE_SUFFIX or _period_splits_after(s[-2]))):
            tail.append(last)
            s = s[:-1]
            if s in _SPECIALS:
                return _split_chunk(chunk)
        else:
            break
    if _plain(s) or (_NUMBER.fullmatch(s) and s not in _SPECIALS):
        if not head and not tail:
            return (s,)
        if len(head) + len(tail) == 1:  # two tokens: joined they are the chunk, not special
            return (head[0], s) if head else (s, tail[0])
        return tuple(_merge_specials([*head, s, *reversed(tail)]))  # "8)" or "):" re-joined
    if _DIGIT_OPS.fullmatch(s) and s not in _SPECIALS:
        return tuple(_merge_specials([*head, *_OPS.split(s), *reversed(tail)]))
    cut = _number_unit(s)
    if cut:
        return tuple(_merge_specials([*head, s[:cut], s[cut:], *reversed(tail)]))
    if s[0] in _CURRENCY_SIGNS and s not in _SPECIALS:
        num = s[1:]  # "$5", "€1,000": the sign is a prefix, the number one token
        if (num.isdigit() or _NUMBER.fullmatch(num)) and num not in _SPECIALS:
            return tuple(_merge_specials([*head, s[0], num, *reversed(tail)]))
    if _inert_core(s):
        return tuple(_merge_specials([*head, s, *reversed(tail)]))
    dotted = _dotted_core(s)
    if dotted is not None:
        return tuple(_merge_specials([*head, *dotted, *reversed(tail)]))
    words = _word_core(s)
    if words is not None:
        return tuple(_merge_specials([*head, *words, *reversed(tail)]))
    return _split_chunk(chunk)


# ASCII characters that no rule of the affix loop, the infixes or the URL pattern looks
# at inside a chunk: everything but the infix characters, the dot and "$" ("US$" prefix)
_INERT_ASCII = frozenset(map(chr, range(128))) - frozenset(".,-~:<>=/+*^$")
# infix characters that are infixes only between certain neighbours (see _inert_symbol)
_NEIGHBOURED = frozenset(",-~:<>=/+*^")
_ASCII_ALNUM = frozenset(string.ascii_letters + string.digits)
# the units that are letters only (a unit suffix needs a digit just before it; "km/h",
# "km²" and "%" end in no letter, or hold a "/" that is then an infix)
_LETTER_UNITS = frozenset(u for u in _UNITS.split("|") if u.isalpha())


def _inert_symbol(s: str, i: int) -> bool:
    """True if the infix character ``s[i]`` is no infix where it stands.

    The infix rules need a letter or digit before and a letter (or, between digits, a
    digit) after: ``,`` between letters; ``:<>=/~`` and ``-`` after a letter or digit
    and before a letter; ``+-*^`` between ASCII digits (or before a ``-``). A neighbour
    that is ASCII is judged here; one that is not sends the chunk to the full algorithm
    (whose letter classes are the regex module's).
    """
    c = s[i]
    prev = s[i - 1] if i else ""
    nxt = s[i + 1] if i + 1 < len(s) else ""
    prev_no_letter = not prev or (prev.isascii() and not prev.isalpha())
    next_no_letter = not nxt or (nxt.isascii() and not nxt.isalpha())
    if c == ",":
        return prev_no_letter or next_no_letter
    if c in "+*^":
        return not prev or prev not in _DIGITS or (nxt.isascii() and nxt not in _DIGITS and nxt != "-")
    if c == "-":
        if not prev or prev == "-" or not nxt:
            return True
        if prev in _DIGITS:
            return nxt.isascii() and nxt not in _ASCII_ALNUM and nxt != "-"
        return next_no_letter and nxt != "-"
    # ":<>=/~"
    return next_no_letter or (prev.isascii() and prev not in _ASCII_ALNUM)


def _inert_core(s: str) -> bool:
    """True if the full algorithm keeps ``s`` whole: no affix at either end, no infix.

    It starts with a letter, a digit or ``-`` (no prefix: only "US$", "C$", "A$" start
    with a letter, and "$" is excluded), ends in a letter, a digit or ``-`` where
    :func:`_suffix` finds no suffix (no letters-only unit right after a digit, no
    ``'s``), and holds only letters, ASCII digits, apostrophes, soft hyphens and ASCII
    characters no infix uses, or infix characters whose neighbours make no infix
    (:func:`_inert_symbol`), without a dot (no URL). ``word[1`` (of ``word[1]``),
    ``snake_case``, ``mp3``, ``AT&T``, ``5th``, ``11/19/2019``, ``mid-2019``, ``--user``.
    """
    first, last = s[0], s[-1]
    if not (first.isalpha() or first in _DIGITS or first == "-"):
        return False
    if last.isalpha():
        if last in "sS" and s[-2:-1] in ("'", "’"):
            return False
        if not _DIGITS.isdisjoint(s[-6:]):  # a letters-only unit right after a digit?
            k = len(s) - 1
            while k > 0 and s[k - 1].isalpha():
                k -= 1
            if k > 0 and s[k - 1] in _DIGITS and s[k:] in _LETTER_UNITS:
                return False
    elif last not in _DIGITS and last != "-":
        return False
    for i, c in enumerate(s):
        if not (c in _INERT_ASCII or c.isalpha() or c == "’" or c == "\xad") and (
            c not in _NEIGHBOURED or not _inert_symbol(s, i)
        ):
            return False
    return s not in _SPECIALS


def _dotted_core(s: str) -> list[str] | None:
    """Tokens of a kept-whole core (:func:`_inert_core`) that ends in dots, else None.

    An ellipsis (a run of dots, or ``…``) is one suffix token: ``word...``. One period
    after a capital is a suffix only after two capitals (``USA.``); after one, the
    chunk stays whole (``PhD.``, ``A.``). A non-ASCII letter before the capital is left
    to the full algorithm (Unicode's and Python's idea of upper case differ there).
    """
    x = s.rstrip(".")
    end = s[len(x) :]
    if not end:
        if s[-1] != "…":
            return None
        x, end = s[:-1], "…"
    elif len(end) == 1:
        if not x or not "A" <= x[-1] <= "Z":
            return None
        before = x[-2:-1]
        if before and not before.isascii():
            return None
        if not before or not "A" <= before <= "Z":
            end = ""  # kept whole
    if not x or s in _SPECIALS or not _inert_core(x):
        return None
    return [x, end] if end else [s]


# Inside a word, an apostrophe or a soft hyphen is neither an affix nor an infix: spaCy
# keeps ``l’amour`` and ``rock'n`` whole. A single hyphen, en or em dash, or slash between
# letters is an infix (``well-known—and``, ``his/her``), and a final ``'s`` a suffix.
_JOINER_RUN = regex.compile(r"['’\xad]['’\xad]")
_SEPARATOR = regex.compile(r"([-–—/])")


def _word_core(s: str) -> list[str] | None:
    """Tokens of letter runs joined by separators, with a possessive ``'s``, else None.

    A core that is, or has a part that is, a special case is left to the full algorithm
    (None), as is one that would need a second affix pass (``rock's's``). The shapes
    were the most frequent of the chunks the other fast paths missed on 2,000 pages of
    the shared web corpus (measured: about a fifth of the misses).
    """
    if s in _SPECIALS:
        return None
    end = len(s)
    possessive = end > 2 and s[-1] in "sS" and s[-2] in "'’"
    if possessive:
        end -= 2
    parts = _SEPARATOR.split(s[:end])
    for p in parts[::2]:
        if not p or not (p[0].isalpha() and p[-1].isalpha()) or p in _SPECIALS:
            return None
        if not p.isalpha() and (
            not p.replace("'", "").replace("’", "").replace("\xad", "").isalpha() or _JOINER_RUN.search(p)
        ):
            return None
    if possessive:
        last = parts[-1]
        if last[-1] in "sS" and last[-2:-1] in ("'", "’"):
            return None
        parts.append(s[end:])
    return parts


def _cache_chunk(chunk: str) -> tuple[str, ...]:
    toks = _chunk_tokens(chunk)
    if len(_CHUNK_CACHE) >= _CHUNK_CACHE_MAX:
        _CHUNK_CACHE.clear()
    _CHUNK_CACHE[chunk] = toks
    return toks


def _cache_missed_chunk(chunk: str) -> tuple[str, ...]:
    """The accelerator's callback: it has tried :func:`_chunk_tokens`' fast paths already.

    They give what the full algorithm gives (``test_filter_words``), so a chunk they
    missed goes straight to it; the misses are a large share of a cold chain's time.
    """
    toks = _split_chunk(chunk)
    if len(_CHUNK_CACHE) >= _CHUNK_CACHE_MAX:
        _CHUNK_CACHE.clear()
    _CHUNK_CACHE[chunk] = toks
    return toks


def split_words(text: str) -> list[str]:
    """The words of ``text`` as datatrove's English ``split_into_words`` returns them."""
    if _fast is not None:
        return list(_fast.scan(text, _CHUNK_CACHE, _FLAGS, _cache_missed_chunk, _FLAGS.__getitem__,
                               True, _CHUNK_CACHE_MAX)[0])
    return _split_words_py(text)


def _split_words_py(text: str) -> list[str]:
    chunks = text.split()
    parts = list(map(_CHUNK_CACHE.get, chunks))  # C-speed look-ups; misses are None
    if None in parts:
        for i, t in enumerate(parts):
            if t is None:
                parts[i] = _cache_chunk(chunks[i])
    return list(chain.from_iterable(parts))  # type: ignore[arg-type]


def _is_punct_token(tok: str) -> bool:
    """spaCy's ``is_punct``: every character is in a Unicode punctuation category."""
    return all(unicodedata.category(c).startswith("P") for c in tok)


# ---- per-token flags -------------------------------------------------------------------

FLAG_SYMBOL = 1  # a "symbol word": only characters of punctuation_set()
FLAG_ALPHA = 2  # holds a letter
FLAG_FINAL = 4  # a sentence-final character (terminal_punctuation())
FLAG_PUNCT = 8  # spaCy's is_punct: only Unicode punctuation


def token_flags(tok: str) -> int:
    """The FLAG_* bits of one token, from the rules' definitions."""
    v = 0
    if punctuation_set().issuperset(tok):
        v |= FLAG_SYMBOL
    if any(c.isalpha() for c in tok):
        v |= FLAG_ALPHA
    if tok in terminal_punctuation():
        v |= FLAG_FINAL
    if _is_punct_token(tok):
        v |= FLAG_PUNCT
    return v


# The same bits for an ASCII token, from sets of ASCII characters (most tokens that are
# not plain words are ASCII: URLs, numbers with units, abbreviations, code): the ASCII
# part of the punctuation set, ASCII letters, the ASCII sentence ends, and the ASCII
# characters of Unicode's punctuation categories. test_filter_words checks the two agree.
_ASCII_SYMBOL = frozenset(c for c in string.punctuation + _CONTROLS if c.isascii())
_ASCII_LETTERS = frozenset(string.ascii_letters)
_ASCII_FINAL = frozenset(".!?")
_ASCII_P = frozenset(c for c in map(chr, range(128)) if unicodedata.category(c).startswith("P"))


def _ascii_token_flags(tok: str) -> int:
    v = FLAG_SYMBOL if _ASCII_SYMBOL.issuperset(tok) else 0
    if not _ASCII_LETTERS.isdisjoint(tok):
        v |= FLAG_ALPHA
    if tok in _ASCII_FINAL:
        v |= FLAG_FINAL
    if _ASCII_P.issuperset(tok):
        v |= FLAG_PUNCT
    return v


class _Flags(dict[str, int]):
    """The FLAG_* bits of each token seen, computed on first request."""

    def __missing__(self, tok: str) -> int:
        v = _ascii_token_flags(tok) if tok.isascii() else token_flags(tok)
        if len(self) >= _CHUNK_CACHE_MAX:
            self.clear()
        self[tok] = v
        return v


_FLAGS = _Flags()


def _sentences(flags: list[int]) -> int:
    """The sentencizer's count over the flags of a line's tokens.

    A new sentence starts at the first token that is neither punctuation nor a
    sentence-final character after a sentence-final character has been seen.
    """
    if not flags:
        return 0
    n = 1
    seen_final = False
    for f in flags:
        if f & FLAG_FINAL:
            seen_final = True
        elif seen_final and not f & FLAG_PUNCT:
            n += 1
            seen_final = False
    return n


def count_sentences(line: str) -> int:
    """Sentences in ``line`` as spaCy's rule-based ``sentencizer`` finds them."""
    if _fast is not None:
        return int(_fast.scan(line, _CHUNK_CACHE, _FLAGS, _cache_missed_chunk, _FLAGS.__getitem__,
                              False, _CHUNK_CACHE_MAX)[5])
    return _count_sentences_py(line)


def _count_sentences_py(line: str) -> int:
    return _sentences(list(map(_FLAGS.__getitem__, _split_words_py(line))))


_CHUNKS = regex.compile(r"[^\s\x1c-\x1f]+")  # the chunks of str.split()


def tokens_with_ends(text: str) -> list[tuple[str, int]]:
    """Each word of ``text`` with the offset just past it (a word's chunk is contiguous)."""
    out: list[tuple[str, int]] = []
    for m in _CHUNKS.finditer(text):
        pos = m.start()
        chunk = m.group()
        toks = _CHUNK_CACHE.get(chunk) or _cache_chunk(chunk)
        for t in toks:
            pos += len(t)
            out.append((t, pos))
    return out


def sentence_ends(text: str) -> list[int]:
    """Offsets just past each sentence of ``text`` (the sentencizer's ``end_char``)."""
    finals = terminal_punctuation()
    ends: list[int] = []
    seen_final = False
    last_end = 0
    for tok, end in tokens_with_ends(text):
        if tok in finals:
            seen_final = True
        elif seen_final and not _is_punct_token(tok):
            ends.append(last_end)
            seen_final = False
        last_end = end
    if last_end:
        ends.append(last_end)
    return ends


class _Packed(dict[str, int]):
    """Per-token numbers packed in one int, so a document's totals are one C-level ``sum``.

    Bits 0-20: length if the token is not a symbol word; bits 21-41: 1 if it holds a
    letter; bits 42-62: 1 if it is a symbol word (which never holds a letter). Valid
    while a document has fewer than 2**21 words and 2**21 characters;
    :func:`token_totals` counts plainly beyond.
    """

    def __missing__(self, tok: str) -> int:
        f = _FLAGS[tok]
        v = 1 << 42 if f & FLAG_SYMBOL else len(tok) | (1 << 21 if f & FLAG_ALPHA else 0)
        if len(self) >= _CHUNK_CACHE_MAX:
            self.clear()
        self[tok] = v
        return v


_PACKED = _Packed()
_FIELD = (1 << 21) - 1


def token_totals(words: Sequence[str]) -> tuple[int, int, int]:
    """(symbol words, words with a letter, characters of non-symbol words)."""
    if len(words) <= _FIELD and sum(map(len, words)) <= _FIELD:
        total = sum(map(_PACKED.__getitem__, words))
        return total >> 42, (total >> 21) & _FIELD, total & _FIELD
    flags = list(map(_FLAGS.__getitem__, words))
    symbol = [f & FLAG_SYMBOL for f in flags]
    n_alpha = sum(1 for f in flags if f & FLAG_ALPHA)
    chars = sum(map(len, words)) - sum(map(len, compress(words, symbol)))
    return sum(symbol), n_alpha, chars


# ---- one analysis per text ------------------------------------------------------------


@dataclass(slots=True)
class Analysis:
    """The word split of one text and the totals the filters take, shared by a chain."""

    words: tuple[str, ...]  # a tuple: the compiled path hides it from the garbage collector
    n_symbol: int  # words made only of punctuation_set() characters
    n_alpha: int  # words with a letter
    content_chars: int  # characters of the words that are not symbol words
    ngram_profile: bytes | None = None  # the accelerator's word lengths and hashes


_ANALYSES: OrderedDict[str, Analysis] = OrderedDict()
_ANALYSES_MAX = 4096  # documents; a batch of the executor fits, memory stays bounded


def _analyse_uncached(text: str) -> Analysis:
    if _fast is not None:
        words, _, n_symbol, n_alpha, chars, _, profile = _fast.scan(
            text, _CHUNK_CACHE, _FLAGS, _cache_missed_chunk, _FLAGS.__getitem__, True, _CHUNK_CACHE_MAX
        )
        return Analysis(words, n_symbol, n_alpha, chars, profile)
    return _analyse_py(text)


def _analyse_py(text: str) -> Analysis:
    words = tuple(_split_words_py(text))
    return Analysis(words, *token_totals(words))


def analyse(text: str) -> Analysis:
    """The cached :class:`Analysis` of ``text`` (computed on first request)."""
    a = _ANALYSES.get(text)
    if a is not None:
        _ANALYSES.move_to_end(text)
        return a
    a = _analyse_uncached(text)
    _ANALYSES[text] = a
    if len(_ANALYSES) > _ANALYSES_MAX:
        _ANALYSES.popitem(last=False)
    return a


def _load_accelerator() -> ModuleType | None:
    """The compiled twin of the hot loops, unless absent or switched off.

    ``THRESHER_PURE_PYTHON=1`` forces the pure-Python path (the tests compare both).
    """
    module = accelerators.load("thresher.stages.filter._fastwords")  # types: _fastwords.pyi
    if module is None:
        return None
    configure_accelerator(module)
    return module


def configure_accelerator(module: ModuleType) -> None:
    """Hand the rules' tables to the compiled module (it reads them, never changes them)."""
    # letters and digits of the punctuation set (Sentence_Terminal holds none, which
    # spares computing it here): a token of them is a symbol word, not a plain one
    odd = "".join(sorted({c for c in string.punctuation + _EXTRA_PUNCT + _CONTROLS if c.isalpha() or c.isdigit()}))
    module.configure(_SPECIALS, _WHOLE, "".join(sorted(_SIMPLE_PREFIX)), "".join(sorted(_SIMPLE_SUFFIX)), odd,
                     _period_after_bmp(), _LETTER_UNITS, bytes(map(_ascii_token_flags, map(chr, range(128)))))


_fast = _load_accelerator()
