"""What counts as furniture: lexical rules from ``furniture.json`` and structural rules.

A *unit* is one sentence (flat text) or one line holding one sentence (ordinary
pages). :func:`classify` answers "is this unit furniture, and of which kind"; it looks
only at the unit's own text, so the same rule works whether the page had line breaks
or not. :func:`glued_title` finds a page title glued before the sentence that follows
it ("What did Stalin think of Trotsky? - Quora He had been..."), so that only the
title is removed. Context-dependent rules (runs of navigation lines, lists of
title-case questions) live in :mod:`thresher.stages.clean.furniture`, which sees the
neighbours.

Every rule is bounded by a maximum number of words: furniture is short, and a long
sentence that merely mentions a newsletter or a cookie is content.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from types import ModuleType
from typing import NamedTuple

from thresher.stages.clean.literals import requirement


class Verdict(NamedTuple):
    """A unit recognised as furniture: its kind and a reason a reader understands."""

    label: str
    reason: str


@dataclass(frozen=True, slots=True)
class _Rule:
    label: str
    reason: str
    max_words: int
    # patterns anchored at the start of the unit run with match() (one position), the
    # others with search(): mixing them in one alternation makes every position pay
    anchored: re.Pattern[str] | None
    floating: re.Pattern[str] | None
    # the same patterns without IGNORECASE, run on the lower-cased unit when it is
    # ASCII: the same answer there (the patterns are written in lower case, and on
    # ASCII text lower-casing maps one character to one and case-insensitive matching
    # folds nothing else), and about 1.6x faster, as the engine compares characters as
    # they are instead of folding each one (measured on the 87,282 rule runs of the
    # corpus's main text: 0.41 s -> 0.26 s, same answers)
    anchored_lower: re.Pattern[str] | None
    floating_lower: re.Pattern[str] | None
    triggers: tuple[frozenset[str], ...]  # the rule runs if all words of one are present


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The compiled contents of ``furniture.json``."""

    rules: tuple[_Rule, ...]
    # every word of every trigger: one set intersection rejects most units
    trigger_words: frozenset[str]
    # the rarer trigger words, as split() tokens with the punctuation that may cling
    # to them: a long line of prose is inspected only if it holds one
    strong_tokens: frozenset[str]
    # a rare trigger word as split() sees it (with clinging punctuation) -> the
    # triggers it is the rare word of: a paragraph is worth segmenting only if all the
    # words of one of them are in it
    strong_triggers: dict[str, tuple[frozenset[str], ...]]
    # all trigger words as split() tokens: for units longer than 15 words, only the
    # words of rules that allow such long units
    tokens_short: frozenset[str]
    tokens_long: frozenset[str]
    # the rarest word of a trigger -> (rule index, trigger, the rule's max_words) of the
    # triggers it is the rarest word of: a trigger is looked at only when that word
    # is in the unit, and once (indexing every word made a unit holding "the" or "to"
    # test every trigger that contains them)
    index: dict[str, tuple[tuple[int, frozenset[str], int], ...]]
    index_words: frozenset[str]
    sites: frozenset[str]
    site_regex: re.Pattern[str]
    # per rule: literal strings one of which every match of one of its patterns holds,
    # as (anchored, string) pairs (thresher.stages.clean.literals), or None (no such
    # strings): the compiled sentence gate runs a rule only where they are
    requirements: tuple[tuple[tuple[bool, str], ...] | None, ...]


# Punctuation read as a space when a unit is split into words for the trigger test.
_PUNCT = str.maketrans(
    {
        c: " "
        for c in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00ab\u00bb\u00b7\u2022\u203a\u2192\u00a0"
    }
)

# The ASCII part of _PUNCT as a bytes table: str.translate with a dict costs about 20 ns
# a character, bytes.translate about one, and most units are ASCII (same result: on
# ASCII text only the ASCII entries of _PUNCT can apply).
_ASCII_PUNCT_CHARS = "".join(chr(c) for c in _PUNCT if c < 128)
_ASCII_PUNCT = bytes.maketrans(_ASCII_PUNCT_CHARS.encode("ascii"), b" " * len(_ASCII_PUNCT_CHARS))


# the same characters as a string (for the compiled twin of the word split)
PUNCT_AS_SPACE = "".join(chr(c) for c in _PUNCT)


