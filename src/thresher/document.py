"""The record that flows through every stage, and the edits that explain it.

A :class:`Document` carries its current ``text`` and the history of how that text was
made: ``edits`` is a list of :class:`EditGroup`, one per step that changed (or flagged)
the text, in the order the steps ran. Each group's offsets refer to the text as that
step received it, so replaying the groups forward from the original rebuilds every
intermediate text, and each edit keeps the ``original`` substring it replaced so the
original can be rebuilt from the final text alone (:meth:`Document.original_text`).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any, Literal

Action = Literal["remove", "replace", "redact", "flag"]
ACTIONS: tuple[str, ...] = ("remove", "replace", "redact", "flag")

Status = Literal["kept", "rejected", "quarantined"]


@dataclass(slots=True)
class Edit:
    """One span of a text that a step removed, replaced, redacted or flagged.

    ``start``/``end`` are offsets into the text the step received. ``flag`` marks a span
    (for example damaged characters that cannot be restored) without changing it.
    """

    start: int
    end: int
    action: Action
    label: str
    reason: str
    replacement: str = ""
    original: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "action": self.action,
            "label": self.label,
            "reason": self.reason,
            "original": self.original,
            "replacement": self.replacement,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Edit:
        return cls(
            start=int(d["start"]),
            end=int(d["end"]),
            action=d["action"],
            label=d.get("label", ""),
            reason=d.get("reason", ""),
            replacement=d.get("replacement", ""),
            original=d.get("original", ""),
        )


@dataclass(slots=True)
class EditGroup:
    """The edits of one step, in the coordinates of the text that step received."""

    step: str
    edits: list[Edit]

    def to_dict(self) -> dict[str, Any]:
        return {"step": self.step, "edits": [e.to_dict() for e in self.edits]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> EditGroup:
        return cls(step=d["step"], edits=[Edit.from_dict(e) for e in d["edits"]])


@dataclass(slots=True)
class Verdict:
    """Kept, rejected (with the reasons and the step that rejected) or quarantined."""

    status: Status = "kept"
    reasons: list[str] = field(default_factory=list)
    step: str | None = None

    @property
    def keep(self) -> bool:
        return self.status == "kept"

    def to_dict(self) -> dict[str, Any]:
        return {"keep": self.keep, "status": self.status, "reasons": list(self.reasons), "step": self.step}


@dataclass(slots=True)
class Document:
    """One document: its text, where it came from, and what happened to it.

    ``raw`` holds a payload that a later stage turns into text (the HTML of a WARC
    response record); it is ``None`` for documents read as text. ``source`` names the
    file and position the document was read from, so any error can point back to it.
    """

    id: str
    text: str
    url: str | None = None
    source: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    edits: list[EditGroup] = field(default_factory=list)
    signals: dict[str, Any] = field(default_factory=dict)
    verdict: Verdict = field(default_factory=Verdict)
    error: str | None = None
    raw: bytes | str | None = None

    # ---- decisions -------------------------------------------------------------------

    @property
    def alive(self) -> bool:
        """True while no step has rejected or quarantined the document."""
        return self.verdict.status == "kept"

    def reject(self, step: str, *reasons: str) -> None:
        """Drop the document: ``reasons`` become counters and a field on the output."""
        if not reasons:
            raise ValueError("a rejection needs at least one reason")
        self.verdict = Verdict("rejected", list(reasons), step)

    def quarantine(self, step: str, error: str) -> None:
        """Set the document aside because processing it failed; ``error`` says why."""
        self.verdict = Verdict("quarantined", ["error"], step)
        self.error = error

    # ---- edits -----------------------------------------------------------------------

    def apply_edits(self, step: str, edits: list[Edit]) -> None:
        """Apply ``edits`` (offsets into the current text) and record them as a group.

        Edits must not overlap; ``flag`` edits leave the text unchanged. An empty list
        records nothing.
        """
        if not edits:
            return
        edits = sorted(edits, key=lambda e: (e.start, e.end))
        text = self.text
        out: list[str] = []
        pos = 0
        for e in edits:
            if e.action not in ACTIONS:
                raise ValueError(f"{step}: unknown edit action {e.action!r}; valid: {', '.join(ACTIONS)}")
            if not (0 <= e.start <= e.end <= len(text)):
                raise ValueError(f"{step}: edit [{e.start}, {e.end}) is outside the text (length {len(text)})")
            if e.start < pos:
                raise ValueError(f"{step}: edits overlap at offset {e.start}")
            e.original = text[e.start : e.end]
            if e.action == "flag":
                e.replacement = e.original
                continue
            out.append(text[pos : e.start])
            out.append(e.replacement)
            pos = e.end
        out.append(text[pos:])
        self.text = "".join(out)
        self.edits.append(EditGroup(step, edits))

    def original_text(self) -> str:
        """Rebuild the text as it was before the first edit, from the current text."""
        text = self.text
        for group in reversed(self.edits):
            text = _undo_group(text, group)
        return text

    def edits_on_original(self) -> list[tuple[str, Edit]]:
        """Every edit of every step, with its offsets mapped to the original text.

        An edit inside text that an earlier step inserted maps to the span that the
        earlier step replaced. Returns ``(step, edit)`` pairs sorted by position.
        """
        mapped: list[tuple[str, Edit]] = []
        maps = [_OffsetMap(g) for g in self.edits]
        for i, group in enumerate(self.edits):
            for e in group.edits:
                start, end = e.start, e.end
                for m in reversed(maps[:i]):
                    start, end = m.back(start, end)
                mapped.append(
                    (
                        group.step,
                        Edit(start, end, e.action, e.label, e.reason, e.replacement, e.original),
                    )
                )
        mapped.sort(key=lambda se: (se[1].start, se[1].end))
        return mapped

    # ---- serialisation ---------------------------------------------------------------

    def to_record(self) -> dict[str, Any]:
        """A plain dict for writers; :meth:`from_record` reads it back."""
        return {
            "id": self.id,
            "text": self.text,
            "url": self.url,
            "source": self.source,
            "metadata": self.metadata,
            "edits": [g.to_dict() for g in self.edits],
            "signals": self.signals,
            "status": self.verdict.status,
            "reasons": list(self.verdict.reasons),
            "step": self.verdict.step,
            "error": self.error,
        }

    @classmethod
    def from_record(cls, r: dict[str, Any]) -> Document:
        return cls(
            id=r["id"],
            text=r["text"],
            url=r.get("url"),
            source=r.get("source") or "",
            metadata=dict(r.get("metadata") or {}),
            edits=[EditGroup.from_dict(g) for g in (r.get("edits") or [])],
            signals=dict(r.get("signals") or {}),
            verdict=Verdict(r.get("status") or "kept", list(r.get("reasons") or []), r.get("step")),
            error=r.get("error"),
        )


def _undo_group(text: str, group: EditGroup) -> str:
    """Invert one group: ``text`` is the group's output, the result its input."""
    out: list[str] = []
    pos = 0  # position in the group's output text
    shift = 0  # output offset minus input offset, before the current edit
    for e in group.edits:
        if e.action == "flag":
            continue
        out_start = e.start + shift
        out.append(text[pos:out_start])
        out.append(e.original)
        pos = out_start + len(e.replacement)
        shift += len(e.replacement) - (e.end - e.start)
    out.append(text[pos:])
    return "".join(out)


