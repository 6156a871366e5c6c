"""The compiled line gate of clean_furniture and its pure-Python twin give the same edits.

``thresher.stages.clean._furnfast`` is optional (built where a C compiler exists). These
tests run the step both ways on generated adversarial text (hypothesis: trigger words and
site names in odd cases, separators, combining marks, non-BMP characters, CJK, RTL, the
Turkish dotted I, the capital sigma, title-case letters, other-script digits, every kind
of line break and space), on the Unicode facts the gate's token test rests on, and, where
the shared folder exists, on real corpus pages, trafilatura pages and the seed.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thresher.document import Document
from thresher.stages.clean import furniture, rules
from thresher.stages.clean.furniture import CleanFurniture
from thresher.stages.clean.rules import lexicon
from thresher.stages.segment import Span, line_bounds, segment_sentences

fast = pytest.importorskip(
    "thresher.stages.clean._furnfast", reason="the C accelerator is not built (no compiler at install)"
)
if furniture._fast is None and os.environ.get("THRESHER_PURE_PYTHON", "") in ("", "0"):
    pytest.fail("the accelerator is built but clean_furniture does not use it")
furniture.configure_accelerator(fast)  # where THRESHER_PURE_PYTHON left it unconfigured


def _outcome(text: str, compiled: bool, **params: object) -> tuple[object, ...]:
    """Everything the step records on a document: text, edits, signals, verdict, error."""
    saved = furniture._fast, rules._accelerator
    furniture._fast = fast if compiled else None
    rules.use_accelerator(fast if compiled else None)
    try:
        doc = Document("t", text)
        CleanFurniture(**params)([doc])
    finally:
        furniture._fast = saved[0]
        rules.use_accelerator(saved[1])
    return (
        doc.text,
        [g.to_dict() for g in doc.edits],
        dict(doc.signals),
        doc.verdict.to_dict(),
        doc.error,
    )


def _assert_same(text: str, **params: object) -> None:
    assert _outcome(text, True, **params) == _outcome(text, False, **params), repr(text[:300])


# pieces of furniture and of prose, with the characters whose case mapping or class is
# unusual; hypothesis strings them together with spaces, separators and line breaks
PIECES = [
    "Subscribe",
    "SUBSCRIBE",
    "subscribe.",
    "Sign up",
    "sign in",
    "Newsletter",
    "newsletter,",
    "inbox",
    "İnbox",
    "INBOX",
    "ſubscribe",
    "\u212aeep up",
    "click here",
    "Click",
    "Read more",
    "cookies",
    "Cookie",
    "Privacy Policy",
    "Datenschutzerklärung",
    "DATENSCHUTZERKLÄRUNG",
    "Suscríbete",
    "NÜTZLICH",
    "zurück",
    "Menü",
    "Home",
    "About",
    "Contact us",
    "Share",
    "Tweet",
    "©",
    "@",
    "Copyright © 2024",
    "All rights reserved",
    "Quora",
    "QUORA",
    "Wikipedia",
    "Stack Exchange",
    "stack exchange",
    "The Guardian",
    "example.com",
    "www.example.org",
    "https://x.co/a?b",
    "r/Socialism_101",
    "Credit:",
    "Author of.",
    "History .",
    "is a writer",
    "writes",
    "covers",
    "Jane Doe",
    "PhD,",
    "How Did Joseph Stalin Die?",
    "What is it?",
    "Why Now?",
    "He had been a barely perceptible shadow",
    "the GPU could count on seeing",
    "and",
    "of",
    "the",
    "Σ",
    "ΣΑΣ",
    "ὈΔΥΣΣΕΎΣ",
    "ǅemal",
    "ǈ",
    "ß",
    "STRASSE",
    "e\u0301",
    "\u0301",
    "😀",
    "𝐀𝐁",
    "中文网页",
    "。",
    "עברית",
    "العربية",
    "؟",
    "١٢٣",
    "٣",
    "²",
    "ı",
    "I\u0307",
    "ﬁle",
    "…",
    "\u00ad",
    "'s",
    "’s",
    "“quoted”",
    "(paren)",
    "[1]",
    "»",
    "›",
    "/",
    "|",
    ">",
    "·",
    "•",
    "*",
    "–",
    "—",
    "-",
    ":",
    ";",
    ".",
    "!",
    "?",
    ",",
]
SEPARATORS = [
    " ",
    " ",
    " ",
    "  ",
    " - ",
    " – ",
    " — ",
    " | ",
    " : ",
    " > ",
    " / ",
    " · ",
    ". ",
    "? ",
    "! ",
    ", ",
    "\n",
    "\n\n",
    "\r\n",
    "\r",
    "\t",
    "\u2028",
    "\u2029",
    "\x85",
    "\x0b",
    "\x0c",
    "\x1c",
    "\xa0",
    "\u3000",
    "\u2009",
    "",
]


@st.composite
def _texts(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.tuples(st.sampled_from(PIECES), st.sampled_from(SEPARATORS)), max_size=60))
    return "".join(p + s for p, s in parts)


@settings(max_examples=400, deadline=None)
@given(_texts())
def test_both_paths_agree_on_generated_text(text: str) -> None:
    _assert_same(text)


@settings(max_examples=150, deadline=None)
@given(_texts(), st.integers(2, 6), st.integers(1, 5))
def test_both_paths_agree_with_other_navigation_parameters(
    text: str, nav_run: int, nav_max_words: int
) -> None:
    _assert_same(text, nav_run=nav_run, nav_max_words=nav_max_words, disable=["navigation"])


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_both_paths_agree_on_arbitrary_unicode(text: str) -> None:
    _assert_same(text)


@settings(max_examples=200, deadline=None)
@given(_texts())
def test_gate_lines_are_the_segmenter_lines(text: str) -> None:
    n_lines, gated = fast.scan(text, 3, 4)
    lines = line_bounds(text)
    assert n_lines == len(lines)
    for li, start, end, *_ in gated:
        assert lines[li] == (start, end)


def _check_gate(text: str, nav_max_words: int = 3, nav_run: int = 4) -> None:
    """Each line's flags from the gate against the Python tests they stand for."""
    n_lines, gated = fast.scan(text, nav_max_words, nav_run)
    by_index = {li: f for li, _, _, f, _, _ in gated}
    by_answer = {li: (mask, bits) for li, _, _, _, mask, bits in gated}
    lines = line_bounds(text)
    assert n_lines == len(lines)
    step = CleanFurniture(nav_max_words=nav_max_words, nav_run=nav_run)
    nav = step._navigation_lines(text, lines)
    questions = step._question_runs(text, lines)
    lex = lexicon()
    for li, (s, e) in enumerate(lines):
        line = text[s:e]
        f = by_index.get(li, 0)
        assert bool(f & furniture._F_NAV) == nav[li], line
        if questions[li]:
            assert f & furniture._F_QCAND, line
        if e - s <= furniture._SHORT_LINE:
            multi = rules.INNER_STOP.search(line) is not None
            assert bool(f & furniture._F_MULTI) == multi, line
            if f & furniture._F_NONE:  # the line gate's answer: checked by _check_units
                assert multi and not f & (furniture._F_NAV | furniture._F_QCAND), line
                assert not fast.line_gate(line), line
            if not multi:
                tokens = lex.tokens_short if line.count(" ") < 15 else lex.tokens_long
                hit = not tokens.isdisjoint(line.lower().split())
                admitted = rules.could_be_furniture(line)
                if f & furniture._F_ADMIT:
                    assert admitted, line
                if f & (furniture._F_ADMIT | furniture._F_NAV | furniture._F_QCAND):
                    _check_gate_answer(line, *by_answer[li])  # the rules judge it by the answer
                elif admitted:  # left out by the sentence gate: no rule removes anything
                    span = Span(s, e, "sentence")
                    assert (
                        furniture._result(span, line, rules.classify(line), True, False, False, set()) is None
                    ), line
                if f:
                    assert bool(f & furniture._F_TOKHIT) == hit, line
        elif not f & furniture._F_MAYBE:
            assert bool(f & furniture._F_WORTH) == rules.worth_inspecting(line), line
    _check_units(text)


