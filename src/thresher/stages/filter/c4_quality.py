"""``c4_quality``: C4's line and document rules (Raffel et al. 2020), rewriting the text.

The rules are section 2.2 of the T5 paper (https://jmlr.org/papers/v21/20-074.html)
plus the two that TensorFlow Datasets' ``c4_utils`` adds (lines with a word over 1000
characters, lines with cookie / terms-of-use phrases), with datatrove 0.10.1's
``C4QualityFilter`` parameters, defaults, order and reason names:

Each line (``str.splitlines``; sentences instead when ``split_paragraph`` is false) is
stripped, then, in order:

1. a line with a word (``str.split``) longer than ``max_word_length`` is removed;
2. Wikipedia-style citations (``[1]``, ``[edit]``, ``[citation needed]``) are removed
   from the line;
3. with ``filter_no_terminal_punct``, a line that does not end in ``. ? ! " '`` or
   ends in ``...`` is removed;
4. a line with fewer than ``min_words_per_line`` words (counted before step 2) is removed;
5. ``lorem ipsum`` anywhere in a line drops the document (``lorem_ipsum``);
6. a line mentioning ``javascript`` is removed;
7. a ``{`` drops the document (``curly_bracket``);
8. a line with a policy phrase (terms of use, privacy policy, cookies) is removed;
9. the kept line's sentences are counted (spaCy's sentencizer rule, see
   :mod:`._words`).

A document whose kept lines hold fewer than ``min_num_sentences`` sentences is dropped
(``too_few_sentences``). Otherwise its text becomes the kept lines joined with ``\\n``
and stripped, exactly as datatrove writes it; every change is an :class:`Edit`:
removed lines carry the rule that removed them (``c4_too_long_word``,
``c4_no_terminal_punct``, ``c4_too_few_words``, ``c4_javascript``, ``c4_policy``),
and the smaller changes are ``c4_citation``, ``c4_whitespace`` (stripping) and
``c4_line_break`` (a ``\\r\\n`` or other line separator normalised to ``\\n``).
A rejected document keeps its text unchanged, so the inspector shows what was judged.

Speed: with the compiled accelerator, the pass over the lines runs in C
(``_fastwords.c4_lines``: the same rules in the same order, the same edits; it is not
used in sentence mode, nor for a text holding U+0130 with a phrase to look for, whose
lower case it does not model). ``tests/stages/filter/test_fastwords.py`` checks that
both passes agree on generated texts with every switch.
"""

from __future__ import annotations

import re
from typing import ClassVar

from pydantic import Field

from thresher.document import Document, Edit
from thresher.step import Params, Step

from . import _words
from ._words import count_sentences, sentence_ends

REASON_ALIASES: dict[str, str] = {}  # every reason is datatrove's own name

CITATION = re.compile(r"\[\d*]|\[edit]|\[citation needed]")
END_PUNCTUATION: tuple[str, ...] = (".", "?", "!", '"', "'")
ELLIPSIS = "..."
POLICY_SUBSTRINGS: tuple[str, ...] = (
    "terms of use",
    "privacy policy",
    "cookie policy",
    "uses cookies",
    "use of cookies",
    "use cookies",
)
_POLICY = re.compile("|".join(map(re.escape, POLICY_SUBSTRINGS)))
# the boundaries str.splitlines() splits on
_BREAK_CHARS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


# The labels of the compiled line pass (_fastwords.c4_lines), by its label index.
_C_LABELS = (
    "", "c4_too_long_word", "c4_no_terminal_punct", "c4_too_few_words", "c4_whitespace", "c4_line_break",
    "c4_javascript", "c4_policy", "c4_citation",
)
# its phrase groups, and their bits in its masks
_PHRASE_GROUPS = (("lorem ipsum",), ("javascript",), POLICY_SUBSTRINGS)
_LOREM, _JAVASCRIPT, _POLICY_GROUP = 1, 2, 4


