"""A small contextual model that decides apostrophes whose two readings are both words.

"its"/"it's", "were"/"we're", "well"/"we'll", and every plural that may be a possessive
("the years event" / "last years event"): the word alone cannot decide, its neighbours
can. The model is a logistic regression over sparse features of one occurrence:

- the *kind* of candidate: a possessive ``s`` (lower-case, capitalised inside a
  sentence, or sentence-initial) or one of the ambiguous contractions of :data:`AMBIGUOUS`;
- the previous and next token (a word, lower-cased, or the punctuation mark that stands
  there), alone and as a pair, the token before the previous, alone and paired with the
  previous ("that its", "if were"), the token after the next, the next word's last two
  letters (a crude part of speech: "-ly", "-ng", "-ed"), the case of both neighbours and
  their lexicon frequency (whole Zipf units: function words, common and rare words);
- the class of the next two words by how often they follow a determiner on the fit pages
  (:data:`WORD_CLASS_BOUNDS`, a crude part of speech: "its revenue" is a determiner
  before a noun, "its heading" a contraction; "the users data" a possessive, "the users
  said" a plural), except for a possessive a rule proposed, which the lexicon supports;
- for a possessive, the lexicon's evidence: Zipf of "word's" against "words", whether
  either is listed, whether the bare form occurs in the document, and the word itself
  when it was frequent enough in the fitting pages;
- the distributional signature of the previous, next and second next words
  (:data:`SIGNATURE_CONTEXTS`: how often each stands after a determiner, a subject
  pronoun, "to", "be", an intensifier, before "of", a determiner, a finite verb), and the
  pair of the previous and next words' signatures: a part of speech learned from
  unlabeled text ("year’s" is followed by a noun phrase, "years" by a verb, a
  preposition or punctuation; "it’s" by a determiner, an adjective, "-ing" or an adverb,
  "its" by a noun);
- what a trigram language model of English fitted on far more text than the fit pages
  says of the two readings in their sentence ("the player's ball was" against "the
  players ball was"): :mod:`thresher.stages.repair.ngram_lm`, CMU Sphinx's US English
  model that the ``pocketsphinx`` wheel ships;
- facts about the whole document (:func:`doc_features`): how many unambiguous cues of
  damage it has ("thats", "dont", "companys"), how many apostrophes it still writes as
  ASCII ``'`` (a page that types ``it's`` and also ``its`` meant ``its``), the pronoun
  written "i", double spaces between words, straight double quotes, "--" and "..." (an
  author who typed those typed no curly apostrophe either); for a rule's restoration
  they are features of their own.

The weights (``context_model.json.gz`` beside this module) are fitted by
``scripts/build_repair_context_model.py`` on the *fit* half of the English pages of
../shared/data/corpus (split by a hash of the page id, see
:func:`thresher.stages.repair.evaluation.split_of`), and on the human-judged DCLM
documents of ../shared/data/quality that share no long shingle with a held-out page, with
their non-ASCII characters deleted, the way ``benchmarks/repair.py`` deletes them; the
benchmark reports the other half. The file holds feature weights, the word classes and
the signatures (words of 20 or more occurrences in that text, by class), no text of any
page.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

MODEL_PATH = Path(__file__).with_name("context_model.json.gz")

# Ambiguous contractions: the form as written without its apostrophe -> where the
# apostrophe goes (characters from the start). Each written form is itself a common
# English word, so only the context tells them apart ("we'll"/"well", "she'd"/"shed").
# "its"/"lets" are the two "'s" clitics whose bare form is a word.
AMBIGUOUS: dict[str, int] = {
    "its": 2,
    "lets": 3,
    "were": 2,
    "well": 2,
    "wed": 2,
    "hell": 2,
    "shell": 3,
    "shed": 3,
    "ill": 1,
    "id": 1,
    "im": 1,
    "ive": 1,
}

_SENTENCE_END = ".?!:;"


def wrapped_break(text: str, i: int) -> bool:
    """Whether the line break ``text[i]`` wraps a sentence rather than ending a line of
    its own: it follows a letter, a digit or a comma on its line, and a lower-case word
    begins the next ("the fact that we\\nwere running"). Token readers read it as a space."""
    j = i - 1
    while j >= 0 and text[j] in " \t":
        j -= 1
    if j < 0 or not (text[j].isalnum() or text[j] == ","):
        return False
    k, n = i + 1, len(text)
    while k < n and text[k] in " \t":
        k += 1
    return k < n and "a" <= text[k] <= "z"


def next_token(text: str, end: int) -> tuple[str, str, int]:
    """The token after ``end``: a lower-cased word, a punctuation mark, ``<d>`` for a
    digit, ``<nl>`` for a line break (one that wraps a sentence is a space,
    :func:`wrapped_break`), ``<end>`` at the end; its shape (``l`` lower, ``C``
    capitalised, ``U`` all capitals, ``p`` otherwise); and where it ends."""
    n = len(text)
    i = end
    while i < n and (text[i] == " " or (text[i] == "\n" and wrapped_break(text, i))):
        i += 1
    if i >= n:
        return "<end>", "p", i
    c = text[i]
    if c == "\n":
        return "<nl>", "p", i + 1
    if c.isascii() and c.isalpha():
        j = i + 1
        while j < n and text[j].isascii() and text[j].isalpha():
            j += 1
        w = text[i:j]
        return w.lower(), _shape(w), j
    if c.isdigit():
        return "<d>", "p", i + 1
    return c, "p", i + 1


def prev_token(text: str, start: int) -> tuple[str, str]:
    """The token before ``start``, as :func:`next_token` describes it (without the end)."""
    tok, shape, _ = prev_token_at(text, start)
    return tok, shape


def prev_token_at(text: str, start: int) -> tuple[str, str, int]:
    """:func:`prev_token` and where that token begins (where to read the one before it)."""
    i = start
    while i > 0 and (text[i - 1] == " " or (text[i - 1] == "\n" and wrapped_break(text, i - 1))):
        i -= 1
    if i <= 0:
        return "<start>", "p", 0
    c = text[i - 1]
    if c == "\n":
        return "<nl>", "p", i - 1
    if c.isascii() and c.isalpha():
        j = i - 1
        while j > 0 and text[j - 1].isascii() and text[j - 1].isalpha():
            j -= 1
        w = text[j:i]
        return w.lower(), _shape(w), j
    if c.isdigit():
        return "<d>", "p", i - 1
    return c, "p", i - 1


def _shape(w: str) -> str:
    if w.islower():
        return "l"
    if w.isupper():
        return "U" if len(w) > 1 else "C"
    return "C" if w[0].isupper() and w[1:].islower() else "M"


def _bucket(n: int) -> str:
    return "0" if n == 0 else "1" if n == 1 else "2-3" if n <= 3 else "4-9" if n <= 9 else "10+"


def doc_features(
    cues: int, straight: int, lower_i: int = 0, gaps: int = 0, quotes: int = 0, typed: int = 0
) -> tuple[str, ...]:
    """Features of the whole document: its unambiguous cues of damage and the
    apostrophes it still writes as ASCII, and how the two compare; how often it writes
    the pronoun as a lower-case "i" (an author who types "i dont" typed no apostrophes:
    on the fit pages a rule's apostrophe was wrong 2.7% of the time on pages without
    one, 9.9% on pages with three or more); its double spaces between words (where a
    spaced dash " – " was deleted: the page lost characters); and the typography it
    typed in ASCII, straight double quotes and "--" or "..." (a page typed that way
    seldom had curly apostrophes to lose: a rule's apostrophe was wrong 1.7% of the time
    on pages without a '"', 15.5% with nine or more; 2.1% without "--" or "...", 19.2%
    with six or more)."""
    share = straight / (straight + cues) if straight + cues else 0.0
    ratio = "none" if straight == 0 else "few" if share < 0.2 else "some" if share < 0.6 else "most"
    return (
        f"dc|{_bucket(cues)}",
        f"ds|{_bucket(straight)}",
        f"dr|{ratio}",
        f"di|{_bucket(lower_i)}",
        f"dg|{_bucket(gaps)}",
        f"dq|{_bucket(quotes)}",
        f"dt|{_bucket(typed)}",
    )


# the name prefixes of the features :func:`doc_features` makes
DOC_FAMILIES = ("dc", "ds", "dr", "di", "dg", "dq", "dt")


def kind_of(tok: str, initial: bool) -> str | None:
    """The candidate kind of a word as written, or None when the model has no say."""
    lw = tok.lower()
    if lw in AMBIGUOUS:
        return lw
    if len(tok) >= 3 and lw.endswith("s") and not (tok.isupper() and len(tok) > 1):
        if tok[0].isupper():
            return "SI" if initial else "SC"
        return "S"
    return None


def group_of(kind: str) -> str:
    """The group of a kind: "S" for the possessives, "A" for the ambiguous contractions."""
    return "S" if kind in ("S", "SC", "SI") else "A"


def token_features(
    kind: str, lex: tuple[float, float] | None, word: str, base_in_doc: bool, doc: tuple[str, ...]
) -> list[tuple[str, float]]:
    """The features that do not depend on the neighbours: the kind, the document and,
    for a possessive, the lexicon's evidence and the word itself."""
    group = group_of(kind)
    out: list[tuple[str, float]] = [(f"b|{kind}", 1.0)]
    for d in doc:
        out.append((f"{d}|{group}", 1.0))
    if lex is not None:
        zw, zc = lex
        zd = max(-4.0, min(4.0, zc - zw)) / 4.0
        out += [("zd", zd), (f"zd|{kind}", zd), ("zc", zc / 8.0), ("zw", zw / 8.0), (f"w|{word}", 1.0)]
        if zc == 0.0:
            out.append((f"zc0|{kind}", 1.0))
        if zw == 0.0:
            out.append((f"zw0|{kind}", 1.0))
        if base_in_doc:
            out.append((f"bd|{kind}", 1.0))
    return out


