"""The step contract: what every stage of a pipeline implements.

A step is built from configuration (its ``Params``, a pydantic model that validates
types and ranges), is picklable, and transforms a batch of documents without knowing
where it runs. Three shapes cover every stage:

- :class:`Step`: the general case, ``process(doc)`` may edit, annotate or reject;
- :class:`Filter`: ``decide(doc)`` returns a :class:`Decision` (keep, or drop + reason);
- :class:`Transformer`: ``edits(doc)`` returns the edits to apply to the text;
- :class:`GlobalStep`: needs the whole corpus (deduplication), declared as three
  phases that the executors schedule: a per-shard ``map``, a corpus-wide ``reduce``,
  and a per-shard ``apply``.

A step sees only live documents (not yet rejected or quarantined). An exception raised
while processing one document quarantines that document with the step name and the
error; it never stops the batch.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from thresher.document import Document, Edit
from thresher.errors import ConfigError

T = TypeVar("T")
R = TypeVar("R")


class DocumentTimeout(Exception):
    """A step spent longer than the per-document time limit on one document."""


# The per-document time limit of the process (seconds, or None for none). It is a
# backstop for the steps that can blow up on a pathological document: the step's own
# bounds (input size caps, deadlines in its loops) come first. It interrupts Python code;
# a single call into C (one regex match) is interrupted when it returns.
_DOC_SECONDS: float | None = None


def set_document_time_limit(seconds: float | None) -> None:
    """Set the per-document limit for every step run in this process."""
    global _DOC_SECONDS
    _DOC_SECONDS = seconds if seconds and seconds > 0 else None


def _on_alarm(signum: int, frame: object) -> None:
    raise DocumentTimeout(f"exceeded the per-document time limit of {_DOC_SECONDS} s")


class Params(BaseModel):
    """Base of every step's parameters: unknown keys are errors, values are validated."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(slots=True)
class Decision:
    """A filter's answer: keep, or drop with one or more reasons."""

    keep: bool
    reasons: tuple[str, ...] = ()

    @classmethod
    def drop(cls, *reasons: str) -> Decision:
        return cls(False, reasons)


KEEP = Decision(True)


@dataclass(slots=True)
class StepStats:
    """What one step did to one shard: counts are merged across shards by addition."""

    seen: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    quarantined: int = 0
    edited_docs: int = 0
    edits: dict[str, int] = field(default_factory=dict)
    chars_in: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "seen": self.seen,
            "dropped": dict(sorted(self.dropped.items())),
            "quarantined": self.quarantined,
            "edited_docs": self.edited_docs,
            "edits": dict(sorted(self.edits.items())),
            "chars_in": self.chars_in,
            "seconds": round(self.seconds, 6),
        }

    def merge(self, other: dict[str, Any]) -> None:
        self.seen += other.get("seen", 0)
        self.quarantined += other.get("quarantined", 0)
        self.edited_docs += other.get("edited_docs", 0)
        self.chars_in += other.get("chars_in", 0)
        self.seconds += other.get("seconds", 0.0)
        for k, v in other.get("dropped", {}).items():
            self.dropped[k] = self.dropped.get(k, 0) + v
        for k, v in other.get("edits", {}).items():
            self.edits[k] = self.edits.get(k, 0) + v


class Step:
    """Base of all steps. Subclasses set ``name`` and ``Params`` and implement ``process``."""

    name: ClassVar[str] = ""
    Params: ClassVar[type[Params]] = Params

    def __init__(self, **params: Any) -> None:
        try:
            self.params = self.Params(**params)
        except ValidationError as exc:
            raise ConfigError(_one_line(self.name or type(self).__name__, exc, self.Params)) from None
        self._ready = False
        self.label = self.name  # the name this instance reports under (set by the pipeline)

    # Heavy resources (models, lexicons) are loaded here, once per process, not in
    # __init__, so that building a pipeline to validate it stays cheap and steps
    # pickle small.
    def setup(self) -> None:
        """Load what the step needs; called once per process before the first batch."""

    def ensure_setup(self) -> None:
        if not self._ready:
            self.setup()
            self._ready = True

    def __getstate__(self) -> dict[str, Any]:
        state = {k: v for k, v in self.__dict__.items() if not k.startswith("_")}
        state["_ready"] = False
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def process(self, doc: Document) -> None:
        """Edit, annotate or reject one live document, in place."""
        raise NotImplementedError

    def signal(self, doc: Document, name: str, value: Any) -> None:
        """Record a number a decision was taken on, as ``<step>.<name>``."""
        doc.signals[f"{self.label}.{name}"] = value

    def __call__(self, docs: Sequence[Document], stats: StepStats | None = None) -> list[Document]:
        """Run the step over a batch; documents that are not alive pass through untouched."""
        self.ensure_setup()
        stats = stats if stats is not None else StepStats()
        limit = _DOC_SECONDS if threading.current_thread() is threading.main_thread() else None
        previous = signal.signal(signal.SIGALRM, _on_alarm) if limit else None
        t0 = time.perf_counter()
        try:
            for doc in docs:
                if not doc.alive:
                    continue
                stats.seen += 1
                stats.chars_in += len(doc.text)
                n_groups = len(doc.edits)
                try:
                    if limit:
                        signal.setitimer(signal.ITIMER_REAL, limit)
                    self.process(doc)
                except Exception as exc:  # one bad document never stops the batch
                    doc.quarantine(self.label, f"{self.label}: {type(exc).__name__}: {exc}")
                finally:
                    if limit:
                        signal.setitimer(signal.ITIMER_REAL, 0)
                _count(stats, doc, self.label, n_groups)
        finally:
            if limit:
                signal.signal(signal.SIGALRM, previous)
        stats.seconds += time.perf_counter() - t0
        return list(docs)


