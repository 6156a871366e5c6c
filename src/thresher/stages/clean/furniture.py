"""Step ``clean_furniture``: remove page furniture, sentence by sentence and line by line.

Furniture is the text a page carries around its content: titles of other pages,
calls to action, credits, author bios, network footers, reference lists,
breadcrumbs, cookie notices, share buttons, navigation. Line-based cleaners (C4,
FineWeb) can only drop whole lines, so on a page flattened into one paragraph they
see nothing. Here the unit is the sentence: every sentence of every line is judged
on its own text (:func:`thresher.stages.clean.rules.classify`), and a few rules look
at neighbouring lines (runs of navigation links). A page title glued to the sentence
after it loses the title only.

Every removal is an :class:`~thresher.document.Edit` with action ``remove``, a
``label`` naming the kind of furniture and a ``reason``. A removal takes the
whitespace after it (or, at the end of the text, before it) so what remains reads
cleanly.

Most lines of a page cannot be furniture, and proving it (lower-casing and splitting
each line to look its words up among the trigger tokens, a few substring tests) was
most of the step's time. A compiled twin of that line gate, ``_furnfast``
(``_furnfast.c``, built at install where a C compiler exists, skipped where not),
walks the lines once and hands back only those the rules must see, with what it
found, and leaves out the sentences of inspected lines that no rule can match; for
each sentence it lets through it names the rules that may match (each by a necessary
condition: the lexical rules whose trigger words and one of whose literals are there,
the structural rules by what each needs), and only those run
(:func:`~thresher.stages.clean.rules.classify_gated`): on the corpus's main text, 50,449
sentences and lines have a rule left to run, where 178,800 went through all of them
before. The rules themselves stay here and in :mod:`~thresher.stages.clean.rules`.
Both paths give the same edits and signals (``tests/stages/clean/test_furnfast.py``);
``THRESHER_PURE_PYTHON=1`` forces the Python one.
"""

from __future__ import annotations

import re
from types import ModuleType

from pydantic import Field

from thresher import accelerators
from thresher.document import Document, Edit
from thresher.stages.clean.rules import (
    G_TITLE,
    GLUE_POINT,
    GLUED_MAX_CHARS,
    INNER_STOP,
    LIST_BULLETS,
    PUNCT_AS_SPACE,
    SMALL_WORDS,
    Verdict,
    classify,
    classify_gated,
    classify_line,
    glued_links,
    glued_title,
    has_title_separator,
    is_title_case,
    lexicon,
    regex_case_classes,
    use_accelerator,
    worth_inspecting,
)
from thresher.stages.segment import Span, line_bounds, segment_sentences
from thresher.step import Params, Transformer

# Lines longer than this are paragraphs: segmented only if worth_inspecting() says so.
# 80 characters is about 13 words: shorter lines (menus, buttons, bylines, captions)
# are always judged; longer ones are judged if a cheap test finds a trigger in them.
_SHORT_LINE = 80
# a Span built without the Python-level constructor call (see thresher.stages.segment)
_tuple_new = tuple.__new__
_WS = re.compile(r"\s*")
_TERMINAL = frozenset(".!?:;,\u3002\uff01\uff1f")

# Flags of a line returned by the compiled gate (the values of _furnfast.c).
_F_SHORT = 1  # at most _SHORT_LINE characters
_F_MULTI = 2  # short, with a sentence stop inside: segmented
_F_ADMIT = 4  # short, one sentence: could_be_furniture() holds and the sentence gate lets it through
# (the gate's answer, the lexical and structural rules that may match, comes with the line)
_F_TOKHIT = 8  # short, one sentence: a trigger token is among its words
_F_NAV = 16  # in a run of navigation lines
_F_QCAND = 32  # ends with "?", under 150 characters, next to another such line
_F_WORTH = 64  # long: worth_inspecting() holds
_F_MAYBE = 128  # long: worth_inspecting() must be asked
_F_NONE = 256  # short, segmented (_F_MULTI), but no sentence of it can be furniture (_furnfast.line_gate)
_F_GLUE = 512  # at most GLUED_MAX_CHARS characters, with a glue point (glued_links may match it)


def _load_accelerator() -> ModuleType | None:
    """The compiled line gate, unless absent or switched off (``THRESHER_PURE_PYTHON=1``)."""
    module = accelerators.load("thresher.stages.clean._furnfast")  # types: _furnfast.pyi
    if module is None:
        return None
    configure_accelerator(module)
    use_accelerator(module)  # the lexical rules' trigger test, in rules.py
    return module


