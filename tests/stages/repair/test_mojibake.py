"""fix_mojibake: same text as ftfy, as edits on exact spans; ftfy's golden cases; bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from thresher.document import Document
from thresher.errors import ConfigError
from thresher.stages.repair.mojibake import FixMojibake, _align


@pytest.fixture(scope="module")
def step() -> FixMojibake:
    s = FixMojibake()
    s.ensure_setup()
    return s


def run(step: FixMojibake, text: str) -> Document:
    doc = Document("t", text)
    step([doc])
    assert doc.alive, doc.error
    return doc


def edits(doc: Document) -> list[tuple[str, str, str]]:
    return [(e.original, e.replacement, e.label) for g in doc.edits for e in g.edits]


def test_each_repair_is_its_own_edit(step: FixMojibake) -> None:
    text = "Le cafÃ© est bon.\nNaÃ¯ve question\x00 here.\nUnchanged line.\n"
    doc = run(step, text)
    assert doc.text == "Le café est bon.\nNaïve question here.\nUnchanged line.\n"
    assert edits(doc) == [("Ã©", "é", "mojibake"), ("Ã¯", "ï", "mojibake"), ("\x00", "", "control_char")]
    g = doc.edits[0]
    assert text[g.edits[0].start : g.edits[0].end] == "Ã©"
    assert "ftfy" in g.edits[0].reason
    assert doc.original_text() == text


def test_surrogates_and_line_breaks(step: FixMojibake) -> None:
    doc = run(step, "a\ud83d\ude00b\r\nlone \udc00 here")
    assert doc.text == "a\U0001f600b\nlone \ufffd here"
    labels = {label for _, _, label in edits(doc)}
    assert labels == {"surrogate", "line_break"}


def test_curly_quotes_are_kept_by_default(step: FixMojibake) -> None:
    text = "“Quoted” and it’s fine — really."
    assert not run(step, text).edits
    doc = Document("t", text)
    FixMojibake(uncurl_quotes=True)([doc])
    assert doc.text == '"Quoted" and it\'s fine — really.'


def test_clean_text_is_untouched(step: FixMojibake) -> None:
    text = "Zürich, Ærøskøbing, 東京, مرحبا, naïve — “fine”.\nSecond line & more."
    doc = run(step, text)
    assert doc.text == text and not doc.edits


def test_long_changed_line_aligns_in_bounded_work() -> None:
    old = ("word cafÃ© " * 3000).strip()
    new = ("word café " * 3000).strip()
    spans = _align(old, new)
    assert len(spans) == 3000
    rebuilt, pos = [], 0
    for a, b, r in spans:
        rebuilt += [old[pos:a], r]
        pos = b
    assert "".join(rebuilt) + old[pos:] == new


def test_params_are_validated() -> None:
    with pytest.raises(ConfigError, match="normalization"):
        FixMojibake(normalization="NFD")


@pytest.mark.parametrize(
    "text",
    ["", "   \n\t ", "?!...", "\ud800", "שלום עולם " * 100, "没有空格的中文文本" * 100],
    ids=["empty", "whitespace", "punctuation", "lone-surrogate", "rtl", "cjk"],
)
def test_bad_input_gives_a_result(step: FixMojibake, text: str) -> None:
    doc = run(step, text)
    assert doc.original_text() == text


def test_huge_single_line_is_bounded() -> None:
    s = FixMojibake(max_chars=100_000)
    doc = Document("big", "cafÃ© " * 10_000_000)  # 60 MB of mojibake, one line
    s([doc])
    assert doc.alive
    assert doc.signals["fix_mojibake.truncated"] is True
    assert doc.text.startswith("café café") and doc.text.endswith("cafÃ© ")
    assert all(e.end <= 100_000 for g in doc.edits for e in g.edits)


# ---- ftfy's golden cases (../shared/data/repair/ftfy-cases) ------------------------------


def _ftfy_cases(shared: Path) -> list[dict[str, Any]]:
    folder = shared / "data" / "repair" / "ftfy-cases" / "tests" / "test-cases"
    return [c for f in sorted(folder.glob("*.json")) for c in json.loads(f.read_text(encoding="utf-8"))]


@pytest.mark.shared
def test_ftfy_cases_match_ftfy(shared_dir: Path) -> None:
    import ftfy

    cases = _ftfy_cases(shared_dir)
    assert len(cases) == 161
    step = FixMojibake(uncurl_quotes=True)  # ftfy's defaults, which the cases assume
    passed = 0
    for c in cases:
        doc = Document("c", c["original"])
        step([doc])
        assert doc.alive, doc.error
        assert doc.text == ftfy.fix_text(c["original"]), c["label"]
        assert doc.original_text() == c["original"]
        if c["expect"] == "pass":
            assert doc.text == c["fixed"], c["label"]
            passed += 1
    assert passed == sum(c["expect"] == "pass" for c in cases)


@pytest.mark.shared
def test_prescreen_never_misses_what_ftfy_flags(step: FixMojibake, shared_dir: Path) -> None:
    # the pre-screen that skips ftfy must cover every line ftfy's is_bad flags
    from ftfy.badness import is_bad

    for c in _ftfy_cases(shared_dir):
        for line in c["original"].split("\n"):
            if is_bad(line):
                assert step._suspect.search(line), line
