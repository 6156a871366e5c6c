"""The one per-shard runner, and the orchestration that every executor shares.

A pipeline is cut into *segments* at its global steps. A segment runs per shard: it
reads the shard (the input files for the first segment, the previous segment's
intermediate file after that), applies the result of the global step that opened it,
runs its steps in batches, and ends with the map phase of the global step that closes
it. Between two segments the global step's reduce runs once over the whole corpus.

Executors differ only in how they run a list of independent tasks (a process pool, Ray
tasks); :class:`Executor` does the planning, resuming and bookkeeping.

Outputs of a shard are written under temporary names and renamed; the shard's manifest
entry is written last, listing each output with its size and SHA-256. A rerun skips a
shard whose manifest entry exists and whose outputs match it, and redoes the others:
a run killed at any point resumes and ends with the same bytes as an uninterrupted run.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from thresher.config import Config
from thresher.document import Document
from thresher.errors import ConfigError, ThresherError
from thresher.stages.read import Shard, detect_format, expand_paths, reader_class
from thresher.stages.read.base import Reader
from thresher.stages.write.records import extension, read_records, write_records
from thresher.step import GlobalContext, GlobalStep, ShardContext, Step, StepStats, set_document_time_limit

T = TypeVar("T")
R = TypeVar("R")

PLAN = "plan.json"
MANIFEST = "_manifest"
WORK = "_work"
PLAN_VERSION = 1


class ShardError(ThresherError):
    """A shard failed as a whole (not one document): names the shard."""


@dataclass
class Segment:
    """Steps run per shard between two global steps."""

    index: int
    opens_with: int | None  # index (in the step list) of the global step applied first
    steps: list[int]  # indices of the per-document steps
    closes_with: int | None  # index of the global step mapped last


def segments_of(steps: list[Step]) -> list[Segment]:
    segs: list[Segment] = []
    opens: int | None = None
    current: list[int] = []
    for i, step in enumerate(steps):
        if isinstance(step, GlobalStep):
            segs.append(Segment(len(segs), opens, current, i))
            opens, current = i, []
        else:
            current.append(i)
    segs.append(Segment(len(segs), opens, current, None))
    return segs


@dataclass
class Job:
    """Everything a task needs, picklable: the configuration, the plan, where to write."""

    config: Config
    out: str
    shards: list[Shard]
    batch_size: int = 1000


# Steps are built and set up once per process (models load once), keyed by the job's
# configuration fingerprint.
_BUILT: dict[str, list[Step]] = {}


def built_steps(job: Job) -> list[Step]:
    key = job.config.fingerprint()
    steps = _BUILT.get(key)
    if steps is None:
        steps = [spec.build() for spec in job.config.steps]
        _BUILT.clear()
        _BUILT[key] = steps
    return steps


def _label_dir(label: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in label)


def work_dir(out: Path, label: str) -> Path:
    return out / WORK / _label_dir(label)


def manifest_path(out: Path, seg: int, shard: Shard) -> Path:
    return out / MANIFEST / f"s{seg}" / f"{shard.name}.json"


def reduce_manifest_path(out: Path, seg: int, label: str) -> Path:
    return out / MANIFEST / f"g{seg}-{_label_dir(label)}.json"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_json_atomic(path: Path, obj: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=1, sort_keys=True, default=str)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _batches(it: Iterable[Document], size: int) -> Iterator[list[Document]]:
    batch: list[Document] = []
    for d in it:
        batch.append(d)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def make_reader(job: Job, shard: Shard) -> Reader:
    assert job.config.input is not None
    return reader_class(shard.format)(job.config.input)


def run_shard(job: Job, shard_index: int, seg_index: int) -> dict[str, Any]:
    """Run one segment of the pipeline on one shard; returns its manifest entry.

    This is the function every executor runs, locally in a process pool or as a Ray
    task: it reads, processes and writes one shard, and writes the manifest entry last.
    A failure of the shard as a whole (a full disk, a global step's error) is raised as a
    :class:`ShardError` that names the shard; one document's failure never is.
    """
    try:
        return _run_shard(job, shard_index, seg_index)
    except ThresherError:
        raise
    except Exception as exc:
        shard = job.shards[shard_index]
        raise ShardError(f"shard {shard.name} ({shard.describe()}), segment {seg_index}: "
                         f"{type(exc).__name__}: {exc}") from exc


def _run_shard(job: Job, shard_index: int, seg_index: int) -> dict[str, Any]:
    t0 = time.perf_counter()
    out = Path(job.out)
    shard = job.shards[shard_index]
    set_document_time_limit(job.config.executor.doc_seconds)
    steps = built_steps(job)
    segs = segments_of(steps)
    seg = segs[seg_index]
    last = seg_index == len(segs) - 1
    fmt = job.config.output.format
    ext = extension(fmt)
    suffix = "" if len(segs) == 1 else f".s{seg_index}"
    stats = {steps[i].label: StepStats() for i in seg.steps}
    reader_stats: dict[str, Any] = {}

    if seg_index == 0:
        reader = make_reader(job, shard)
        source: Iterable[Document] = reader.read_safely(shard)
    else:
        source = read_records(out / WORK / f"s{seg_index - 1}" / f"{shard.name}.parquet")
        reader = None
    rejected: list[Document] = []
    quarantined: list[Document] = []
    live: list[Document] = []
    n_read = 0

    def sort_out(batch: list[Document]) -> None:
        for d in batch:
            if d.verdict.status == "kept":
                live.append(d)
            elif d.verdict.status == "rejected":
                rejected.append(d)
            else:
                quarantined.append(d)

    if seg.opens_with is not None:
        # a global step's result is applied to the whole shard at once, in order
        docs = list(source)
        n_read = len(docs)
        g: GlobalStep = steps[seg.opens_with]  # type: ignore[assignment]
        gstats = stats.setdefault(g.label, StepStats())
        _apply_global(g, docs, ShardContext(shard.index, len(job.shards), work_dir(out, g.label)), gstats)
        source = docs
    for batch in _batches(source, job.batch_size):
        if seg.opens_with is None:
            n_read += len(batch)
        for i in seg.steps:
            steps[i](batch, stats[steps[i].label])
        sort_out(batch)
    if reader is not None and getattr(reader, "skipped", None):
        reader_stats["skipped_records"] = dict(sorted(reader.skipped.items()))  # type: ignore[attr-defined]

    outputs: list[dict[str, Any]] = []

    def emit(kind: str, rel: str, docs: list[Document], with_raw: bool = False, force: bool = False,
             out_fmt: str = fmt) -> None:
        if not docs and not force:
            return
        path = out / rel
        rows = write_records(path, docs, out_fmt, with_raw=with_raw)
        outputs.append({"kind": kind, "path": rel, "rows": rows, "bytes": path.stat().st_size,
                        "sha256": sha256_file(path)})

    if seg.closes_with is not None:
        g = steps[seg.closes_with]  # type: ignore[assignment]
        gstats = stats.setdefault(g.label, StepStats())
        tg = time.perf_counter()
        wd = work_dir(out, g.label)
        wd.mkdir(parents=True, exist_ok=True)
        g.ensure_setup()
        g.map_shard(live, ShardContext(shard.index, len(job.shards), wd))
        gstats.seconds += time.perf_counter() - tg
        emit("intermediate", f"{WORK}/s{seg_index}/{shard.name}.parquet", live, with_raw=True, force=True,
             out_fmt="parquet")
    else:
        emit("kept", f"kept/{shard.name}{ext}", live, force=True)
    emit("rejected", f"rejected/{shard.name}{suffix}{ext}", rejected)
    emit("quarantine", f"quarantine/{shard.name}{suffix}{ext}", quarantined)

    entry = {
        "shard": shard.to_dict(),
        "segment": seg_index,
        "last_segment": last,
        "outputs": outputs,
        "counts": {
            "read": n_read,
            "kept": len(live) if last else 0,
            "passed": len(live),
            "rejected": len(rejected),
            "quarantined": len(quarantined),
        },
        "rejected_by": _reasons(rejected),
        "steps": {label: s.to_dict() for label, s in stats.items()},
        "reader": reader_stats,
        "seconds": round(time.perf_counter() - t0, 6),
        "pid": os.getpid(),
        "host": os.uname().nodename,
    }
    write_json_atomic(manifest_path(out, seg_index, shard), entry)
    return entry


def _apply_global(g: GlobalStep, docs: list[Document], ctx: ShardContext, stats: StepStats) -> None:
    g.ensure_setup()
    t0 = time.perf_counter()
    before = [(d.verdict.status, len(d.edits)) for d in docs]
    live = [d for d in docs if d.alive]
    g.apply_shard(live, ctx)
    from thresher.step import _count

    for d, (status, n_groups) in zip(docs, before, strict=True):
        if status == "kept":
            stats.seen += 1
            stats.chars_in += len(d.text)
            _count(stats, d, g.label, n_groups)
    stats.seconds += time.perf_counter() - t0


def _reasons(docs: list[Document]) -> dict[str, int]:
    out: dict[str, int] = {}
    for d in docs:
        key = f"{d.verdict.step}:{d.verdict.reasons[0] if d.verdict.reasons else 'rejected'}"
        out[key] = out.get(key, 0) + 1
    return dict(sorted(out.items()))


def run_reduce(job: Job, seg_index: int, mapper: Callable[..., list[Any]], workers: int) -> dict[str, Any]:
    """The corpus-wide phase of the global step that closes segment ``seg_index``."""
    out = Path(job.out)
    steps = built_steps(job)
    seg = segments_of(steps)[seg_index]
    assert seg.closes_with is not None
    g: GlobalStep = steps[seg.closes_with]  # type: ignore[assignment]
    g.ensure_setup()
    t0 = time.perf_counter()
    ctx = GlobalContext(len(job.shards), work_dir(out, g.label), mapper, workers)
    result = g.reduce(ctx) or {}
    entry = {"step": g.label, "segment": seg_index, "stats": result, "seconds": round(time.perf_counter() - t0, 6)}
    write_json_atomic(reduce_manifest_path(out, seg_index, g.label), entry)
    return entry


def shard_complete(out: Path, seg: int, shard: Shard, check_intermediate: bool = True) -> bool:
    """True when the shard's manifest entry exists and its outputs match it."""
    mp = manifest_path(out, seg, shard)
    if not mp.exists():
        return False
    try:
        entry = json.loads(mp.read_text(encoding="utf-8"))
        for o in entry["outputs"]:
            if o["kind"] == "intermediate" and not check_intermediate:
                continue
            p = out / o["path"]
            if not p.exists() or p.stat().st_size != o["bytes"] or sha256_file(p) != o["sha256"]:
                return False
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return True


@dataclass
class RunResult:
    out: Path
    read: int = 0
    kept: int = 0
    rejected: int = 0
    quarantined: int = 0
    shards: int = 0
    shards_skipped: int = 0
    seconds: float = 0.0
    rejected_by: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in self.__dict__.items()}