def configure_accelerator(module: ModuleType) -> None:
    """Hand the lexicon's trigger tokens, the triggers of its rare words, the first words
    of its site names, the literals each rule needs, the regex engine's case-folding
    classes and the small words of title case to the compiled gate (it only reads them)."""
    lex = lexicon()
    if len(lex.rules) > 62:
        raise ValueError("the compiled gate names the lexical rules in a 64-bit mask: 62 rules at most")
    site_words = frozenset(name.split(" ")[0] for name in lex.sites)
    # each trigger as a tuple of its words (the gate reads them by position)
    index = {w: tuple((i, tuple(sorted(t)), m) for i, t, m in entries) for w, entries in lex.index.items()}
    module.configure(
        lex.tokens_short,
        lex.tokens_long,
        lex.strong_tokens,
        lex.strong_triggers,
        site_words,
        PUNCT_AS_SPACE,
        index,
        lex.requirements,
        regex_case_classes(),
        SMALL_WORDS,
    )


class CleanFurnitureParams(Params):
    """Parameters of ``clean_furniture``."""

    nav_run: int = Field(
        4,
        ge=2,
        le=50,
        description=(
            "Consecutive short link-like lines that make a navigation block. 4: on the first 500 pages"
            " of the trafilatura evaluation set (all languages), runs of 3 / 4 / 5 / 6 gave furniture"
            " precision 0.960 / 0.968 / 0.966 / 0.975 and recall 0.258 / 0.235 / 0.220 / 0.210"
            " (must-keep segments lost: 14 / 10 / 10 / 7 of 1,459); 4 loses little content and still"
            " catches most menus."
        ),
    )
    nav_max_words: int = Field(3, ge=1, le=10, description="Most words in a line of a navigation run.")
    disable: tuple[str, ...] = Field((), description="Furniture labels not to remove (e.g. ['slogan']).")
    max_chars: int = Field(
        10_000_000,
        ge=1,
        description=(
            "Longest text processed; a longer one is quarantined rather than tying up a worker. 10 M"
            " characters is far above any real page (the corpus's largest main text is 0.25 M); the worst"
            " case under it, every sentence furniture, measured 3.7 s of CPU for 9.9 M characters and"
            " 340,000 removals."
        ),
    )


