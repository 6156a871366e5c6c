"""End-to-end tests of the command line, and of its documentation."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str, stdin: str | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "thresher.cli", *args], input=stdin, capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=300)


def test_run_verify_end_to_end(tmp_path: Path) -> None:
    data = tmp_path / "in.jsonl"
    data.write_text("".join(json.dumps({"id": str(i), "text": f"text number {i} " * (i % 4)}) + "\n"
                            for i in range(20)) + "{bad\n")
    cfg = tmp_path / "p.yaml"
    cfg.write_text(yaml.safe_dump({
        "input": {"paths": ["in.jsonl"]},  # relative to the configuration file
        "steps": [{"tests.support.steps:MinWords": {"min_words": 3}}],
        "output": {"path": str(tmp_path / "out"), "format": "jsonl"},
    }))
    r = cli("run", str(cfg), "--workers", "1", "--quiet")
    assert r.returncode == 0, r.stderr
    assert re.search(r"read\s*\S\s*21\b", r.stderr) and re.search(r"quarantined\s*\S\s*1\b", r.stderr)
    v = cli("verify", str(tmp_path / "out"))
    assert v.returncode == 0 and v.stdout.startswith("OK") and "read 21 = kept 15 + rejected 5 + quarantined 1" in v.stdout
    kept = (tmp_path / "out" / "kept" / "part-00000.jsonl").read_text().splitlines()
    assert len(kept) == 15 and json.loads(kept[0])["status"] == "kept"


def test_verify_fails_with_exit_1(tmp_path: Path) -> None:
    r = cli("verify", str(tmp_path))
    assert r.returncode == 1 and r.stderr.startswith("FAIL") and "plan.json" in r.stderr


@pytest.mark.parametrize("config, message", [
    ({"steps": ["no_such_step"]}, "unknown step 'no_such_step'; valid steps:"),
    ({"steps": [{"tests.support.steps:MinWords": {"min_words": -1}}]}, "min_words: Input should be greater than or equal to 0"),
    ({"steps": [{"tests.support.steps:MinWords": {"min_wrds": 1}}]}, "min_wrds: unknown parameter; valid: min_words"),
    ({"input": {"paths": ["x"], "format": "csv"}}, "input.format 'csv' is unknown"),
    ({"outputs": {}}, "unknown key 'outputs'"),
    ({"output": {"format": "xml"}}, "format: Input should be 'parquet', 'jsonl' or 'jsonl.gz'"),
    ({"input": {"paths": ["/nonexistent/*.jsonl"]}}, "/nonexistent/*.jsonl: no such file"),
])
def test_bad_configuration_is_one_line(tmp_path: Path, config: dict[str, object], message: str) -> None:
    cfg = tmp_path / "p.yaml"
    config.setdefault("output", {"path": str(tmp_path / "out")})
    cfg.write_text(yaml.safe_dump(config))
    r = cli("run", str(cfg), "--quiet")
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("error: "), r.stderr
    assert message in r.stderr
    assert not (tmp_path / "out" / "kept").exists()  # stopped before any work


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    cfg = tmp_path / "p.yaml"
    cfg.write_text("steps:\n  - a: [\n")
    r = cli("run", str(cfg))
    assert r.returncode == 1 and "invalid YAML at line" in r.stderr


def test_explain_stdin_gives_the_documented_shape() -> None:
    text = "A first sentence of the page. Then another one."
    r = cli("explain", "-", "--config", str(ROOT / "tests" / "support" / "explain_digits.yaml"), stdin=text + " 123")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert set(out) == {"text", "edits", "verdict", "signals"}
    assert out["text"] == text + " "
    (e,) = out["edits"]
    assert {k: e[k] for k in ("start", "end", "action", "label", "original", "replacement")} == {
        "start": len(text) + 1, "end": len(text) + 4, "action": "remove", "label": "digits",
        "original": "123", "replacement": ""}
    assert out["verdict"] == {"keep": True, "reasons": []}


def test_explain_missing_file() -> None:
    r = cli("explain", "/no/such/file.txt")
    assert r.returncode == 1 and r.stderr.strip() == "error: /no/such/file.txt: cannot read (No such file or directory)"


def test_every_command_is_documented_in_the_readme() -> None:
    from thresher.cli import app

    readme = (ROOT / "README.md").read_text()
    commands = [c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands]
    assert commands
    for name in commands:
        assert re.search(rf"### `thresher {name}\b", readme), f"`thresher {name}` has no section in README.md"
        r = cli(name, "--help")
        assert r.returncode == 0 and "Example" in r.stdout, f"thresher {name} --help gives no example"
