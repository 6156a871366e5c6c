"""Necessary literals of a regular expression (thresher.stages.clean.literals): every
match holds one of them, on hand-written patterns and on every pattern of the lexicon
(strings generated to match it, and the golden cases)."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thresher.stages.clean.literals import requirement
from thresher.stages.clean.rules import lexicon

RAW = json.loads(resources.files("thresher.stages.clean").joinpath("furniture.json").read_text("utf-8"))
PATTERNS = [p for r in RAW["rules"] for p in r["patterns"]]
CASES = json.loads((Path(__file__).parent / "furniture_cases.json").read_text("utf-8"))


def _holds(req: tuple[tuple[bool, str], ...] | None, subject: str) -> bool:
    if req is None:
        return True
    return any(subject.startswith(s) if anchored else s in subject for anchored, s in req)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"^(?:sign up|subscribe|register)\b", [(True, "register"), (True, "sign up"), (True, "subscribe")]),
        (r"\bq&a communities\b", [(False, "q&a communities")]),
        # an optional piece: the strings with and without it
        (r"^log ?in\b", [(True, "log in"), (True, "login")]),
        # a class of a few characters is a set of strings; \d is not, and ends the run
        (r"\bdoi:\s*10\.", [(False, "doi:")]),
        (r"^page \d+ of \d+$", [(True, "page ")]),
        # zero-width assertions are skipped: the literals around them are adjacent
        (r"\bour (?:team|story)\b(?! was)", [(False, "our story"), (False, "our team")]),
        # a repetition of one or more: the item's strings are in every match
        (r"(?:ab|cd)+x", [(False, "ab"), (False, "cd")]),
        # an optional repetition guarantees nothing: the rest is used
        (r"(?:abc)*xyz", [(False, "xyz")]),
        # nothing certain
        (r"\d+", None),
        (r"^(?:foo)?\w+$", None),
        (r"[^a]", None),
    ],
)
def test_requirement_of_hand_written_patterns(pattern: str, expected: list[tuple[bool, str]] | None) -> None:
    assert requirement(pattern) == (None if expected is None else tuple(sorted(expected)))


def test_alternations_too_large_to_spell_out_keep_a_shorter_prefix() -> None:
    # 8 x 10 combinations exceed the cap: the prefix stops at the first alternation
    pattern = "^(?:a|b|c|d|e|f|g|h) (?:p|q|r|s|t|u|v|w|x|y)z"
    req = requirement(pattern)
    assert req is not None and all(anchored for anchored, _ in req)
    assert {s for _, s in req} == {f"{c} " for c in "abcdefgh"}


def test_every_lexicon_rule_has_its_patterns_requirements() -> None:
    for rule, raw, req in zip(lexicon().rules, RAW["rules"], lexicon().requirements):
        assert rule.label == raw["label"]
        parts = [requirement(p) for p in raw["patterns"]]
        if any(p is None for p in parts):
            assert req is None
        else:
            assert req is not None and set(req) == {x for p in parts for x in p}  # type: ignore[union-attr]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_golden_cases_that_match_hold_a_literal(pattern: str) -> None:
    rx = re.compile(pattern, re.IGNORECASE)
    run = rx.match if pattern.startswith("^") else rx.search
    texts = [c["text"] for c in CASES["furniture"]] + list(CASES["content"])
    for text in texts:
        if run(text.lower()):
            assert _holds(requirement(pattern), text.lower()), (pattern, text)


# generating strings from some patterns is slow on a loaded machine: no health check on time
_GENERATED = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)


@pytest.mark.parametrize("pattern", PATTERNS)
@_GENERATED
@given(data=st.data())
def test_generated_matches_of_each_pattern_hold_a_literal(pattern: str, data: st.DataObject) -> None:
    subject = data.draw(st.from_regex(pattern))
    rx = re.compile(pattern)
    m = rx.match(subject) if pattern.startswith("^") else rx.search(subject)
    if m is not None:
        assert _holds(requirement(pattern), subject), (pattern, subject)