class _OffsetMap:
    """Maps offsets in a group's output text back to its input text."""

    __slots__ = ("_out_starts", "_spans")

    def __init__(self, group: EditGroup) -> None:
        self._out_starts: list[int] = []
        self._spans: list[tuple[int, int, int, int]] = []  # out_start, out_end, in_start, in_end
        shift = 0
        for e in group.edits:
            if e.action == "flag":
                continue
            out_start = e.start + shift
            out_end = out_start + len(e.replacement)
            self._out_starts.append(out_start)
            self._spans.append((out_start, out_end, e.start, e.end))
            shift += len(e.replacement) - (e.end - e.start)

    def _point(self, p: int, is_end: bool) -> int:
        i = bisect.bisect_right(self._out_starts, p) - 1
        if i < 0:
            return p
        out_start, out_end, in_start, in_end = self._spans[i]
        if p == out_start:
            if out_start == out_end:
                # at a deletion point: an end stops before the deleted text, a start
                # begins after it
                return in_start if is_end else in_end
            return in_start
        if p < out_end:
            # inside inserted text: widen to the replaced span
            return in_end if is_end else in_start
        return in_end + (p - out_end)

    def back(self, start: int, end: int) -> tuple[int, int]:
        s = self._point(start, False)
        e = self._point(end, True)
        return s, max(s, e)
