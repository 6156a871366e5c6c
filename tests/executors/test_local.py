from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thresher import Pipeline
from thresher.errors import ConfigError
from thresher.stages.write import read_records
from thresher.verify import verify

ROOT = Path(__file__).resolve().parents[2]
S = "tests.support.steps"


def write_jsonl(path: Path, records: list[Any]) -> None:
    with open(path, "wb") as f:
        for r in records:
            f.write(r if isinstance(r, bytes) else json.dumps(r).encode() + b"\n")


def corpus(folder: Path, n_files: int = 4, per_file: int = 25) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n_files):
        recs: list[Any] = []
        for j in range(per_file):
            k = i * per_file + j
            letters = "".join(chr(97 + int(c)) for c in str(k))
            text = f"doc {letters} has some words {k}" if k % 5 else "short"
            if k % 11 == 0:
                text = "the same text everywhere"  # exact duplicates across files
            recs.append({"id": f"{i}-{j}", "text": text})
        recs.append(b'{"broken": \n')
        p = folder / f"part{i}.jsonl"
        write_jsonl(p, recs)
        paths.append(str(p))
    return paths


def config(paths: list[str], out: Path, steps: list[Any], fmt: str = "parquet") -> dict[str, Any]:
    return {"input": {"paths": paths}, "steps": steps, "output": {"path": str(out), "format": fmt}}


STEPS = [{f"{S}:DropDigits": {}}, {f"{S}:MinWords": {"min_words": 3}}, {f"{S}:Explode": {}},
         {f"{S}:ExactDup": {}}, {f"{S}:MinWords": {"min_words": 4}}]


def output_bytes(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.parts[len(out.parts)] in ("kept", "rejected", "quarantine")}


def test_run_accounts_for_every_document(tmp_path: Path) -> None:
    paths = corpus(tmp_path / "in")
    res = Pipeline.from_config(config(paths, tmp_path / "out", STEPS)).run(workers=2)
    assert res.read == 104
    assert res.read == res.kept + res.rejected + res.quarantined
    assert res.quarantined == 4
    problems, totals = verify(tmp_path / "out")
    assert problems == [] and totals["read"] == 104
    stats = json.loads((tmp_path / "out" / "stats.json").read_text())
    assert stats["rejected_by"][f"{S}:ExactDup:exact_duplicate"] == 9  # 10 copies, one kept
    kept = [d for p in sorted((tmp_path / "out" / "kept").iterdir()) for d in read_records(p)]
    assert len(kept) == res.kept
    # edits survive the round trip through the intermediate and the output files
    d = next(d for d in kept if d.edits)
    assert d.original_text() != d.text and not any(c.isdigit() for c in d.text)


def test_same_bytes_whatever_the_number_of_workers(tmp_path: Path) -> None:
    paths = corpus(tmp_path / "in")
    outs = []
    for w in (1, 2, 3):
        out = tmp_path / f"out{w}"
        Pipeline.from_config(config(paths, out, STEPS)).run(workers=w)
        outs.append(output_bytes(out))
    assert outs[0] == outs[1] == outs[2]
    assert len(outs[0]) >= 8


@pytest.mark.parametrize("fmt", ["jsonl", "jsonl.gz"])
def test_jsonl_output_is_deterministic(tmp_path: Path, fmt: str) -> None:
    paths = corpus(tmp_path / "in", 2, 10)
    a = Pipeline.from_config(config(paths, tmp_path / "a", STEPS, fmt)).run(workers=1)
    Pipeline.from_config(config(paths, tmp_path / "b", STEPS, fmt)).run(workers=2)
    assert output_bytes(tmp_path / "a") == output_bytes(tmp_path / "b")
    assert verify(tmp_path / "a")[0] == [] and a.kept > 0


def test_rerun_skips_complete_shards_and_repairs_damage(tmp_path: Path) -> None:
    paths = corpus(tmp_path / "in")
    out = tmp_path / "out"
    Pipeline.from_config(config(paths, out, STEPS)).run(workers=2)
    before = output_bytes(out)
    again = Pipeline.from_config(config(paths, out, STEPS)).run(workers=2)
    assert again.shards_skipped == again.shards * 2  # both segments of every shard
    victim = out / "kept" / "part-00001.parquet"
    victim.write_bytes(victim.read_bytes()[:-10] + b"corrupted!")
    problems, _ = verify(out)
    assert any("part-00001" in p and "SHA-256" in p for p in problems)
    Pipeline.from_config(config(paths, out, STEPS)).run(workers=2)
    assert output_bytes(out) == before
    assert verify(out)[0] == []


def test_other_configuration_in_the_same_folder_is_refused(tmp_path: Path) -> None:
    paths = corpus(tmp_path / "in", 1, 5)
    out = tmp_path / "out"
    Pipeline.from_config(config(paths, out, STEPS[:1])).run(workers=1)
    with pytest.raises(ConfigError, match="another configuration"):
        Pipeline.from_config(config(paths, out, STEPS[:2])).run(workers=1)
    Pipeline.from_config(config(paths, out, STEPS[:2])).run(workers=1, overwrite=True)
    assert verify(out)[0] == []