def _punct_to_space(low: str) -> str:
    """``low`` with the punctuation of the trigger test read as space."""
    if low.isascii():
        return low.encode("ascii").translate(_ASCII_PUNCT).decode("ascii")
    return low.translate(_PUNCT)


# What split() leaves attached to a word: punctuation and plural/possessive endings
# after it, opening quotes and brackets before it. Ellipses, dashes and guillemets
# too: button and link texts end in them ("Weiterlesen...", "Gefällt mir Lade…",
# "- Anzeige-", "Suivant»"), and Spanish and German sentences open with "¿", "¡", "„".
_CLINGING_AFTER = (
    ".",
    ",",
    ":",
    ";",
    "?",
    "!",
    ")",
    '"',
    "'",
    "\u201d",
    "\u2019",
    "s",
    "'s",
    "\u2019s",
    "s.",
    "s,",
    "...",
    "\u2026",
    "-",
    "\u00bb",
)
_CLINGING_BEFORE = ("(", '"', "'", "\u201c", "\u2018", "\u201e", "\u00ab", "\u00bf", "\u00a1", "-")


def _union(patterns: list[str], flags: int = re.IGNORECASE) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{p})" for p in patterns), flags) if patterns else None


def _key(trigger: frozenset[str], common: frozenset[str]) -> str:
    """The word of a trigger that the prefilter looks for: its rarest (a word not in
    the common list, the longest first), so "get the" is found by "get", not "the"."""
    return min(trigger, key=lambda w: (w in common, -len(w), w))


_SYMBOL_TRIGGERS = ("\u00a9", "@")


def _with_clinging(words: set[str] | frozenset[str]) -> frozenset[str]:
    variants = {w + a for w in words for a in ("", *_CLINGING_AFTER)}
    return frozenset(variants | {b + v for v in variants for b in _CLINGING_BEFORE})


def worth_inspecting(line: str) -> bool:
    """Whether a long line (a paragraph) may hold furniture: cheap tests, no segmentation.

    A paragraph is inspected sentence by sentence if it holds every word of a trigger
    whose rarest word it holds, a link, a question, a breadcrumb's " ." or a title
    separator; on ordinary pages
    most paragraphs hold none and are skipped (the throughput target of issue 3).
    The substring tests come first: each is one scan in C, while the word test
    lower-cases and splits the paragraph (most of the cost of a paragraph skipped).
    """
    if " ." in line or "http" in line or "www." in line or " | " in line or "\u00a9" in line:
        return True
    if "?" in line and (" : " in line or _has_title_question(line)):
        return True  # a question glued to a title separator, or a title-case question
    if (" - " in line or " \u2013 " in line or " \u2014 " in line) and _has_site_after_separator(line):
        return True
    lex = lexicon()
    low = line.lower()
    tokens = low.split()
    if lex.strong_tokens.isdisjoint(tokens):
        return False  # most paragraphs
    # a rare word is not enough: every word of one of its triggers must be in the
    # paragraph (as a substring: a cheap test that never misses a word the rules would
    # see), or no lexical rule can fire in any of its sentences. Most paragraphs with
    # "complete" or "required" hold no "my profile" or "fields". On the first 3,000
    # corpus pages: 12,677 paragraphs segmented instead of 19,701; on the trafilatura
    # set, the same recall and one must-keep segment fewer removed.
    for tok in lex.strong_tokens.intersection(tokens):
        for trigger in lex.strong_triggers[tok]:
            for w in trigger:
                if w not in low:
                    break
            else:
                return True
    return False


# A title-case question of three to sixteen words inside a paragraph ("... How Did
# Joseph Stalin Die? ..."): the related-article links of flattened pages. At the start
# of the paragraph (match) or after the end of a sentence (search): the second pattern
# opens with a character class, so the regex engine skips in C to the next stop
# instead of trying it at every position, as one pattern opening with (?:^|...) would.
_TITLE_QUESTION_BODY = (
    r"[A-Z][\w'\u2019-]*(?: (?:[A-Z0-9][\w'\u2019-]*|a|an|the|of|in|on|to|for|and|or|with)){2,15}\?"
)
_TITLE_QUESTION_AT_START = re.compile(_TITLE_QUESTION_BODY)
_TITLE_QUESTION_INSIDE = re.compile(r"[.!?] " + _TITLE_QUESTION_BODY)


