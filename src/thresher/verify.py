"""``thresher verify``: check that a finished output folder is complete and consistent.

Checks: the plan exists; every shard has a manifest entry for every segment; every
output file listed exists with the recorded size and SHA-256 and reads back with the
recorded number of rows and statuses; for every shard, documents read = kept + rejected
+ quarantined, and each segment passes on exactly what the next one reads.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from thresher.executors.base import MANIFEST, PLAN, WORK, sha256_file
from thresher.stages.write.records import read_records

_KIND_STATUS = {"kept": "kept", "rejected": "rejected", "quarantine": "quarantined", "intermediate": "kept"}


def verify(out: Path) -> tuple[list[str], dict[str, Any]]:
    """Returns (problems, totals); no problems means the folder passed."""
    problems: list[str] = []
    totals = {"read": 0, "kept": 0, "rejected": 0, "quarantined": 0, "shards": 0, "files": 0}
    if not out.is_dir():
        return [f"{out}: no such folder"], totals
    plan_path = out / PLAN
    if not plan_path.exists():
        return [f"{out}: no {PLAN}: not a thresher output folder, or the run never started"], totals
    try:
        plan = json.loads(plan_path.read_text(encoding="utf-8"))
        shards = plan["shards"]
    except (OSError, ValueError, KeyError) as exc:
        return [f"{plan_path}: unreadable ({exc})"], totals
    totals["shards"] = len(shards)
    # the plan says how many segments the pipeline has: a run stopped before its last
    # segment must not pass for a finished one with fewer
    try:
        n_segments = int(plan["segments"]) if "segments" in plan else _segments_of_config(plan["config"])
    except Exception as exc:  # noqa: BLE001 - a plan we cannot interpret is a verification failure
        return [f"{plan_path}: cannot tell the pipeline's segments ({exc})"], totals
    work_kept = (out / WORK).exists()
    for s in shards:
        name = f"part-{s['index']:05d}"
        per_seg: list[dict[str, Any]] = []
        for seg in range(n_segments):
            mp = out / MANIFEST / f"s{seg}" / f"{name}.json"
            if not mp.exists():
                problems.append(f"shard {name} ({s['path']}): segment {seg} is not complete (no {mp.relative_to(out)})")
                continue
            try:
                entry = json.loads(mp.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                problems.append(f"{mp}: unreadable manifest entry ({exc})")
                continue
            per_seg.append(entry)
            for o in entry["outputs"]:
                if o["kind"] == "intermediate" and not work_kept:
                    continue
                problems.extend(_check_file(out, name, o))
                totals["files"] += 1
        if len(per_seg) != n_segments:
            continue
        read = per_seg[0]["counts"]["read"]
        kept = per_seg[-1]["counts"]["kept"]
        rej = sum(e["counts"]["rejected"] for e in per_seg)
        quar = sum(e["counts"]["quarantined"] for e in per_seg)
        if read != kept + rej + quar:
            problems.append(f"shard {name}: read {read} != kept {kept} + rejected {rej} + quarantined {quar}")
        for a, b in zip(per_seg, per_seg[1:], strict=False):
            if a["counts"]["passed"] != b["counts"]["read"]:
                problems.append(f"shard {name}: segment {a['segment']} passed {a['counts']['passed']} documents "
                                f"but segment {b['segment']} read {b['counts']['read']}")
        totals["read"] += read
        totals["kept"] += kept
        totals["rejected"] += rej
        totals["quarantined"] += quar
    return problems, totals


def _segments_of_config(config: dict[str, Any]) -> int:
    """Segments of a pipeline, from its configuration (plans written before they were recorded)."""
    from thresher.config import parse_steps
    from thresher.registry import step_class
    from thresher.step import GlobalStep

    specs = parse_steps(config.get("steps") or [], "plan.json")
    return 1 + sum(issubclass(step_class(s.name), GlobalStep) for s in specs)


def _check_file(out: Path, shard: str, o: dict[str, Any]) -> list[str]:
    p = out / o["path"]
    if not p.exists():
        return [f"shard {shard}: {o['path']} is missing"]
    if p.stat().st_size != o["bytes"]:
        return [f"shard {shard}: {o['path']} has {p.stat().st_size} bytes, the manifest says {o['bytes']}"]
    if sha256_file(p) != o["sha256"]:
        return [f"shard {shard}: {o['path']} does not match its SHA-256 in the manifest (modified or corrupt)"]
    want = _KIND_STATUS[o["kind"]]
    rows = 0
    try:
        for doc in read_records(p):
            rows += 1
            if doc.verdict.status != want:
                return [f"shard {shard}: {o['path']} holds a {doc.verdict.status} document ({doc.id})"]
    except Exception as exc:
        return [f"shard {shard}: {o['path']} is unreadable ({type(exc).__name__}: {exc})"]
    if rows != o["rows"]:
        return [f"shard {shard}: {o['path']} has {rows} rows, the manifest says {o['rows']}"]
    return []