def _rule_matches(unit: str, i: int) -> bool:
    """Whether lexical rule ``i`` matches ``unit`` as rules._lexical runs it (its
    triggers there with a trigger token, a link or a symbol; then its patterns)."""
    n_words = unit.count(" ") + 1
    low = unit.lower()
    lex = lexicon()
    tokens = lex.tokens_short if n_words <= 15 else lex.tokens_long
    if n_words > 60 or (
        tokens.isdisjoint(low.split())
        and "http" not in low
        and "www." not in low
        and not {"@", "\u00a9"} & set(unit)
    ):
        return False
    if i not in rules.trigger_hits(unit, n_words, low):
        return False
    return rules._first_match(unit, low, [i]) is not None


def _glued(unit: str) -> object:
    """The glued title furniture._result looks for (only with a title separator)."""
    return rules.glued_title(unit) if rules.has_title_separator(unit) else None


def _check_gate_answer(unit: str, mask: int, bits: int) -> None:
    """The sentence gate's answer on a unit it lets through: every rule it leaves out
    fails on the unit, and the rules it names give classify()'s verdict."""
    assert rules.classify_gated(unit, mask, bits) == rules.classify(unit), unit
    n_words = unit.count(" ") + 1
    lex = lexicon()
    tokens = lex.tokens_short if n_words <= 15 else lex.tokens_long
    assert bool(bits & rules.G_TOKHIT) == (not tokens.isdisjoint(unit.lower().split())), unit
    if mask >= 0:
        for i in range(len(lex.rules)):
            if not mask >> i & 1:
                assert not _rule_matches(unit, i), (unit, lex.rules[i].label)
    for bit in (
        rules.G_CRUMB_DOT,
        rules.G_CRUMB_SEP,
        rules.G_BIO,
        rules.G_QUESTION,
        rules.G_REFLIST,
        rules.G_TITLE,
    ):
        if not bits & bit:  # the rule of that bit alone finds nothing
            assert rules._structural(unit, n_words, bit) is None, (unit, bit)
    if not bits & rules.G_TITLE:
        assert _glued(unit) is None, unit