def _has_title_question(line: str) -> bool:
    return _TITLE_QUESTION_AT_START.match(line) is not None or _TITLE_QUESTION_INSIDE.search(line) is not None


# Any character or word a structural rule needs: a unit without one (and without a
# trigger word) cannot be furniture, which spares most short content lines the rules:
# one of the characters, a link, a title separator, a breadcrumb's final " .", or the
# verb of an author bio. Tested one kind at a time: a single alternation that mixes
# characters and words is tried at every position of the unit (no character the
# regex engine could skip to); a character class, a substring and a pattern opening
# with a space each skip ahead in C.
_HINT_CHARS = re.compile(r"[?|>\u00bb\u203a/@\u00a9\u2013\u2014\u00b7]")
_HINT_VERB = re.compile(r" (?:is|serves as|works as|has been|writes|covers|teaches|lives) ")


def _structural_hint(text: str) -> bool:
    return (
        _HINT_CHARS.search(text) is not None
        or "http" in text
        or "www." in text
        or " - " in text
        or " : " in text
        or text.endswith((" .", " .\n"))  # the regex " \.$": at the end, or before a final newline
        or _HINT_VERB.search(text) is not None
    )


def could_be_furniture(text: str) -> bool:
    """A cheap necessary condition for :func:`classify` to find furniture in ``text``
    (a short unit): a trigger word of a lexical rule or a hint of a structural one."""
    lex = lexicon()
    tokens = lex.tokens_short if text.count(" ") < 15 else lex.tokens_long
    return not tokens.isdisjoint(text.lower().split()) or _structural_hint(text)


def _has_site_after_separator(line: str) -> bool:
    site_at = lexicon().site_regex.match
    for sep in (" - ", " \u2013 ", " \u2014 "):
        pos = line.find(sep)
        while pos != -1:
            if site_at(line, pos + 3) or _DOMAIN.match(line, pos + 3):
                return True
            pos = line.find(sep, pos + 3)
    return False


def words_of(text: str) -> frozenset[str]:
    """Lower-case words of ``text`` with punctuation read as space (the trigger test)."""
    return frozenset(_punct_to_space(text.lower()).split())


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """Load and compile the lexicon once per process."""
    raw = json.loads(resources.files("thresher.stages.clean").joinpath("furniture.json").read_text("utf-8"))
    rules = tuple(
        _Rule(
            r["label"],
            r["reason"],
            int(r["max_words"]),
            _union([p for p in r["patterns"] if p.startswith("^")]),
            _union([p for p in r["patterns"] if not p.startswith("^")]),
            _union([p for p in r["patterns"] if p.startswith("^")], 0),
            _union([p for p in r["patterns"] if not p.startswith("^")], 0),
            tuple(frozenset(t.lower().translate(_PUNCT).split() or [t]) for t in r["triggers"]),
        )
        for r in raw["rules"]
    )
    sites = frozenset(s.lower() for s in raw["sites"]["names"])
    # longest names first so "stack exchange" wins over a shorter prefix
    alternatives = "|".join(re.escape(s) for s in sorted(sites, key=len, reverse=True))
    trigger_words = frozenset(w for r in rules for t in r.triggers for w in t)
    common = frozenset(raw["common_trigger_words"]["words"])
    strong = {k for r in rules for t in r.triggers if (k := _key(t, common)) not in common}
    index: dict[str, list[tuple[int, frozenset[str], int]]] = {}
    for i, r in enumerate(rules):
        for t in r.triggers:
            index.setdefault(_key(t, common), []).append((i, t, r.max_words))
    return Lexicon(
        rules=rules,
        trigger_words=trigger_words,
        strong_tokens=_with_clinging(strong),
        strong_triggers=_strong_triggers(rules, common),
        tokens_short=_with_clinging({_key(t, common) for r in rules for t in r.triggers}),
        tokens_long=_with_clinging({_key(t, common) for r in rules if r.max_words > 15 for t in r.triggers}),
        index={w: tuple(v) for w, v in index.items()},
        index_words=frozenset(index),
        sites=sites,
        site_regex=re.compile(rf"(?:{alternatives})(?=\s|$)", re.IGNORECASE),
        requirements=tuple(_rule_requirement(r["patterns"]) for r in raw["rules"]),
    )


