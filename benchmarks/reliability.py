"""Reliability campaigns: coverage-guided fuzzing and kill -9 fault injection.

Prints one table: per campaign, inputs tried, crashes, hangs, documents lost, runs
resumed and outputs identical to an uninterrupted run.

    python benchmarks/reliability.py                 # 10,000 inputs per fuzz target, 20 kills
    python benchmarks/reliability.py --runs 2000 --kills 5
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def fuzz_campaign(target: list[str], runs: int, seeds: Path | None, timeout: int) -> dict[str, object]:
    cmd = [PY, str(ROOT / "fuzz" / target[0]), *target[1:], f"-atheris_runs={runs}", "-timeout=20",
           "-rss_limit_mb=4096"]
    if seeds is not None:
        cmd.append(str(seeds))
    t0 = time.perf_counter()
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
        out = r.stdout + r.stderr
        crashed = r.returncode != 0
        hang = "timeout" in out.lower() and crashed
    except subprocess.TimeoutExpired:
        out, crashed, hang = "", False, True
    done = 0
    for line in out.splitlines():
        if line.startswith("Done ") and " in " in line:
            done = int(line.split()[1])
    return {"campaign": "fuzz " + " ".join(target).removesuffix(".py"), "inputs": done or (0 if crashed else runs),
            "crashes": int(crashed and not hang), "hangs": int(hang), "seconds": time.perf_counter() - t0,
            "detail": "\n".join(out.splitlines()[-15:]) if crashed or hang else ""}


def seed_corpora(tmp: Path) -> dict[str, Path]:
    """Small valid inputs of each format, so the fuzzer starts from real structure."""
    from thresher.demo import make_crawl

    data = tmp / "demo"
    warc, jsonl = make_crawl(data)
    seeds: dict[str, Path] = {}
    import gzip

    for fmt, blobs in {
        "warc": [gzip.decompress(warc.read_bytes())[:6000]],
        "jsonl": [gzip.decompress(jsonl.read_bytes())[:3000]],
        "arc": [b"filedesc://x.arc 0.0.0.0 20140101000000 text/plain 9\n1 0 test\n\n"
                b"http://a/ 1.2.3.4 20140101000000 text/html 52\nHTTP/1.1 200 OK\r\nContent-Type: text/html"
                b"\r\n\r\n<p>hello</p>\n"],
        "text": [b"A page of text.\nWith two lines."],
    }.items():
        d = tmp / f"seeds-{fmt}"
        d.mkdir()
        for i, b in enumerate(blobs):
            (d / f"seed{i}").write_bytes(b)
        seeds[fmt] = d
    return seeds


def kill_campaign(kills: int, workers: int, seed: int) -> dict[str, object]:
    """Kill the CLI with SIGKILL at random points, rerun, compare with an uninterrupted run."""
    import yaml

    from thresher.demo import demo_config, make_crawl
    from thresher.verify import verify

    rng = random.Random(seed)
    tmp = Path(tempfile.mkdtemp(prefix="thresher-kill-"))
    make_crawl(tmp / "one")
    data = tmp / "data"
    data.mkdir()
    # eight copies of the demo crawl under other names: more shards, and duplicates across them
    for i in range(4):
        for f in (tmp / "one").iterdir():
            shutil.copy(f, data / f"{i}-{f.name}")
    cfg = demo_config(tmp / "one", tmp / "ref")
    cfg["input"] = {"paths": [str(data)]}
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def run(out: Path, kill_after: int | None) -> tuple[int, int]:
        c = dict(cfg, output={"path": str(out), "format": "parquet", "report": False})
        (tmp / "p.yaml").write_text(yaml.safe_dump(c))
        proc = subprocess.Popen([PY, "-m", "thresher.cli", "run", str(tmp / "p.yaml"), "-w", str(workers), "-q"],
                                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                start_new_session=True)
        n = 0
        if kill_after is not None:
            deadline = time.monotonic() + 300
            while proc.poll() is None and time.monotonic() < deadline:
                n = len(list((out / "_manifest").rglob("*.json"))) if (out / "_manifest").exists() else 0
                if n >= kill_after:
                    break
                time.sleep(0.002)
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=600)
        return proc.returncode, n

    def outputs(out: Path) -> dict[str, bytes]:
        return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
                if p.is_file() and p.relative_to(out).parts[0] in ("kept", "rejected", "quarantine")}

    rc, _ = run(tmp / "ref", None)
    if rc != 0:
        raise SystemExit("the uninterrupted reference run failed")
    want = outputs(tmp / "ref")
    total_entries = len(list((tmp / "ref" / "_manifest").rglob("*.json")))
    read = json.loads((tmp / "ref" / "stats.json").read_text())["totals"]["read"]
    resumed = identical = lost = crashes = 0
    for k in range(kills):
        out = tmp / f"run{k}"
        run(out, rng.randint(0, max(0, total_entries - 1)))
        rc, _ = run(out, None)
        resumed += 1
        crashes += int(rc != 0)
        problems, totals = verify(out)
        lost += max(0, read - (totals["kept"] + totals["rejected"] + totals["quarantined"]))
        identical += int(outputs(out) == want and not problems)
        shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(tmp, ignore_errors=True)
    return {"campaign": f"kill -9 ({workers} workers)", "inputs": kills, "crashes": crashes, "hangs": 0,
            "lost": lost, "resumed": resumed, "identical": identical, "seconds": 0.0, "detail": ""}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=10_000, help="inputs per fuzz target")
    ap.add_argument("--kills", type=int, default=20, help="killed runs in the fault campaign")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        seeds = seed_corpora(Path(tmp))
        targets = [["fuzz_readers.py", f] for f in ("jsonl", "warc", "arc", "parquet", "text")]
        targets += [["fuzz_config.py"], ["fuzz_steps.py"]]
        for t in targets:
            fmt = t[1] if len(t) > 1 else ""
            rows.append(fuzz_campaign(t, args.runs, seeds.get(fmt), timeout=3600))
            print(f"... {rows[-1]['campaign']}: {rows[-1]['inputs']} inputs", file=sys.stderr)
    t0 = time.perf_counter()
    rows.append(kill_campaign(args.kills, 2, args.seed))
    rows[-1]["seconds"] = time.perf_counter() - t0
    print(f"{'campaign':28} {'inputs':>8} {'crashes':>8} {'hangs':>6} {'lost':>5} {'resumed':>8} "
          f"{'identical':>9} {'seconds':>8}")
    for r in rows:
        print(f"{r['campaign']:28} {r['inputs']:>8} {r['crashes']:>8} {r['hangs']:>6} {r.get('lost', 0):>5} "
              f"{r.get('resumed', '-'):>8} {r.get('identical', '-'):>9} {r['seconds']:>8.1f}")
    for r in rows:
        if r["detail"]:
            print(f"\n--- {r['campaign']}\n{r['detail']}")


if __name__ == "__main__":
    main()