class C4QualityParams(Params):
    """datatrove 0.10.1's parameters and defaults; ``-1`` disables a numeric rule."""

    split_paragraph: bool = True
    remove_citations: bool = True
    filter_no_terminal_punct: bool = True
    min_num_sentences: int = Field(5, ge=-1)
    min_words_per_line: int = Field(3, ge=-1)
    max_word_length: int = Field(1000, ge=-1)
    filter_lorem_ipsum: bool = True
    filter_javascript: bool = True
    filter_curly_bracket: bool = True
    filter_policy: bool = True
    language: str = "eng"  # datatrove's sentence-splitter language; English rules are used


# A span of the input text, kept, removed or replaced, in text order:
# (start, end, kind, label, replacement); kind is one of the three below (the Edit actions).
_Atom = tuple[int, int, str, str, str]
KEEP, REMOVE, REPLACE = "keep", "remove", "replace"


_REASONS = {
    "c4_too_long_word": "a word longer than max_word_length characters",
    "c4_no_terminal_punct": "the line does not end in terminal punctuation",
    "c4_too_few_words": "fewer than min_words_per_line words",
    "c4_javascript": "the line mentions javascript",
    "c4_policy": "the line holds a cookie / terms-of-use / privacy-policy phrase",
    "c4_citation": "a Wikipedia-style citation marker",
    "c4_whitespace": "whitespace around a kept line",
    "c4_line_break": "line separators between kept lines are written as \\n",
}


