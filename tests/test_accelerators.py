"""The cleaning stage gives the same documents with its compiled modules and without.

Each module has its own agreement tests against its Python twin; this one runs the five
cleaning steps one after the other, as the pipeline does, on adversarial text (broken
surrogates, scripts without spaces, right-to-left text, mojibake, PII, furniture,
control characters) once in this process and once in a child process with
``THRESHER_PURE_PYTHON=1``, and compares every text, edit, signal and verdict.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys

import pytest

from thresher import accelerators

MODULES = [
    "thresher.stages.filter._mashfeat",
    "thresher.stages.clean._furnfast",
    "thresher.stages.repair._repairfast",
]
PIECES = [
    "Dr.", "St.", "e.g.", " ", "  ", "\n", "\r\n", "\t", ".", "...", "\u2026", "?", "!",
    "\u3002", "\u061f", "\u2028", "\u00a0", "\u3000", '"', "'", "\u2019", "\u201c", "\u201d",
    "(", ")", "[", "\u00bb", "\u00ab", "\u03a3", "\u03c2", "\u0130", "\u00df", "\u6771\u4eac",
    "\u05e9\u05dc\u05d5\u05dd", "\u0661\u0662\u0663", "\u00e9", "\U0001d400", "\ud800", "\udfff",
    "Share", "Subscribe to our newsletter", "Read more \u00bb", "Home > News > World",
    "Credit: AP", "\u00a9 2020", "We use cookies to improve your experience.",
    "john@example.com", "192.168.1.1", "+1 (555) 123-4567", "2001:db8::1",
    "\u00c3\u00a9", "\u00e2\u20ac\u2122", "\u00c3", "thats", "Trotskys", "its", "were",
    "What did X think? - Quora He said that", " - ", " | ", "By John Smith", "Author of.",
    "The", "the", "word", "1999", "2021", "He", "They", "\x00", "\x1f", "\ufeff", "\u200b",
    "\u0301", "a" * 300, "http://x.com/a?b=c", "www.example.org", "@", "#", "*",
]

_RUN = """
import json, sys
from thresher.document import Document
from thresher.stages.clean.furniture import CleanFurniture
from thresher.stages.filter.mashup import MashupFilter
from thresher.stages.repair.deleted_chars import RestoreDeletedChars
from thresher.stages.repair.mojibake import FixMojibake
from thresher.stages.repair.pii import RedactPII

texts = json.loads(sys.stdin.read())
docs = [Document(str(i), t) for i, t in enumerate(texts)]
for step in (FixMojibake(), RestoreDeletedChars(), RedactPII(), CleanFurniture(), MashupFilter()):
    step.ensure_setup()
    docs = step(docs)
out = [[d.id, d.text, d.signals, [g.to_dict() for g in d.edits], d.verdict.to_dict(), d.error]
       for d in docs]
sys.stdout.write(json.dumps(out, sort_keys=True, default=repr))
"""


def _run(texts: list[str], pure: bool) -> list[object]:
    env = dict(os.environ)
    env.pop("THRESHER_PURE_PYTHON", None)
    if pure:
        env["THRESHER_PURE_PYTHON"] = "1"
    out = subprocess.run(
        [sys.executable, "-c", _RUN],
        input=json.dumps(texts),  # lone surrogates travel as \\ud800 escapes
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result: list[object] = json.loads(out.stdout)
    return result


def test_cleaning_stage_same_with_and_without_compiled_modules() -> None:
    if accelerators.pure_python() or any(accelerators.load(m) is None for m in MODULES):
        pytest.skip("the compiled modules are not built (or THRESHER_PURE_PYTHON=1)")
    rnd = random.Random(20261127)
    texts = [
        "".join(rnd.choice(PIECES) for _ in range(rnd.choice([0, 1, 5, 30, 200, 800])))
        for _ in range(150)
    ]
    compiled, pure = _run(texts, pure=False), _run(texts, pure=True)
    assert len(compiled) == len(pure) == len(texts)
    # the set reaches the steps' rules: edits of several kinds, and a rejection
    edits = [e for doc in compiled for group in doc[3] for e in group["edits"]]  # type: ignore[index]
    assert len({e["label"] for e in edits}) >= 5
    assert any(doc[4]["status"] == "rejected" for doc in compiled)  # type: ignore[index]
    for a, b in zip(compiled, pure):
        assert a == b
