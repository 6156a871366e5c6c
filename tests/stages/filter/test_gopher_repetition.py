"""gopher_repetition: each rule, and the n-gram arithmetic against a plain reference."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thresher.document import Document
from thresher.errors import ConfigError
from thresher.stages.filter.gopher_repetition import (
    GopherRepetition,
    NGramIndex,
    duplicate_ngram_chars,
    top_ngram_chars,
)

PROSE = (
    "The committee met on Tuesday to discuss the budget for next year. Several members "
    "raised concerns about rising maintenance costs, while others argued that the new "
    "library wing should remain the priority. After a long debate the chair proposed a "
    "compromise that split the remaining funds between both projects."
)


def decide(text: str, **params: object) -> tuple[str, list[str]]:
    step = GopherRepetition(**params)
    doc = Document(id="d", text=text)
    step([doc])
    return doc.verdict.status, doc.verdict.reasons


def test_prose_is_kept() -> None:
    assert decide(PROSE) == ("kept", [])


def test_empty_text() -> None:
    assert decide("") == ("rejected", ["empty"])


def test_duplicate_paragraphs() -> None:
    paras = [f"Paragraph number {i} says something different about topic {i}." for i in range(6)]
    text = "\n\n".join(paras + paras[:3])
    assert decide(text) == ("rejected", ["dup_para_frac"])


def test_duplicate_paragraph_characters() -> None:
    # no trailing space: paragraphs come from the stripped text, so the last one is stripped
    long_para = ("A long paragraph that repeats itself across the page many words long. " * 5).strip()
    paras = [f"Short unique paragraph {i}." for i in range(10)] + [long_para, long_para]
    assert decide("\n\n".join(paras)) == ("rejected", ["dup_para_char_frac"])


def test_duplicate_lines() -> None:
    lines = [f"line {i} with its own words" for i in range(6)] + ["Home"] * 5
    assert decide("\n".join(lines), dup_para_frac=None, dup_para_char_frac=None) == (
        "rejected",
        ["dup_line_frac"],
    )


def test_top_bigram() -> None:
    text = PROSE + " " + " ".join(["buy now"] * 60)
    status, reasons = decide(text)
    assert status == "rejected" and reasons == ["top_2_gram"]


def test_duplicated_ngrams() -> None:
    sentence = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu"
    text = PROSE + " " + sentence + " " + PROSE.replace("committee", "board") + " " + sentence
    status, reasons = decide(text, top_n_grams=())
    assert status == "rejected" and reasons[0].startswith("duplicated_")


def test_rule_can_be_disabled() -> None:
    paras = ["same paragraph here", "same paragraph here", "same paragraph here", "other"]
    assert decide("\n\n".join(paras), dup_para_frac=None, dup_para_char_frac=None,
                  dup_line_frac=None, dup_line_char_frac=None, top_n_grams=(),
                  dup_n_grams=())[0] == "kept"


def test_parameters_are_validated() -> None:
    with pytest.raises(ConfigError, match="dup_line_frac"):
        GopherRepetition(dup_line_frac=2.0)


# ---- the n-gram arithmetic against a literal reading of the reference -----------------


def ref_top(words: list[str], n: int) -> int:
    grams = [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]
    if not grams:
        return 0
    gram, count = Counter(grams).most_common(1)[0]
    return len(gram) * count


def ref_dup(words: list[str], n: int) -> int:
    seen: set[tuple[str, ...]] = set()
    total, i = 0, 0
    while i < len(words) - n + 1:
        g = tuple(words[i : i + n])
        if g in seen:
            total += sum(map(len, g))
            i += n
        else:
            seen.add(g)
            i += 1
    return total


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "bb", "ccc", "a b", "dd", "e"]), max_size=60), st.integers(2, 10))
def test_ngram_statistics_match_the_reference(words: list[str], n: int) -> None:
    words = [w.replace(" ", "") for w in words]  # words never hold spaces
    index = NGramIndex(words)
    assert top_ngram_chars(index, n) == ref_top(words, n)
    assert duplicate_ngram_chars(index, n)[0] == ref_dup(words, n)


def _signals(text: str, **params: object) -> dict[str, object]:
    step = GopherRepetition(**params)
    doc = Document(id="d", text=text)
    step([doc])
    return {k.split(".", 1)[1]: v for k, v in doc.signals.items()}


def test_ngram_rules_listed_in_any_order() -> None:
    # Five-word phrases repeat, twelve-word ones do not: a shortcut that took "no
    # 12-gram repeats" to mean "no 5-gram repeats" would report 0 for the 5-grams.
    phrase = "seven silver swans swam south"
    text = " ".join(f"{PROSE.split('.')[i % 3]} {phrase} item {i}." for i in range(4))
    off: dict[str, object] = {
        "dup_para_frac": None,
        "dup_para_char_frac": None,
        "dup_line_frac": None,
        "dup_line_char_frac": None,
    }
    forward = _signals(
        text, **off, top_n_grams=((2, 0.99), (12, 0.99)), dup_n_grams=((5, 0.99), (10, 0.99))
    )
    backward = _signals(
        text, **off, top_n_grams=((12, 0.99), (2, 0.99)), dup_n_grams=((10, 0.99), (5, 0.99))
    )
    assert forward["duplicated_5_n_grams"] > 0
    # a share the bounds prove harmless is not computed, so one order may record more
    assert {k: backward[k] for k in forward} == forward
    assert backward["duplicated_5_n_grams"] == forward["duplicated_5_n_grams"]
