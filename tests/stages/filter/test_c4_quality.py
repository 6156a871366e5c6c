"""c4_quality: line rules as edits, document rules, and the rewritten text."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thresher.document import Document
from thresher.stages.filter.c4_quality import C4Quality

GOOD = [
    "The committee met on Tuesday to discuss the budget.",
    "Several members raised concerns about costs.",
    "Others argued that the library should come first.",
    "The chair proposed a compromise between both projects.",
    "The vote was scheduled for the following week.",
]


def run(text: str, **params: object) -> Document:
    doc = Document(id="d", text=text)
    C4Quality(**params)([doc])
    return doc


def labels(doc: Document) -> list[str]:
    return [e.label for g in doc.edits for e in g.edits]


def test_good_lines_are_kept_unchanged() -> None:
    doc = run("\n".join(GOOD))
    assert doc.verdict.status == "kept" and doc.text == "\n".join(GOOD) and doc.edits == []


@pytest.mark.parametrize(
    ("line", "label", "params"),
    [
        ("x" * 1001 + " is far too long a word.", "c4_too_long_word", {}),
        ("Read more", "c4_no_terminal_punct", {}),
        ("Too short.", "c4_too_few_words", {}),
        ("Please enable JavaScript to view this.", "c4_javascript", {}),
        ("This site uses cookies to work well.", "c4_policy", {}),
        ("Read our Privacy Policy for details.", "c4_policy", {}),
    ],
)
def test_each_line_rule_removes_the_line_as_an_edit(line: str, label: str, params: dict[str, object]) -> None:
    doc = run("\n".join([*GOOD[:2], line, *GOOD[2:]]), **params)
    assert doc.verdict.status == "kept"
    assert doc.text == "\n".join(GOOD)
    removed = [e for g in doc.edits for e in g.edits if e.action == "remove"]
    assert [e.label for e in removed] == [label]
    assert removed[0].original == line + "\n"


def test_terminal_punctuation_rule_is_switchable() -> None:
    doc = run("\n".join([*GOOD, "Read more about it here"]), filter_no_terminal_punct=False)
    assert doc.text.endswith("Read more about it here")


def test_ellipsis_does_not_count_as_terminal_punctuation() -> None:
    doc = run("\n".join([*GOOD, "And then it went on and on..."]))
    assert "c4_no_terminal_punct" in labels(doc)


def test_document_rules() -> None:
    assert run("\n".join([*GOOD, "Lorem ipsum dolor sit amet."])).verdict.reasons == ["lorem_ipsum"]
    assert run("\n".join([*GOOD, "The set {a, b} is small."])).verdict.reasons == ["curly_bracket"]
    assert run("\n".join(GOOD[:4])).verdict.reasons == ["too_few_sentences"]
    assert run("\n".join(GOOD[:4]), min_num_sentences=-1).verdict.status == "kept"


def test_a_rejected_document_keeps_its_text() -> None:
    text = "\n".join(GOOD[:2])
    doc = run(text)
    assert doc.verdict.status == "rejected" and doc.text == text and doc.edits == []


def test_citations_whitespace_and_line_breaks_are_edits() -> None:
    text = "  " + GOOD[0] + "[1]\r\n" + GOOD[1].replace(".", "[citation needed].") + "\r\n" + "\n".join(GOOD[2:]) + "\n\n"
    doc = run(text)
    assert doc.text == "\n".join(GOOD)
    assert {"c4_citation", "c4_whitespace", "c4_line_break"} <= set(labels(doc))
    assert doc.original_text() == text


def test_sentence_mode() -> None:
    doc = run(" ".join(GOOD) + " Short one", split_paragraph=False, filter_no_terminal_punct=False)
    assert doc.verdict.status == "kept"
    assert doc.text == " ".join(GOOD)  # "Short one" has fewer than three words


# ---- the rewritten text is datatrove's, whatever the lines --------------------------------

CITATION = re.compile(r"\[\d*]|\[edit]|\[citation needed]")
POLICY = ("terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies")


def reference(text: str) -> str | None:
    """A literal reading of the C4 rules with filter_no_terminal_punct=False."""
    kept = []
    for line in text.splitlines():
        line = line.strip()
        words = line.split()
        if any(len(w) > 1000 for w in words):
            continue
        line = CITATION.sub("", line)
        if len(words) < 3:
            continue
        low = line.lower()
        if "lorem ipsum" in low or "{" in line:
            return None
        if "javascript" in low or any(p in low for p in POLICY):
            continue
        kept.append(line)
    return "\n".join(kept).strip()


PIECES = st.sampled_from([
    "A plain line of words.", "  padded line with words  ", "two words", "x",
    "[1] starts with a citation mark", "ends with one [2]", "[3] [4] [5]",
    "uses cookies here today", "javascript is needed now", "", " ", "\t",
])
SEPS = st.sampled_from(["\n", "\r\n", "\n\n", "\r", "\u2028", "\x0c"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(PIECES, SEPS), max_size=12), st.booleans())
def test_rewrite_equals_the_reference(parts: list[tuple[str, str]], trailing: bool) -> None:
    text = "".join(p + s for p, s in parts)
    if parts and not trailing:
        text = text[: -len(parts[-1][1])]
    doc = run(text, filter_no_terminal_punct=False, min_num_sentences=-1)
    ref = reference(text)
    if ref is None:
        assert doc.verdict.status == "rejected"
        return
    assert doc.verdict.status == "kept"
    assert doc.text == ref
    assert doc.original_text() == text
