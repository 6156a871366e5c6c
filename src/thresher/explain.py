"""``thresher explain``: what the pipeline does to one document, and why.

Unlike a run, which stops at the first step that rejects a document, explain runs every
per-document step and collects every reason, so that one call shows the whole picture.
Edits come back with offsets into the input text.
"""

from __future__ import annotations

from typing import Any

from thresher.config import parse_steps
from thresher.configs import shipped_steps
from thresher.document import Document, Verdict
from thresher.step import GlobalStep, Step


def default_step_specs() -> list[Any]:
    """The steps explain runs by default, in order (configs/explain.yaml)."""
    return shipped_steps("explain.yaml")


def explain_document(doc: Document, steps: list[Step]) -> Document:
    """Run every non-global step, collecting the reasons of each step that rejects."""
    reasons: list[str] = []
    first_step: str | None = None
    for step in steps:
        if isinstance(step, GlobalStep):
            continue  # needs a corpus
        step([doc])
        if doc.verdict.status == "rejected":
            reasons.extend(doc.verdict.reasons)
            first_step = first_step or doc.verdict.step
            doc.verdict = Verdict()
        elif doc.verdict.status == "quarantined":
            return doc
    if reasons:
        doc.verdict = Verdict("rejected", reasons, first_step)
    return doc


def explain(text: str, steps: list[Any] | None = None, doc_id: str = "input") -> dict[str, Any]:
    """Explain one text: the cleaned text, every edit on the input, the verdict, the signals."""
    specs = parse_steps(steps if steps is not None else default_step_specs(), "explain")
    built = [s.build() for s in specs]
    doc = explain_document(Document(id=doc_id, text=text), built)
    return explanation(doc)


def explanation(doc: Document) -> dict[str, Any]:
    edits = []
    for step, e in doc.edits_on_original():
        d = e.to_dict()
        d["step"] = step
        edits.append(d)
    verdict: dict[str, Any] = {"keep": doc.verdict.keep, "reasons": list(doc.verdict.reasons)}
    if doc.verdict.step:
        verdict["step"] = doc.verdict.step
    if doc.error:
        verdict["error"] = doc.error
    return {"text": doc.text, "edits": edits, "verdict": verdict, "signals": doc.signals}