class CleanFurniture(Transformer):
    """Remove furniture at sentence and line level; each removal is a labelled Edit."""

    name = "clean_furniture"
    Params = CleanFurnitureParams
    params: CleanFurnitureParams

    def edits(self, doc: Document) -> list[Edit]:
        text = doc.text
        if len(text) > self.params.max_chars:
            raise ValueError(f"text of {len(text):,} characters exceeds max_chars={self.params.max_chars:,}")
        if _fast is not None:
            n_lines, gated = _fast.scan(text, self.params.nav_max_words, self.params.nav_run)
            if not n_lines:
                return []
            sents, verdicts = self._judge_gated(text, gated, _fast)
            glued = [(s, e) for _, s, e, f, _, _ in gated if f & _F_GLUE]
        else:
            lines = line_bounds(text)
            if not lines:
                return []
            sents, verdicts = self._judge(text, lines)
            glued = [(s, e) for s, e in lines if e - s <= GLUED_MAX_CHARS and GLUE_POINT.search(text, s, e)]
        edits = self._to_edits(text, sents, verdicts)
        if glued:
            edits = _with_glued_links(text, edits, glued, set(self.params.disable))
        removed = sum(e.end - e.start for e in edits)
        self.signal(doc, "removed", len(edits))
        self.signal(doc, "removed_fraction", round(removed / len(text), 4))
        return edits

    # ---- judging ---------------------------------------------------------------------

    def _judge(
        self, text: str, lines: list[tuple[int, int]]
    ) -> tuple[list[Span], list[Verdict | tuple[int, str] | None]]:
        """Sentences worth judging, and per sentence: a Verdict (remove it), (end, site)
        (remove a glued title), or None (keep)."""
        disabled = set(self.params.disable)
        sents: list[Span] = []
        out: list[Verdict | tuple[int, str] | None] = []
        nav = self._navigation_lines(text, lines)
        questions = self._question_runs(text, lines)
        for li, (start, end) in enumerate(lines):
            if end - start > _SHORT_LINE:
                if not worth_inspecting(text[start:end]):
                    continue  # a paragraph no rule could match: skip segmenting it
                line_sents = segment_sentences(text, start, end)
            else:
                s = text[start:end]
                if not INNER_STOP.search(s):
                    # one sentence: no need to segment, and most such lines fail a cheap
                    # test (could_be_furniture, which classify_line does with classify)
                    if nav[li] or questions[li]:
                        v = classify(s)
                    else:
                        admitted, v = classify_line(s)
                        if not admitted:
                            continue
                    span = _tuple_new(Span, (start, end, "sentence"))
                    result = _result(span, s, v, True, nav[li], questions[li], disabled)
                    if result is not None:
                        sents.append(span)
                        out.append(result)
                    continue
                line_sents = segment_sentences(text, start, end)
            single = len(line_sents) == 1
            for span in line_sents:
                unit = text[span.start : span.end]
                result = _result(span, unit, classify(unit), single, nav[li], questions[li], disabled)
                if result is not None:
                    sents.append(span)
                    out.append(result)
        return sents, out

    def _judge_gated(
        self, text: str, gated: list[tuple[int, int, int, int, int, int]], fast: ModuleType
    ) -> tuple[list[Span], list[Verdict | tuple[int, str] | None]]:
        """:meth:`_judge` on the lines the compiled gate returned, ``(index, start, end,
        flags)``: the lines it leaves out are those :meth:`_judge` skips."""
        disabled = set(self.params.disable)
        sents: list[Span] = []
        out: list[Verdict | tuple[int, str] | None] = []
        questions = _gated_question_runs(text, gated)
        for li, start, end, f, mask, bits in gated:
            nav_line = f & _F_NAV != 0
            question_line = li in questions
            if f & _F_SHORT:
                if f & _F_NONE:
                    continue  # not in a run of navigation lines or questions either
                if not f & _F_MULTI:
                    # judged if some rule may match it (the sentence gate's answer, which
                    # comes with the line and names those rules), or if its neighbours
                    # may give it a verdict
                    if not (nav_line or question_line or f & _F_ADMIT):
                        continue
                    s = text[start:end]
                    v = classify_gated(s, mask, bits)
                    span = _tuple_new(Span, (start, end, "sentence"))
                    result = _result(span, s, v, True, nav_line, question_line, disabled, bits & G_TITLE != 0)
                    if result is not None:
                        sents.append(span)
                        out.append(result)
                    continue
            elif not (f & _F_WORTH or (f & _F_MAYBE and worth_inspecting(text[start:end]))):
                continue
            # The line is segmented on its own: the same sentences as segmenting it in
            # place (segment_sentences(text, start, end)), shifted by its start, since
            # the rules look at nothing outside the line but the character after it, and
            # only to see whether it is a letter or a digit, which the whitespace after a
            # line never is (nor the end of the text). The line string is needed for
            # the rules anyway, and its offsets are those _furnfast.units reads.
            line = text[start:end]
            line_sents = segment_sentences(line)
            single = len(line_sents) == 1
            if nav_line or question_line:  # every sentence has a verdict from its line
                for a, b, _ in line_sents:
                    unit = line[a:b]
                    span = _tuple_new(Span, (start + a, start + b, "sentence"))
                    result = _result(span, unit, classify(unit), single, nav_line, question_line, disabled)
                    if result is not None:
                        sents.append(span)
                        out.append(result)
                continue
            # the sentences no rule can match are left out, and those some rule may match
            # come with the rules that may (_furnfast.units)
            for a, b, mask, bits in fast.units(line, line_sents):
                unit = line[a:b]
                span = _tuple_new(Span, (start + a, start + b, "sentence"))
                v = classify_gated(unit, mask, bits)
                result = _result(span, unit, v, single, False, False, disabled, bits & G_TITLE != 0)
                if result is not None:
                    sents.append(span)
                    out.append(result)
        return sents, out

    def _navigation_lines(self, text: str, lines: list[tuple[int, int]]) -> list[bool]:
        """Lines that belong to a run of at least ``nav_run`` short link-like lines."""
        link_like = self._link_like
        short = [e - s <= 32 and link_like(text[s:e].lstrip(LIST_BULLETS)) for s, e in lines]
        return _runs(short, self.params.nav_run)

    def _link_like(self, line: str) -> bool:
        # a menu item: a few words, no sentence punctuation, not a number or list value,
        # capitalised (menus are title case or upper case; list items of prose are not)
        return (
            0 < len(line) <= 30
            and line.count(" ") < self.params.nav_max_words
            and line[-1] not in _TERMINAL
            and line[0].isalpha()
            and line[0].isupper()
        )

    @staticmethod
    def _question_runs(text: str, lines: list[tuple[int, int]]) -> list[bool]:
        """Lines in a run of two or more title-case questions: a list of related links."""
        if "?" not in text:
            return [False] * len(lines)  # no line can end with one (most pages)
        flags = [text[e - 1] == "?" and e - s < 150 and is_title_case(text[s:e]) for s, e in lines]
        return _runs(flags, 2)

    # ---- edits -----------------------------------------------------------------------

    @staticmethod
    def _to_edits(
        text: str, sents: list[Span], verdicts: list[Verdict | tuple[int, str] | None]
    ) -> list[Edit]:
        edits: list[Edit] = []
        prev_end = 0  # end of the previous edit: edits must not overlap
        for span, v in zip(sents, verdicts):
            if v is None:
                continue
            if isinstance(v, Verdict):
                start = span.start
                ws = _WS.match(text, span.end)  # take the whitespace that follows
                end = ws.end() if ws else span.end
                if end == len(text):
                    # the last sentence of the text: take the whitespace before instead
                    while start > prev_end and text[start - 1].isspace():
                        start -= 1
                    end = span.end
                edits.append(Edit(start, end, "remove", v.label, v.reason))
            else:
                end, site = v
                edits.append(
                    Edit(
                        span.start,
                        end,
                        "remove",
                        "page_title",
                        f"the title of a page of '{site}' glued before the sentence that follows it;"
                        " only the title is removed",
                    )
                )
            prev_end = edits[-1].end
        _trim_trailing_run(text, edits)
        return edits


