"""The Ray executor: same bytes as the local executor, on a private cluster and on a real
two-node cluster (a head and a worker node on loopback, one CPU each), through a killed
worker; clear one-line errors for a wrong address and an output folder nodes cannot see.

Every test that starts Ray is marked ``ray`` (``make test-fast`` leaves them out); the
whole file takes about a minute and a half on a 2-core machine, most of it Ray starting.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from thresher import Pipeline
from thresher.document import Document
from thresher.errors import ConfigError, ThresherError
from thresher.step import GlobalContext, GlobalStep, ShardContext
from thresher.verify import verify

ROOT = Path(__file__).resolve().parents[2]
S = "tests.support.steps"


def _ray_missing() -> str | None:
    try:
        import ray  # noqa: F401
    except ImportError:
        return "Ray is not installed: pip install 'thresher[ray]'"
    return None


needs_ray = pytest.mark.skipif(_ray_missing() is not None, reason=_ray_missing() or "")


# ---- data and helpers ----------------------------------------------------------------------

WORDS = ["river", "stone", "garden", "letter", "window", "market", "violin", "harbour", "lantern", "meadow", "copper", "orchard", "thunder", "pepper", "candle", "blanket", "ladder", "pencil", "saddle", "kettle", "mirror", "feather", "marble", "tunnel", "basket", "button", "cellar", "dragon", "engine", "forest", "galaxy", "hammer", "island", "jacket", "kitten", "lemon"]


def near_dup_corpus(folder: Path, n_files: int = 6, per_file: int = 25, seed: int = 3) -> list[str]:
    """Files of 60-word documents; some are copies of a document of another file with one
    word changed (near duplicates across shards), some exact copies, one record malformed."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    originals: list[str] = []
    paths = []
    for i in range(n_files):
        lines = []
        for j in range(per_file):
            if originals and j % 7 == 3:
                words = rng.choice(originals).split()
                words[rng.randrange(len(words))] = rng.choice(WORDS)
                text = " ".join(words)
            elif originals and j % 11 == 5:
                text = rng.choice(originals)
            else:
                text = " ".join(rng.choice(WORDS) for _ in range(60))
                originals.append(text)
            if j == 9:
                text += " 2024 EXPLODE"  # the test Explode step quarantines it
            lines.append(json.dumps({"id": f"{i}-{j}", "text": text}))
        lines.append('{"id": "broken", "text": ')
        p = folder / f"part{i}.jsonl"
        p.write_text("\n".join(lines) + "\n")
        paths.append(str(p))
    return paths


def dedup_step() -> dict[str, Any]:
    """Near-dup clustering with the partitioned reduce (its shuffles run as Ray tasks)
    when the dedup steps are in this build, else the executor tests' exact dedup."""
    try:
        from thresher.registry import step_class

        step_class("near_dedup_sharded")
        return {"near_dedup_sharded": {"partitions": 3}}
    except ConfigError:
        return {f"{S}:ExactDup": {}}


def pipeline(paths: list[str], out: Path, slow: float = 0.0) -> dict[str, Any]:
    steps: list[Any] = [{f"{S}:DropDigits": {}}, {f"{S}:Explode": {}}, dedup_step(), {f"{S}:MinWords": {}}]
    if slow:
        steps.insert(0, {f"{S}:Slow": {"seconds": slow}})
    return {"input": {"paths": paths}, "steps": steps, "output": {"path": str(out)}}


def output_bytes(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.parts[len(out.parts)] in ("kept", "rejected", "quarantine")}