class C4Quality(Step):
    """Removes C4's bad lines and drops documents that fail C4's rules."""

    name = "c4_quality"
    Params: ClassVar[type[Params]] = C4QualityParams
    params: C4QualityParams

    def _segments(self, text: str) -> list[tuple[int, int, int]]:
        """(start, end, end including the separator) of each line or sentence."""
        out: list[tuple[int, int, int]] = []
        if self.params.split_paragraph:
            pos = 0
            for piece in text.splitlines(keepends=True):
                end = pos + len(piece)
                if piece[-1] not in _BREAK_CHARS:
                    out.append((pos, end, end))
                elif piece.endswith("\r\n"):
                    out.append((pos, end - 2, end))
                else:
                    out.append((pos, end - 1, end))
                pos = end
        else:
            ends = sentence_ends(text)
            starts = [0] + ends[:-1]
            bounds = ends[:-1] + [len(text)]
            out = [(a, b, b) for a, b in zip(starts, bounds)]
        return out

    def process(self, doc: Document) -> None:
        p = self.params
        text = doc.text
        # Document-wide pre-checks, exact because a line's lower-case form is a piece of
        # the text's: a phrase absent from the whole text is absent from every line.
        # Removing a citation can join one ("java[1]script"), so a line that loses a
        # citation is checked for every phrase whatever the text holds.
        want_lower = p.filter_lorem_ipsum or p.filter_javascript or p.filter_policy
        lower_text = text.lower() if want_lower else ""
        doc_lorem = p.filter_lorem_ipsum and "lorem ipsum" in lower_text
        doc_js = p.filter_javascript and "javascript" in lower_text
        # one substring search per phrase is several times faster than the alternation
        doc_policy = p.filter_policy and any(phrase in lower_text for phrase in POLICY_SUBSTRINGS)
        cite = p.remove_citations and "[" in text
        check_curly = p.filter_curly_bracket and "{" in text  # removing citations adds no "{"
        check_punct = p.filter_no_terminal_punct
        count = p.min_num_sentences != -1
        max_sentences = p.min_num_sentences
        per_line = p.split_paragraph
        max_len = p.max_word_length
        min_words = p.min_words_per_line
        joiner = "\n" if per_line else " "
        fast = _words._fast
        phrases = (_LOREM if doc_lorem else 0) | (_JAVASCRIPT if doc_js else 0) | (_POLICY_GROUP if doc_policy else 0)
        cite_phrases = 0
        if cite:
            cite_phrases = (
                (_LOREM if p.filter_lorem_ipsum else 0)
                | (_JAVASCRIPT if p.filter_javascript else 0)
                | (_POLICY_GROUP if p.filter_policy else 0)
            )
        # The compiled pass applies the same rules in the same order (test_fastwords checks
        # both agree); it lower-cases only ASCII letters and the Kelvin sign, the only
        # characters besides U+0130 whose str.lower() is ASCII, so a text with U+0130 and
        # a phrase to look for stays here.
        if fast is not None and per_line and not ((phrases or cite_phrases) and "\u0130" in text):
            out = fast.c4_lines(
                text, max_len, min_words, check_punct, check_curly, count, max_sentences,
                cite, phrases, cite_phrases, _PHRASE_GROUPS,
                _words._CHUNK_CACHE, _words._FLAGS, _words._cache_missed_chunk, _words._FLAGS.__getitem__,
                _words._CHUNK_CACHE_MAX,
            )
            if isinstance(out, str):
                doc.reject(self.label, out)
                return
            n_lines, n_kept, n_sentences, c_edits = out
            self.signal(doc, "lines_kept", n_kept)
            self.signal(doc, "lines_removed", n_lines - n_kept)
            self.signal(doc, "sentences", n_sentences)
            if n_sentences < p.min_num_sentences or c_edits is None:
                doc.reject(self.label, "too_few_sentences")
                return
            doc.apply_edits(self.label, [
                Edit(a, b, "replace" if r else "remove", _C_LABELS[k], _REASONS[_C_LABELS[k]], "\n" if r else "")
                for a, b, r, k in c_edits
            ])
            return

        # One pass: the fate of every line (label "" = kept), the sentence count, and
        # the atoms of the rewrite (see _edits_from_atoms), built as the lines are judged.
        atoms: list[_Atom] = []
        append = atoms.append
        last_kept_sep = -1  # index in atoms of the last kept line's separator
        n_lines = n_kept = n_sentences = 0
        for start, end, sep_end in self._segments(text):
            n_lines += 1
            line = text[start:end]
            stripped = line.strip()
            label = ""
            citations: list[tuple[int, int]] | None = None
            # a word longer than max_len needs a line longer than max_len: most lines
            # are spared the split into words
            if max_len != -1 and len(stripped) > max_len and any(len(w) > max_len for w in stripped.split()):
                label = "c4_too_long_word"
            else:
                kept_line = stripped
                if cite and "[" in stripped:
                    citations = [m.span() for m in CITATION.finditer(stripped)]
                    if citations:
                        kept_line = CITATION.sub("", stripped)
                if check_punct and (not kept_line.endswith(END_PUNCTUATION) or kept_line.endswith(ELLIPSIS)):
                    label = "c4_no_terminal_punct"
                # fewer than min_words words (of the line before citations are removed):
                # splitting off min_words - 1 words tells, without splitting the rest
                elif min_words > 0 and len(stripped.split(None, min_words - 1)) < min_words:
                    label = "c4_too_few_words"
                else:
                    if citations:
                        lorem, js, policy = p.filter_lorem_ipsum, p.filter_javascript, p.filter_policy
                    else:
                        lorem, js, policy = doc_lorem, doc_js, doc_policy
                    if lorem or js or policy or check_curly:
                        lower = kept_line.lower() if lorem or js or policy else ""
                        if lorem and "lorem ipsum" in lower:
                            doc.reject(self.label, "lorem_ipsum")
                            return
                        if js and "javascript" in lower:
                            label = "c4_javascript"
                        elif check_curly and "{" in kept_line:
                            doc.reject(self.label, "curly_bracket")
                            return
                        elif policy and _POLICY.search(lower):
                            label = "c4_policy"
            if label:
                if atoms:
                    prev = atoms[-1]
                    if prev[2] == REMOVE and prev[3] == label and prev[1] == start:
                        atoms[-1] = (prev[0], sep_end, REMOVE, label, "")
                        continue
                append((start, sep_end, REMOVE, label, ""))
                continue
            n_kept += 1
            # only "fewer than min_num_sentences" matters: counting stops there (the
            # signal is then a lower bound), which spares most lines a word split
            if count and n_sentences < max_sentences:
                n_sentences += count_sentences(kept_line) if per_line else 1
            # the kept line: whitespace around it removed, citations removed, the rest kept
            if len(stripped) == len(line):
                s0, s1 = start, end
            else:
                s0 = start + len(line) - len(line.lstrip())
                s1 = s0 + len(stripped)
                if s0 > start:
                    append((start, s0, REMOVE, "c4_whitespace", ""))
            pos = s0
            if citations:
                for a, b in citations:
                    if pos < s0 + a:
                        append((pos, s0 + a, KEEP, "", ""))
                    append((s0 + a, s0 + b, REMOVE, "c4_citation", ""))
                    pos = s0 + b
            append((pos, s1, KEEP, "", ""))
            if s1 < end:
                append((s1, end, REMOVE, "c4_whitespace", ""))
            # the separator after a kept line: the joiner of datatrove's "\n".join
            if end == sep_end:
                append((end, end, REPLACE, "c4_line_break", joiner))
            elif sep_end - end == len(joiner) and text[end:sep_end] == joiner:
                append((end, sep_end, KEEP, "", ""))
            else:
                append((end, sep_end, REPLACE, "c4_line_break", joiner))
            last_kept_sep = len(atoms) - 1

        self.signal(doc, "lines_kept", n_kept)
        self.signal(doc, "lines_removed", n_lines - n_kept)
        self.signal(doc, "sentences", n_sentences)
        if n_sentences < p.min_num_sentences:
            doc.reject(self.label, "too_few_sentences")
            return
        doc.apply_edits(self.label, _edits_from_atoms(atoms, last_kept_sep, text))


