"""gopher_quality: one test per rule, the reason mapping, and parameter validation."""

from __future__ import annotations

import pytest

from thresher.document import Document
from thresher.errors import ConfigError
from thresher.stages.filter.gopher_quality import REASON_ALIASES, GopherQuality

PROSE = (
    "The committee met on Tuesday to discuss the budget for next year. Several members "
    "raised concerns about rising maintenance costs, while others argued that the new "
    "library wing should remain the priority. After a long debate the chair proposed a "
    "compromise that split the remaining funds between both projects, and the vote was "
    "scheduled for the following week with the support of most of the board."
)


def decide(text: str, **params: object) -> tuple[str, list[str], dict[str, object]]:
    step = GopherQuality(**params)
    doc = Document(id="d", text=text)
    step([doc])
    return doc.verdict.status, doc.verdict.reasons, doc.signals


def test_prose_is_kept_with_its_signals() -> None:
    status, reasons, signals = decide(PROSE)
    assert (status, reasons) == ("kept", [])
    assert signals["gopher_quality.stop_words"] >= 2
    assert 3 <= signals["gopher_quality.mean_word_length"] <= 10


def test_short_document() -> None:
    assert decide("Too short to be a real page.")[:2] == ("rejected", ["gopher_short_doc"])


def test_long_document() -> None:
    assert decide(PROSE, max_doc_words=20)[:2] == ("rejected", ["gopher_long_doc"])


def test_mean_word_length() -> None:
    assert decide(" ".join(["a an it"] * 40))[:2] == ("rejected", ["gopher_below_avg_threshold"])
    assert decide(" ".join(["extraordinarily"] * 60))[:2] == ("rejected", ["gopher_above_avg_threshold"])


def test_hashes_and_ellipses() -> None:
    tags = " ".join(f"#tag{i}" for i in range(30))
    assert decide(PROSE + " " + tags)[:2] == ("rejected", ["gopher_too_many_hashes"])
    dots = " ".join(["and then..."] * 30)
    assert decide(PROSE + " " + dots)[:2] == ("rejected", ["gopher_too_many_ellipsis"])


def test_bullet_and_ellipsis_lines() -> None:
    bullets = "\n".join(f"- {s}." for s in PROSE.split(". "))
    assert decide(bullets)[:2] == ("rejected", ["gopher_too_many_bullets"])
    ends = "\n".join(f"{s} \u2026" for s in PROSE.split(". "))
    assert decide(ends, max_symbol_word_ratio=None)[:2] == ("rejected", ["gopher_too_many_end_ellipsis"])


def test_alphabetic_words() -> None:
    numbers = PROSE + " " + " ".join(str(i) for i in range(300))
    assert decide(numbers)[:2] == ("rejected", ["gopher_below_alpha_threshold"])


def test_stop_words_have_a_correct_reason_name() -> None:
    text = PROSE.upper()  # the stop words are matched case-sensitively, as in datatrove
    assert decide(text)[:2] == ("rejected", ["gopher_too_few_stop_words"])
    assert REASON_ALIASES["gopher_too_few_stop_words"] == "gopher_enough_stop_words"


def test_custom_stop_words() -> None:
    assert decide(PROSE.upper(), stop_words=["THE", "OF"])[:2] == ("kept", [])


def test_no_words_never_divides_by_zero() -> None:
    for text in ("", "   \n\n ", "... --- !!!"):
        assert decide(text, min_doc_words=None)[:2] == ("rejected", ["gopher_short_doc"])


def test_parameters_are_validated() -> None:
    with pytest.raises(ConfigError, match="min_doc_words"):
        GopherQuality(min_doc_words=-1)
    with pytest.raises(ConfigError, match="unknown parameter"):
        GopherQuality(min_words=3)