def differences(a: Path, b: Path) -> str:
    """Which documents differ between two output folders (for the failure message)."""
    from thresher.stages.write import read_records

    lines = []
    for rel, data in output_bytes(a).items():
        if output_bytes(b).get(rel) != data:
            da = {d.id: d.to_record() for d in read_records(a / rel)}
            db = {d.id: d.to_record() for d in read_records(b / rel)} if (b / rel).exists() else {}
            for i in sorted(set(da) | set(db)):
                if da.get(i) != db.get(i):
                    fields = sorted(k for k in set(da.get(i, {})) | set(db.get(i, {}))
                                    if da.get(i, {}).get(k) != db.get(i, {}).get(k))
                    ra, rb = da.get(i, {}), db.get(i, {})
                    lines.append(f"{rel} {i}: {fields} {ra.get('reasons')} {ra.get('error')} vs "
                                 f"{rb.get('reasons')} {rb.get('error')}")
    return "\n".join(lines[:20]) or "same documents, different bytes"


def placement(out: Path) -> list[tuple[str, int, str, int]]:
    """(shard, segment, Ray node, pid) of every manifest entry."""
    rows = []
    for p in sorted((out / "_manifest").glob("s*/*.json")):
        e = json.loads(p.read_text())
        rows.append((e["shard"].get("name", p.stem), e["segment"],
                     e["ray_node"]["node_id"][:8], e["ray_node"]["pid"]))
    return rows


# ---- no Ray needed -------------------------------------------------------------------------


def test_output_folder_not_seen_by_a_node_is_named() -> None:
    from thresher.executors.ray import check_shared

    with pytest.raises(ThresherError, match=r"/nowhere/out is not shared with Ray node .*cannot read it"):
        check_shared("/nowhere/out/_work/ray-shared-check-1234", "token")


def test_output_folder_of_another_run_is_named(tmp_path: Path) -> None:
    from thresher.executors.ray import check_shared

    marker = tmp_path / "out" / "_work" / "ray-shared-check-1"
    marker.parent.mkdir(parents=True)
    marker.write_text("another-token")
    with pytest.raises(ThresherError, match="sees another run"):
        check_shared(str(marker), "this-token")
    check_shared(str(marker), "another-token")  # the right token passes


@pytest.mark.parametrize("address", ["localhost", "10.0.0.1:port", "host:0", ":6379"])
def test_malformed_address_is_a_config_error(address: str) -> None:
    from thresher.executors.ray import parse_address

    with pytest.raises(ConfigError, match="is not host:port"):
        parse_address(address)
    assert parse_address("ray://10.0.0.5:10001") == ("10.0.0.5", 10001)


# ---- Ray, without a cluster ------------------------------------------------------------------


@needs_ray
@pytest.mark.ray
def test_wrong_address_fails_fast_with_one_line(tmp_path: Path) -> None:
    import yaml

    from thresher.executors.ray_cluster import free_port

    paths = near_dup_corpus(tmp_path / "in", 1, 5)
    cfg = tmp_path / "p.yaml"
    cfg.write_text(yaml.safe_dump(pipeline(paths, tmp_path / "out")))
    port = free_port()  # nothing listens there
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "thresher.cli", "run", str(cfg), "--executor", "ray",
                           "--address", f"127.0.0.1:{port}", "--quiet"], cwd=ROOT, capture_output=True, check=False,
                          timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    elapsed = time.monotonic() - t0
    err = proc.stderr.decode().strip()
    assert proc.returncode == 1
    assert err.count("\n") == 0 and err.startswith(f"error: no Ray cluster at 127.0.0.1:{port}"), err
    assert elapsed < 20, f"took {elapsed:.1f} s to report a wrong address"
    assert not (tmp_path / "out").exists()  # nothing was touched


@needs_ray
@pytest.mark.ray
def test_stale_cluster_file_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ray._common.utils as ray_utils

    from thresher.executors.ray import resolve_auto
    from thresher.executors.ray_cluster import free_port

    stale = tmp_path / "ray_current_cluster"
    stale.write_text(f"127.0.0.1:{free_port()}")  # what a killed `ray start --head` leaves
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    monkeypatch.setattr(ray_utils, "get_ray_address_file", lambda temp_dir: str(stale))
    with pytest.raises(ThresherError, match="left over from a cluster that was killed"):
        resolve_auto()


# ---- a private local cluster -----------------------------------------------------------------


def _importable(step: Any) -> bool:
    from thresher.registry import step_class

    try:
        step_class(step if isinstance(step, str) else next(iter(step)))
        return True
    except ConfigError:
        return False