# the name prefixes of the features :func:`context_features` makes, and of the language
# model's (:func:`thresher.stages.repair.ngram_lm.lm_features`)
CONTEXT_FAMILIES = frozenset(
    {"n", "p", "nc", "pc", "nn", "n2", "nx", "pn", "pz", "nz", "wc", "wc2", "gk", "gj", "p2", "pp"}
    | {"lm", "lml", "lmr", "lmb", "lmo"}
    | {f"g{d}" for d in "dstbvoxn"}
    | {f"h{d}" for d in "dstbvoxn"}
)

# How often a word follows a determiner ("the", "a", "his", "this"...) on the fit pages:
# nouns and attributive adjectives often, verbs, adverbs and function words seldom. The
# class of the next two words is a crude part of speech that reaches words the fitting
# pages hardly paired with a candidate ("its revenue" / "its heading"). Bounds of the
# share of occurrences after a determiner, for words seen at least WORD_CLASS_MIN_COUNT
# times; class "u" for other words, "p" for punctuation.
WORD_CLASS_BOUNDS = (0.02, 0.08, 0.2, 0.4)
WORD_CLASS_MIN_COUNT = 20
DETERMINERS = frozenset(
    [
        "the",
        "a",
        "an",
        "his",
        "her",
        "their",
        "our",
        "my",
        "your",
        "this",
        "these",
        "those",
        "that",
        "every",
        "each",
        "no",
    ]
)


