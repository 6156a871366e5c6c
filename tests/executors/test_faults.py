"""Fault injection: a full disk, an output that turns read-only mid-run, a corrupted file.

Each fault must end in a clear error or a repaired rerun, never in silently wrong output.
The file-system faults use a small tmpfs mounted for the test (root only; skipped else).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.executors.test_local import ROOT, S, STEPS, config, corpus, output_bytes
from thresher import Pipeline
from thresher.errors import ThresherError
from thresher.verify import verify


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(mnt)], capture_output=True)
    if r.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def remount(mnt: Path, opts: str) -> None:
    # a read-only remount is refused while a file is open for writing: retry briefly
    deadline = time.monotonic() + 20
    while True:
        r = subprocess.run(["mount", "-o", f"remount,{opts}", str(mnt)], capture_output=True, text=True)
        if r.returncode == 0:
            return
        if "busy" not in r.stderr or time.monotonic() > deadline:
            raise AssertionError(f"remount {opts} failed: {r.stderr}")
        time.sleep(0.001)


def big_corpus(tmp: Path) -> list[str]:
    return corpus(tmp / "in", n_files=6, per_file=400)


def test_full_disk_stops_with_a_clear_error_and_resumes(tmp_path: Path, small_fs: Path) -> None:
    paths = big_corpus(tmp_path)
    ref = tmp_path / "ref"
    Pipeline.from_config(config(paths, ref, STEPS)).run(workers=1)
    out = small_fs / "out"
    with pytest.raises(ThresherError, match="No space left on device"):
        Pipeline.from_config(config(paths, out, STEPS)).run(workers=2)
    assert verify(out)[0], "an interrupted run must not verify"
    remount(small_fs, "size=32m")
    Pipeline.from_config(config(paths, out, STEPS)).run(workers=2)
    assert output_bytes(out) == output_bytes(ref)
    assert verify(out)[0] == []


def test_output_turning_read_only_mid_run(tmp_path: Path, small_fs: Path) -> None:
    remount(small_fs, "size=32m")
    paths = big_corpus(tmp_path)
    steps = [{f"{S}:Slow": {"seconds": 0.0005}}, *STEPS]
    ref = tmp_path / "ref"
    Pipeline.from_config(config(paths, ref, steps)).run(workers=1)
    out = small_fs / "out"
    cfg = tmp_path / "p.yaml"
    cfg.write_text(yaml.safe_dump(config(paths, out, steps)))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "thresher.cli", "run", str(cfg), "-w", "2", "-q"], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not list((out / "_manifest").rglob("*.json")) if (out / "_manifest").exists() else True:
        assert proc.poll() is None and time.monotonic() < deadline, "the run ended before the fault"
        time.sleep(0.002)
    remount(small_fs, "ro")
    _, err = proc.communicate(timeout=120)
    remount(small_fs, "rw")
    assert proc.returncode == 1
    assert err.decode().startswith("error: ") and "Read-only file system" in err.decode()
    Pipeline.from_config(config(paths, out, steps)).run(workers=2)
    assert output_bytes(out) == output_bytes(ref)
    assert verify(out)[0] == []


@pytest.mark.parametrize("damage", ["truncate", "flip", "delete", "manifest"])
def test_corruption_is_detected_and_repaired(tmp_path: Path, damage: str) -> None:
    paths = corpus(tmp_path / "in", n_files=3, per_file=30)
    out = tmp_path / "out"
    Pipeline.from_config(config(paths, out, STEPS)).run(workers=2)
    want = output_bytes(out)
    victim = sorted((out / "rejected").iterdir())[0]
    if damage == "truncate":
        victim.write_bytes(victim.read_bytes()[: victim.stat().st_size // 2])
    elif damage == "flip":
        b = bytearray(victim.read_bytes())
        b[len(b) // 2] ^= 0xFF
        victim.write_bytes(bytes(b))
    elif damage == "delete":
        victim.unlink()
    else:
        (out / "_manifest" / "s1" / "part-00002.json").write_text("{not json")
    problems, _ = verify(out)
    assert problems, f"verify missed the damage ({damage})"
    Pipeline.from_config(config(paths, out, STEPS)).run(workers=2)
    assert output_bytes(out) == want
    assert verify(out)[0] == []
