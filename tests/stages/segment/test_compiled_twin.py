"""segment_sentences runs a compiled twin of its rules when built: both give the same spans."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from itertools import islice
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thresher.stages.segment import sentences
from thresher.stages.segment.sentences import segment_sentences_python

compiled = sentences._compiled() or pytest.skip(
    "the compiled twin is not built (no compiler at install, or THRESHER_PURE_PYTHON=1)",
    allow_module_level=True,
)

CASES = json.loads((Path(__file__).parent / "sentence_cases.json").read_text("utf-8"))["cases"]
# pieces that reach every rule: stops of several scripts, abbreviations, initials,
# openers, closing quotes, spaces and line breaks of several kinds, cased and caseless
PIECES = [
    "Dr", "St", "e.g", "etc", "Inc", "U.S", "J", "word", "land", "p", "79", "3.5",
    ".", "..", "...", "…", "!", "?", "?!", "。", "！", "؟", "।", "۔",
    " ", "  ", "\t", "\n", "\r\n", "\u2028", "\u00a0", "\u3000",
    '"', "'", "\u201c", "\u201d", "(", ")", "[", "\u00ab", "\u00bb",
    "The", "the", "İstanbul", "ß", "Σ", "東京", "שלום", "١٢", "é", "\U0001d400",
]


@pytest.mark.parametrize("case", CASES, ids=[c["rule"] for c in CASES])
def test_golden_cases(case: dict[str, object]) -> None:
    text = str(case["text"])
    assert compiled.sentences(text, 0, len(text), sys.maxsize) == segment_sentences_python(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=60).map("".join), st.integers(-3, 80), st.integers(-3, 90))
def test_generated_text(text: str, start: int, stop: int) -> None:
    assert sentences.segment_sentences(text, start, stop) == segment_sentences_python(text, start, stop)
    assert sentences.segment_sentences(text) == segment_sentences_python(text)


def test_corpus_pages(shared_dir: Path) -> None:
    path = shared_dir / "data" / "corpus" / "web-text.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in islice(fh, 300)]
    texts = [r.get("text_main") or "" for r in rows] + [r.get("text_full") or "" for r in rows]
    assert sum(map(len, texts)) > 100_000
    for text in texts:
        assert sentences.segment_sentences(text) == segment_sentences_python(text)
    # ranges deep inside a page (the compiled twin reads only the range it is given):
    # every line, and the page from each line break on
    for text in texts[:100]:
        pos = 0
        for line in text.split("\n"):
            ranges = [(pos, pos + len(line)), (pos, len(text)), (pos + 1, pos + len(line) + 1)]
            for a, b in ranges:
                assert sentences.segment_sentences(text, a, b) == segment_sentences_python(text, a, b)
            pos += len(line) + 1


def test_pure_python_switch() -> None:
    code = "from thresher.stages.segment import sentences as s; print(s._compiled() is None)"
    env = {"THRESHER_PURE_PYTHON": "1", "PATH": ""}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