def _result(
    span: Span,
    unit: str,
    v: Verdict | None,
    single: bool,
    nav_line: bool,
    question_line: bool,
    disabled: set[str],
    title: bool = True,
) -> Verdict | tuple[int, str] | None:
    """What to do with one sentence, given its verdict from :func:`classify` and its
    line's context: a Verdict (remove it), (end, site) (remove a glued title), or None.
    ``title`` False: the sentence gate found no title separator with a site after it."""
    if v is not None and v.label == "related_question" and single and not question_line:
        v = None  # a lone title-case question on its own line is a heading
    if v is None and nav_line:
        v = Verdict("navigation", "one of a run of short link-like lines (a menu or a link list)")
    if v is not None and v.label not in disabled:
        return v
    if title and "page_title" not in disabled and has_title_separator(unit):
        g = glued_title(unit)
        if g is not None:
            return (span.start + g.end, g.site)
    return None


def _gated_question_runs(text: str, gated: list[tuple[int, int, int, int, int, int]]) -> set[int]:
    """:meth:`CleanFurniture._question_runs` for the compiled gate: the indices of the
    lines in runs of two or more title-case questions, from the candidate lines it
    marked (each next to another candidate)."""
    if "?" not in text:
        return set()  # no line can end with one (most pages)
    flagged = [li for li, s, e, f, _, _ in gated if f & _F_QCAND and is_title_case(text[s:e])]
    runs: set[int] = set()
    k = 0
    while k < len(flagged):
        m = k + 1
        while m < len(flagged) and flagged[m] == flagged[m - 1] + 1:
            m += 1
        if m - k >= 2:
            runs.update(flagged[k:m])
        k = m
    return runs


def _with_glued_links(
    text: str, edits: list[Edit], lines: list[tuple[int, int]], disabled: set[str]
) -> list[Edit]:
    """``edits`` and a removal of each of ``lines`` (short lines with a glue point, in
    order) that is link texts glued together without spaces
    (:func:`~thresher.stages.clean.rules.glued_links`) and that no edit touches yet."""
    added: list[Edit] = []
    n = len(text)
    k = 0  # the first edit that ends after the current line's start
    for s, e in lines:
        v = glued_links(text[s:e])
        if v is None or v.label in disabled:
            continue
        while k < len(edits) and edits[k].end <= s:
            k += 1
        if k < len(edits) and edits[k].start < e:
            continue  # part of the line is removed already
        ws = _WS.match(text, e)
        stop = ws.end() if ws and ws.end() < n else e  # take the whitespace that follows
        if k < len(edits):
            stop = min(stop, edits[k].start)
        added.append(Edit(s, stop, "remove", v.label, v.reason))
    if not added:
        return edits
    merged = sorted(edits + added, key=lambda x: x.start)
    _trim_trailing_run(text, merged)
    return merged


def _trim_trailing_run(text: str, edits: list[Edit]) -> None:
    """If removals run to the end of the text, let the first of them take the
    whitespace before it, so the text does not end with a dangling line break."""
    if not edits or text[edits[-1].end :].strip():
        return
    k = len(edits) - 1
    while k > 0 and edits[k - 1].end == edits[k].start:
        k -= 1
    floor = edits[k - 1].end if k > 0 else 0
    first = edits[k]
    while first.start > floor and text[first.start - 1].isspace():
        first.start -= 1


def _runs(flags: list[bool], min_len: int) -> list[bool]:
    """Mark the members of runs of at least ``min_len`` consecutive true flags."""
    out = [False] * len(flags)
    if flags.count(True) < min_len:
        return out  # too few flagged lines for a run (most pages)
    k = 0
    while k < len(flags):
        if not flags[k]:
            k += 1
            continue
        m = k
        while m < len(flags) and flags[m]:
            m += 1
        if m - k >= min_len:
            for x in range(k, m):
                out[x] = True
        k = m
    return out


_fast = _load_accelerator()
