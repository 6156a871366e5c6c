"""The marked text: every edit shown once, where the record puts it, and all text escaped."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.report.conftest import HOSTILE_TEXT, synthetic_docs
from thresher.document import Document, Edit
from thresher.report.spans import document_html, edits_of, marked_html

# Elements whose text is what a mark adds (its label, the arrow, the new text): without
# them, the text content of a marked page is the original text.
_ADDED = {"tag", "arrow", "new"}


class _Reader(HTMLParser):
    """Collects the marks (data-* of .ed elements) and the original text they show."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.marks: list[tuple[int, int, str, str, str]] = []
        self.text: list[str] = []
        self.tags: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, adds text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append(tag)
        cls = set((a.get("class") or "").split())
        if "ed" in cls:
            self.marks.append((int(a["data-start"] or 0), int(a["data-end"] or 0), a["data-action"] or "",
                               a["data-label"] or "", a["data-step"] or ""))
        parent_adds = bool(self.stack and self.stack[-1][1])
        self.stack.append((tag, parent_adds or bool(cls & _ADDED)))

    def handle_endtag(self, tag: str) -> None:
        if self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1][1]):
            self.text.append(data)


def _read(html: str) -> _Reader:
    r = _Reader()
    r.feed(html)
    return r


def test_every_edit_is_marked_once_with_its_recorded_offsets() -> None:
    doc = synthetic_docs()[0]
    edits = edits_of(doc)
    r = _read(str(document_html(doc)))
    want = sorted((e["start"], e["end"], e["action"], e["label"], e["step"]) for e in edits)
    assert sorted(r.marks) == want
    assert "".join(r.text) == doc.original_text()


def test_removed_span_is_struck_and_labelled() -> None:
    text = "Keep this. Subscribe now! Keep that."
    html = str(marked_html(text, [{"start": 11, "end": 26, "action": "remove", "label": "call_to_action",
                                   "reason": "asks the reader to subscribe", "step": "clean"}]))
    assert '<span class="tag">call_to_action</span><del>Subscribe now! </del>' in html
    assert 'title="clean: remove call_to_action | asks the reader to subscribe"' in html


def test_replacement_shows_old_and_new_and_insertion_only_new() -> None:
    html = str(marked_html("thats it", [
        {"start": 0, "end": 5, "action": "replace", "label": "apostrophe", "reason": "r", "step": "s",
         "replacement": "that's"},
        {"start": 8, "end": 8, "action": "replace", "label": "period", "reason": "r", "step": "s",
         "replacement": "."},
    ]))
    assert "<del>thats</del><span class=\"arrow\">\u2192</span><ins class=\"new\">that&#39;s</ins>" in html
    assert 'data-start="8" data-end="8"' in html and "<del></del>" not in html


def test_hostile_text_and_labels_are_escaped() -> None:
    edits = [{"start": 0, "end": 5, "action": "remove", "label": "<img src=x onerror=alert(1)>",
              "reason": '"><script>alert(2)</script>', "step": "<b>"}]
    html = str(marked_html(HOSTILE_TEXT, edits))
    for bad in ("<script", "<img", "<svg", "<a ", "</textarea>", "<b>"):
        assert bad not in html
    assert "&lt;script&gt;window.__pwned = 1" in html


def test_limit_truncates_and_says_how_much_is_left() -> None:
    text = "a" * 50 + "REMOVED" + "b" * 50
    html = str(marked_html(text, [{"start": 50, "end": 57, "action": "remove", "label": "x", "reason": "",
                                   "step": "s"}], limit=20))
    assert "REMOVED" not in html and "(87 more characters)" in html


def test_crossing_spans_are_cut_for_display_but_keep_their_offsets() -> None:
    r = _read(str(marked_html("0123456789", [
        {"start": 0, "end": 6, "action": "flag", "label": "a", "reason": "", "step": "s1"},
        {"start": 4, "end": 9, "action": "remove", "label": "b", "reason": "", "step": "s2"},
    ])))
    assert sorted(r.marks) == [(0, 6, "flag", "a", "s1"), (4, 9, "remove", "b", "s2")]
    assert "".join(r.text) == "0123456789"[:9] + "9"


_words = st.lists(st.sampled_from(["alpha ", "beta ", "<i>x</i> ", "&amp; ", "\u00e9t\u00e9 ", "\n"]),
                  min_size=1, max_size=25).map("".join)


@st.composite
def _edited_doc(draw: st.DrawFn) -> Document:
    doc = Document(id="h", text=draw(_words))
    for g in range(draw(st.integers(0, 3))):
        n = len(doc.text)
        cuts = sorted(draw(st.lists(st.integers(0, n), min_size=0, max_size=6)))
        edits = []
        for i in range(0, len(cuts) - 1, 2):
            a, b = cuts[i], cuts[i + 1]
            action = draw(st.sampled_from(["remove", "replace", "redact", "flag"]))
            rep = draw(st.sampled_from(["", "X", "<new>"])) if action in ("replace", "redact") else ""
            if a == b and action != "replace":
                continue
            edits.append(Edit(a, b, action, f"l{g}", "why", rep))
        # edits of one step must not overlap: drop the ones that touch a previous span
        clean: list[Edit] = []
        for e in edits:
            if not clean or e.start >= clean[-1].end and not (e.start == clean[-1].end == clean[-1].start):
                clean.append(e)
        doc.apply_edits(f"step{g}", clean)
    return doc


@settings(max_examples=150, deadline=None)
@given(_edited_doc())
def test_marks_round_trip_on_any_edit_history(doc: Document) -> None:
    """Whatever the history, each edit is marked once at its mapped offsets, and the
    text outside labels and new text is exactly the original, escaped."""
    r = _read(str(document_html(doc)))
    want = sorted((e["start"], e["end"], e["action"], e["label"], e["step"]) for e in edits_of(doc))
    assert sorted(r.marks) == want
    assert "".join(r.text) == doc.original_text()
    assert "i" not in r.tags  # the <i> of the text stayed text
