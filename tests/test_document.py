from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from thresher.document import Document, Edit


def test_apply_and_rebuild_original() -> None:
    doc = Document(id="d", text="Hello cruel world. Buy now! Bye.")
    doc.apply_edits("clean", [Edit(19, 28, "remove", "cta", "call to action")])
    assert doc.text == "Hello cruel world. Bye."
    doc.apply_edits("repair", [Edit(6, 11, "replace", "word", "test", replacement="kind")])
    assert doc.text == "Hello kind world. Bye."
    assert doc.original_text() == "Hello cruel world. Buy now! Bye."
    mapped = doc.edits_on_original()
    assert [(s, e.start, e.end, e.original) for s, e in mapped] == [
        ("repair", 6, 11, "cruel"),
        ("clean", 19, 28, "Buy now! "),
    ]


def test_flag_keeps_text() -> None:
    doc = Document(id="d", text="Thanks to tienne, the GPU")
    doc.apply_edits("repair", [Edit(10, 16, "flag", "damaged", "lost characters")])
    assert doc.text == "Thanks to tienne, the GPU"
    assert doc.edits[0].edits[0].original == "tienne"


def test_offsets_after_earlier_removal_map_to_original() -> None:
    doc = Document(id="d", text="aaa bbb ccc ddd")
    doc.apply_edits("s1", [Edit(0, 4, "remove", "x", "x")])  # "bbb ccc ddd"
    doc.apply_edits("s2", [Edit(4, 8, "remove", "y", "y")])  # "bbb ddd"
    assert doc.text == "bbb ddd"
    spans = [(e.start, e.end, e.original) for _, e in doc.edits_on_original()]
    assert spans == [(0, 4, "aaa "), (8, 12, "ccc ")]
    assert all(doc.original_text()[s:e] == o for s, e, o in spans)


@st.composite
def _text_and_edits(draw: st.DrawFn) -> tuple[str, list[list[tuple[int, int, str, str]]]]:
    text = draw(st.text(alphabet="abc .\n", min_size=0, max_size=40))
    groups = []
    cur = text
    for _ in range(draw(st.integers(0, 3))):
        cuts = sorted(draw(st.lists(st.integers(0, len(cur)), max_size=6)))
        spans = []
        for a, b in zip(cuts[::2], cuts[1::2], strict=False):
            action = draw(st.sampled_from(["remove", "replace", "flag"]))
            rep = draw(st.text(alphabet="XY", max_size=3)) if action == "replace" else ""
            spans.append((a, b, action, rep))
        groups.append(spans)
        out, pos = [], 0
        for a, b, action, rep in spans:
            if action == "flag":
                continue
            out.append(cur[pos:a])
            out.append(rep)
            pos = b
        out.append(cur[pos:])
        cur = "".join(out)
    return text, groups


@given(_text_and_edits())
def test_rebuild_and_mapping_round_trip(case: tuple[str, list[list[tuple[int, int, str, str]]]]) -> None:
    text, groups = case
    doc = Document(id="d", text=text)
    for i, spans in enumerate(groups):
        doc.apply_edits(f"s{i}", [Edit(a, b, act, "l", "r", replacement=rep) for a, b, act, rep in spans])  # type: ignore[arg-type]
    assert doc.original_text() == text
    round_trip = Document.from_record(doc.to_record())
    assert round_trip.original_text() == text
    for _, e in doc.edits_on_original():
        assert 0 <= e.start <= e.end <= len(text)