ProgressFn = Callable[[str, dict[str, Any]], None]


def _no_progress(event: str, info: dict[str, Any]) -> None:
    return None


class Executor:
    """Plans a run, resumes it, and runs its tasks; subclasses say how tasks run."""

    name = "base"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1

    # --- what subclasses provide -----------------------------------------------------

    def run_tasks(self, fn: Callable[..., dict[str, Any]], args: list[tuple[Any, ...]],
                  on_done: Callable[[dict[str, Any]], None]) -> None:
        """Run ``fn(*a)`` for every ``a`` in ``args``, calling ``on_done`` with each result."""
        raise NotImplementedError

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """An ordered parallel map for the reduce phase of global steps."""
        raise NotImplementedError

    def close(self) -> None:
        """Release workers."""

    # --- shared orchestration ----------------------------------------------------------

    def plan(self, config: Config, out: Path) -> Job:
        if config.input is None:
            raise ConfigError("no input: give input.paths in the configuration or --input on the command line")
        files = expand_paths(config.input.paths)
        shards: list[Shard] = []
        # shards are numbered in the order of the files, whatever their formats
        for f in files:
            fmt = config.input.format if config.input.format != "auto" else detect_format(f)
            shards.extend(reader_class(fmt)(config.input).plan([f], first_index=len(shards)))
        return Job(config, str(out), shards, config.executor.batch_size)

    def run(self, config: Config, out: Path | None = None, overwrite: bool = False,
            progress: ProgressFn = _no_progress) -> RunResult:
        t0 = time.perf_counter()
        out = Path(out or config.output.path)
        job = self.plan(config, out)
        try:
            _prepare_output(out, job, overwrite)
        except OSError as exc:
            raise ThresherError(f"{out}: cannot prepare the output folder ({exc.strerror or exc})") from None
        result = RunResult(out=out, shards=len(job.shards))
        steps = built_steps(job)
        segs = segments_of(steps)
        # After a finished run the intermediate files are gone: a shard of an earlier
        # segment is then complete if its own outputs are; if anything at all must be
        # redone, the global steps need every shard's map again, so all is redone.
        work_kept = len(segs) == 1 or (out / WORK).exists()
        checked: dict[tuple[int, int], bool] = {}  # each output is hashed once per run

        def complete(seg: int, shard: Shard) -> bool:
            if (seg, shard.index) not in checked:
                checked[seg, shard.index] = shard_complete(out, seg, shard, check_intermediate=work_kept)
            return checked[seg, shard.index]

        redo_downstream = not work_kept and not all(complete(seg.index, s) for seg in segs for s in job.shards)
        try:
            for seg in segs:
                todo = [s for s in job.shards
                        if redo_downstream or not complete(seg.index, s)]
                result.shards_skipped += len(job.shards) - len(todo)
                progress("segment", {"segment": seg.index, "segments": len(segs), "todo": len(todo),
                                     "total": len(job.shards)})
                if todo:
                    redo_downstream = True
                    self.run_tasks(run_shard, [(job, s.index, seg.index) for s in todo],
                                   lambda e: progress("shard", e))
                if seg.closes_with is not None:
                    label = steps[seg.closes_with].label
                    if redo_downstream or not reduce_manifest_path(out, seg.index, label).exists():
                        redo_downstream = True
                        progress("reduce", {"step": label})
                        entry = run_reduce(job, seg.index, self.map, self.workers)
                        progress("reduced", entry)
        finally:
            self.close()
        try:
            summary = finish_run(job, out, time.perf_counter() - t0)
        except OSError as exc:
            raise ThresherError(f"{out}: every shard is complete but the summary could not be written "
                                f"({exc.strerror or exc}); rerun to finish") from None
        for k in ("read", "kept", "rejected", "quarantined"):
            setattr(result, k, summary["totals"][k])
        result.rejected_by = summary["rejected_by"]
        result.seconds = time.perf_counter() - t0
        return result