def word_class(classes: dict[str, str], tok: str) -> str:
    """The class of ``tok`` (see :data:`WORD_CLASS_BOUNDS`)."""
    c = classes.get(tok)
    if c is not None:
        return c
    return "u" if tok.isalpha() else "p"


# The distributional signature of a word: how much more (or less) often than words in
# general it stands after a determiner (nouns, attributive adjectives), after a subject
# pronoun (finite verbs), after "to" (base verbs), after a form of "be" (adjectives,
# participles, "-ing"), after an intensifier (adjectives, adverbs), before "of" (nouns),
# before a determiner (transitive verbs, prepositions) and before a finite verb or modal
# (subjects: plural nouns, pronouns). Counted on unlabeled English text (see
# scripts/build_repair_context_model.py); each dimension is a level 0-3 of the word's
# share over the share of all words (:data:`SIGNATURE_LEVELS`), for words seen at least
# SIGNATURE_MIN_COUNT times. "its revenue" / "its heading", "last years event" / "the
# years passed": the next word's signature reaches words the fitting pages hardly
# paired with a candidate.
SIGNATURE_CONTEXTS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("d", "after", DETERMINERS),
    ("s", "after", frozenset(["i", "you", "we", "they", "he", "she"])),
    ("t", "after", frozenset(["to"])),
    ("b", "after", frozenset(["is", "are", "was", "were", "be", "been", "being", "am"])),
    (
        "v",
        "after",
        frozenset(["very", "so", "too", "quite", "really", "more", "most", "less", "pretty", "extremely"]),
    ),
    ("o", "before", frozenset(["of"])),
    ("x", "before", DETERMINERS),
    (
        "n",
        "before",
        frozenset(["is", "are", "was", "were", "has", "have", "had", "will", "would", "can", "could"]),
    ),
)
SIGNATURE_NAMES = "".join(name for name, _, _ in SIGNATURE_CONTEXTS)
SIGNATURE_LEVELS = (0.3, 1.0, 4.0)
SIGNATURE_MIN_COUNT = 20
_NEXT_SIG = tuple(f"g{d}" for d in SIGNATURE_NAMES)
_PREV_SIG = tuple(f"h{d}" for d in SIGNATURE_NAMES)