def test_verify_finds_accounting_and_missing_shards(tmp_path: Path) -> None:
    paths = corpus(tmp_path / "in", 2, 5)
    out = tmp_path / "out"
    Pipeline.from_config(config(paths, out, STEPS[:2])).run(workers=1)
    mp = out / "_manifest" / "s0" / "part-00000.json"
    entry = json.loads(mp.read_text())
    entry["counts"]["read"] += 1
    mp.write_text(json.dumps(entry))
    assert any("read 7 != kept" in p for p in verify(out)[0])
    mp.unlink()
    assert any("not complete" in p for p in verify(out)[0])
    assert verify(tmp_path / "nothing")[0] == [f"{tmp_path / 'nothing'}: no such folder"]


@st.composite
def mixed_records(draw: st.DrawFn) -> list[Any]:
    recs: list[Any] = []
    for i in range(draw(st.integers(0, 30))):
        kind = draw(st.sampled_from(["good", "good", "good", "json", "utf8", "notext", "explode", "blank"]))
        text = draw(st.text(max_size=40))
        if kind == "good":
            recs.append({"id": str(i), "text": text})
        elif kind == "json":
            recs.append(b'{"id": "x", "text": ' + text.encode("utf-8", "replace")[:5].replace(b"\n", b" ").replace(b"\r", b" ") + b"\n")
        elif kind == "utf8":
            recs.append(b'{"text": "\xc3\x28"}\n')
        elif kind == "notext":
            recs.append({"id": str(i)})
        elif kind == "explode":
            recs.append({"id": str(i), "text": "EXPLODE " + text})
        else:
            recs.append(b"\n")
    return recs


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=st.lists(mixed_records(), min_size=1, max_size=3))
def test_accounting_on_random_mixes(tmp_path_factory: pytest.TempPathFactory, files: list[list[Any]]) -> None:
    tmp = tmp_path_factory.mktemp("mix")
    paths = []
    for i, recs in enumerate(files):
        write_jsonl(tmp / f"f{i}.jsonl", recs)
        paths.append(str(tmp / f"f{i}.jsonl"))
    expected = sum(1 for recs in files for r in recs if r != b"\n")
    res = Pipeline.from_config(config(paths, tmp / "out", STEPS)).run(workers=1)
    assert res.read == expected == res.kept + res.rejected + res.quarantined
    assert verify(tmp / "out")[0] == []


def _cli(*args: str, **kw: Any) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "thresher.cli", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


@pytest.mark.slow
def test_kill_9_mid_run_then_rerun_gives_identical_bytes(tmp_path: Path) -> None:
    paths = corpus(tmp_path / "in", n_files=8, per_file=40)
    slow = [{f"{S}:Slow": {"seconds": 0.004}}, *STEPS]
    ref = tmp_path / "ref"
    Pipeline.from_config(config(paths, ref, slow)).run(workers=2)
    want = output_bytes(ref)
    cfg = tmp_path / "p.yaml"
    import yaml

    def n_done(out: Path) -> int:
        return len(list((out / "_manifest").rglob("*.json"))) if (out / "_manifest").exists() else 0

    killed_at = []
    # kill when this many manifest entries exist (8 shards, a reduce, 8 shards again):
    # early in segment 0, just after the reduce, and inside segment 1
    for attempt, target in enumerate((1, 9, 12)):
        out = tmp_path / f"out{attempt}"
        cfg.write_text(yaml.safe_dump(config(paths, out, slow)))
        proc = _cli("run", str(cfg), "--workers", "2", "--quiet", start_new_session=True)
        deadline = time.monotonic() + 60
        while n_done(out) < target and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        killed_at.append(n_done(out))
        rerun = _cli("run", str(cfg), "--workers", "2", "--quiet")
        _, err = rerun.communicate(timeout=120)
        assert rerun.returncode == 0, err.decode()
        assert output_bytes(out) == want
        assert verify(out)[0] == []
    assert any(0 < k < 17 for k in killed_at), f"no kill landed mid-run: {killed_at}"


def test_a_hanging_document_is_quarantined_not_the_run(tmp_path: Path) -> None:
    p = tmp_path / "in.jsonl"
    write_jsonl(p, [{"id": "a", "text": "fine words here"}, {"id": "b", "text": "HANG here"},
                    {"id": "c", "text": "more fine words"}])
    cfg = config([str(p)], tmp_path / "out", [f"{S}:Hang"])
    cfg["executor"] = {"doc_seconds": 0.5}
    res = Pipeline.from_config(cfg).run(workers=1)
    assert (res.kept, res.quarantined) == (2, 1)
    (q,) = list(read_records(tmp_path / "out" / "quarantine" / "part-00000.parquet"))
    assert q.id == "b" and "exceeded the per-document time limit of 0.5 s" in (q.error or "")


def test_verify_fails_a_run_stopped_before_its_last_segment(tmp_path: Path) -> None:
    paths = corpus(tmp_path / "in", 2, 5)
    out = tmp_path / "out"
    Pipeline.from_config(config(paths, out, STEPS)).run(workers=1)
    import shutil

    shutil.rmtree(out / "_manifest" / "s1")  # as if killed before the second segment
    problems, _ = verify(out)
    assert problems and all("segment 1 is not complete" in p for p in problems)
