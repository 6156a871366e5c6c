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
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from pydantic import Field

from thresher.document import Document, Edit
from thresher.step import Params, Step

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


@dataclass(slots=True)
class _Atom:
    """A span of the input text: kept, removed, or replaced, in text order."""

    start: int
    end: int
    kind: str  # "keep" | "remove" | "replace"
    label: str = ""
    replacement: str = ""


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
        atoms: list[_Atom] = []
        n_sentences = 0
        n_kept = 0
        n_removed = 0
        last_kept_sep: int | None = None  # index in atoms of the last kept line's separator
        max_len = p.max_word_length
        min_words = p.min_words_per_line
        for start, end, sep_end in self._segments(text):
            line = text[start:end]
            stripped = line.strip()
            label = ""
            # a word longer than max_len needs a line longer than max_len: most lines
            # are spared the split into words
            if max_len != -1 and len(stripped) > max_len and any(len(w) > max_len for w in stripped.split()):
                label = "c4_too_long_word"
            citations: list[tuple[int, int]] = []
            if not label:
                if p.remove_citations and "[" in stripped:
                    citations = [m.span() for m in CITATION.finditer(stripped)]
                    kept_line = CITATION.sub("", stripped) if citations else stripped
                else:
                    kept_line = stripped
                if p.filter_no_terminal_punct and (
                    not kept_line.endswith(END_PUNCTUATION) or kept_line.endswith(ELLIPSIS)
                ):
                    label = "c4_no_terminal_punct"
                # fewer than min_words words (of the line before citations are removed):
                # splitting off min_words - 1 words tells, without splitting the rest
                elif min_words > 0 and len(stripped.split(None, min_words - 1)) < min_words:
                    label = "c4_too_few_words"
                else:
                    lower = kept_line.lower()
                    if p.filter_lorem_ipsum and "lorem ipsum" in lower:
                        doc.reject(self.label, "lorem_ipsum")
                        return
                    if p.filter_javascript and "javascript" in lower:
                        label = "c4_javascript"
                    elif p.filter_curly_bracket and "{" in kept_line:
                        doc.reject(self.label, "curly_bracket")
                        return
                    elif p.filter_policy and _POLICY.search(lower):
                        label = "c4_policy"
            if label:
                n_removed += 1
                atoms.append(_Atom(start, sep_end, "remove", label))
                continue
            lead = len(line) - len(line.lstrip())
            s0 = start + lead  # offset of the stripped line
            s1 = s0 + len(stripped)
            # only "fewer than min_num_sentences" matters: counting stops there (the
            # signal is then a lower bound), which spares most lines a word split
            if p.min_num_sentences != -1 and n_sentences < p.min_num_sentences:
                n_sentences += count_sentences(kept_line) if p.split_paragraph else 1
            n_kept += 1
            if lead:
                atoms.append(_Atom(start, s0, "remove", "c4_whitespace"))
            pos = s0
            for a, b in citations:
                if pos < s0 + a:
                    atoms.append(_Atom(pos, s0 + a, "keep"))
                atoms.append(_Atom(s0 + a, s0 + b, "remove", "c4_citation"))
                pos = s0 + b
            atoms.append(_Atom(pos, s1, "keep"))
            if s1 < end:
                atoms.append(_Atom(s1, end, "remove", "c4_whitespace"))
            # the separator after a kept line: the joiner of datatrove's "\n".join
            joiner = "\n" if p.split_paragraph else " "
            if end == sep_end:
                atoms.append(_Atom(end, end, "replace", "c4_line_break", joiner))
            elif text[end:sep_end] == joiner:
                atoms.append(_Atom(end, sep_end, "keep"))
            else:
                atoms.append(_Atom(end, sep_end, "replace", "c4_line_break", joiner))
            last_kept_sep = len(atoms) - 1

        self.signal(doc, "lines_kept", n_kept)
        self.signal(doc, "lines_removed", n_removed)
        self.signal(doc, "sentences", n_sentences)
        if n_sentences < p.min_num_sentences:
            doc.reject(self.label, "too_few_sentences")
            return
        if last_kept_sep is not None:
            # "\n".join puts no separator after the last kept line
            sep = atoms[last_kept_sep]
            atoms[last_kept_sep] = _Atom(sep.start, sep.end, "remove", "c4_line_break")
        _strip(atoms, text)
        edits = [
            Edit(a.start, a.end, "remove" if a.kind == "remove" else "replace", a.label,
                 _REASONS[a.label], replacement=a.replacement)
            for a in _merge(atoms)
            if a.kind != "keep" and (a.end > a.start or a.replacement)
        ]
        doc.apply_edits(self.label, edits)


def _out_text(a: _Atom, text: str) -> str:
    if a.kind == "keep":
        return text[a.start : a.end]
    return a.replacement if a.kind == "replace" else ""


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
            if not trimmed:  # all whitespace: the whole atom goes
                label = "c4_whitespace" if a.kind == "keep" else a.label
                atoms[i] = _Atom(a.start, a.end, "remove", label)
                continue
            # only kept text can be partly whitespace (replacements are one "\n" or " ")
            cut = len(out) - len(trimmed)
            if forward:
                atoms[i : i + 1] = [
                    _Atom(a.start, a.start + cut, "remove", "c4_whitespace"),
                    _Atom(a.start + cut, a.end, "keep"),
                ]
            else:
                atoms[i : i + 1] = [
                    _Atom(a.start, a.end - cut, "keep"),
                    _Atom(a.end - cut, a.end, "remove", "c4_whitespace"),
                ]
            break


def _merge(atoms: list[_Atom]) -> list[_Atom]:
    """Join neighbouring removals with the same label (one edit per removed run)."""
    out: list[_Atom] = []
    for a in atoms:
        if out and a.kind == "remove" and out[-1].kind == "remove" and out[-1].label == a.label \
                and out[-1].end == a.start:
            out[-1] = _Atom(out[-1].start, a.end, "remove", a.label)
        else:
            out.append(a)
    return out