def _count(stats: StepStats, doc: Document, label: str, n_groups: int) -> None:
    if doc.verdict.status == "rejected" and doc.verdict.step == label:
        for r in doc.verdict.reasons:
            stats.dropped[r] = stats.dropped.get(r, 0) + 1
    elif doc.verdict.status == "quarantined" and doc.verdict.step == label:
        stats.quarantined += 1
    if len(doc.edits) > n_groups:
        stats.edited_docs += 1
        for g in doc.edits[n_groups:]:
            for e in g.edits:
                key = f"{e.action}:{e.label}"
                stats.edits[key] = stats.edits.get(key, 0) + 1


class Filter(Step):
    """A step that keeps or drops whole documents."""

    def decide(self, doc: Document) -> Decision:
        raise NotImplementedError

    def process(self, doc: Document) -> None:
        decision = self.decide(doc)
        if not decision.keep:
            doc.reject(self.label, *(decision.reasons or (self.label,)))


class Transformer(Step):
    """A step that changes the text; every change is an :class:`Edit`."""

    def edits(self, doc: Document) -> list[Edit]:
        raise NotImplementedError

    def process(self, doc: Document) -> None:
        doc.apply_edits(self.label, self.edits(doc))


@dataclass(slots=True)
class ShardContext:
    """Where a global step's per-shard phase runs: which shard, and its work folder.

    Documents are addressed by ``(shard_index, position)``: ``position`` is the index of
    the document among the documents the phase receives for that shard, which is the
    same in ``map`` and ``apply`` (the executor keeps the order).
    """

    shard_index: int
    n_shards: int
    workdir: Path


Mapper = Callable[[Callable[[T], R], Iterable[T]], list[R]]


def serial_map(fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    return [fn(x) for x in items]


@dataclass(slots=True)
class GlobalContext:
    """Where a global step's corpus-wide phase runs.

    ``map`` runs a picklable function over items in parallel on whatever executor runs
    the pipeline (a process pool, Ray tasks), returning results in order.
    """

    n_shards: int
    workdir: Path
    map: Mapper = serial_map
    workers: int = 1


class GlobalStep(Step):
    """A step over the whole corpus, run as map (per shard) -> reduce -> apply (per shard)."""

    def map_shard(self, docs: list[Document], ctx: ShardContext) -> None:
        """Phase 1: write this shard's signatures under ``ctx.workdir``."""
        raise NotImplementedError

    def reduce(self, ctx: GlobalContext) -> dict[str, Any]:
        """Phase 2: group across shards; write results under ``ctx.workdir``; return stats."""
        raise NotImplementedError

    def apply_shard(self, docs: list[Document], ctx: ShardContext) -> None:
        """Phase 3: read the grouping results and edit, annotate or reject documents."""
        raise NotImplementedError

    def process(self, doc: Document) -> None:  # pragma: no cover - executors call phases
        raise TypeError(f"{self.label} is a global step: run it through a pipeline executor")


def _one_line(step: str, exc: ValidationError, model: type[BaseModel]) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"]) or "(parameters)"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown parameter; valid: " + (", ".join(sorted(model.model_fields)) or "none")
        got = err.get("input")
        parts.append(f"{loc}: {msg} (got {got!r})" if err["type"] != "missing" else f"{loc}: {msg}")
    return f"step {step}: " + "; ".join(parts)
