"""redact_pii: the labelled cases, readable replacements, options and bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from thresher.document import Document
from thresher.errors import ConfigError
from thresher.stages.repair.pii import RedactPII

CASES = json.loads((Path(__file__).parent / "data" / "pii_cases.json").read_text(encoding="utf-8"))


def redacted(step: RedactPII, text: str) -> tuple[Document, list[list[str]]]:
    doc = Document("t", text)
    step([doc])
    assert doc.alive, doc.error
    return doc, [[e.label, e.original] for g in doc.edits for e in g.edits]


@pytest.mark.parametrize("case", CASES, ids=[c["note"] for c in CASES])
def test_labelled_cases(case: dict[str, Any]) -> None:
    doc, got = redacted(RedactPII(), case["text"])
    assert sorted(got) == sorted(case["expect"])
    assert doc.original_text() == case["text"]


def test_replacement_keeps_the_sentence_readable() -> None:
    doc, _ = redacted(RedactPII(), "Mail anna@example.org or call (415) 555-0132 from 8.8.8.8 today.")
    assert doc.text == "Mail <EMAIL> or call <PHONE> from <IP_ADDRESS> today."
    assert doc.signals["redact_pii.email"] == 1 and doc.signals["redact_pii.phone"] == 1
    assert {e.action for g in doc.edits for e in g.edits} == {"redact"}


def test_template_and_kinds_are_configurable() -> None:
    step = RedactPII(kinds=("email",), template="[{kind} removed]")
    doc, got = redacted(step, "anna@example.org, +44 20 7946 0958")
    assert doc.text == "[email removed], +44 20 7946 0958"
    assert got == [["email", "anna@example.org"]]


def test_private_addresses_on_request() -> None:
    _, got = redacted(RedactPII(public_ips_only=False), "Open 192.168.1.1 or fe80::1ff:fe23:4567:890a.")
    assert got == [["ip_address", "192.168.1.1"], ["ip_address", "fe80::1ff:fe23:4567:890a"]]


def test_params_are_validated() -> None:
    with pytest.raises(ConfigError, match="kinds"):
        RedactPII(kinds=("ssn",))


@pytest.mark.parametrize(
    "text",
    ["", "  \n ", "@@@ ... ---", "\ud800@x.com", "שלום 054-1234567 עולם", "電話番号なし" * 100],
    ids=["empty", "whitespace", "punctuation", "surrogate", "rtl", "cjk"],
)
def test_bad_input_gives_a_result(text: str) -> None:
    doc, _ = redacted(RedactPII(), text)
    assert doc.original_text() == text


def test_huge_single_line_is_bounded() -> None:
    step = RedactPII(max_chars=300_000)
    doc, got = redacted(step, "call 415-555-0132 or 1.2.3 " * 2_000_000)  # 54 MB, one line
    assert doc.signals["redact_pii.truncated"] is True
    assert 0 < len(got) <= 300_000 // 27 + 1


def test_candidates_per_kind_are_capped() -> None:
    doc, got = redacted(RedactPII(max_candidates=100), "seen from 8.8.8.8 and " * 1_000)
    assert doc.signals["redact_pii.capped"] is True
    assert len(got) == 100