def _check_unit(unit: str) -> None:
    """The sentence gate on one unit: a unit it leaves out gets no verdict and no title;
    on one it lets through, its answer is checked."""
    may, mask, bits = fast.gate(unit)
    if not may:
        assert rules.classify(unit) is None, unit
        assert _glued(unit) is None, unit
    _check_gate_answer(unit, mask, bits)


def _check_line(line: str) -> None:
    """The line gate on one line: if it leaves the line out, no sentence of it has a
    verdict or a title."""
    if not fast.line_gate(line):
        for span in segment_sentences(line):
            unit = line[span.start : span.end]
            assert rules.classify(unit) is None, (line, unit)
            assert _glued(unit) is None, (line, unit)


def _check_units(text: str) -> None:
    """The sentence gate on the sentences of each line (_furnfast.units): the sentences
    it leaves out get no verdict and no title, the others its answer on them; and the
    line gate on each line."""
    for start, end in line_bounds(text):
        _check_line(text[start:end])
        spans = segment_sentences(text, start, end)
        kept = {(s, e): (mask, bits) for s, e, mask, bits in fast.units(text, spans)}
        for span in spans:
            unit = text[span.start : span.end]
            if (span.start, span.end) in kept:
                _check_gate_answer(unit, *kept[span.start, span.end])
            else:
                assert rules.classify(unit) is None, unit
                assert _glued(unit) is None, unit