def signature_level(share: float, base: float) -> str:
    """The level (see :data:`SIGNATURE_LEVELS`) of a word's share of one context."""
    ratio = share / base if base > 0 else 0.0
    return str(sum(ratio >= b for b in SIGNATURE_LEVELS))


def signature_features(kind: str, sigs: tuple[str, str, str]) -> list[tuple[str, float]]:
    """The features of the signatures of the previous, next and second next words
    (``""`` for punctuation and words without one)."""
    ps, ns, n2 = sigs
    out: list[tuple[str, float]] = []
    if ns:
        out += [(f"{f}|{kind}|{lv}", 1.0) for f, lv in zip(_NEXT_SIG, ns)]
    if ps:
        out += [(f"{f}|{kind}|{lv}", 1.0) for f, lv in zip(_PREV_SIG, ps)]
    if n2:
        out.append((f"gk|{kind}|{n2[0]}{n2[1]}{n2[3]}", 1.0))
    if ns and ps:
        out.append((f"gj|{kind}|{ps[0]}{ps[6]}|{ns[0]}{ns[1]}{ns[3]}", 1.0))
    return out


def context_features(
    kind: str,
    prev: tuple[str, str],
    nxt: tuple[str, str],
    nxt2: str,
    zipfs: tuple[float, float],
    classes: tuple[str, str],
    sigs: tuple[str, str, str] = ("", "", ""),
    prev2: str = "",
) -> list[tuple[str, float]]:
    """The features of the neighbouring tokens (see the module docstring); ``zipfs`` are
    the lexicon's Zipf values of the previous and the next word (0 for punctuation),
    ``classes`` the :func:`word_class` of the next two tokens, ``sigs`` the signatures
    of the previous, next and second next words (:func:`signature_features`), ``prev2``
    the token before the previous one (``""``: not read)."""
    group = group_of(kind)
    pw, ps = prev
    nw, ns = nxt
    out = [
        (f"pn|{group}|{pw}|{nw}", 1.0),
        (f"pz|{kind}|{int(zipfs[0])}", 1.0),
        (f"nz|{kind}|{int(zipfs[1])}", 1.0),
        (f"n|{group}|{nw}", 1.0),
        (f"p|{group}|{pw}", 1.0),
        (f"n|{kind}|{nw}", 1.0),
        (f"p|{kind}|{pw}", 1.0),
        (f"nc|{kind}|{ns}", 1.0),
        (f"pc|{kind}|{ps}", 1.0),
        (f"nn|{group}|{nw}|{nxt2}", 1.0),
        (f"n2|{kind}|{nxt2}", 1.0),
    ]
    out += [(f"wc|{kind}|{classes[0]}", 1.0), (f"wc2|{kind}|{classes[0]}|{classes[1]}", 1.0)]
    if prev2:
        out += [(f"p2|{group}|{prev2}", 1.0), (f"pp|{kind}|{prev2}|{pw}", 1.0)]
    if ns != "p" and len(nw) >= 4:
        out.append((f"nx|{group}|{nw[-2:]}", 1.0))
    return out + signature_features(kind, sigs)