def _prepare_output(out: Path, job: Job, overwrite: bool) -> None:
    plan = {
        "version": PLAN_VERSION,
        "fingerprint": job.config.fingerprint(),
        "config": job.config.to_dict(),
        "segments": len(segments_of(built_steps(job))),
        "shards": [s.to_dict() for s in job.shards],
    }
    plan_path = out / PLAN
    if plan_path.exists():
        try:
            old = json.loads(plan_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            old = {}
        same = old.get("fingerprint") == plan["fingerprint"] and old.get("shards") == plan["shards"]
        if not same:
            if not overwrite:
                raise ConfigError(f"{out}: holds the output of another configuration or input; "
                                  "use another output folder or --overwrite")
            clear_output(out)
    elif out.exists() and any(out.iterdir()):
        if not overwrite:
            raise ConfigError(f"{out}: exists and is not empty (no {PLAN}); use another output folder or --overwrite")
        clear_output(out)
    out.mkdir(parents=True, exist_ok=True)
    # leftovers of a killed run: temporary files are never complete outputs
    for p in out.rglob(".*.tmp-*"):
        p.unlink(missing_ok=True)
    write_json_atomic(plan_path, plan)


def clear_output(out: Path) -> None:
    """Remove what a run writes, and nothing else a user may have put there."""
    for name in ("kept", "rejected", "quarantine", MANIFEST, WORK):
        shutil.rmtree(out / name, ignore_errors=True)
    for name in (PLAN, "stats.json", "report.html"):
        (out / name).unlink(missing_ok=True)


def collect_manifest(out: Path, n_segments: int, shards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    entries = []
    for seg in range(n_segments):
        for s in shards:
            p = out / MANIFEST / f"s{seg}" / f"part-{s['index']:05d}.json"
            entries.append(json.loads(p.read_text(encoding="utf-8")))
    return entries


def finish_run(job: Job, out: Path, seconds: float) -> dict[str, Any]:
    """Aggregate the manifest into stats.json, drop intermediates, write the report."""
    steps = built_steps(job)
    segs = segments_of(steps)
    entries = collect_manifest(out, len(segs), [s.to_dict() for s in job.shards])
    totals = {"read": 0, "kept": 0, "rejected": 0, "quarantined": 0}
    rejected_by: dict[str, int] = {}
    step_stats = {s.label: StepStats() for s in steps}
    skipped: dict[str, int] = {}
    for e in entries:
        c = e["counts"]
        if e["segment"] == 0:
            totals["read"] += c["read"]
        totals["kept"] += c["kept"]
        totals["rejected"] += c["rejected"]
        totals["quarantined"] += c["quarantined"]
        for k, v in e["rejected_by"].items():
            rejected_by[k] = rejected_by.get(k, 0) + v
        for label, st in e["steps"].items():
            step_stats.setdefault(label, StepStats()).merge(st)
        for k, v in e.get("reader", {}).get("skipped_records", {}).items():
            skipped[k] = skipped.get(k, 0) + v
    reduces = {}
    for seg in segs:
        if seg.closes_with is not None:
            label = steps[seg.closes_with].label
            rp = reduce_manifest_path(out, seg.index, label)
            if rp.exists():
                reduces[label] = json.loads(rp.read_text(encoding="utf-8"))
    stats = {
        "totals": totals,
        "rejected_by": dict(sorted(rejected_by.items())),
        "steps": [{"step": s.label, "name": s.name, **step_stats[s.label].to_dict()} for s in steps],
        "global": reduces,
        "reader": {"skipped_records": dict(sorted(skipped.items()))},
        "shards": len(job.shards),
        "seconds": round(seconds, 3),
    }
    write_json_atomic(out / "stats.json", stats)
    if not job.config.output.keep_work:
        shutil.rmtree(out / WORK, ignore_errors=True)
    if job.config.output.report:
        from thresher.report import write_report

        write_report(out)  # never raises: a report failure is logged, the run's data stands
    return stats


__all__ = ["Executor", "Job", "RunResult", "ShardError", "run_reduce", "run_shard", "segments_of"]