def _rule_requirement(patterns: list[str]) -> tuple[tuple[bool, str], ...] | None:
    """The literal strings one of which a unit holds if any of ``patterns`` matches it."""
    out: set[tuple[bool, str]] = set()
    for p in patterns:
        req = requirement(p)
        if req is None:
            return None  # a pattern with no certain literal: no condition for the rule
        out.update(req)
    return tuple(sorted(out))


def _strong_triggers(
    rules: tuple[_Rule, ...], common: frozenset[str]
) -> dict[str, tuple[frozenset[str], ...]]:
    by_key: dict[str, list[frozenset[str]]] = {}
    for r in rules:
        for t in r.triggers:
            k = _key(t, common)
            if k not in common:
                by_key.setdefault(k, []).append(t)
    out: dict[str, tuple[frozenset[str], ...]] = {}
    for k, triggers in by_key.items():
        for variant in _with_clinging({k}):
            out[variant] = out.get(variant, ()) + tuple(triggers)
    return out


# The compiled twin of the trigger test of _lexical (``_furnfast.hits``), when
# clean_furniture's accelerator is loaded: see thresher.stages.clean.furniture.
_accelerator: ModuleType | None = None


def regex_case_classes() -> dict[int, tuple[int, ...]] | None:
    """The characters the regex engine treats as equal under IGNORECASE beyond their simple
    lower case (lower-case code point -> the others of its class: "ı" and "i", "ſ" and
    "s", ...), as the engine itself uses them, or None where this Python does not expose
    them (the compiled gate then folds ASCII units only)."""
    try:
        from re._casefix import _EXTRA_CASES
    except ImportError:  # pragma: no cover - a Python without the table
        return None
    return dict(_EXTRA_CASES)


def use_accelerator(module: ModuleType | None) -> None:
    """Let :func:`_lexical` find the rules whose triggers a unit holds with ``module.hits``
    (the same answer, computed in C), or with Python again (``None``)."""
    global _accelerator
    _accelerator = module


def lexical(text: str, n_words: int) -> Verdict | None:
    """The first lexical rule of ``furniture.json`` that ``text`` matches, if any."""
    return _lexical(text, n_words, text.lower(), None)


def _lexical(text: str, n_words: int, low: str, token_hit: bool | None) -> Verdict | None:
    """:func:`lexical` given the lower-cased unit and, when the caller has it, whether
    a trigger token of the unit's length is among its words (:func:`classify_line`
    has tested that already)."""
    lex = lexicon()
    if token_hit is None:
        tokens = lex.tokens_short if n_words <= 15 else lex.tokens_long
        token_hit = not tokens.isdisjoint(low.split())
    # symbols that are triggers themselves, and links that split() keeps in one token,
    # pass too (cheapest test first: most units fail it)
    if not token_hit and "http" not in low and "www." not in low and "@" not in text and "\u00a9" not in text:
        return None
    mask = _accelerator.hits(text, n_words) if _accelerator is not None else -1
    if mask >= 0:
        if not mask:
            return None  # no rule has all the words of a trigger here
        hit: Iterable[int] = [i for i in range(mask.bit_length()) if mask >> i & 1]
    else:
        hit = trigger_hits(text, n_words, low)
    return _first_match(text, low, hit)


def _first_match(text: str, low: str, hit: Iterable[int]) -> Verdict | None:
    """The first of the lexical rules ``hit`` (indices, in order) that ``text`` matches."""
    lex = lexicon()
    ascii_unit = text.isascii()
    for i in hit:
        rule = lex.rules[i]
        if ascii_unit:
            anchored, floating, subject = rule.anchored_lower, rule.floating_lower, low
        else:
            anchored, floating, subject = rule.anchored, rule.floating, text
        if (anchored is not None and anchored.match(subject)) or (
            floating is not None and floating.search(subject)
        ):
            return Verdict(rule.label, rule.reason)
    return None