@needs_ray
@pytest.mark.ray
def test_demo_on_a_local_ray_cluster_gives_the_local_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from thresher.demo import demo_config, make_crawl

    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    token_file = Path.home() / ".ray" / "auth_token"
    had_token = token_file.exists()
    make_crawl(tmp_path / "data")
    results = {}
    for kind in ("local", "ray"):
        cfg = demo_config(tmp_path / "data", tmp_path / kind)
        cfg["steps"] = [s for s in cfg["steps"] if _importable(s)]  # steps still landing are left out
        results[kind] = Pipeline.from_config(cfg).run(workers=2, executor=kind)
    local, ray_res = results["local"], results["ray"]
    assert local.read > 50 and (local.read, local.kept, local.rejected, local.quarantined) == (
        ray_res.read, ray_res.kept, ray_res.rejected, ray_res.quarantined)
    want = output_bytes(tmp_path / "local")
    assert len(want) >= 4
    assert output_bytes(tmp_path / "ray") == want, differences(tmp_path / "local", tmp_path / "ray")
    assert verify(tmp_path / "ray")[0] == []
    assert not (tmp_path / "ray" / "_work").exists()  # the shared-folder marker went with it
    assert token_file.exists() == had_token  # the private cluster's token stayed private
    assert "RAY_AUTH_TOKEN" not in os.environ


# ---- a two-node cluster on this machine ------------------------------------------------------


@pytest.fixture(scope="module")
def cluster() -> Any:
    if _ray_missing():
        pytest.skip(_ray_missing() or "")
    from thresher.executors.ray_cluster import LocalCluster

    with LocalCluster(nodes=2, cpus=1, pythonpath=[str(ROOT)]) as c:
        yield c


@pytest.fixture
def joined(cluster: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The driver's environment for the cluster (its token)."""
    for k, v in cluster.env.items():
        monkeypatch.setenv(k, v)
    return cluster


@pytest.fixture(scope="module")
def corpus_and_reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], dict[str, bytes]]:
    tmp = tmp_path_factory.mktemp("ray-ref")
    paths = near_dup_corpus(tmp / "in")
    Pipeline.from_config(pipeline(paths, tmp / "ref")).run(workers=2)
    return paths, output_bytes(tmp / "ref")


