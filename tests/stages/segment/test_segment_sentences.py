"""Sentence and line segmentation: golden cases as data, invariants with hypothesis."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thresher.stages.segment import Span, line_bounds, segment_lines, segment_sentences

CASES = json.loads((Path(__file__).parent / "sentence_cases.json").read_text("utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["rule"] for c in CASES])
def test_golden(case: dict[str, object]) -> None:
    text = str(case["text"])
    assert [s.of(text) for s in segment_sentences(text)] == case["sentences"]


def test_spans_are_sentences_with_offsets() -> None:
    text = "  One. Two.\n"
    assert segment_sentences(text) == [Span(2, 6, "sentence"), Span(7, 11, "sentence")]


def test_sub_range_uses_offsets_of_the_whole_text() -> None:
    text = "Skip this. Keep one. Keep two."
    spans = segment_sentences(text, 11)
    assert [s.of(text) for s in spans] == ["Keep one.", "Keep two."]
    assert spans[0].start == 11


def test_lines_are_trimmed_and_skip_blank_lines() -> None:
    text = " a b \n\n\t c\r\nd"
    assert [s.of(text) for s in segment_lines(text)] == ["a b", "c", "d"]
    assert all(s.kind == "line" for s in segment_lines(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("   \n\t ", []),
        ("...", ["..."]),
        ("?!?! . . .", ["?!?! . . ."]),
        ("\ud800 ok. Yes", ["\ud800 ok.", "Yes"]),
    ],
)
def test_degenerate_text(text: str, expected: list[str]) -> None:
    assert [s.of(text) for s in segment_sentences(text)] == expected


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab \t\n\r\u2028\u2029\u00a0\x0b.")), max_size=120))
def test_line_bounds_are_the_lines_as_pairs(text: str) -> None:
    assert line_bounds(text) == [(s.start, s.end) for s in segment_lines(text)]
    for start, end in line_bounds(text):
        assert text[start:end] == text[start:end].strip()
        assert not any(c in text[start:end] for c in "\r\n\u2028\u2029")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab A.?!\"' \n\u2026\u3002Z1")), max_size=200))
def test_spans_cover_every_visible_character_once(text: str) -> None:
    spans = segment_sentences(text)
    covered = [False] * len(text)
    prev_end = 0
    for s in spans:
        assert prev_end <= s.start < s.end <= len(text)
        assert not text[s.start].isspace() and not text[s.end - 1].isspace()
        for i in range(s.start, s.end):
            covered[i] = True
        prev_end = s.end
    for i, ch in enumerate(text):
        if not ch.isspace():
            assert covered[i], (text, i)


def test_long_single_line_stays_linear() -> None:
    # the look-back for the word before a period is bounded: a 5 MB line of periods
    # without spaces, and one of many short sentences, both finish quickly
    t0 = time.perf_counter()
    assert len(segment_sentences("a." * 2_500_000)) == 1
    spans = segment_sentences("word. " * 50_000 + "x" * 2_000_000)
    assert len(spans) == 50_001
    assert time.perf_counter() - t0 < 15