def trigger_hits(text: str, n_words: int, low: str) -> list[int]:
    """The indices, in order, of the lexical rules allowing ``n_words`` words one of whose
    triggers has all its words among the words of ``text`` (``low`` is ``text.lower()``):
    the rules whose patterns are worth running."""
    lex = lexicon()
    words = frozenset(_punct_to_space(low).split())
    if "@" in text or "\u00a9" in text:
        words = words | {c for c in _SYMBOL_TRIGGERS if c in text}
    found: set[int] = set()
    for w in lex.index_words.intersection(words):
        for i, t, max_words in lex.index[w]:
            if n_words <= max_words and i not in found and t <= words:
                found.add(i)
    return sorted(found)


# ---- structural rules -----------------------------------------------------------------

# Words left in lower case by title-case conventions (Chicago, AP): "How Did Joseph
# Stalin Die?" capitalises everything else.
_SMALL = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "but",
        "or",
        "nor",
        "for",
        "so",
        "yet",
        "of",
        "in",
        "on",
        "at",
        "to",
        "by",
        "from",
        "with",
        "as",
        "vs",
        "via",
        "into",
        "onto",
        "over",
        "per",
        "than",
        "up",
        "off",
        "out",
        "is",
    ]
)
SMALL_WORDS = _SMALL  # for the compiled gate's title-case test
# A breadcrumb that lost its separators keeps a space before the final period: a link
# text followed by the period that ended the scraped list ("History .").
_BREADCRUMB_DOT = re.compile(r"^[A-Z][\w&'\u2019-]*(?: [\w&'\u2019-]+){0,3} \.$")
# A breadcrumb with its separators: "Home > News > World", "Home / Blog / Recipes".
_BREADCRUMB_SEP = re.compile(
    r"^[^\s>\u00bb\u203a/|][^>\u00bb\u203a/|]{0,40}(?:\s[>\u00bb\u203a/|]\s[^>\u00bb\u203a/|]{1,40}){2,10}$"
)
_URL = re.compile(r"(?:https?://|www\.)\S+")
# Separator between a page title and its site name in a <title>: " - ", " | ", " : ",
# " – ", " — ".
_TITLE_SEP = re.compile(r"\s(?:[-|:\u2013\u2014\u00b7]|::)\s|\|")
_SUBFORUM = re.compile(r"r/\w+\s[-|\u2013\u2014]\s")
_DOMAIN = re.compile(
    r"[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|edu|gov|io|co|info|biz|uk|de|fr|ca|au|in|us|me|tv)(?=\s|$)",
    re.IGNORECASE,
)
_SITE_TOKEN = re.compile(r"[A-Za-z][\w.&'\u2019-]{1,30}(?=\s|$)")
_NEXT_STARTS_SENTENCE = re.compile(r"\s+[A-Z0-9\"\u201c'(]")
# Author bio: a name (two to four capitalised words, optional degrees) then a present-
# tense description of the person's role: "Jason Dawsey, PhD, is a Research Historian
# at ...". Past tense ("Trotsky was a ...") is how articles describe their subject,
# so it is not matched.
_BIO = re.compile(
    r"^(?:[A-Z][\w'\u2019.-]+ ){1,3}[A-Z][\w'\u2019-]+,?"
    r"(?: (?:PhD|Ph\.D\.|MD|M\.D\.|MA|MBA|MPH|MS|MSc|RN|JD|Esq\.?|Jr\.?|Sr\.?|II|III|DPhil),?)*"
    r" (?P<verb>is|serves as|works as|has been|writes|covers|teaches|lives)\b(?P<pred>.*)$"
)
# Roles that bios name: job titles common in the author boxes of news and blog pages,
# listed by hand for thresher (golden cases in tests/stages/clean/furniture_cases.json).
_ROLES = re.compile(
    r"\b(?:writer|author|editor|journalist|reporter|historian|professor|researcher|scientist|contributor"
    r"|columnist|correspondent|blogger|photographer|consultant|analyst|lecturer|fellow|director|founder"
    r"|co-founder|curator|producer|designer|developer|engineer|specialist|strategist|coach|lawyer|attorney"
    r"|physician|scholar|student|candidate|instructor|teacher|chef|nutritionist|dietitian|therapist"
    r"|freelancer|freelance|staff|intern|host|podcaster|expert|ceo|cto|manager|economist|critic|novelist"
    r"|poet|translator|illustrator|artist|practitioner|advisor|adviser)s?\b",
    re.IGNORECASE,
)
# verbs that alone make a bio: "X writes about ...", "X covers ..."
_BIO_VERBS = frozenset({"writes", "covers", "teaches"})


