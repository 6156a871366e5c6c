"""Pages of the shared web corpus for measuring the repair steps, and the damage done to
them (benchmarks/repair.py, scripts/build_repair_context_model.py and the gate in the
tests read them the same way).

Pages are split into a *fit* half and a *held-out* half by a hash of their id
(:func:`split_of`), so whatever is fitted on one half is measured on the other, and the
split does not depend on the order of the corpus file.

Pages are read as the pipeline hands them to ``restore_deleted_chars``: after
``fix_mojibake``, which runs before it (:func:`as_piped`). A page of the corpus that
shows "isnâ€™t" had an apostrophe there; deleting the raw mojibake would make the
apostrophe the step puts back count as a false positive, and the run "â€™" count as no
apostrophe at all.

Two things the stripped text cannot tell, which the scoring therefore does not ask:

- *which* apostrophe glyph was deleted. Authors type U+2018, U+02BC, the acute accent or
  the prime where U+2019 belongs ("Pakistan‘s"); the step writes U+2019, and putting it
  back where any one of them was deleted restores the word's apostrophe (:func:`restores`);
- what the author meant where the *source* already wrote contractions without their
  apostrophe ("dont", "isnt", "thats": no English word, so no author's choice). On such a
  page the original is not an answer key: a possessive the step restores there ("the
  countrys", "this years edition") is as likely a repair of the same damage as an error.
  :func:`source_lacks_apostrophes` marks these pages; the benchmark and the fitting script
  report them apart, and the precision and recall targets are measured on the others.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

Split = Literal["fit", "heldout", "all"]

APOSTROPHES = frozenset("\u2019\u2018\u02bc\u00b4\u2032")
DASHES = frozenset("\u2014\u2013\u2015\u2012\u2212")
RIGHT_QUOTE = "\u2019"  # the apostrophe restore_deleted_chars writes

# Contractions written without their apostrophe that are no English word ("cant", "wont",
# "ill", "its" are words, and are left out): a source that writes one lost its
# apostrophes before the benchmark deleted anything, or never typed them.
_BARE_CONTRACTION = re.compile(
    r"\b(?:do|does|did|is|was|are|were|could|would|should|has|have|had|must|need)nt\b"
    r"|\b(?:that|what)s\b|\b(?:they|you)(?:re|ve)\b",
    re.IGNORECASE,
)


def restores(deleted: str, inserted: str) -> bool:
    """Whether inserting ``inserted`` where ``deleted`` was deleted restores it: the same
    characters, or the right single quotation mark for any one apostrophe glyph
    (:data:`APOSTROPHES`)."""
    return inserted == deleted or (inserted == RIGHT_QUOTE and len(deleted) == 1 and deleted in APOSTROPHES)


def source_lacks_apostrophes(text: str) -> bool:
    """Whether ``text`` (a page before any character is deleted) already writes a
    contraction without its apostrophe ("dont", "isnt", "thats", "youre")."""
    return _BARE_CONTRACTION.search(text) is not None


def split_of(page_id: str) -> Literal["fit", "heldout"]:
    """The half a page belongs to: the parity of the first byte of the SHA-1 of its id."""
    return "fit" if hashlib.sha1(page_id.encode("utf-8")).digest()[0] % 2 == 0 else "heldout"


def corpus_texts(corpus: Path, limit: int) -> list[str]:
    """The ``text_main`` of the first ``limit`` pages of the corpus."""
    texts: list[str] = []
    with gzip.open(corpus, "rt", encoding="utf-8") as fh:
        for line in fh:
            texts.append(json.loads(line).get("text_main") or "")
            if len(texts) >= limit:
                break
    return texts


def as_piped(text: str) -> str:
    """``text`` with its mojibake repaired by the ``fix_mojibake`` step, as the pipeline
    hands it to ``restore_deleted_chars`` (text without mojibake comes back unchanged)."""
    if text.isascii():
        return text
    from thresher.document import Document

    doc = Document("page", text)
    _fixer()([doc])
    return doc.text


@lru_cache(maxsize=1)
def _fixer() -> Any:
    from thresher.stages.repair.mojibake import FixMojibake

    step = FixMojibake()
    step.ensure_setup()
    return step


def english_records(
    corpus: Path, split: Split = "all", min_chars: int = 300, piped: bool = True
) -> Iterator[tuple[str, str]]:
    """``(id, text_main)`` of the pages of at least ``min_chars`` that CLD2 reliably reads
    as English, in file order, restricted to one half of the split; with ``piped``, as
    :func:`as_piped` repairs them."""
    import pycld2

    with gzip.open(corpus, "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            text = rec.get("text_main") or ""
            if len(text) < min_chars or (split != "all" and split_of(str(rec.get("id"))) != split):
                continue
            try:
                reliable, _, langs = pycld2.detect(text)
            except pycld2.error:
                continue
            if reliable and langs[0][1] == "en":
                yield str(rec.get("id")), as_piped(text) if piped else text


def english_pages(corpus: Path, limit: int, min_chars: int = 300, split: Split = "all") -> list[str]:
    """The first ``limit`` English pages (as :func:`english_records` selects them)."""
    out: list[str] = []
    for _, text in english_records(corpus, split, min_chars):
        out.append(text)
        if len(out) >= limit:
            break
    return out


def classify(run: str, before: str, after: str) -> str:
    """The class of one run of deleted characters, from the run and its neighbours: a
    word-internal ``apostrophe``, ``apostrophe_final``, ``dash_glued`` (between two
    words, no space), ``dash_spaced``, ``accent`` (letters) or ``other``."""
    if all(c in APOSTROPHES for c in run):
        if before.isalnum() and after.isalpha():
            return "apostrophe"
        if before.isalpha():
            return "apostrophe_final"
        return "other"
    if all(c in DASHES for c in run):
        return "dash_glued" if before.isalnum() and after.isalnum() else "dash_spaced"
    if all(unicodedata.category(c).startswith("L") for c in run):
        return "accent"
    return "other"


def strip(text: str) -> tuple[str, dict[int, tuple[str, str]]]:
    """Delete the non-ASCII characters of ``text``, as a bad pipeline does; return the
    stripped text and its damage *sites*: offset in the stripped text -> (the run of
    characters deleted there, its class)."""
    out: list[str] = []
    sites: dict[int, tuple[str, str]] = {}
    i, n = 0, len(text)
    pos = 0
    while i < n:
        if text[i].isascii():
            out.append(text[i])
            pos += 1
            i += 1
            continue
        j = i
        while j < n and not text[j].isascii():
            j += 1
        run = text[i:j]
        before = text[i - 1] if i > 0 else ""
        after = text[j] if j < n else ""
        sites[pos] = (run, classify(run, before, after))
        i = j
    return "".join(out), sites
