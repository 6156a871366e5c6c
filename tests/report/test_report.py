"""report.html: self-contained, complete, escaped; a bad folder never fails a run."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.report.conftest import synthetic_docs, write_output
from thresher.report import build_report, write_report
from thresher.report.data import OutputFolderError


@pytest.fixture(scope="module")
def report(synthetic_out: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = build_report(synthetic_out, tmp_path_factory.mktemp("rep") / "report.html")
    return path.read_text(encoding="utf-8")


def test_report_is_self_contained_and_runs_no_script(report: str) -> None:
    assert "<script" not in report.lower()
    # no external asset: every src/href is a fragment or absent
    assert not re.search(r"""\b(src|href)\s*=\s*["']?(https?:|//|/)""", report, re.IGNORECASE)
    assert re.search(r"Content-Security-Policy\" content=\"default-src 'none'", report)
    assert "<link" not in report and "@import" not in report


def test_report_shows_totals_funnel_histograms_and_samples(report: str) -> None:
    docs = synthetic_docs()
    kept = sum(d.verdict.status == "kept" for d in docs)
    assert f'data-status="kept">{kept}<' in report
    assert 'id="funnel"' in report and "near_dedup" in report and "too_few_words <b>6</b>" in report
    hists = re.findall(r'<svg[^>]*class="hist"[^>]*aria-label="([^"]+)"', report)
    assert hists[0] == "length" and "gopher_quality.n_words" in hists
    # samples per reason, the removed spans marked in them
    reasons = re.findall(r'<details class="reason" data-reason="([^"]+)"', report)
    assert set(reasons) >= {"gopher_quality:too_few_words", "near_dedup:near_duplicate", "read:error"}
    assert report.count('class="sample"') <= 3 * len(reasons)
    assert 'data-action="remove" data-label="boilerplate"' in report  # a rejected sample's removed span
    assert "read: invalid JSON" in report  # the quarantine error
    langs = re.search(r'<table id="languages">(.*?)</table>', report, re.DOTALL)
    assert langs and "<td>en</td>" in langs.group(1) and "<td>de</td>" in langs.group(1)


def test_report_escapes_hostile_documents(report: str) -> None:
    assert "window.__pwned" in report  # the hostile text is there, as text
    for bad in ("<img", "<svg onload", "<a href=\"javascript", "</textarea>", "<b>en</b>"):
        assert bad not in report


def test_report_size_does_not_grow_with_the_text(tmp_path: Path) -> None:
    docs = synthetic_docs()
    for d in docs:
        d.text = d.text * 40  # long documents: samples are cut
    out = write_output(tmp_path / "out", docs)
    size = build_report(out).stat().st_size
    assert size < 400_000, size


def test_write_report_never_raises_and_logs(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="thresher.report"):
        path = write_report(tmp_path / "missing")
    assert not path.exists()
    assert "report not written" in caplog.text and "no such folder" in caplog.text


def test_build_report_raises_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(OutputFolderError, match="no such folder"):
        build_report(tmp_path / "missing")


def test_report_of_an_incomplete_run_says_so(tmp_path: Path) -> None:
    out = write_output(tmp_path / "out", synthetic_docs(), stats=False)
    html = build_report(out).read_text(encoding="utf-8")
    assert "did not finish" in html and "No per-step statistics" in html


def test_cli_report(tmp_path: Path, synthetic_out: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(synthetic_out, out)
    exe = [sys.executable, "-m", "thresher.cli"]
    ok = subprocess.run([*exe, "report", str(out)], capture_output=True, text=True, timeout=60, check=False)
    assert ok.returncode == 0, ok.stderr
    assert (out / "report.html").exists() and "report written to" in ok.stdout
    bad = subprocess.run([*exe, "report", str(tmp_path / "nope")], capture_output=True, text=True, timeout=60, check=False)
    assert bad.returncode == 1
    assert bad.stderr.strip().splitlines() == [f"error: {tmp_path / 'nope'}: no such folder"]
