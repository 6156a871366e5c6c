"""fineweb_quality: one test per rule and the bad inputs where datatrove divides by zero."""

from __future__ import annotations

from thresher.document import Document
from thresher.stages.filter.fineweb_quality import FineWebQuality

LINES = [
    "The committee met on Tuesday to discuss the budget for next year.",
    "Several members raised concerns about rising maintenance costs.",
    "Others argued that the new library wing should remain the priority.",
    "After a long debate the chair proposed a compromise between both projects.",
]


def decide(text: str, **params: object) -> tuple[str, list[str]]:
    doc = Document(id="d", text=text)
    FineWebQuality(**params)([doc])
    return doc.verdict.status, doc.verdict.reasons


def test_prose_is_kept() -> None:
    assert decide("\n".join(LINES)) == ("kept", [])


def test_empty() -> None:
    assert decide("\n\n \n") == ("rejected", ["empty"])


def test_line_punctuation() -> None:
    text = "\n".join(line.rstrip(".") + " and more words here" for line in LINES * 3)
    assert decide(text) == ("rejected", ["line_punct_ratio"])
    assert decide(text, line_punct_exclude_zero=True) != ("rejected", ["line_punct_ratio"])


def test_short_lines() -> None:
    text = "\n".join(["Home.", "About us.", "Contact.", LINES[0]])
    assert decide(text) == ("rejected", ["short_line_ratio"])


def test_duplicate_line_characters() -> None:
    assert decide("\n".join(LINES + LINES[:1])) == ("rejected", ["char_dup_ratio"])


def test_list_ratio() -> None:
    text = "\n".join(f"Item {i}." for i in range(30))  # 29 newlines, 90 words
    assert decide(text, short_line_thr=1.0) == ("rejected", ["list_ratio"])


def test_custom_stop_chars() -> None:
    text = "\n".join(line.rstrip(".") + ";" for line in LINES)
    assert decide(text, stop_chars=[";"]) == ("kept", [])