@settings(max_examples=300, deadline=None)
@given(_texts())
def test_gate_flags_are_the_python_tests(text: str) -> None:
    _check_gate(text)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_gate_flags_are_the_python_tests_on_arbitrary_unicode(text: str) -> None:
    _check_gate(text)


def _check_hits(text: str) -> None:
    """The lexical rules whose triggers a unit holds: C and Python agree."""
    for unit in {text, *(text[s:e] for s, e in line_bounds(text))}:
        n_words = unit.count(" ") + 1
        mask = fast.hits(unit, n_words)
        if mask == -1:
            assert "\u03a3" in unit or len(unit) > 4096  # the two cases the C path leaves to Python
            continue
        assert [i for i in range(64) if mask >> i & 1] == rules.trigger_hits(unit, n_words, unit.lower()), (
            unit
        )


@settings(max_examples=300, deadline=None)
@given(_texts())
def test_lexical_hits_are_the_python_ones(text: str) -> None:
    _check_hits(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_lexical_hits_are_the_python_ones_on_arbitrary_unicode(text: str) -> None:
    _check_hits(text)


def test_lexical_hits_on_each_trigger() -> None:
    """Every trigger of the lexicon, alone, in capitals, with its words apart, and with
    too many words for its rule: C and Python find the same rules."""
    for rule in lexicon().rules:
        for trigger in rule.triggers:
            words = " ".join(sorted(trigger))
            for unit in (words, words.upper(), f"({words}!)", " x ".join(sorted(trigger)), words + " w" * 70):
                _check_hits(unit)


def test_token_test_lower_cases_as_python_does() -> None:
    """Token sets holding the lower-case of characters whose mapping is unusual (final
    sigma, dotted I, Kelvin sign, long s, title case, sharp s): the gate's token test
    agrees with ``set.isdisjoint(line.lower().split())``."""
    members = frozenset(
        ["ὀδυσσεύς", "σας", "ς", "i\u0307nbox", "keep", "ǆemal", "straße", "ﬁle", "é", "e\u0301", "𝐚", "中文"]
    )
    lines = [
        "ὈΔΥΣΣΕΎΣ",
        "ΣΑΣ",
        "Σ",
        "ΑΣ",
        "İnbox",
        "INBOX",
        "\u212aEEP",
        "ſtraße",
        "STRASSE",
        "ǅemal",
        "ǄEMAL",
        "ﬁle",
        "FILE",
        "É",
        "E\u0301",
        "𝐚",
        "𝐀",
        "中文",
        "ΣΑΣ.",
        "word ΣΑΣ word",
        "Σ\u0301",
    ]
    lex = lexicon()
    try:
        fast.configure(
            members,
            members,
            lex.strong_tokens,
            lex.strong_triggers,
            frozenset(["quora"]),
            rules.PUNCT_AS_SPACE,
            _index(),
            lex.requirements,
            rules.regex_case_classes(),
            rules.SMALL_WORDS,
        )
        for line in lines:
            expected = not members.isdisjoint(line.lower().split())
            _, _, bits = fast.gate(line)  # the token test of the line and sentence gates
            assert bool(bits & rules.G_TOKHIT) == expected, line
            _, gated = fast.scan(line, 3, 4)
            if gated:  # a line some rule may match
                assert bool(gated[0][3] & furniture._F_TOKHIT) == expected, line
    finally:
        furniture.configure_accelerator(fast)


@pytest.mark.parametrize(
    "text",
    [
        "",
        " \n\t ",
        "Subscribe to our newsletter",
        "ΣΑΣ newsletter",  # a capital sigma: the token goes to str.lower()
        "Claire Sanz writes",  # a bio verb at the end of a line: no hint, no trigger
        "Home\nAbout\nBlog\nContact\nShop\n",
        "How Did Joseph Stalin Die?\nWhat Did Lenin Want?\n",
        ("How Did " + "Joseph " * 19 + "Die?\n") * 2,  # questions of 145 characters (under 150)
        ("How Did " + "Joseph " * 20 + "Die?\n") * 2,  # 152
        "A long paragraph " * 10 + "- Quora and more words after it to make it long enough.",
        "A long paragraph " * 10 + "- Wikipedia",
        "A long paragraph " * 10 + "- ſtack exchange",  # a long s: case-insensitive matching folds it
        "A long paragraph " * 10 + "then click here to subscribe to the newsletter.",
        "Ein langer Absatz " * 10 + "Datenschutzerklärung",
        "x" * 200 + "\u2028" + "İNBOX",
        "Subscribe to our newsletter " + "x" * 5000,  # a unit longer than the C trigger test takes
        "İnbox " * 900 + "subscribe to the newsletter",  # a long line lower-cased longer than it is
        "Alpha - Beta",  # a title separator alone
        "Jane Doe is a writer at the Daily. She lives nearby. Claire Sanz writes. HTTP://X.CO is down.",
        "Jane doe is a writer at the Daily. WWW.EXAMPLE.ORG. Home » News. Ask Me Anything Now?",
        "Jane Doe, PhD, is a historian. Jane Doe. History . Amen.",
        "Home / News / World. Credit: AP. Email me@example.com. © 2024. Lenin (1870 - 1924) died.",
        # sentences that only one branch of the sentence gate lets through
        *(
            f"Ok then. Jane Doe {verb} a historian."
            for verb in ("is", "serves as", "works as", "has been", "lives as")
        ),
        *(f"Ok then. Jane Doe {verb} history." for verb in ("writes", "covers", "teaches")),
        "Ok then. Jane Austen is a novelist.",
        "Ok then. info@example.org",
        "Ok then. WWW.EXAMPLE.ORG",
        "Ok then. HTTPS://EXAMPLE.ORG/A",
        "Ok then. Leon Trotsky · Wikipedia",
        "Ok then. Leon Trotsky | Wikipedia",
        "Ok then. Leon Trotsky – Wikipedia",
        "Ok then. Leon Trotsky — Wikipedia",
        "Ok then. Leon Trotsky : Wikipedia",
        "Ok then. History .",
        "Ok then. How Did Joseph Stalin Die?",
        "Alpha : Beta",
        "Alpha Beta .",
        "Alpha » Beta",
        *(
            f"She {verb} nearby"
            for verb in ("is", "serves as", "works as", "has been", "writes", "covers", "teaches", "lives")
        ),
        "A long paragraph " * 6 + "ends here. Why Now? And then it goes on.",  # one word after the first
        "A long paragraph " * 6 + "ends here. Why Not Now? And then it goes on.",
        "A long paragraph " * 6 + "ends here! Why Not Now in the Time of a Plague? And then it goes on.",
        "Why Not " + "Now " * 14 + "Now? " + "A long paragraph " * 5,  # sixteen words after the first
        "Why Not " + "Now " * 13 + "Now? " + "A long paragraph " * 5,  # fifteen
        "A long paragraph " * 6 + "ends here - Ωmega and the rest of it.",
        "A long paragraph " * 6 + "ends here - www.example.com and the rest of it.",
        "A long paragraph " * 6 + "ends here – The Atlantic and the rest.",
        "He said “it ends.” Then it went",  # closing quotes between the stop and the space
        "He said “it ends.”) Then it went",
        "He said “it ends.”x Then it went",
        # link texts glued without spaces (removed after the gate, by either path)
        "Share this article\nShare on TwitterShare on Facebook\nThe ferry resumed.",
        "Prev PostNext Post\nKept.\nRelated StoriesCoastal RoutesIsland Life",
    ],
)
def test_both_paths_agree_on_edge_cases(text: str) -> None:
    _assert_same(text)
    _check_gate(text)
    _check_hits(text)


def test_lower_casing_never_moves_whitespace() -> None:
    """The gate lower-cases tokens one at a time; that equals splitting the lower-cased
    line only if no character lower-cases to or from whitespace, and the final sigma
    (the one mapping that looks at neighbours) does not look across whitespace."""
    for code in range(0x110000):
        c = chr(code)
        low = c.lower()
        if c.isspace():
            assert low == c
        else:
            assert not any(x.isspace() for x in low), hex(code)
            assert len(low) >= 1
            if code >= 128:  # the sentence gate looks for "http" and "www." in ASCII only
                assert not any(x in "htpw." for x in low), hex(code)
    for w in (chr(c) for c in range(0x110000) if chr(c).isspace()):
        for left, right in (("A", "B"), ("", "B"), ("A", ""), ("A\u0301", "\u0301B")):
            text = f"{left}Σ{w}{right} {left}{w}Σ{right}"
            assert text.lower().split() == [t.lower() for t in text.split()], repr(w)


def test_pure_python_switch() -> None:
    env = {**os.environ, "THRESHER_PURE_PYTHON": "1"}
    code = "from thresher.stages.clean import furniture, rules; print(furniture._fast is None, rules._accelerator is None)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True True"


def _index() -> dict[str, tuple[tuple[int, tuple[str, ...], int], ...]]:
    """The trigger index as configure_accelerator hands it over."""
    return {
        w: tuple((i, tuple(sorted(t)), m) for i, t, m in entries) for w, entries in lexicon().index.items()
    }


def test_configure_refuses_a_site_word_that_is_not_ascii() -> None:
    lex = lexicon()
    try:
        with pytest.raises(ValueError, match="ASCII"):
            fast.configure(
                lex.tokens_short,
                lex.tokens_long,
                lex.strong_tokens,
                lex.strong_triggers,
                {"ſite"},
                rules.PUNCT_AS_SPACE,
                _index(),
                lex.requirements,
                rules.regex_case_classes(),
                rules.SMALL_WORDS,
            )
    finally:
        furniture.configure_accelerator(fast)


def _corpus(path: Path, n: int) -> Iterator[str]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i >= n:
                return
            record = json.loads(line)
            yield record["text_main"] or ""
            yield record["text_full"] or ""


def test_both_paths_agree_on_real_pages(shared_dir: Path, seed_text: str) -> None:
    # 150 pages, main and full text (the full text keeps the menus and footers)
    for text in _corpus(shared_dir / "data" / "corpus" / "web-text.jsonl.gz", 150):
        _assert_same(text)
    _assert_same(seed_text)
    _assert_same(seed_text.replace(". ", ".\n"))


# ---- the sentence gate's answer, rule by rule -------------------------------------------


def _literals() -> list[str]:
    return sorted({s for req in lexicon().requirements if req for _, s in req})


def test_fold_is_the_regex_engines_case_folding() -> None:
    """The gate looks for a rule's literals in the unit folded character by character:
    every character the regex engine matches to a literal's character under IGNORECASE
    (and the lower-casing of ASCII units) must fold to what that character folds to.
    Checked for every character of every literal against every code point."""
    everything = "".join(chr(c) for c in range(0x110000))
    folded = fast.fold(everything)
    assert len(folded) == len(everything)
    for ch in sorted({c for lit in _literals() for c in lit}):
        target = fast.fold(ch)
        for rx in (re.compile(re.escape(ch), re.IGNORECASE), re.compile(f"[{re.escape(ch)}]", re.IGNORECASE)):
            for m in rx.finditer(everything):
                assert folded[m.start()] == target, (ch, hex(m.start()))
        if ch.isascii():
            assert fast.fold(ch.upper()) == target == ch.lower()


def test_site_words_fold_as_the_site_pattern_matches() -> None:
    """The title test compares the word after a separator with the first words of the
    site names (ASCII) as rules.site_regex does (IGNORECASE): the only characters above
    U+007F it matches to an ASCII character are the Kelvin sign, the long s and the
    dotted and dotless i, which the gate maps to k, s and i."""
    special = {"\u212a": "k", "\u017f": "s", "\u0130": "i", "\u0131": "i"}
    everything = "".join(chr(c) for c in range(128, 0x110000))
    site_chars = {c for name in lexicon().sites for c in name}
    for ch in sorted(site_chars | set("abcdefghijklmnopqrstuvwxyz0123456789")):
        for m in re.finditer(re.escape(ch), everything, re.IGNORECASE):
            assert special.get(m.group()) == ch.lower(), (ch, hex(ord(m.group())))


def test_small_words_are_what_the_gate_can_compare() -> None:
    assert all(w.isascii() and w.islower() and w.isalpha() and len(w) <= 16 for w in rules.SMALL_WORDS)


@st.composite
def _units_with_literals(draw: st.DrawFn) -> str:
    """Units made of the rules' literals, trigger words and site names in odd cases,
    around prose and separators: the material of near misses."""
    lex = lexicon()
    words = _literals() + sorted(lex.index_words) + sorted(lex.sites)
    piece = st.one_of(
        st.sampled_from(words),
        st.sampled_from(words).map(str.upper),
        st.sampled_from(words).map(str.title),
        st.sampled_from(PIECES),
    )
    parts = draw(st.lists(st.tuples(piece, st.sampled_from(SEPARATORS[:16])), min_size=1, max_size=12))
    return "".join(p + s for p, s in parts).strip() or "x"


@settings(max_examples=600, deadline=None)
@given(_units_with_literals())
def test_gate_answer_on_units_made_of_literals(unit: str) -> None:
    _check_unit(unit)


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=120))
def test_gate_answer_on_arbitrary_unicode_units(unit: str) -> None:
    _check_unit(unit)


