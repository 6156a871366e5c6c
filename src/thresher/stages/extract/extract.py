"""The ``extract`` step: HTML payload in ``doc.raw`` -> main text in ``doc.text``.

Modes:

- ``fast``: lexbor + thresher's own scoring (:mod:`thresher.stages.extract.fast`);
- ``accurate`` (default): the fast path, and trafilatura for the pages the fast path is
  unsure about (confidence below ``escalate_below``), so that the average cost stays
  near the fast path's;
- ``trafilatura`` and ``resiliparse``: one peer for every page, for comparison.

Decisions, all with a reason: a non-HTML payload is rejected (``extract_not_html``, the
kind in ``extract.content_kind``); a page with no main text is rejected
(``extract_empty``); a page over a limit (size, nesting depth, time) or one that makes a
parser fail is quarantined with the error. A document without ``raw`` is already text
and passes through untouched.

Signals: ``extract.path`` (fast / escalated / trafilatura / resiliparse),
``extract.confidence``, ``extract.kept_blocks``, ``extract.removed_blocks.<kind>``
(script, nav, footer, sidebar, share, related, comments, ads, popup, meta, link_dense,
outside_main, frame_short, caption, credit, see_also, ui_label, teaser...; on an escalated page these are the
fast path's analysis, trafilatura does not report its own), ``extract.inflated`` when
a gzip/deflate content encoding was undone. Metadata: ``title``, ``html_lang``,
``date``, ``charset``.

The text arrives from nothing (``doc.text`` is empty before this step), so removals are
recorded as counts in signals, not as edits: an edit needs a span of the received text.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from thresher.document import Document
from thresher.errors import require
from thresher.stages.extract.base import (
    Deadline,
    Extraction,
    LimitExceeded,
    check_limits,
    decode,
    inflate,
    page_metadata,
    sniff_non_html,
)
from thresher.step import Params, Step

Mode = Literal["fast", "accurate", "trafilatura", "resiliparse"]


class ExtractParams(Params):
    """Parameters of :class:`Extract`, with their valid ranges."""

    mode: Mode = "accurate"
    # Pages whose fast-path confidence is below this go to trafilatura in "accurate"
    # mode. 0.8 was chosen on the tuning half of trafilatura's evaluation set (pages
    # whose key hashes even; see benchmarks/extraction.py) as the best F1 with at most
    # 15% of pages escalated (11% there); AEB and the other half are held out.
    # Re-checked with the merged escalation text (escalation_merge): 0.8 / 0.85 / 0.9
    # scored 0.9265 / 0.9266 / 0.9267 there, escalating 10% / 13% / 17% of the pages,
    # so the cheapest stays. A logistic model over the fast path's page features
    # (extract_fast's signals), fitted on the same half, ranked the pages no better than
    # this confidence in 5-fold cross-validation (gain captured at 10% escalated: 35-38
    # segments against 38), so none is shipped.
    # Re-checked after the fast path's precision rules (captions by name, teasers,
    # control labels), on the tune halves of both sets: 0.7 / 0.8 / 0.9 scored
    # 0.9225 / 0.9266 / 0.9268 on the trafilatura set (7% / 10% / 15% escalated) and
    # 0.9748 / 0.9748 / 0.9655 on AEB (3% / 3% / 15%), where the fast path alone scores
    # 0.9781: trafilatura's gain on the one set is ten times its cost on the other at
    # 0.8, so 0.8 stays.
    escalate_below: float = Field(0.8, ge=0.0, le=1.0)
    # trafilatura's readability/jusText fallbacks on escalated pages. Off by default:
    # measured on the tuning half of the trafilatura set, the escalated pages cost 38%
    # less CPU without them (26 ms instead of 42 ms a page) for F1 -0.0016 there, and
    # the fast path's own text already stands in when trafilatura finds nothing.
    escalation_fallbacks: bool = False
    # An escalated page's text is trafilatura's plus the fast path's blocks that it
    # lacks, in page order (see accurate.merge_texts for the measurement); off: only
    # trafilatura's.
    escalation_merge: bool = True
    include_tables: bool = True
    include_comments: bool = False
    include_captions: bool = False
    # 10 MB of HTML is far beyond any article page (the trafilatura set's largest page
    # is 2.3 MB) and bounds the parser's memory and time.
    max_bytes: int = Field(10_000_000, ge=1024)
    # Element nesting beyond this is quarantined before parsing: lexbor's cost grows
    # with the square of the depth (measured: 1,000 levels 2 ms, 100,000 levels 17 s).
    max_depth: int = Field(2000, ge=50)
    max_seconds: float = Field(5.0, gt=0.0)
    # Fewer characters of main text than this is an empty page.
    min_chars: int = Field(1, ge=1)


class Extract(Step):
    """HTML to main text, with title, language hint, date and charset as metadata."""

    name: ClassVar[str] = "extract"
    Params: ClassVar[type[Params]] = ExtractParams
    params: ExtractParams

    def setup(self) -> None:
        # import the parser once per process so that the first page is not charged for it
        require("selectolax.lexbor", "html", "selectolax")
        if self.params.mode in ("accurate", "trafilatura"):
            require("trafilatura", "html")

    def process(self, doc: Document) -> None:
        raw = doc.raw
        if raw is None:
            return  # already text
        doc.raw = None  # HTML is not carried further, whatever happens below
        p = self.params
        headers = doc.metadata.get("http_headers") or {}
        content_type = str(headers.get("content-type", "")) if isinstance(headers, dict) else ""
        size = len(raw)
        if size > p.max_bytes:
            doc.quarantine(self.label, f"{self.label}: page has {size} bytes, over max_bytes={p.max_bytes}")
            return
        if isinstance(raw, bytes):
            try:
                raw, inflated = inflate(raw, str(headers.get("content-encoding", "")), p.max_bytes)
            except LimitExceeded as exc:
                doc.quarantine(self.label, f"{self.label}: {exc}")
                return
            if inflated:
                self.signal(doc, "inflated", True)
        head = raw[:1024] if isinstance(raw, bytes) else raw[:1024].encode("utf-8", "replace")
        if not head.strip():
            doc.reject(self.label, "extract_empty")
            return
        kind = sniff_non_html(head, content_type)
        if kind is not None:
            self.signal(doc, "content_kind", kind)
            doc.reject(self.label, "extract_not_html")
            return
        deadline = Deadline(p.max_seconds)
        try:
            html, charset = decode(raw, content_type)
            check_limits(html, p.max_bytes, p.max_depth)
            result, path, meta = self._run(html, deadline)
        except LimitExceeded as exc:
            doc.quarantine(self.label, f"{self.label}: {exc}")
            return
        doc.metadata["charset"] = charset
        doc.metadata.update(meta)
        self.signal(doc, "path", path)
        self.signal(doc, "confidence", round(result.confidence, 4))
        self.signal(doc, "kept_blocks", result.kept_blocks)
        for k, v in sorted(result.removed.items()):
            if v:
                self.signal(doc, f"removed_blocks.{k}", v)
        text = result.text.strip()
        if len(text) < p.min_chars:
            doc.reject(self.label, "extract_empty")
            return
        doc.text = text

    def _run(self, html: str, deadline: Deadline) -> tuple[Extraction, str, dict[str, Any]]:
        """(extraction, path taken, metadata) for one decoded, limit-checked page."""
        from selectolax.lexbor import LexborHTMLParser

        from thresher.stages.extract.accurate import extract_resiliparse, extract_trafilatura, merge_texts
        from thresher.stages.extract.fast import FastOptions, extract_fast

        p = self.params
        tree = LexborHTMLParser(html)
        meta = page_metadata(tree, html)
        if p.mode == "resiliparse":
            return (
                Extraction(extract_resiliparse(html, p.include_tables, p.include_comments)),
                "resiliparse",
                meta,
            )
        if p.mode == "trafilatura":
            text = extract_trafilatura(html, deadline, p.include_tables, p.include_comments)
            return Extraction(text), "trafilatura", meta
        options = FastOptions(
            include_tables=p.include_tables,
            include_comments=p.include_comments,
            include_captions=p.include_captions,
        )
        result = extract_fast(tree, options, deadline)
        if p.mode == "fast" or result.confidence >= p.escalate_below:
            return result, "fast", meta
        text = extract_trafilatura(
            html, deadline, p.include_tables, p.include_comments, fallbacks=p.escalation_fallbacks
        )
        if not text.strip():
            return result, "fast", meta  # trafilatura found nothing: keep what we had
        if p.escalation_merge:
            text = merge_texts(text, result.text)
        escalated = Extraction(text, result.confidence, result.removed, kept_blocks=text.count("\n") + 1)
        return escalated, "escalated", meta