def features(
    kind: str,
    prev: tuple[str, str],
    nxt: tuple[str, str],
    nxt2: str,
    zipfs: tuple[float, float],
    classes: tuple[str, str],
    lex: tuple[float, float] | None,
    word: str,
    base_in_doc: bool,
    doc: tuple[str, ...],
    sigs: tuple[str, str, str] = ("", "", ""),
    prev2: str = "",
) -> list[tuple[str, float]]:
    """All the sparse features of one occurrence (name, value)."""
    return token_features(kind, lex, word, base_in_doc, doc) + context_features(
        kind, prev, nxt, nxt2, zipfs, classes, sigs, prev2
    )


@dataclass(frozen=True)
class ContextModel:
    """Fitted weights, the decision thresholds (log-odds) and how they were made.

    ``token_floor`` holds, for each kind, the lowest score of the features that do not
    depend on the neighbours (:func:`token_features`) among the occurrences the model
    restored on the validation pages, less a margin of 0.5: a word below it is not even
    located in the text (two thirds of the plurals), which keeps the step fast. A kind
    the model never restored on validation has no floor and is not scored at all.

    Two thresholds: one for a restoration a rule proposed, one for an occurrence only the
    model proposes, fitted jointly on the validation pages (those whose source kept its
    apostrophes). The rules' comes out lower: what they propose ("dont", "Trotskys") is
    seldom anything but damage on such a page.
    """

    weights: dict[str, float]
    threshold_rule: float
    threshold_new: float
    meta: dict[str, Any]
    token_floor: dict[str, float]
    word_classes: dict[str, str] = field(default_factory=dict)  # see WORD_CLASS_BOUNDS
    signatures: dict[str, str] = field(default_factory=dict)  # see SIGNATURE_CONTEXTS
    _doc_bounds: dict[str, float] = field(default_factory=dict)
    _lm_bounds: dict[str, float] = field(default_factory=dict)

    def score(self, feats: list[tuple[str, float]]) -> float:
        """Log-odds that the apostrophe was there."""
        w = self.weights
        return sum(w.get(name, 0.0) * v for name, v in feats)

    def doc_bound(self, kind: str) -> float:
        """The most the document features (:func:`doc_features`) and "bare form in the
        document" can add to the score of ``kind``: with it, a word that stays under its
        floor in any document is ruled out once, not once per page."""
        bounds = self._doc_bounds
        if not bounds:
            # one pass over the weights: the largest weight of each family, by group
            best: dict[tuple[str, str], float] = {}
            families = frozenset(DOC_FAMILIES)
            for k, v in self.weights.items():
                fam, _, rest = k.partition("|")
                if fam in families:
                    key = (fam, rest.rpartition("|")[2])
                    best[key] = max(best.get(key, v), v)
            bounds["-"] = 0.0  # marks the table as built
            for group in ("S", "A"):
                bounds[f"|{group}"] = sum(best.get((fam, group), 0.0) for fam in DOC_FAMILIES)
        bound = bounds.get(kind)
        if bound is None:
            bound = bounds[kind] = (
                max(0.0, self.weights.get(f"bd|{kind}", 0.0)) + bounds[f"|{group_of(kind)}"]
            )
        return bound

    def lm_bound(self, group: str) -> float:
        """The most the language model's features (``ngram_lm.lm_features``, values of
        at most 2 in size and one level) can add to a score of ``group``: a candidate
        that stays under its threshold with it is not looked up."""
        bound = self._lm_bounds.get(group)
        if bound is None:
            w = self.weights
            levels = [v for k, v in w.items() if k.startswith(f"lmb|{group}|")] + [w.get(f"lmo|{group}", 0.0)]
            bound = self._lm_bounds[group] = 2.0 * sum(
                abs(w.get(f"{f}|{group}", 0.0)) for f in ("lm", "lml", "lmr")
            ) + max(0.0, *levels)
        return bound

    def context_score(
        self,
        kind: str,
        prev: tuple[str, str],
        nxt: tuple[str, str],
        nxt2: str,
        zipfs: tuple[float, float],
        classes: tuple[str, str],
        sigs: tuple[str, str, str] = ("", "", ""),
        prev2: str = "",
    ) -> float:
        """``score(context_features(...))`` without building the list: the step's hot
        loop (every candidate occurrence of a damaged page)."""
        get = self.weights.get
        group = group_of(kind)
        pw, ps = prev
        nw, ns = nxt
        total = (
            get(f"pn|{group}|{pw}|{nw}", 0.0)
            + get(f"pz|{kind}|{int(zipfs[0])}", 0.0)
            + get(f"nz|{kind}|{int(zipfs[1])}", 0.0)
            + get(f"n|{group}|{nw}", 0.0)
            + get(f"p|{group}|{pw}", 0.0)
            + get(f"n|{kind}|{nw}", 0.0)
            + get(f"p|{kind}|{pw}", 0.0)
            + get(f"nc|{kind}|{ns}", 0.0)
            + get(f"pc|{kind}|{ps}", 0.0)
            + get(f"nn|{group}|{nw}|{nxt2}", 0.0)
            + get(f"n2|{kind}|{nxt2}", 0.0)
            + get(f"wc|{kind}|{classes[0]}", 0.0)
            + get(f"wc2|{kind}|{classes[0]}|{classes[1]}", 0.0)
        )
        if prev2:
            total += get(f"p2|{group}|{prev2}", 0.0) + get(f"pp|{kind}|{prev2}|{pw}", 0.0)
        if ns != "p" and len(nw) >= 4:
            total += get(f"nx|{group}|{nw[-2:]}", 0.0)
        sp, sn, s2 = sigs
        if sn:
            for f, lv in zip(_NEXT_SIG, sn):
                total += get(f"{f}|{kind}|{lv}", 0.0)
            if sp:
                total += get(f"gj|{kind}|{sp[0]}{sp[6]}|{sn[0]}{sn[1]}{sn[3]}", 0.0)
        if sp:
            for f, lv in zip(_PREV_SIG, sp):
                total += get(f"{f}|{kind}|{lv}", 0.0)
        if s2:
            total += get(f"gk|{kind}|{s2[0]}{s2[1]}{s2[3]}", 0.0)
        return total

    def may_restore(self, own: dict[str, list[tuple[str, float]]]) -> bool:
        """Whether a word whose token features are ``own`` (by the kinds it can take)
        reaches the floor of one of them (see the class docstring)."""
        floor = self.token_floor
        return any(k in floor and self.score(f) >= floor[k] for k, f in own.items())


@lru_cache(maxsize=2)
def load_context_model(path: str = str(MODEL_PATH)) -> ContextModel:
    """Load (once per process) the weights shipped beside this module."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        raw = json.load(fh)
    return ContextModel(
        weights=raw["weights"],
        threshold_rule=float(raw["threshold_rule"]),
        threshold_new=float(raw["threshold_new"]),
        token_floor={k: float(v) for k, v in raw["token_floor"].items()},
        meta=raw["meta"],
        word_classes={w: c for c, words in raw.get("word_classes", {}).items() for w in words.split()},
        signatures={w: c for c, words in raw.get("signatures", {}).items() for w in words.split()},
    )