@pytest.mark.parametrize(
    "unit",
    [
        # author bios: two or more capitalised words, then the verb
        "Jane Doe is a writer at the Daily.",
        "Jane Doe, PhD, MD, is a historian.",
        "Jane Doe Ph.D. is a historian.",
        "Jane is a writer.",
        "Jane  Doe is a writer.",
        "Jane Doe islands are far away.",
        "Jane Doe is",
        "Jane Doe is_a writer",
        "Jane Doe serves as editor.",
        "Jane Doe serves the editor.",
        "Jane Doe writes about food.",
        "The Company is a writer of software.",
        "ÉMILE Zola is a novelist.",
        "Jane Émile is a novelist.",
        # title-case questions
        "How Did Joseph Stalin Die?",
        "How did Joseph Stalin Die?",
        "How Did Joseph Stalin über?",
        "How the Of And?",
        "Why Now?",
        "“How” (Did) Joseph Stalin Die?",
        "How Did Joseph Stalin Die ?",
        "ǅemal Did Joseph Die?",
        "How Did ²Joseph Die?",
        # breadcrumbs
        "History .",
        "history .",
        "Home > News > World",
        "Home >\tNews > World",
        "Home / Blog",
        "Home » News » World",
        "Home|News|World",
        # reference lists
        "One - a.com, Two - b.com, Three, Four, Five, Six and seven",
        "One – a.com, Two – b.com, Three, Four, Five, Six and seven",
        "See http://a.b, c, d, e, f and g and h",
        "See HTTP://A.B, c, d, e, f and g and h",
        "One - a; Two - b; Three; Four; Five and six and seven",
        # titles
        "Leon Trotsky - Wikipedia",
        "Leon Trotsky - WIKIPEDIA",
        "Leon Trotsky - wiKipedia Leon Trotsky was a revolutionary.",
        "Leon Trotsky - \u212aora He was.",
        "Leon Trotsky\t-\tWikipedia",
        "Leon Trotsky\xa0–\xa0Wikipedia Leon was a man of many parts.",
        "Leon Trotsky :: Wikipedia",
        "Leon Trotsky | Unknown Site He was a man of many parts.",
        "Leon Trotsky |Unknown He was a man of many parts.",
        "Why? - Unknown He was a man of many parts.",
        "Why ? - Unknown He was a man of many parts.",
        "Why - Unknown He was a man of many parts.",
        "Why? - unknown He was a man of many parts.",
        "Title - r/Socialism_101 - reddit He was a man.",
        "Why? - r/sub - lowercase He was a man of many parts.",  # an unknown site after a subforum
        "Title - example.com He was a man of many parts.",
        "Title - ſtack exchange He was a man of many parts.",
        "Title - stack\texchange He was a man of many parts.",
        "Title — Ωmega He was a man of many parts.",
        "Title · Quora",
        # lexical rules: literals in odd cases and places
        "ſign up for free",
        "SIGN UP now",
        "Sign-up today",
        "declined to comment.",
        "No comments",
        "12 comments",
        "Read more »",
        "by Jane Doe",
        "By Tess Bonn - 11/19/19 06:56 AM EST",
        "İnbox delivered straight to your inbox",
        "Photo: © Reuters",
        "© 2024",
        "(c) 2024 Acme",
        "Contact: me@example.org",
        "Tel.: +1 555 0100",
        "Retrieved 3 March 2020.",
        "DOI: 10.1000/182",
        "ISBN 978-3-16-148410-0",
        "Σ newsletter subscribe",
        "Subscribe to our newsletter " + "x" * 5000,
    ],
)
def test_gate_answer_on_edge_cases(unit: str) -> None:
    _check_unit(unit)
    _assert_same(unit)
    _assert_same(f"Some sentence first. {unit} And a last one here.")


