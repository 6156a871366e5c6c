"""Shared pieces of the fuzz targets: the invariants, in one place."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from thresher.config import ReaderParams
from thresher.document import Document
from thresher.stages.read import reader_class

SUFFIX = {"jsonl": ".jsonl", "warc": ".warc", "arc": ".arc", "parquet": ".parquet", "text": ".txt"}
_TMP = Path(tempfile.mkdtemp(prefix="thresher-fuzz-"))


def check_reader(fmt: str, data: bytes, suffix: str | None = None) -> list[Document]:
    """Read ``data`` as ``fmt``: never raises; every record is alive or quarantined here."""
    path = _TMP / f"input-{os.getpid()}{suffix or SUFFIX[fmt]}"
    path.write_bytes(data)
    reader = reader_class(fmt)(ReaderParams(paths=[str(path)], max_record_bytes=1 << 20))
    reader.format = fmt  # type: ignore[misc]
    docs = []
    for shard in reader.plan([str(path)]):
        for d in reader.read_safely(shard):
            if d.verdict.status == "quarantined":
                assert d.error and str(path) in d.error, d.error
                assert "reading failed" not in d.error, f"unforeseen reader failure: {d.error}"
            else:
                assert d.verdict.status == "kept"
            docs.append(d)
    return docs


def per_document_steps() -> list[object]:
    """Every registered per-document step, built with its defaults (global steps excluded)."""
    from thresher.registry import STEPS
    from thresher.step import GlobalStep

    import sys

    from thresher.errors import ConfigError
    from thresher.registry import step_class

    steps = []
    for name in sorted(STEPS):
        try:
            cls = step_class(name)
        except ConfigError as exc:
            print(f"not fuzzed: {exc}", file=sys.stderr)
            continue
        if issubclass(cls, GlobalStep):
            continue
        try:
            steps.append(cls())
        except Exception:  # a step that needs parameters (block lists) is fuzzed by its own tests
            continue
    return steps


# A step may take at most this long on one fuzzed document: the inputs are at most a few
# MB, which an ordinary page-sized pass handles in well under a second.
STEP_SECONDS = 20.0


def check_steps(steps: list[object], text: str) -> None:
    """Run every step on ``text``: no step may fail with an exception or hang."""
    from thresher.step import set_document_time_limit

    set_document_time_limit(STEP_SECONDS)
    for step in steps:
        doc = Document(id="fuzz", text=text, url="https://www.example.com/page")
        if getattr(step, "name", "") == "extract":
            doc.raw, doc.text = text, ""
        step([doc])  # type: ignore[operator]
        assert doc.verdict.status != "quarantined", f"{step.label} failed: {doc.error}"  # type: ignore[attr-defined]
        assert doc.original_text() == (text if getattr(step, "name", "") != "extract" else doc.original_text())
