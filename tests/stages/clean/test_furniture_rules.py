"""The unit classifier of clean_furniture: golden furniture and content as data."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest

from thresher.stages.clean.rules import classify, glued_title, lexicon, site_of_title

CASES = json.loads((Path(__file__).parent / "furniture_cases.json").read_text("utf-8"))


@pytest.mark.parametrize("case", CASES["furniture"], ids=[c["text"][:40] for c in CASES["furniture"]])
def test_furniture_is_recognised(case: dict[str, str]) -> None:
    verdict = classify(case["text"])
    assert verdict is not None, case["text"]
    assert verdict.label == case["label"]
    assert verdict.reason


@pytest.mark.parametrize("text", CASES["content"], ids=[t[:40] for t in CASES["content"]])
def test_content_is_not_furniture(text: str) -> None:
    assert classify(text) is None


def test_every_label_has_a_golden_example() -> None:
    labels = {r.label for r in lexicon().rules} | {
        "breadcrumb",
        "author_bio",
        "related_question",
        "page_title",
    }
    assert labels <= {c["label"] for c in CASES["furniture"]}


@pytest.mark.parametrize(
    ("text", "title", "site"),
    [
        (
            "What did Stalin think of Trotsky? - Quora He had been a shadow.",
            "What did Stalin think of Trotsky? - Quora ",
            "quora",
        ),
        (
            "Why is the sky blue? : r/askscience - reddit Light scatters in air.",
            "Why is the sky blue? : r/askscience - reddit ",
            "reddit",
        ),
        (
            "Leon Trotsky - Wikipedia Leon Trotsky was a revolutionary.",
            "Leon Trotsky - Wikipedia ",
            "wikipedia",
        ),
        (
            "How do magnets work? | PhysicsForums The field lines run north to south.",
            "How do magnets work? | PhysicsForums ",
            "physicsforums",
        ),
        (
            "Best pasta recipes - example.com Boil the water first.",
            "Best pasta recipes - example.com ",
            "example.com",
        ),
    ],
)
def test_glued_title_is_only_the_title(text: str, title: str, site: str) -> None:
    g = glued_title(text)
    assert g is not None
    assert text[: g.end] == title
    assert g.site == site
    assert site_of_title(title) == site


@pytest.mark.parametrize(
    "text",
    [
        "Stalin did not outplay him - he outplayed him only by the apparatus.",
        "The answer is simple - Stalin wanted power and Trotsky stood in the way.",
        "Was it fear? - Perhaps, but the records say otherwise.",
        "The score was 3 - 1 and The Times reported it.",
    ],
)
def test_dash_in_prose_is_not_a_title(text: str) -> None:
    assert glued_title(text) is None


def test_patterns_are_written_in_lower_case() -> None:
    # lexical() runs the patterns without IGNORECASE on the lower-cased unit when the
    # unit is ASCII; that gives the same answer only for patterns in lower case
    # (escapes such as \S or \W aside) and without inline flags
    raw = json.loads(resources.files("thresher.stages.clean").joinpath("furniture.json").read_text("utf-8"))
    for rule in raw["rules"]:
        for pattern in rule["patterns"]:
            bare = re.sub(r"\\.", "", pattern)
            assert not any(c.isupper() for c in bare), pattern
            assert not re.search(r"\(\?[aiLmsux-]", pattern), pattern


@pytest.mark.parametrize("case", CASES["furniture"], ids=[c["text"][:40] for c in CASES["furniture"]])
def test_lower_case_patterns_agree_with_case_insensitive_ones(case: dict[str, str]) -> None:
    # the same verdict from both compilations, on the golden text and on its upper-
    # and title-cased forms (ASCII ones go through the lower-case patterns)
    for text in (case["text"], case["text"].upper(), case["text"].title()):
        for rule in lexicon().rules:
            if not text.isascii():
                continue
            folded = bool(
                (rule.anchored is not None and rule.anchored.match(text))
                or (rule.floating is not None and rule.floating.search(text))
            )
            lowered = bool(
                (rule.anchored_lower is not None and rule.anchored_lower.match(text.lower()))
                or (rule.floating_lower is not None and rule.floating_lower.search(text.lower()))
            )
            assert folded == lowered, (rule.label, text)