@needs_ray
@pytest.mark.ray
def test_two_nodes_share_the_shards_and_the_dedup(joined: Any, corpus_and_reference: Any, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    paths, want = corpus_and_reference
    out = tmp_path / "out"
    progress: list[str] = []
    res = Pipeline.from_config(pipeline(paths, out, slow=0.05)).run(
        executor="ray", address=joined.address, progress=lambda ev, info: progress.append(ev))
    assert output_bytes(out) == want
    assert verify(out)[0] == []
    assert res.read == res.kept + res.rejected + res.quarantined and res.quarantined == 6 + 6
    dedup = next(iter(dedup_step()))
    assert any(k.startswith(dedup + ":") for k in res.rejected_by), res.rejected_by
    rows = placement(out)
    nodes = {node for _, _, node, _ in rows}
    with capsys.disabled():
        print(f"\nshard placement on {joined.address} (shard, segment, node, pid):")
        for r in rows:
            print("  ", *r)
    assert len(nodes) == 2, f"shards ran on {nodes} only"
    assert progress.count("shard") == 2 * len(paths) and "reduced" in progress


@needs_ray
@pytest.mark.ray
def test_a_killed_worker_is_retried_and_the_output_is_the_same(joined: Any, corpus_and_reference: Any,
                                                                 tmp_path: Path) -> None:
    paths, want = corpus_and_reference
    out = tmp_path / "out"
    killed: list[int] = []
    stop = threading.Event()

    def killer() -> None:
        # kill -9 the first worker seen running a thresher task (Ray titles the process
        # "ray::thresher_task" while it runs one)
        while not stop.is_set() and not killed:
            for pid in _task_pids():
                try:
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                except ProcessLookupError:
                    continue
                break
            time.sleep(0.02)

    t = threading.Thread(target=killer, daemon=True)
    t.start()
    try:
        Pipeline.from_config(pipeline(paths, out, slow=0.02)).run(executor="ray", address=joined.address)
    finally:
        stop.set()
        t.join()
    assert killed, "no task was running to kill"
    assert output_bytes(out) == want
    assert verify(out)[0] == []
    assert killed[0] not in {pid for *_, pid in placement(out)}  # its shard was redone elsewhere


def _task_pids() -> list[int]:
    pids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if (d / "cmdline").read_bytes().startswith(b"ray::thresher_task"):
                    pids.append(int(d.name))
            except OSError:
                continue
    return pids


class FailingMap(GlobalStep):
    """Fails the map phase of shard 1 every time (a shard-level error, not a document's),
    and leaves one file per attempt so the test can count retries."""

    name = "test_failing_map"

    def map_shard(self, docs: list[Document], ctx: ShardContext) -> None:
        ctx.workdir.mkdir(parents=True, exist_ok=True)
        (ctx.workdir / f"attempt-{ctx.shard_index}-{os.getpid()}-{time.monotonic_ns()}").touch()
        if ctx.shard_index == 1:
            raise RuntimeError("disk quota exceeded")

    def reduce(self, ctx: GlobalContext) -> dict[str, Any]:
        return {}

    def apply_shard(self, docs: list[Document], ctx: ShardContext) -> None:
        return None


@needs_ray
@pytest.mark.ray
def test_a_shard_error_is_not_retried_and_names_shard_and_node(joined: Any, corpus_and_reference: Any,
                                                              tmp_path: Path) -> None:
    paths, _ = corpus_and_reference
    out = tmp_path / "out"
    cfg = {"input": {"paths": paths[:3]}, "steps": [{"tests.executors.test_ray:FailingMap": {}}],
           "output": {"path": str(out), "keep_work": True}}
    with pytest.raises(ThresherError) as err:
        Pipeline.from_config(cfg).run(executor="ray", address=joined.address)
    msg = str(err.value)
    assert "shard part-00001" in msg and "disk quota exceeded" in msg and "on Ray node" in msg, msg
    assert "\n" not in msg
    attempts = list((out / "_work").rglob("attempt-1-*"))
    assert len(attempts) == 1, f"shard 1 ran {len(attempts)} times"
    # the other shards were kept: a rerun would only redo shard 1
    assert (out / "_manifest" / "s0" / "part-00000.json").exists()


@needs_ray
@pytest.mark.ray
@pytest.mark.slow
def test_a_cluster_that_disappears_is_reported_and_the_run_resumes(corpus_and_reference: Any, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from thresher.executors.ray_cluster import LocalCluster

    paths, want = corpus_and_reference
    out = tmp_path / "out"
    with LocalCluster(nodes=1, cpus=1, pythonpath=[str(ROOT)]) as head:
        for k, v in head.env.items():
            monkeypatch.setenv(k, v)

        def kill_head_after_first_shard() -> None:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and not list(out.glob("_manifest/s0/*.json")):
                time.sleep(0.05)
            os.killpg(head.procs[0].pid, signal.SIGKILL)  # the head machine is gone

        threading.Thread(target=kill_head_after_first_shard, daemon=True).start()
        t0 = time.monotonic()
        with pytest.raises(ThresherError, match="stopped answering.*rerun the same command"):
            Pipeline.from_config(pipeline(paths, out, slow=0.05)).run(executor="ray", address=head.address)
        assert time.monotonic() - t0 < 55, "the driver must report before Ray ends it (60 s)"
    # the shards finished before the head died are kept; a rerun (here on the local
    # executor: the folder does not depend on the executor) completes the same bytes
    res = Pipeline.from_config(pipeline(paths, out, slow=0.05)).run(workers=2)
    assert res.shards_skipped >= 1
    assert output_bytes(out) == want
    assert verify(out)[0] == []
