"""The original text of a document with every edit marked in place, as safe HTML.

The report, the inspector and ``thresher explain --html`` all show a document the same
way: the text as it was read, removed spans struck through and labelled, repairs and
redactions as old -> new, flags highlighted, each mark carrying its step, label and
reason (as a hover title and as ``data-*`` attributes that tests compare with the
record). Every piece of document text goes through :func:`markupsafe.escape`: scraped
text is hostile and must show as text.

Edits come as dicts with offsets into the original text (``Document.edits_on_original``
or explain's JSON). Spans from different steps nest (a removed sentence that holds a
repair); a span that crosses another's end is cut at that end for display only, its
``data-start``/``data-end`` keep the recorded offsets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

from thresher.document import Document


@dataclass(slots=True)
class _Node:
    start: int
    end: int
    edit: dict[str, Any]
    children: list[_Node] = field(default_factory=list)


def edits_of(doc: Document) -> list[dict[str, Any]]:
    """A document's edits on its original text, as dicts with their step."""
    out = []
    for step, e in doc.edits_on_original():
        d = e.to_dict()
        d["step"] = step
        out.append(d)
    return out


def _tree(edits: list[dict[str, Any]], limit: int) -> list[_Node]:
    order = sorted(range(len(edits)), key=lambda i: (int(edits[i]["start"]), -int(edits[i]["end"]), i))
    roots: list[_Node] = []
    stack: list[_Node] = []
    for i in order:
        e = edits[i]
        s, t = int(e["start"]), int(e["end"])
        if s > limit or (s == limit and t > s):
            continue  # beyond the part shown
        t = min(t, limit)
        while stack and not (s < stack[-1].end or (s == stack[-1].end and s == t and s > stack[-1].start)):
            stack.pop()
        if stack and t > stack[-1].end:
            t = stack[-1].end  # crosses the enclosing span's end: cut for display
        node = _Node(s, t, e)
        (stack[-1].children if stack else roots).append(node)
        if t > s:
            stack.append(node)
    return roots


def _title(e: dict[str, Any]) -> str:
    parts = [f"{e.get('step', '')}: {e.get('action', '')} {e.get('label', '')}".strip()]
    if e.get("reason"):
        parts.append(str(e["reason"]))
    if e.get("action") in ("replace", "redact"):
        parts.append(f"{e.get('original', '')!r} -> {e.get('replacement', '')!r}")
    return " | ".join(parts)


def _render(text: str, nodes: list[_Node], lo: int, hi: int, out: list[str]) -> None:
    pos = lo
    for node in nodes:
        if node.start > pos:
            out.append(str(escape(text[pos:node.start])))
        pos = max(pos, node.start)
        e = node.edit
        action = str(e.get("action", ""))
        cls = "ed ed-" + (action if action in ("remove", "replace", "redact", "flag") else "other")
        attrs = (f' class="{cls}" data-step="{escape(e.get("step", ""))}" data-action="{escape(action)}"'
                 f' data-label="{escape(e.get("label", ""))}" data-start="{int(e["start"])}"'
                 f' data-end="{int(e["end"])}" title="{escape(_title(e))}"')
        inner: list[str] = []
        _render(text, node.children, node.start, node.end, inner)
        body = "".join(inner)
        label = f'<span class="tag">{escape(e.get("label", "") or action)}</span>'
        if action == "remove":
            out.append(f"<span{attrs}>{label}<del>{body}</del></span>")
        elif action in ("replace", "redact"):
            rep = escape(e.get("replacement", ""))
            old = f"<del>{body}</del>" if node.end > node.start else ""
            new_tag = "mark" if action == "redact" else "ins"
            out.append(f'<span{attrs}>{old}<span class="arrow">\u2192</span><{new_tag} class="new">{rep}</{new_tag}></span>')
        else:  # flag, or an action of a newer version: mark the span, change nothing
            out.append(f"<span{attrs}><mark>{body}</mark>{label}</span>")
        pos = max(pos, node.end)
    if hi > pos:
        out.append(str(escape(text[pos:hi])))


def marked_html(text: str, edits: list[dict[str, Any]], limit: int | None = None) -> Markup:
    """``text`` with ``edits`` (offsets into it) marked; at most ``limit`` characters shown."""
    end = len(text) if limit is None else min(len(text), max(0, limit))
    out: list[str] = []
    _render(text, _tree(edits, end), 0, end, out)
    if end < len(text):
        out.append(f'<span class="more">\u2026 ({len(text) - end:,} more characters)</span>')
    return Markup("".join(out))


def document_html(doc: Document, limit: int | None = None) -> Markup:
    """A document's original text with every edit of every step marked in place."""
    return marked_html(doc.original_text(), edits_of(doc), limit)