def _edits_from_atoms(atoms: list[_Atom], last_kept_sep: int, text: str) -> list[Edit]:
    """The edits that turn ``text`` into its kept lines joined and stripped.

    Atoms are plain tuples (start, end, kind, label, replacement) in text order, and a
    removed line joins the removal before it when they touch and share a label: a page's
    many removed lines cost one tuple per run, not one object per line.
    """
    if last_kept_sep >= 0:
        # "\n".join puts no separator after the last kept line
        sep = atoms[last_kept_sep]
        atoms[last_kept_sep] = (sep[0], sep[1], REMOVE, "c4_line_break", "")
    _strip(atoms, text)
    return [
        Edit(a[0], a[1], "remove" if a[2] == REMOVE else "replace", a[3], _REASONS[a[3]], replacement=a[4])
        for a in _merge(atoms)
        if a[2] != KEEP and (a[1] > a[0] or a[4])
    ]


def _out_text(a: _Atom, text: str) -> str:
    if a[2] == KEEP:
        return text[a[0] : a[1]]
    return a[4] if a[2] == REPLACE else ""


def _strip(atoms: list[_Atom], text: str) -> None:
    """Apply the final ``.strip()`` of the joined text to the atoms, in place."""
    for forward in (True, False):
        indices = range(len(atoms)) if forward else range(len(atoms) - 1, -1, -1)
        for i in indices:
            a = atoms[i]
            out = _out_text(a, text)
            if not out:
                continue
            trimmed = out.lstrip() if forward else out.rstrip()
            if trimmed == out:
                break
            start, end = a[0], a[1]
            if not trimmed:  # all whitespace: the whole atom goes
                label = "c4_whitespace" if a[2] == KEEP else a[3]
                atoms[i] = (start, end, REMOVE, label, "")
                continue
            # only kept text can be partly whitespace (replacements are one "\n" or " ")
            cut = len(out) - len(trimmed)
            if forward:
                atoms[i : i + 1] = [(start, start + cut, REMOVE, "c4_whitespace", ""), (start + cut, end, KEEP, "", "")]
            else:
                atoms[i : i + 1] = [(start, end - cut, KEEP, "", ""), (end - cut, end, REMOVE, "c4_whitespace", "")]
            break


def _merge(atoms: list[_Atom]) -> list[_Atom]:
    """Join neighbouring removals with the same label (one edit per removed run)."""
    out: list[_Atom] = []
    for a in atoms:
        if out and a[2] == REMOVE:
            prev = out[-1]
            if prev[2] == REMOVE and prev[3] == a[3] and prev[1] == a[0]:
                out[-1] = (prev[0], a[1], REMOVE, a[3], "")
                continue
        out.append(a)
    return out
