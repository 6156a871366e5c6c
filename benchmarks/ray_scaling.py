"""Ray executor: throughput with 1 and 2 workers, per-task overhead, and the shard size
below which Ray does not pay; the local process-pool executor runs the same pipeline on
the same shards in the same invocation, as the baseline.

Data: ``../shared/data/corpus/web-text.jsonl.gz`` (6,955 real web pages, main text),
cut into 8 JSONL shards; pipeline: the text-level filters and both dedup steps that
exist in this build. A generated corpus is used where the shared folder is absent.

Ray runs on a private local cluster of 2 CPUs started once (``persistent=True``), and
the executor's ``workers`` bounds the tasks in flight (1 or 2), so both rows use the
same cluster and warm worker processes; the cluster's start-up and a cold run (new
worker processes importing thresher and building the steps) are measured apart.

Per-task overhead: 200 tasks that do nothing through ``Executor.map`` (Ray task:
submit, schedule, run, fetch) and a pipeline over 40 one-document shards (the whole
shard path: plan, a task, read, write, manifest), both per task, minus the same on
the local executor.

The machine's load average is printed with the table: on a shared 2-core machine other
processes take cores, and the scaling rows mean little when the load exceeds 2.

Run: ``.venv/bin/python benchmarks/ray_scaling.py [--shards 8] [--docs 3000]``
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from thresher.config import parse_config
from thresher.errors import ConfigError
from thresher.executors.local import LocalExecutor
from thresher.registry import step_class

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("THRESHER_SHARED", ROOT.parent / "shared")) / "data" / "corpus" / "web-text.jsonl.gz"
WANTED = ["gopher_repetition", "gopher_quality", "c4_quality", "fineweb_quality", "exact_dedup", "near_dedup"]


def noop(x: int) -> int:
    return x


def make_shards(folder: Path, n_shards: int, n_docs: int) -> tuple[list[str], str]:
    folder.mkdir(parents=True, exist_ok=True)
    docs: list[dict[str, Any]] = []
    if CORPUS.exists():
        with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                if r.get("text_main"):
                    docs.append({"id": r["id"], "text": r["text_main"], "url": r.get("url")})
                if len(docs) >= n_docs:
                    break
        source = f"{CORPUS.name} ({len(docs)} docs)"
    else:
        rng = random.Random(1)
        words = ["the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "on", "was", "with", "as", "by", "be", "at", "this", "from"] + [
            f"w{i}" for i in range(2000)]
        docs = [{"id": str(i), "text": "\n".join(" ".join(rng.choice(words) for _ in range(20)) + "."
                                                 for _ in range(rng.randint(5, 40)))} for i in range(n_docs)]
        source = f"generated ({len(docs)} docs; ../shared/data absent)"
    paths = []
    for s in range(n_shards):
        p = folder / f"shard{s:02d}.jsonl"
        with open(p, "w", encoding="utf-8") as f:
            f.writelines(json.dumps(d) + "\n" for d in docs[s::n_shards])
        paths.append(str(p))
    return paths, source


def steps() -> list[str]:
    out = []
    for name in WANTED:
        try:
            step_class(name)
        except ConfigError:  # a step not in this build
            continue
        out.append(name)
    return out


def config(paths: list[str], out: Path, step_names: list[str]) -> dict[str, Any]:
    return {"input": {"paths": paths}, "steps": step_names or [{"tests.support.steps:MinWords": {}}],
            "output": {"path": str(out), "report": False}}


def timed_run(executor: Any, cfg: dict[str, Any], out: Path) -> tuple[float, int]:
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    res = executor.run(parse_config(cfg), out)
    return time.perf_counter() - t0, res.read


def outputs(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.parts[len(out.parts)] in ("kept", "rejected", "quarantine")}


def first_difference(a: Path, b: Path) -> str:
    """The first document that differs between two output folders, and how."""
    from thresher.stages.write import read_records

    oa, ob = outputs(a), outputs(b)
    for rel in sorted(set(oa) | set(ob)):
        if oa.get(rel) == ob.get(rel):
            continue
        ra = {d.id: d.to_record() for d in read_records(a / rel)} if rel in oa else {}
        rb = {d.id: d.to_record() for d in read_records(b / rel)} if rel in ob else {}
        for i in sorted(set(ra) | set(rb)):
            if ra.get(i) != rb.get(i):
                keys = sorted(k for k in set(ra.get(i, {})) | set(rb.get(i, {}))
                              if ra.get(i, {}).get(k) != rb.get(i, {}).get(k))
                return f"{rel}: document {i} differs in {keys}"
        return f"{rel}: same documents, different bytes"
    return "none"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shards", type=int, default=8)
    ap.add_argument("--docs", type=int, default=3000)
    ap.add_argument("--tiny", type=int, default=40, help="one-document shards for the overhead row")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))  # tests.support.steps, for the fallback step
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))

    from thresher.executors.ray import RayExecutor

    load_before = os.getloadavg()[0]
    tmp = Path(tempfile.mkdtemp(prefix="thr-bench-"))
    try:
        paths, source = make_shards(tmp / "in", args.shards, args.docs)
        tiny, _ = make_shards(tmp / "tiny", args.tiny, args.tiny)
        names = steps()
        rows: list[tuple[str, str, str]] = []

        # --- the baseline: the local executor -----------------------------------------------
        local: dict[int, float] = {}
        for w in (1, 2):
            sec, n = timed_run(LocalExecutor(w), config(paths, tmp / f"local{w}", names), tmp / f"local{w}")
            local[w] = sec
            rows.append((f"local executor, {w} worker(s)", f"{sec:.2f} s", f"{n / sec:,.0f} docs/s"))
        n_docs = n

        # --- Ray: one private cluster of 2 CPUs ---------------------------------------------------
        ray_ex = RayExecutor(2, persistent=True)
        t0 = time.perf_counter()
        ray_ex.connect()
        startup = time.perf_counter() - t0
        try:
            cold, _ = timed_run(ray_ex, config(paths, tmp / "ray-cold", names), tmp / "ray-cold")
            rays: dict[int, float] = {}
            for w in (1, 2):
                ray_ex._workers_given = w  # tasks in flight, on the same warm cluster
                sec, n = timed_run(ray_ex, config(paths, tmp / f"ray{w}", names), tmp / f"ray{w}")
                rays[w] = sec
                rows.append((f"Ray executor, {w} worker(s) (warm)", f"{sec:.2f} s", f"{n / sec:,.0f} docs/s"))
            same = outputs(tmp / "ray2") == outputs(tmp / "local2") == outputs(tmp / "ray1")
            if not same:
                for run in ("ray1", "ray2"):
                    print(f"{run} vs local2:", first_difference(tmp / "local2", tmp / run), file=sys.stderr)
            ray_ex._workers_given = 2

            # per-task overhead: empty tasks, then whole one-document shards
            m = 200
            t0 = time.perf_counter()
            ray_ex.map(noop, range(m))
            ray_map = (time.perf_counter() - t0) / m
            lex = LocalExecutor(2)
            lex.map(noop, range(4))  # start the pool
            t0 = time.perf_counter()
            lex.map(noop, range(m))
            local_map = (time.perf_counter() - t0) / m
            lex.close()
            tiny_cfg = config(tiny, tmp / "tiny-ray", [{"tests.support.steps:MinWords": {}}])
            ray_tiny, _ = timed_run(ray_ex, tiny_cfg, tmp / "tiny-ray")
            local_tiny, _ = timed_run(LocalExecutor(2), config(tiny, tmp / "tiny-local",
                                                               [{"tests.support.steps:MinWords": {}}]),
                                      tmp / "tiny-local")
        finally:
            ray_ex.persistent = False
            ray_ex.shutdown()

        per_shard = max((ray_tiny - local_tiny) / args.tiny, ray_map - local_map)
        # seconds of work per document: one warm Ray worker (steps built, models loaded),
        # so that set-up does not count as work
        per_doc = rays[1] / n_docs
        rows += [
            ("Ray: private cluster start", f"{startup:.2f} s", "once per run of the CLI"),
            ("Ray: cold run (new workers import, build steps)", f"{cold:.2f} s",
             f"{cold - rays[2]:+.2f} s against the warm run, 2 workers"),
            ("scaling 1 -> 2 workers", f"local x{local[1] / local[2]:.2f}", f"Ray (warm) x{rays[1] / rays[2]:.2f}"),
            ("Ray cold run / local run, 2 workers", f"x{cold / local[2]:.2f}",
             "like for like: both start their workers and build the steps"),
            ("empty task, per task (2 workers)", f"Ray {ray_map * 1e3:.2f} ms", f"local {local_map * 1e3:.2f} ms"),
            (f"one-document shard, per shard ({args.tiny} shards)", f"Ray {ray_tiny / args.tiny * 1e3:.1f} ms",
             f"local {local_tiny / args.tiny * 1e3:.1f} ms"),
            ("Ray overhead per shard over local", f"{per_shard * 1e3:.1f} ms",
             f"work per document {per_doc * 1e3:.2f} ms"),
            ("shard size where Ray's overhead = 10% of the work", f"{math.ceil(per_shard / (0.1 * per_doc)):,} docs",
             "n = 10 * overhead / work per doc: below it, Ray does not pay"),
            ("shard size where 2 Ray workers beat 1 process", f"{math.ceil(per_shard / per_doc):,} docs",
             "break-even: n*c/2 + overhead < n*c"),
            ("same bytes: Ray 1 = Ray 2 = local", str(same), ""),
        ]
        print(f"\nRay scaling on {source}, {args.shards} shards; steps: {', '.join(names)}; "
              f"{os.cpu_count()} cores; load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after\n")
        w1 = max(len(r[0]) for r in rows)
        w2 = max(len(r[1]) for r in rows)
        print(f"{'measure':<{w1}}  {'value':>{w2}}  note")
        print(f"{'-' * w1}  {'-' * w2}  {'-' * 30}")
        for a, b, c in rows:
            print(f"{a:<{w1}}  {b:>{w2}}  {c}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