@settings(max_examples=400, deadline=None)
@given(st.lists(_units_with_literals(), min_size=1, max_size=5))
def test_line_gate_on_lines_made_of_literals(units: list[str]) -> None:
    for joiner in (" ", ". ", "? ", "! ", ".\t", ". \u00a0"):
        _check_line(joiner.join(units))


@pytest.mark.parametrize(
    "line",
    [
        "It was late. Jane Doe is a historian at the museum. Then it rained.",
        "It was late.\tJane Doe is a historian. Then it rained.",
        "it was late. Jane Doe, PhD, is a historian.",
        "It was late. Jane Doe writes about food",
        "It was late. Why Did Joseph Stalin Die? Then it rained.",
        "It was late. History . Then it rained.",
        "It was late. Sign up for our newsletter. Then it rained.",
        "It was late. Leon Trotsky - Wikipedia Leon was a man of many parts.",
        "It was late. Home > News > World",
        "It was late. One - a.com, Two - b.com, Three, Four, Five, Six and seven.",
        "It was late\u3002Jane Doe is a historian\u3002",  # CJK full stops
        "It was late. (c) 2024 Acme. Then it rained.",
        "It was late. \u00a9 2024 Acme. Then it rained.",
        "It was late. Contact: me@example.org",
        "It was late. 12 comments",
    ],
)
def test_line_gate_on_edge_cases(line: str) -> None:
    _check_line(line)
    assert fast.line_gate(line)  # each holds furniture
    _assert_same(line)


def test_gate_answer_on_real_sentences(shared_dir: Path, seed_text: str) -> None:
    """Every sentence and line of 150 corpus pages (main and full text), the seed and the
    golden cases."""
    cases = json.loads((Path(__file__).parent / "furniture_cases.json").read_text("utf-8"))
    units = {c["text"] for c in cases["furniture"]} | set(cases["content"])
    for text in [*_corpus(shared_dir / "data" / "corpus" / "web-text.jsonl.gz", 150), seed_text]:
        for start, end in line_bounds(text):
            _check_line(text[start:end])
            units.add(text[start:end])
            units.update(text[s.start : s.end] for s in segment_sentences(text, start, end))
    for unit in sorted(units):
        if unit:
            _check_unit(unit)