def classify(text: str) -> Verdict | None:
    """The kind of furniture ``text`` (one sentence or one line) is, or ``None``."""
    n_words = text.count(" ") + 1
    return _classify(text, n_words, text.lower() if n_words <= 60 else "", None)


def classify_line(text: str) -> tuple[bool, Verdict | None]:
    """:func:`could_be_furniture` and, when it holds, :func:`classify`, for a short
    line holding one sentence: ``(could_be_furniture(text), classify(text) or None)``.

    Both start by lower-casing and splitting the line and looking its words up
    among the trigger tokens; done once here for the ~290,000 one-sentence short lines
    of the corpus's main text.
    """
    n_words = text.count(" ") + 1
    lex = lexicon()
    low = text.lower()
    tokens = lex.tokens_short if n_words <= 15 else lex.tokens_long
    token_hit = not tokens.isdisjoint(low.split())
    if not token_hit and not _structural_hint(text):
        return False, None
    return True, _classify(text, n_words, low, token_hit)


def classify_known_hit(text: str, token_hit: bool) -> Verdict | None:
    """:func:`classify` for a caller that has already tested whether a trigger token of
    the unit's length is among its lower-cased words (the compiled line gate has)."""
    n_words = text.count(" ") + 1
    return _classify(text, n_words, text.lower() if n_words <= 60 else "", token_hit)


def _classify(text: str, n_words: int, low: str, token_hit: bool | None) -> Verdict | None:
    if n_words <= 60:
        v = _lexical(text, n_words, low, token_hit)
        if v is not None:
            return v
    return _structural(text, n_words, G_ALL)


# The structural rules a unit may match, as the compiled sentence gate (_furnfast.gate)
# answers: each bit stands for a necessary condition of one rule (the values of
# _furnfast.c). A rule whose bit is clear cannot match, so _structural skips it.
G_CRUMB_DOT = 1  # _BREADCRUMB_DOT
G_CRUMB_SEP = 2  # _BREADCRUMB_SEP
G_BIO = 4  # _BIO
G_QUESTION = 8  # a title-case question
G_REFLIST = 16  # is_reference_list
G_TITLE = 32  # whole_title, and glued_title (furniture._result)
G_ALL = 63
G_TOKHIT = 64  # not a rule: a trigger token of the unit's length is among its words


def _structural(text: str, n_words: int, may: int) -> Verdict | None:
    """The structural rules, in order, but those whose bit is clear in ``may``."""
    last = text[-1]
    if may & G_CRUMB_DOT and n_words <= 5 and last == "." and _BREADCRUMB_DOT.match(text):
        return Verdict(
            "breadcrumb", "a run of navigation links whose separators were lost (a word before ' .')"
        )
    if (
        may & G_CRUMB_SEP
        and n_words <= 30
        and _has_crumb_separator(text)
        and _BREADCRUMB_SEP.match(text)
        and _short_items(text)
    ):
        return Verdict("breadcrumb", "a trail of navigation links ('Home > Section > Page')")
    if may & G_BIO and n_words <= 45 and text[0].isupper():
        m = _BIO.match(text)
        if m and (_ROLES.search(m.group("pred")) or m.group("verb") in _BIO_VERBS):
            return Verdict(
                "author_bio", "a note about the author (name and present-tense role), not the text"
            )
    if may & G_QUESTION and n_words <= 16 and last == "?" and is_title_case(text):
        return Verdict(
            "related_question", "a title-case question standing alone: the link to a related article"
        )
    if (
        may & G_REFLIST
        and n_words >= 8
        and ("http" in text or "www." in text or " - " in text)
        and is_reference_list(text)
    ):
        return Verdict("reference_list", "a list of sources and links, not running text")
    title = whole_title(text) if may & G_TITLE and n_words <= 15 and has_title_separator(text) else None
    if title is not None:
        return Verdict("page_title", f"the title of a page of {title}, not text of the page")
    return None


