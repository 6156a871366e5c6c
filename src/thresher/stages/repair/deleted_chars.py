"""restore_deleted_chars: put back the non-ASCII characters a bad pipeline deleted.

Some scrapers and "cleaners" do not replace characters they cannot encode, they drop
them: "Trotsky’s" becomes "Trotskys", "that’s" "thats", "Revolution—admired"
"Revolutionadmired", "Étienne" "tienne". No peer repairs this (datatrove, NeMo Curator
and Dolma keep or drop whole documents), and the damage is invisible to their rules.

The step works in two stages, and the second only runs when the first says so:

1. **Detection.** A damaged document has no non-ASCII character at all (real English
   web text nearly always has some: curly quotes, dashes, non-breaking spaces), and it
   carries *cues*: words that are rare or unknown as written but common once an
   apostrophe, a dash or an accented letter is put back. The document is treated as
   damaged when it is pure ASCII, reads as English (share of English function words,
   ``min_english``: the lexicon is English) and has at least ``min_cues`` cues, or a
   single one and (nearly) no apostrophe typed in ASCII, ``single_cue_straight`` (signals
   ``non_ascii``, ``english``, ``cues``, ``damaged``). A normal document passes untouched.
2. **Repair.** Each cue that is unambiguous is restored as a ``replace`` edit on that one
   word: by the frequency lexicon (wordfreq, shipped in its wheel: "thats" is far rarer
   than "that's"), by the document itself (a capitalised "Trotskys" when "Trotsky" occurs
   bare), or by the neighbouring words where both readings are words ("its" before
   "going" is "it’s", "were" after "when" lacks a subject, "Ill" inside a sentence is
   "I’ll"). A word that is visibly damaged but not recoverable (a deleted *leading*
   letter, whose case is lost, or several equally likely accented words) is marked with
   a ``flag`` edit labelled ``damaged``.

3. **Context.** In a damaged document, a small contextual model
   (:mod:`thresher.stages.repair.context_model`, fitted on real pages) has the last word
   on every apostrophe: it restores those whose two readings are both words ("its"/"it’s",
   "were"/"we’re", "years"/"year’s") from the neighbouring words, and it vetoes a rule's
   restoration where the context says the author never typed one ("I cant wait" on a
   page that writes no apostrophes). Rules the fitting pages hardly exercised (regnal
   numbers) stand as the rules decided.

What is *not* recoverable by design, and left alone: apostrophes after a plural "s"
("workers’ rights"), spaced dashes (" – " becomes a double space, which real text also
has), quotation marks, ellipses, non-breaking spaces and symbols. The benchmark
(``benchmarks/repair.py``) reports those classes separately.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field

from thresher.document import Document, Edit
from thresher.stages.repair.context_model import (
    AMBIGUOUS,
    ContextModel,
    doc_features,
    features,
    group_of,
    kind_of,
    load_context_model,
    next_token,
    prev_token,
    prev_token_at,
    token_features,
    word_class,
    wrapped_break,
)
from thresher.stages.repair.lexicon import Lexicon, load_lexicon
from thresher.stages.repair.ngram_lm import TrigramLM, lm_features, load_lm, words_after, words_before
from thresher.step import Params, Transformer


def _words(text: str) -> frozenset[str]:
    """A word list written as one string, to keep long lexicons readable."""
    return frozenset(text.split())


# A word we may touch: ASCII letters only, not glued to digits, underscores, apostrophes,
# hyphens, "@", "#", "/" or a following ".x" (which would make it part of an address, a
# handle, a path, a hyphenated compound or a file name).
_WORD = re.compile(r"(?<![A-Za-z0-9_'@#/.\-])[A-Za-z]+(?![A-Za-z0-9_'@/]|\.[A-Za-z0-9]|-[A-Za-z])")
_LETTERS = re.compile(r"[A-Za-z]+")
_STRAIGHT_APOSTROPHE = re.compile(r"[A-Za-z]'[A-Za-z]")

# the pronoun written as a lower-case "i" ("i dont know"), and a double space between two
# words (a deleted spaced dash): two facts about a page for the contextual model
_LOWER_I = re.compile(r"(?<![A-Za-z0-9'])i(?= [a-z])")
_WORD_GAP = re.compile(r"[a-z,]  [A-Za-z]")


def _straight_apostrophes(text: str) -> int:
    """How many straight apostrophes ``text`` writes between two letters."""
    return len(_STRAIGHT_APOSTROPHE.findall(text))


# Hosts of the clitic "’s" (is/has): pronouns, wh-words, there/here, let. A closed class
# of English, so after them "’s" is a contraction and no possessive context is needed.
_S_CLITIC_HOSTS = _words(
    "that what he she it there here who where when how why let everyone everybody someone somebody "
    "nobody nothing everything something"
)
# Words that follow a plural or a verb, almost never a possessive ("the Workers were",
# "Paris and"): a possessive is followed by what it possesses.
_NOT_AFTER_POSSESSIVE = _words(
    "are were is was be been being have has had and or nor but of in on at to from with by for as "
    "than that which who whom whose do does did will would can could may might shall should must not "
    "also"
)
# Determiners that introduce a plural ("the Kennedys", "two Germanys").
_PLURAL_DETERMINERS = _words(
    "the these those both all many several some few two three four five six seven eight nine ten"
)
# The most frequent English function words: their share of a text's words tells English
# prose (0.35-0.5) from other languages written in Latin letters (under 0.1).
_ENGLISH_FUNCTION_WORDS = _words(
    "the of and to a in is that for it as was with be by on not he i this are or his from at which "
    "but have an they you were her she there been one all we their has would when if so no what can "
    "more will out up about who into than them its only other do could some time these two may then "
    "first any my now such like our over also after did should where most"
)
_ROMAN_POSSESSIVE = re.compile(r"[IVX]{1,4}s")
# Words that can follow "it’s"/"let’s" but never the determiner "its" or the verb "lets":
# a possessive determiner is not followed by another determiner, a preposition, a
# negation or an adverb; "lets" (allows) takes an object, "let’s" a bare verb.
_AFTER_ITS_CONTRACTION = _words(
    "a an the not been being going gonna just also only still really very so too about all always never "
    "now no because like what this that these those my your our their his her in on at to for from with "
    "by as if when how why where who here there up out done gotten hard easy important possible "
    "impossible clear true worth likely unlikely okay ok fine probably actually almost quite pretty "
    # predicative adjectives and participles: "it’s difficult", "it’s called"; the
    # determiner "its" is followed by a noun ("its role") or an attributive adjective
    "difficult necessary obvious nice fun interesting amazing crucial essential unclear surprising weird "
    "strange funny sad free available normal natural definitely certainly simply totally absolutely "
    "hardly basically literally kind sort already ever getting gonna called based located designed "
    "supposed meant said known hoped expected estimated "
    # learned: next words after which >= 97% of 4+ occurrences were "it’s", on English
    # pages 2001-5671 of ../shared/data/corpus (disjoint from the benchmark's first 2000)
    "annoying appropriate around bad barely become becoming believed cheaper clearly coming crazy cute "
    "down easier enough especially fairly frustrating going gone had happening incredibly insane "
    "irrelevant less looking making mostly much nothing our over particularly perfectly rare rarely "
    "rather ridiculous safe sometimes sure tempting truly trying understandable unusual usually worked "
    "working wrong his her some with"
)
_AFTER_LETS_CONTRACTION = _words(
    "go get take make talk look see say start be do have hope face dive begin try consider explore "
    "move break check turn play keep put give find use think work hear celebrate learn discuss review "
    "compare examine meet not just all chat watch"
)
_AMBIGUOUS_S = {"its": _AFTER_ITS_CONTRACTION, "lets": _AFTER_LETS_CONTRACTION}
# A superlative after "worlds"/"companys" marks a possessive ("the world’s largest").
_SUPERLATIVE = re.compile(r"[a-z]{2,}est|most|best|least|worst")
# Clitics other than "’s": (suffix as written without the apostrophe, where the apostrophe
# goes counted from the end). "dont" -> "don’t": the apostrophe goes before the final "t".
_OTHER_CLITICS: tuple[tuple[str, int], ...] = (("nt", 1), ("re", 2), ("ve", 2), ("ll", 2), ("d", 1), ("m", 1))

# Longest letter run treated as a word: the longest in wordfreq's English list has 34
# letters ("supercalifragilisticexpialidocious"), and glued-word splitting is quadratic
# in the length.
_MAX_WORD = 40
_CACHE_MAX = 500_000  # words; about 60 MB at most, then the cache starts over

_GLUED = "unknown word made of two common words"

# Glued words are decided page by page. Measured on the fit half of the English pages of
# ../shared/data/corpus (non-ASCII deleted, classed as benchmarks/repair.py does), an unknown
# word that splits into two common words lost an em dash in 28% of cases, a
# non-breaking space in 27% (a space the page wrote as U+00A0), an ellipsis or an en dash
# in 9%, and nothing at all in 36% (names and compounds: "Sagemaker", "workstream").
# A dash does not fall after an article, a possessive determiner or a preposition, a
# lost space does ("thenumber", "yourrecovery"): one such split on a page shows the page
# lost its spaces, and then none of its glued words is read as a dash.
_SPACE_LEFT = _words(
    "the a an your my his her their our its of to in on for with at by from and or but this that these those"
)
# Words that open the phrase after a dash ("water—just like", "safety—all enforced",
# "tools—including a saw"): the right half of a glued word that lost its dash. Kept from
# the function words that followed a glued word at least five times on the fit pages with
# a dash share of 0.6 or more ("that", "then", "this", "like", "was" did not), less
# "and", "but", "or", "you" and "the", which as often followed a deleted ellipsis
# ("timebut", "foodand": informal pages write "…" as freely as "—").
_AFTER_DASH = _words(
    "a an which who its they he she we i not just even all especially including these from with "
    "without whether while are"
)
# A page whose author writes unspaced em dashes writes several: a lower-case glued word
# ending in one of :data:`_AFTER_DASH` may be restored when the page has several (the
# ``dash_like_pages`` parameter; off by default, see there).
# A dash often introduces a list ("the room—floors, nightstands, and surfaces"): a glued
# word whose right half opens a series of words joined by commas and "and"/"or", in
# the same form as the right half (the items of a list are parallel: "-s", "-ed", "-er").
_SERIES = re.compile(r", ([a-z]+)(?:, ([a-z]+))*,? (?:and|or) ([a-z]+)")

Kind = Literal["apostrophe", "dash", "accent", "damaged"]


# Words whose apostrophe-less form is itself common, restorable only from their
# neighbours: "were"/"we’re", "well"/"we’ll", "wed"/"we’d", and "Id"/"Ill"/"Im"/"Ive"
# (a capital "I" inside a sentence is the pronoun, not "ill" or "id").
_CONTEXT_WORDS = frozenset({"were", "well", "wed", "Were", "Well", "Wed", "Id", "Ill", "Im", "Ive"})
# "were" needs a subject before it; after these words a clause starts, so "we’re"
_CLAUSE_OPENERS = _words(
    "if because since until unless though although whether when while once now cause where how why "
    "what whenever wherever"
)
# a subject after "were" makes it a question or a conditional ("were they", "were it not")
_SUBJECTS = _words("i you we they he she it there the these those this that a an")
# base verbs and adverbs that follow "we’ll"/"we’d" but not the adverb "well" or "wed"
_AFTER_WILL = _words(
    "be see have need get take go make talk look start show explore discuss cover let send walk try "
    "keep find give use do continue never also just probably likely always still soon definitely all "
    "both help provide review share update work learn check notify like love rather better want been "
    # learned as for "its" above: after "well" ... "delete fly host meet"
    "delete fly host meet"
)
# Next words after which a sentence-initial "Ill"/"Id" is "I’ll"/"I’d" (learned as above;
# inside a sentence the capital alone decides) and "were" is "we’re" (learned as above).
_AFTER_I_WILL = _words(
    "add admit also always answer be bet call check come discuss do ever explain get give have just "
    "leave let look make miss never post probably remember save say see share show start still take "
    "talk tell try use write like love rather been argue ask buy feel go guess had hate heard much "
    "prefer put read recommend seen suggest wager want"
)
_AFTER_WE_ARE = _words("hearing introducing proud sorry excited happy glad thrilled pleased")
_MODAL_BEFORE_WELL = _words(
    "may might could would should can must will as very so pretty quite really too how fairly equally"
)


_MISSING: Any = object()


def _opens_series(text: str, end: int, right: str) -> bool:
    """Whether ``right``, the second half (four letters or more) of a glued word ending at
    ``end``, opens a list ("floors, nightstands, and surfaces") another item of which ends
    as it does (last two letters)."""
    m = _SERIES.match(text, end)
    if m is None or len(right) < 4:
        return False
    return any(item and item[-2:] == right[-2:] for item in m.groups())


def _occurrences(text: str, tok: str) -> list[int]:
    """Start offsets of ``tok`` as a whole word of ``text`` (as :data:`_WORD` finds it)."""
    out: list[int] = []
    pos = text.find(tok)
    while pos >= 0:
        m = _WORD.match(text, pos)
        if m is not None and m.end() == pos + len(tok):
            out.append(pos)
        pos = text.find(tok, pos + 1)
    return out


def _neighbours(text: str, start: int, end: int) -> tuple[str, str]:
    """The word that ends one character before ``start`` and the word that starts one
    space after ``end`` ("" where there is none)."""
    prev = ""
    if start >= 2 and text[start - 2].isascii() and text[start - 2].isalpha():
        j = start - 2
        while j > 0 and text[j - 1].isascii() and text[j - 1].isalpha():
            j -= 1
        m = _WORD.match(text, j)
        if m is not None and m.end() == start - 1:
            prev = m.group()
    nxt = ""
    if text[end : end + 1] == " ":
        m = _WORD.match(text, end + 1)
        if m is not None:
            nxt = m.group()
    return prev, nxt


def _after_name(text: str, start: int, lex: Lexicon) -> bool:
    """Whether the word before ``start`` is a capitalised name ("Jony Ive"): a capitalised
    word other than "I", inside its sentence, or opening it but not a common word ("So
    Ive been" is "I’ve"). Zipf 4.5 is set by hand below the sentence openers ("Yes" 5.5,
    "So" 6.5) and above rare names ("Jony" 2.1); common first names ("John" 5.4) pass."""
    prev, shape = prev_token(text, start)
    if shape != "C" or prev == "i":
        return False
    j = text.rfind(" ", 0, start - 1)
    return not _sentence_initial(text, j + 1 if j >= 0 else 0) or lex.zipf(prev) < 4.5


def _rule_key(reason: str) -> str:
    """A short name for the rule that wrote ``reason`` (a feature of the contextual model)."""
    for key, needle in _RULE_KEYS:
        if needle in reason:
            return key
    return "other"


_RULE_KEYS = (
    ("I", "inside a sentence is the pronoun"),
    ("were", "contraction: 'were'"),
    ("will", "before the verb"),
    ("ctx", "cannot be the other reading"),
    ("roman", "regnal number"),
    ("sup", "before the superlative"),
    ("name", "occurs in the document"),
    ("lex", "(Zipf"),
)


def _glued_count(found: list[tuple[int, int, _Repair]]) -> int:
    """How many of the damaged words ``found`` are glued words. They are no cues: normal
    technical text is full of them ("entrypoint", "refcounting"), so alone they would
    call clean pages damaged."""
    return sum(1 for _, _, r in found if r.reason.startswith(_GLUED))


def _sentence_initial(text: str, start: int) -> bool:
    lo = max(0, start - 4)
    before = text[lo:start].rstrip(" \t\"'(")
    if not before or before[-1] in ".?!:;":
        return True
    # a line break starts a sentence, unless it wraps one ("the fact that we\nwere")
    return before[-1] == "\n" and not wrapped_break(text, lo + len(before) - 1)


def _clitic_in_context(tok: str, prev_tok: str, next_tok: str, initial: bool, apo: str) -> _Repair | None:
    """ "when were done" -> "when we’re done", "Ill be" -> "I’ll be", from the neighbours."""
    nxt = next_tok.lower()
    prev = prev_tok.lower()
    if tok in ("Id", "Ill", "Im", "Ive"):
        # not after a capitalised name ("Jony Ive"); at a sentence start only the
        # unambiguous "Im"/"Ive" ("Ill health", "Id est" stay)
        if not nxt or (initial and tok in ("Id", "Ill") and nxt not in _AFTER_I_WILL):
            return None
        if not initial and prev_tok[:1].isupper() and prev != "i":
            return None
        new = tok[0] + apo + tok[1:]
        return _Repair(
            "apostrophe", new, f"contraction: a capital {tok!r} inside a sentence is the pronoun I"
        )
    low = tok.lower()
    new = tok[:2] + apo + tok[2:]  # "were" -> "we’re", "Well" -> "We’ll"
    if low == "were":
        opener = prev in _CLAUSE_OPENERS or initial or prev in ("and", "but", "so")
        if nxt in _AFTER_WE_ARE and prev not in _SUBJECTS and not prev.endswith("s") and opener:
            return _Repair("apostrophe", new, f"contraction: 'were' before {next_tok!r}")
        if nxt and nxt not in _SUBJECTS and (prev in _CLAUSE_OPENERS or (initial and nxt.endswith("ing"))):
            why = f"contraction: 'were' after {prev or 'a sentence start'!r} lacks a subject"
            return _Repair("apostrophe", new, why)
        return None
    if low in ("well", "wed"):
        if nxt in _AFTER_WILL and prev not in _MODAL_BEFORE_WELL and (not initial or nxt != "be"):
            return _Repair("apostrophe", new, f"contraction: {tok!r} before the verb {next_tok!r}")
        return None
    return None


class RestoreDeletedCharsParams(Params):
    """Thresholds of the detector and the restorer.

    The Zipf thresholds were set on ``benchmarks/repair.py`` (English pages of
    ../shared/data/corpus with their non-ASCII characters deleted), choosing the
    loosest values that keep precision at or above 0.98 on every class.
    """

    apostrophe: str = Field("\u2019", min_length=1, max_length=2, description="the apostrophe to restore")
    dash: str = Field(
        "\u2014", min_length=1, max_length=3, description="the dash to restore between glued words"
    )
    min_cues: int = Field(2, ge=1, le=1000, description="cues needed to call a pure-ASCII document damaged")
    single_cue_straight: int = Field(
        1,
        ge=-1,
        le=1000,
        description=(
            "a pure-ASCII document with one cue, fewer than min_cues, is also damaged when it "
            "writes at most this many straight apostrophes between letters (an author who types "
            "them would have typed one in the cue); -1: never"
        ),
    )
    min_gain: float = Field(
        0.9, ge=0.0, le=5.0, description="Zipf advantage the restored word needs over the word as written"
    )
    min_english: float = Field(
        0.2,
        ge=0.0,
        le=1.0,
        description=(
            "least share of English function words: the lexicon is English, so other languages "
            "are left alone (English prose scores 0.35-0.5, German or French under 0.1)"
        ),
    )
    name_plural_margin: float = Field(
        0.5,
        ge=0.0,
        le=5.0,
        description="how much rarer (Zipf) a name's possessive may be than its plural and still be restored",
    )
    min_possessive_zipf: float = Field(1.5, ge=0.0, le=8.0, description="least Zipf of a restored possessive")
    min_contraction_zipf: float = Field(
        3.0, ge=0.0, le=8.0, description="least Zipf of a restored contraction"
    )
    split_min_zipf: float = Field(
        3.0, ge=0.0, le=8.0, description="least Zipf of each half of a glued word split at a lost dash"
    )
    accent_min_zipf: float = Field(2.0, ge=0.0, le=8.0, description="least Zipf of a restored accented word")
    accent_margin: float = Field(
        0.5, ge=0.0, le=5.0, description="Zipf lead the best accented candidate needs over the second"
    )
    glued_words: Literal["restore", "flag", "off"] = Field(
        "restore",
        description=(
            "what to do with an unknown word made of two common words: 'restore' puts a dash back "
            "where the page shows it lost dashes, not spaces (see _decide_glued), and flags the "
            "others; 'flag' flags them all; 'off' leaves them. Such words are as often a lost "
            "space or an original compound as a lost dash (benchmarks/repair.py)"
        ),
    )
    dash_like_pages: int = Field(
        0,
        ge=0,
        le=1000,
        description=(
            "also restore the dash of a lower-case glued word ending in a word that opens a "
            "phrase ('coastjust', 'readyeven') on a page with at least this many such words; "
            "0: never. At 3, 59 of 62 such words on the fit pages had lost a dash (95% lower "
            "bound 0.87, under the 0.98 the step aims for; 43 of 59 on held-out pages, where an "
            "unspaced en dash, an ellipsis or a template's non-breaking space also glue words)"
        ),
    )
    context_model: bool = Field(
        True,
        description=(
            "decide apostrophes whose two readings are both words ('its', 'were', 'years') with the "
            "shipped contextual model (context_model.py), in documents already found damaged"
        ),
    )
    context_shift: float = Field(
        0.0,
        ge=-10.0,
        le=10.0,
        description=(
            "added to the contextual model's fitted thresholds (log-odds): above 0 restores less and "
            "more surely, below 0 more"
        ),
    )
    flag_unrecoverable: bool = Field(True, description="flag damaged words that cannot be restored")
    max_chars: int = Field(
        2_000_000, ge=1_000, le=200_000_000, description="characters analysed per document (work bound)"
    )


@dataclass(slots=True, frozen=True)
class _Repair:
    kind: Kind
    new: str  # the repaired word ("" for a flag)
    reason: str


@dataclass(slots=True, frozen=True)
class _Candidate:
    """An occurrence the contextual model decides, with the repair it would make."""

    start: int
    end: int
    repair: _Repair
    features: list[tuple[str, float]]  # empty when scored
    from_rule: bool
    score: float = 0.0


def _lm_group(kind: str) -> str:
    """The kinds that share the language model's weights: the possessives; each
    contraction ("its", "were", "dont") has its own."""
    return "S" if group_of(kind) == "S" else kind


class RestoreDeletedChars(Transformer):
    """Restore apostrophes, dashes and accented letters deleted from a pure-ASCII text."""

    name = "restore_deleted_chars"
    Params = RestoreDeletedCharsParams
    params: RestoreDeletedCharsParams

    def setup(self) -> None:
        self._lex: Lexicon = load_lexicon("en")
        self._model: ContextModel | None = load_context_model() if self.params.context_model else None
        # the language model the contextual model reads, loaded at the first damaged page
        # (most corpora have none); the fitting script sets its own
        self._lm: TrigramLM | None = None
        # the word classes of the model's features (the fitting script sets its own)
        self._classes: dict[str, str] = self._model.word_classes if self._model is not None else {}
        self._signatures: dict[str, str] = self._model.signatures if self._model is not None else {}
        # decisions that depend on the word alone, shared across documents (bounded)
        self._cache: dict[Any, Any] = {}

    def edits(self, doc: Document) -> list[Edit]:
        text = doc.text
        p = self.params
        truncated = len(text) > p.max_chars
        view = text[: p.max_chars] if truncated else text
        self.signal(doc, "truncated", truncated)
        if not view.isascii():
            # text that kept its non-ASCII characters did not lose them
            self.signal(doc, "non_ascii", len(view) - len(view.encode("ascii", "ignore")))
            self.signal(doc, "damaged", False)
            return []
        self.signal(doc, "non_ascii", 0)
        found, english, counts = self._find(view)
        glued = _glued_count(found)
        cues = len(found) - glued
        damaged = self.is_damaged(view, cues, english)
        self.signal(doc, "cues", cues)
        self.signal(doc, "glued_words", glued)
        self.signal(doc, "english", round(english, 3))
        self.signal(doc, "damaged", damaged)
        if not damaged:
            return []
        if glued and p.glued_words == "restore":
            found = self._decide_glued(view, found)
        if self._model is not None:
            # every apostrophe, the rules' and the model's own candidates, is decided by
            # the model; other repairs and flags stand as the rules made them
            model, shift = self._model, p.context_shift
            t_rule, t_new = model.threshold_rule + shift, model.threshold_new + shift
            kept = [
                (c.start, c.end, c.repair)
                for c in self._candidates(view, found, counts, cues, model, t_new)
                if c.score >= (t_rule if c.from_rule else t_new)
            ]
            self.signal(doc, "context_restored", len(kept))
            found = sorted([f for f in found if f[2].kind != "apostrophe"] + kept, key=lambda x: x[0])
        edits: list[Edit] = []
        for start, end, rep in found:
            if rep.kind == "damaged":
                if p.flag_unrecoverable:
                    edits.append(Edit(start, end, "flag", "damaged", rep.reason))
            else:
                edits.append(Edit(start, end, "replace", rep.kind, rep.reason, replacement=rep.new))
        return edits

    def is_damaged(self, text: str, cues: int, english: float) -> bool:
        """Whether the pure-ASCII ``text``, with ``cues`` cues and a share ``english`` of
        English function words, lost its non-ASCII characters (the fitting script selects
        its pages with it too)."""
        p = self.params
        if english < p.min_english or cues < 1:
            return False
        if cues >= p.min_cues:
            return True
        return cues == 1 and _straight_apostrophes(text) <= p.single_cue_straight

    # ---- detection and repair of single words -------------------------------------------

    def _find(self, text: str) -> tuple[list[tuple[int, int, _Repair]], float, Counter[str]]:
        """Every word of ``text`` that looks damaged, with its repair (or flag), and the
        share of its words that are English function words.

        Words are first judged once per distinct word (most need no context); only the
        few that may be damaged are then located and read with their neighbours.
        """
        words = _LETTERS.findall(text)  # counted loosely; each occurrence used is checked with _WORD
        counts = Counter(words)
        n_func = sum(n for w, n in counts.items() if w.lower() in _ENGLISH_FUNCTION_WORDS)
        english = n_func / len(words) if words else 0.0
        cache = self._cache
        if len(cache) > _CACHE_MAX:
            cache.clear()
        todo: list[str] = []
        for tok, n in counts.items():
            if len(tok) > _MAX_WORD:
                continue  # no English word is this long; and splitting it would be quadratic
            if tok in _CONTEXT_WORDS or (tok[-1] == "s" and self._may_be_possessive(tok, counts)):
                todo.append(tok)
                continue
            rep = cache.get(tok, _MISSING)
            if rep is _MISSING:
                rep = cache[tok] = self._lexical(tok)
            # a glued word seen twice is a name or a compound, not a lost dash
            if rep is not None and not (n > 1 and rep.reason.startswith(_GLUED)):
                todo.append(tok)
        out: list[tuple[int, int, _Repair]] = []
        for tok in todo:
            for start in _occurrences(text, tok):
                end = start + len(tok)
                rep = None
                if tok[-1] == "s" or tok in _CONTEXT_WORDS:
                    prev_tok, next_tok = _neighbours(text, start, end)
                    initial = _sentence_initial(text, start)
                    if tok[-1] == "s":
                        rep = self._possessive(tok, prev_tok, next_tok, counts, initial)
                    if rep is None and tok in _CONTEXT_WORDS:
                        rep = _clitic_in_context(tok, prev_tok, next_tok, initial, self.params.apostrophe)
                if rep is None and tok not in _CONTEXT_WORDS:
                    rep = cache[tok] if tok in cache else self._lexical(tok)
                    if rep is not None and counts[tok] > 1 and rep.reason.startswith(_GLUED):
                        rep = None
                if rep is not None:
                    out.append((start, end, rep))
        out.sort(key=lambda x: x[0])
        return out, english, counts

    def _decide_glued(
        self, text: str, found: list[tuple[int, int, _Repair]]
    ) -> list[tuple[int, int, _Repair]]:
        """Keep the dash of a glued word only where the page says it lost dashes, not
        spaces, and the word reads as one: see :data:`_SPACE_LEFT`, :data:`_SERIES`,
        and, when ``dash_like_pages`` is set, :data:`_AFTER_DASH`. The other glued words
        are flagged."""
        dash = self.params.dash
        splits: dict[int, tuple[str, str]] = {}
        for start, end, rep in found:
            if rep.kind == "dash":
                i = rep.new.index(dash)
                lw = text[start:end].lower()
                splits[start] = (lw[:i], lw[i:])
        if not splits:
            return found
        lost_spaces = any(left in _SPACE_LEFT for left, _ in splits.values())
        dash_like = {
            start for start, (left, right) in splits.items() if right in _AFTER_DASH and text[start].islower()
        }
        out: list[tuple[int, int, _Repair]] = []
        for start, end, rep in found:
            if start not in splits:
                out.append((start, end, rep))
                continue
            why = ""
            if not lost_spaces:
                least = self.params.dash_like_pages
                if least and start in dash_like and len(dash_like) >= least:
                    why = f"; the page has {len(dash_like)} such words ending in a word that opens a phrase"
                elif _opens_series(text, end, splits[start][1]):
                    why = "; the second word opens a list of words of its form"
            if why:
                out.append((start, end, _Repair("dash", rep.new, rep.reason + why)))
            else:
                reason = rep.reason + (
                    "; the page lost spaces" if lost_spaces else " (a lost dash or space?)"
                )
                out.append((start, end, _Repair("damaged", "", reason)))
        return out

    # ---- the contextual model -----------------------------------------------------------

    def _candidates(
        self,
        text: str,
        found: list[tuple[int, int, _Repair]],
        counts: Counter[str],
        cues: int,
        model: ContextModel | None = None,
        threshold: float = -math.inf,
    ) -> list[_Candidate]:
        """Every occurrence the contextual model decides: the rules' apostrophes, then
        each ambiguous contraction and each word in "s" that may be a possessive that no
        rule has repaired or flagged. Possessive candidates need some lexical support:
        "word's" listed in the lexicon, or the bare word used in the document.

        With ``model``, each candidate carries its score, and a word below the model's
        token floor (:class:`ContextModel`) is skipped before it is located; without, each
        carries its features (to fit the model with). A model's own candidate that stays
        under ``threshold`` whatever the language model says is not looked up in it (its
        score then lacks that part: it is under the threshold either way)."""
        taken = {start for start, _, _ in found}
        doc = doc_features(
            cues,
            _straight_apostrophes(text),
            len(_LOWER_I.findall(text)),
            len(_WORD_GAP.findall(text)),
            text.count('"'),
            text.count("--") + text.count("..."),
        )
        lex = self._lex
        apo = self.params.apostrophe
        out: list[_Candidate] = []
        # the rules' own restorations are judged too, with the rule as one more feature:
        # "I cant wait" on a page whose author never typed an apostrophe is not damage
        for start, end, rep in found:
            if rep.kind != "apostrophe":
                continue
            tok = text[start:end]
            lw = tok.lower()
            kind = kind_of(tok, _sentence_initial(text, start)) or "L"
            zr = (lex.zipf(lw), lex.zipf(rep.new.lower().replace(apo, "'")))
            base_in_doc = kind in ("S", "SC", "SI") and (tok[:-1] in counts or tok[:-1].lower() in counts)
            rule = _rule_key(rep.reason)
            prev, nxt, nxt2, zipfs, classes, sigs, prev2 = self._context(text, start, end)
            if kind in ("S", "SC", "SI"):
                # a rule's possessive has the lexicon's word for it: the next words'
                # classes and the neighbours' signatures are read for the model's own
                # candidates only
                classes = ("-", "-")
                sigs = ("", "", "")
            feats = features(kind, prev, nxt, nxt2, zipfs, classes, zr, lw, base_in_doc, doc, sigs, prev2)
            feats += [(f"r|{rule}", 1.0), (f"r|{rule}|{kind}", 1.0)] + [(f"{d}|r", 1.0) for d in doc]
            if model is None:
                feats += self._lm_features(kind, text, start, end, rep.new)
                out.append(_Candidate(start, end, rep, feats, True))
            elif f"r|{rule}" not in model.weights:
                # a rule the fitting pages hardly exercised ("Nicholas IIs"): the model
                # has no evidence against it, so it stands as the rule decided (the
                # language model is not asked)
                out.append(_Candidate(start, end, rep, [], True, math.inf))
            else:
                feats += self._lm_features(kind, text, start, end, rep.new)
                out.append(_Candidate(start, end, rep, [], True, model.score(feats)))
        doc_part: dict[str, float] = {}
        for tok in counts:
            if tok[-1] not in "sS" and (len(tok) > 5 or tok.lower() not in AMBIGUOUS):
                continue  # most words: neither a possessive nor an ambiguous contraction
            static = self._static(tok, model)
            if static is None:
                continue
            ambiguous, zs, kinds, word_parts = static
            lw = tok.lower()
            base_in_doc = zs is not None and (tok[:-1] in counts or tok[:-1].lower() in counts)
            if zs is not None and zs[1] == 0.0 and not base_in_doc:
                continue
            own: dict[str, float] = {}
            if model is not None:
                floor = model.token_floor
                for k, word_part in word_parts.items():
                    d = doc_part.get(k)
                    if d is None:
                        d = doc_part[k] = model.score([(f"{f}|{group_of(k)}", 1.0) for f in doc])
                    bonus = model.weights.get(f"bd|{k}", 0.0) if base_in_doc else 0.0
                    own[k] = word_part + d + bonus
                if not any(k in floor and v >= floor[k] for k, v in own.items()):
                    continue
            for start in _occurrences(text, tok):
                if start in taken:
                    continue
                end = start + len(tok)
                initial = _sentence_initial(text, start)
                kind_here = kinds[initial]
                if kind_here is None:
                    continue
                if ambiguous == 1 and tok[0] == "I" and not initial and _after_name(text, start, lex):
                    continue  # "Jony Ive", "Billy Id": a name, as the rules read it too
                if ambiguous is None:
                    new = tok[:-1] + apo + "s"
                    why = f"possessive, from the neighbouring words ({kind_here})"
                else:
                    new = tok[:ambiguous] + apo + tok[ambiguous:]
                    why = f"contraction {new!r}, from the neighbouring words"
                rep = _Repair("apostrophe", new, why)
                ctx = self._context(text, start, end)
                if model is None:
                    prev, nxt, nxt2, zipfs, classes, sigs, prev2 = ctx
                    feats = features(
                        kind_here, prev, nxt, nxt2, zipfs, classes, zs, lw, base_in_doc, doc, sigs, prev2
                    )
                    feats += self._lm_features(kind_here, text, start, end, new)
                    out.append(_Candidate(start, end, rep, feats, False))
                else:
                    score = own[kind_here] + model.context_score(kind_here, *ctx)
                    if score + model.lm_bound(_lm_group(kind_here)) >= threshold:
                        score += model.score(self._lm_features(kind_here, text, start, end, new))
                    out.append(_Candidate(start, end, rep, [], False, score))
        return out

    def _lm_features(self, kind: str, text: str, start: int, end: int, new: str) -> list[tuple[str, float]]:
        """The language model's features of restoring ``text[start:end]`` as ``new``
        (:func:`ngram_lm.lm_features`); none without the model."""
        lm = self._lm
        if lm is None:
            if self._model is None:
                return []
            lm = self._lm = load_lm()
        contrast = lm.contrast(
            text[start:end].lower(),
            new.lower().replace(self.params.apostrophe, "'"),
            words_before(lm, text, start),
            words_after(lm, text, end),
        )
        return lm_features(_lm_group(kind), contrast)

    def _context(
        self, text: str, start: int, end: int
    ) -> tuple[
        tuple[str, str],
        tuple[str, str],
        str,
        tuple[float, float],
        tuple[str, str],
        tuple[str, str, str],
        str,
    ]:
        """The neighbours of ``text[start:end]`` as :func:`context_features` takes them."""
        nw, ns, nend = next_token(text, end)
        nxt2 = next_token(text, nend)[0] if ns != "p" else ""
        pw, pshape, pstart = prev_token_at(text, start)
        prev = (pw, pshape)
        prev2 = prev_token_at(text, pstart)[0] if pstart > 0 else "<start>"
        classes = (word_class(self._classes, nw), word_class(self._classes, nxt2) if nxt2 else "p")
        sig = self._signatures.get
        sigs = (sig(prev[0], ""), sig(nw, ""), sig(nxt2, "") if nxt2 else "")
        return prev, (nw, ns), nxt2, (self._lex.zipf(pw), self._lex.zipf(nw)), classes, sigs, prev2

    def _static(
        self, tok: str, model: ContextModel | None
    ) -> (
        tuple[int | None, tuple[float, float] | None, tuple[str | None, str | None], dict[str, float]] | None
    ):
        """What :meth:`_candidates` needs of a word whatever the document (cached across
        documents): None when the model never decides it (or, with ``model``, when no
        page could lift its score to the token floor), else where an ambiguous
        contraction takes its apostrophe (None for a possessive), the Zipf values of the
        word and of its possessive, its kinds (inside and at the start of a sentence), and
        with ``model`` the score of its token features by kind (without the document's)."""
        key = ("static", tok)
        hit = self._cache.get(key, _MISSING)
        if hit is not _MISSING:
            return hit  # type: ignore[no-any-return]
        lw = tok.lower()
        ambiguous = AMBIGUOUS.get(lw)
        zs: tuple[float, float] | None = None
        out: Any = None
        if ambiguous is not None or not (
            len(tok) < 3 or lw[-1] != "s" or len(tok) > _MAX_WORD or (tok.isupper() and len(tok) > 1)
        ):
            if ambiguous is None:
                zs = (self._lex.zipf(lw), self._lex.zipf(lw[:-1] + "'s"))
            kinds = (kind_of(tok, False), kind_of(tok, True))
            parts: dict[str, float] = {}
            if model is not None:
                for k in kinds:
                    if k is not None and k not in parts:
                        parts[k] = model.score(token_features(k, zs, lw, False, ()))
                floor = model.token_floor
                # under its floor whatever the page: never a candidate
                if any(k in floor and v + model.doc_bound(k) >= floor[k] for k, v in parts.items()):
                    out = (ambiguous, zs, kinds, parts)
            else:
                out = (ambiguous, zs, kinds, parts)
        if model is not None:
            self._cache[key] = out
        return out  # type: ignore[no-any-return]

    def _may_be_possessive(self, tok: str, counts: Counter[str]) -> bool:
        """Whether any rule of :meth:`_possessive` could fire for ``tok`` in some context
        (a cheap, context-free superset, so most plurals are never located)."""
        if len(tok) < 3 or (tok.isupper() and not _ROMAN_POSSESSIVE.fullmatch(tok)):
            return False
        if _ROMAN_POSSESSIVE.fullmatch(tok):
            return True
        lw = tok.lower()
        zw, zc = self._lex.zipf(lw), self._lex.zipf(lw[:-1] + "'s")
        p = self.params
        if lw in _AMBIGUOUS_S or zc - zw >= p.min_gain or (zc > zw and zc >= p.min_contraction_zipf):
            return True
        name = tok[0].isupper() and tok[1:].islower() and counts.get(tok[:-1], 0) > 0
        return name and ((zc > 0.0 and zc >= zw - p.name_plural_margin) or (zw == 0.0 and zc == 0.0))

    def _possessive(
        self, tok: str, prev_tok: str, next_tok: str, doc_words: Counter[str], initial: bool = False
    ) -> _Repair | None:
        """ "Trotskys struggle" -> "Trotsky’s struggle", "Nicholas IIs crackdown" -> "II’s"."""
        if len(tok) < 3 or not tok.endswith("s") or tok.isupper() and not _ROMAN_POSSESSIVE.fullmatch(tok):
            return None
        apo = self.params.apostrophe
        new = tok[:-1] + apo + "s"
        lw = tok.lower()
        base = lw[:-1]
        if base in _S_CLITIC_HOSTS:
            zw, zc = self._lex.zipf(lw), self._lex.zipf(base + "'s")
            if zc - zw >= self.params.min_gain and zc >= self.params.min_contraction_zipf:
                return _Repair(
                    "apostrophe", new, f"contraction: {base}'s (Zipf {zc:.1f}) >> {lw} (Zipf {zw:.1f})"
                )
            after = _AMBIGUOUS_S.get(lw)
            if after is not None and next_tok.lower() in after:
                return _Repair(
                    "apostrophe", new, f"contraction: {lw!r} before {next_tok!r} cannot be the other reading"
                )
            return None
        # a possessive names its possessed: it needs a following word that can be one,
        # and a capitalised word after "the"/"two" is a plural name, not a possessive
        if not next_tok or next_tok.lower() in _NOT_AFTER_POSSESSIVE:
            return None
        if _ROMAN_POSSESSIVE.fullmatch(tok):
            if prev_tok[:1].isupper():
                return _Repair("apostrophe", new, f"possessive of a regnal number after {prev_tok!r}")
            return None
        zw, zc = self._lex.zipf(lw), self._lex.zipf(base + "'s")
        # "the Kennedys": an attested plural of a name after a plural determiner stays
        if tok[0].isupper() and zw >= 1.0 and prev_tok.lower() in _PLURAL_DETERMINERS:
            return None
        if zc > zw and zc >= self.params.min_contraction_zipf and _SUPERLATIVE.fullmatch(next_tok.lower()):
            return _Repair("apostrophe", new, f"possessive before the superlative {next_tok!r}")
        if zc - zw >= self.params.min_gain and zc >= self.params.min_possessive_zipf:
            return _Repair("apostrophe", new, f"possessive: {base}'s (Zipf {zc:.1f}) >> {lw} (Zipf {zw:.1f})")
        # a capitalised word inside a sentence whose bare form the document also uses
        # ("Apple ... Apples new phone"): a name, so "’s", unless its plural is far more
        # common than its possessive ("Jews", "Workers")
        if (
            not initial
            and tok[0].isupper()
            and tok[1:].islower()
            and doc_words.get(tok[:-1], 0) > 0
            and zc > 0.0
            and zc >= zw - self.params.name_plural_margin
        ):
            return _Repair("apostrophe", new, f"possessive: the name {tok[:-1]!r} occurs in the document")
        # a name the lexicon does not know, seen bare elsewhere in the document; only a
        # Capitalised name: "LLMs", "WordCamps" are plurals of acronyms and compounds
        if zw == 0.0 and zc == 0.0 and tok[0].isupper() and tok[1:].islower() and tok[:-1] in doc_words:
            return _Repair(
                "apostrophe", new, f"possessive: {tok[:-1]!r} occurs in the document, {lw!r} is no word"
            )
        return None

    def _lexical(self, tok: str) -> _Repair | None:
        """Repairs that depend on the word alone: clitics, accents, glued words."""
        lw = tok.lower()
        lex = self._lex
        p = self.params
        zw = lex.zipf(lw)
        if not tok.isupper():
            for suffix, back in _OTHER_CLITICS:
                if len(lw) > len(suffix) and lw.endswith(suffix):
                    cand = lw[:-back] + "'" + lw[-back:]
                    if cand.startswith("i'") and tok[0] != "I":
                        continue  # "I’m" is always written with a capital: "im" is German
                    zc = lex.zipf(cand)
                    if zc - zw >= p.min_gain and zc >= p.min_contraction_zipf:
                        new = tok[:-back] + p.apostrophe + tok[-back:]
                        return _Repair(
                            "apostrophe", new, f"contraction: {cand} (Zipf {zc:.1f}) >> {lw} (Zipf {zw:.1f})"
                        )
            # the elided "o’" of Irish names and "o’clock" ("OConnor", "oclock"): the
            # lexicon lists the word with its apostrophe far above the word without
            if len(lw) >= 4 and lw[0] == "o":
                cand = "o'" + lw[1:]
                zc = lex.zipf(cand)
                if zc - zw >= p.min_gain and zc >= p.min_contraction_zipf:
                    new = tok[0] + p.apostrophe + tok[1:]
                    return _Repair(
                        "apostrophe", new, f"elision: {cand} (Zipf {zc:.1f}) >> {lw} (Zipf {zw:.1f})"
                    )
        rep = self._accent(tok, lw, zw)
        if rep is not None:
            return rep
        if zw == 0.0 and self.params.glued_words != "off":
            rep = self._glued(tok, lw)
            if rep is not None and self.params.glued_words == "flag":
                return _Repair("damaged", "", f"{rep.reason} (a lost dash or space?)")
            return rep
        return None

    def _accent(self, tok: str, lw: str, zw: float) -> _Repair | None:
        """ "Mller" -> "Müller"; "tienne" (a lost leading "É") is flagged, not guessed."""
        cands = self._lex.accents.get(lw)
        if not cands:
            return None
        best, zb = cands[0]
        if zb - zw < self.params.min_gain:
            return None  # the word as written is (nearly) as common: "nave", "so"
        others = ", ".join(w for w, _ in cands[:3])
        if not best[0].isascii():
            return _Repair(
                "damaged", "", f"a leading letter was deleted (perhaps {others}); its case is unknown"
            )
        if zb < self.params.accent_min_zipf:
            return _Repair("damaged", "", f"lost an accented letter; candidates too rare: {others}")
        if len(cands) > 1 and zb - cands[1][1] < self.params.accent_margin:
            return _Repair("damaged", "", f"lost an accented letter; ambiguous: {others}")
        upper = tok.isupper() and len(tok) > 1
        out: list[str] = []
        j = 0
        for c in best:
            if c.isascii():
                out.append(tok[j])
                j += 1
            else:
                out.append(c.upper() if upper else c)
        return _Repair(
            "accent", "".join(out), f"accented word: {best} (Zipf {zb:.1f}) >> {lw} (Zipf {zw:.1f})"
        )

    def _glued(self, tok: str, lw: str) -> _Repair | None:
        """ "Revolutionadmired" -> "Revolution—admired": two common words, a lost dash."""
        n = len(lw)
        if n < 7 or not (tok.islower() or (tok[0].isupper() and tok[1:].islower())):
            return None
        lex = self._lex
        best: tuple[float, int] | None = None
        for i in range(3, n - 2):
            zl = lex.zipf(lw[:i])
            if zl < self.params.split_min_zipf:
                continue
            zr = lex.zipf(lw[i:])
            if zr < self.params.split_min_zipf:
                continue
            score = min(zl, zr)
            if best is None or score > best[0]:
                best = (score, i)
        if best is None:
            return None
        i = best[1]
        new = tok[:i] + self.params.dash + tok[i:]
        return _Repair("dash", new, f"{_GLUED}: {lw[:i]} + {lw[i:]}")
