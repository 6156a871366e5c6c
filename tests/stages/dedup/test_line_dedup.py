"""line_dedup / paragraph_dedup: repeated units removed as edits, the first copy kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from dedup_driver import make_docs, run_global, split
from hypothesis import given, settings
from hypothesis import strategies as st

from thresher.errors import ConfigError
from thresher.stages.dedup.lines import LineDedup, ParagraphDedup

FOOTER = "Subscribe to our newsletter"
LINE_TEXTS = [
    f"First article text.\n{FOOTER}\nEnd one.",
    "Second article.\n  subscribe to OUR newsletter  \nEnd two.",
    f"{FOOTER}\n",
    "Unrelated page.\nNothing shared.",
]


def test_repeated_line_kept_only_in_first_document(tmp_path: Path) -> None:
    docs = make_docs(LINE_TEXTS)
    stats = run_global(LineDedup(), split(docs, 2), tmp_path)
    assert docs[0].text == LINE_TEXTS[0]
    assert docs[1].text == "Second article.\nEnd two."
    assert not docs[2].alive and docs[2].verdict.reasons == ["empty_after_dedup"]
    assert docs[3].text == LINE_TEXTS[3]
    (edit,) = docs[1].edits[0].edits
    assert (edit.action, edit.label, edit.reason) == ("remove", "duplicate_line", "line found in 3 documents")
    assert docs[1].original_text() == LINE_TEXTS[1]
    assert docs[1].signals["line_dedup.removed"] == 1
    assert stats["repeated_units"] == 1 and stats["removed_units"] == 2


def test_keep_none_and_max_count(tmp_path: Path) -> None:
    docs = make_docs(LINE_TEXTS)
    run_global(LineDedup(keep="none", reject_empty=False), [docs], tmp_path / "a")
    assert all(FOOTER.lower() not in d.text.lower() for d in docs)
    assert docs[2].alive and docs[2].text == ""
    docs = make_docs(LINE_TEXTS)
    run_global(LineDedup(max_count=3), [docs], tmp_path / "b")
    assert [d.text for d in docs] == LINE_TEXTS


def test_paragraphs(tmp_path: Path) -> None:
    boiler = "Share this page.\nFollow us."
    texts = [f"Intro one.\n\n{boiler}\n\nBody one.", f"{boiler}\n\nBody two.", "Body three."]
    docs = make_docs(texts)
    run_global(ParagraphDedup(), [docs], tmp_path)
    assert docs[0].text == texts[0]
    assert docs[1].text == "Body two."
    assert docs[1].edits[0].edits[0].label == "duplicate_paragraph"


@pytest.mark.parametrize("partitions,workers", [(1, 1), (5, 2)])
def test_same_result_for_any_partitioning(tmp_path: Path, partitions: int, workers: int) -> None:
    texts = [f"line {i % 7}\nunique {i}\nline {(i + 3) % 11}" for i in range(300)]
    docs = make_docs(texts)
    run_global(LineDedup(partitions=partitions), split(docs, 3), tmp_path, workers)
    seen: set[str] = set()
    for d, t in zip(docs, texts, strict=True):  # a line survives only in its first document
        expected = [ln for ln in t.split("\n") if ln.startswith("unique") or ln not in seen]
        seen.update(t.split("\n"))
        assert d.text.rstrip("\n").split("\n") == expected


def test_invalid_params() -> None:
    with pytest.raises(ConfigError, match="max_count"):
        LineDedup(max_count=0)
    with pytest.raises(ConfigError, match="keep"):
        ParagraphDedup(keep="last")


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(["a", "b", "B", "c c", "", " d", "e"]), max_size=6), min_size=1, max_size=8
    )
)
def test_edits_replay_and_each_line_survives_once(
    tmp_path_factory: pytest.TempPathFactory, doc_lines: list[list[str]]
) -> None:
    texts = ["\n".join(lines) for lines in doc_lines]
    docs = make_docs(texts)
    run_global(LineDedup(reject_empty=False), split(docs, 2), tmp_path_factory.mktemp("h"))
    holders: dict[str, set[int]] = {}
    for i, (d, t) in enumerate(zip(docs, texts, strict=True)):
        assert d.original_text() == t
        for line in d.text.split("\n"):
            key = " ".join(line.split()).lower()
            if key:
                holders.setdefault(key, set()).add(i)
    assert all(len(h) == 1 for h in holders.values())