def classify_gated(text: str, mask: int, bits: int) -> Verdict | None:
    """:func:`classify` for a unit the compiled sentence gate let through, with its
    answer: ``mask``, the lexical rules that may match (bit i: rule i; those whose
    triggers are there, with a trigger token or a link or a symbol as :func:`_lexical`
    requires, and one of whose literals is there), or -1 (the gate could not tell:
    every rule is tried); ``bits``, the structural rules that may (``G_*``). The
    rules left out cannot match; the others are tried in :func:`classify`'s order."""
    if mask < 0:
        return classify_known_hit(text, bits & G_TOKHIT != 0)
    if mask:
        v = _first_match(text, text.lower(), (i for i in range(mask.bit_length()) if mask >> i & 1))
        if v is not None:
            return v
    if not bits & G_ALL:
        return None
    return _structural(text, text.count(" ") + 1, bits)


def _has_crumb_separator(text: str) -> bool:
    return " > " in text or " / " in text or " | " in text or " \u00bb " in text or " \u203a " in text


def _short_items(text: str) -> bool:
    items = re.split(r"\s[>\u00bb\u203a/|]\s", text)
    return all(0 < len(i.split()) <= 5 for i in items)


def is_title_case(text: str) -> bool:
    """True when every word but the small ones starts upper case ("How Did Joseph Stalin Die?")."""
    words = [w.strip("\"'()\u201c\u201d?!.,:;") for w in text.split()]
    big = [w for w in words if w and w.lower() not in _SMALL]
    if len(big) < 3 or len(words) < 4:
        return False
    capital = sum(1 for w in big if w[0].isupper() or w[0].isdigit())
    return capital == len(big)


def is_reference_list(text: str) -> bool:
    """A comma-separated run of titles with links or ' - ' title/site pairs."""
    items = [i for i in re.split(r",\s+|;\s+|\s\|\s", text) if i]
    if len(items) < 5:
        return False
    urls = len(_URL.findall(text))
    dashed = sum(1 for i in items if " - " in i or " \u2013 " in i)
    if urls == 0 and dashed < 2:
        return False
    capital = sum(1 for i in items if i[0].isupper() or i.startswith(("http", "www")))
    return capital >= 0.6 * len(items)


class GluedTitle(NamedTuple):
    """A page title at the start of a unit: ``text[:end]`` is the title with its site."""

    end: int
    site: str


def _site_at(text: str, pos: int, title: str, sep: str) -> tuple[int, str] | None:
    """The site name that starts at ``pos`` (after a title separator), if any."""
    lex = lexicon()
    sub = _SUBFORUM.match(text, pos)
    if sub:
        pos = sub.end()
    m = lex.site_regex.match(text, pos) or _DOMAIN.match(text, pos)
    if m:
        return m.end(), m.group().lower()
    # an unknown site is accepted only where the title is unmistakable: a question, or
    # the "|" separator that prose does not use
    if title.rstrip().endswith("?") or sep.strip() == "|":
        m = _SITE_TOKEN.match(text, pos)
        if m and m.group()[0].isupper() or (m and sub):
            return m.end(), m.group().lower()
    return None


def has_title_separator(text: str) -> bool:
    """A cheap test before the title rules: does ``text`` hold a title separator?"""
    return (
        " - " in text
        or "|" in text
        or " : " in text
        or " \u2013 " in text
        or " \u2014 " in text
        or " \u00b7 " in text
    )


def glued_title(text: str) -> GluedTitle | None:
    """A page title glued before the sentence that follows it, or ``None``.

    ``text`` is one sentence. The title runs from its start to a title separator, an
    optional subforum ("r/Socialism_101 - ") and a site name; the sentence that follows
    must start with a capital and have at least three words, so that a dash in
    running prose ("...intellectually - he outplayed him...") is never taken for one.
    """
    for sep in _TITLE_SEP.finditer(text, 0, min(len(text), 250)):
        title = text[: sep.start()]
        if not title or title.count(" ") > 25:
            return None
        site = _site_at(text, sep.end(), title, sep.group())
        if site is None:
            continue
        end, name = site
        nxt = _NEXT_STARTS_SENTENCE.match(text, end)
        if nxt is None or text.count(" ", nxt.end()) < 2:
            continue
        return GluedTitle(nxt.end() - 1, name)
    return None


def whole_title(text: str) -> str | None:
    """The site name when ``text`` is nothing but a page title ("Leon Trotsky - Wikipedia")."""
    if text.count(" ") > 15:
        return None
    lex = lexicon()
    for sep in _TITLE_SEP.finditer(text):
        title = text[: sep.start()]
        if not title:
            continue
        pos = sep.end()
        m = lex.site_regex.match(text, pos) or _DOMAIN.match(text, pos)
        if m and m.end() == len(text.rstrip(" .")):
            return m.group().lower()
    return None


def site_of_title(title: str) -> str | None:
    """The site named by a removed page title (the mash-up filter counts distinct sites)."""
    t = title.strip()
    for sep in _TITLE_SEP.finditer(t):
        site = _site_at(t, sep.end(), t[: sep.start()], sep.group())
        if site is not None and site[0] >= len(t.rstrip(" .")):
            return site[1]
    return None


# Where the text of one link ends and the next begins in a line an extractor printed
# without a space between inline elements ("ReplyDelete", "Share to TwitterShare to
# Facebook", "Previous articleTransforming Mount Trashmore"): a lower-case letter, or a
# "!", "?" or ")", directly followed by a capital.
GLUE_POINT = re.compile(r"[a-z\u00df-\u00ff!?)][A-Z\u00c0-\u00de]")
_GLUE_SPLIT = re.compile(r"(?<=[a-z\u00df-\u00ff!?)])(?=[A-Z\u00c0-\u00de])")
# labels of furniture that introduces a link: a heading over tags or related links, a
# previous/next link, a read-more link
_LINK_LABELS = frozenset({"related_links", "navigation", "read_more"})
GLUED_MAX_CHARS = 200  # longer lines are prose, not a row of links
# list markers before a menu item or a line's first word
LIST_BULLETS = "\u2022\u00b7*\u25aa\u25cf\u2013- \t"
# terminal punctuation followed by space inside a line: the line may hold two sentences
INNER_STOP = re.compile(r"[.!?\u2026\u061f\u0964\u3002\uff01\uff1f][\"')\]\u201d\u2019]*\s")


def glued_links(line: str) -> Verdict | None:
    """A line of link texts glued together without spaces, or ``None``.

    The line (stripped, as :func:`~thresher.stages.segment.line_bounds` gives it) is cut
    at its glue points (:data:`GLUE_POINT`) and each piece is judged by :func:`classify`
    (as :func:`classify_line`, which tests first whether it can be). Two ways to be
    furniture:

    - a heading or a previous/next/read-more link of two to four words, glued before
      the text of the link (a title, a list of tags) that fills the rest of a line of one
      sentence not ending in a period: "Related TopicsEpic GamesPsyonixRocket League"; a
      single word ("Home" in "HomeKit setup", "• Search" in "• SearchBar needs to ...")
      is too ambiguous to start one, and a longer opening is a sentence of its own
      ("Learn more about the benefits of a WiFi doorbell camera.");
    - short pieces (four words at most), at least two and at least half of them
      furniture: "Email ThisBlogThis!Share to TwitterShare to Facebook". A brand glued
      to one furniture word ("SharePoint") is not enough.
    """
    if len(line) > GLUED_MAX_CHARS:
        return None
    pieces = [p for p in (s.strip() for s in _GLUE_SPLIT.split(line)) if p]
    if len(pieces) < 2:
        return None
    label_words = pieces[0].lstrip(LIST_BULLETS).count(" ") + 1
    if 2 <= label_words <= 4 and not line.endswith(".") and not INNER_STOP.search(line):
        first = classify_line(pieces[0])[1]
        if first is not None and first.label in _LINK_LABELS:
            return Verdict(
                first.label,
                f"'{pieces[0]}' glued without a space to the text of the link it introduces: {first.reason}",
            )
    if any(p.count(" ") >= 4 for p in pieces):
        return None
    # classify_line: the cheap test that rules most pieces out first ("iPhone",
    # "YouTube"); stop as soon as too few pieces are left to make the count
    need = max(2, (len(pieces) + 1) // 2)
    found: list[Verdict] = []
    for i, piece in enumerate(pieces):
        if len(found) + len(pieces) - i < need:
            return None
        v = classify_line(piece)[1]
        if v is not None:
            found.append(v)
    if len(found) >= need:
        labels = [v.label for v in found]
        label = max(labels, key=labels.count)
        return Verdict(
            label,
            f"link texts glued together without spaces, {len(found)} of {len(pieces)} of them furniture",
        )
    return None
