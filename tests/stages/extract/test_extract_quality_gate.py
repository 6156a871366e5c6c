"""Quality gate: extraction F1 on the two public evaluation sets must not regress.

Scored exactly as ``benchmarks/extraction.py`` scores them (the scorers live in
:mod:`thresher.stages.extract.evaluation`). The fast path is gated on every page of both
sets; the default mode (which also runs trafilatura on the pages it escalates) on a fixed
subset, every third trafilatura page and every second AEB page in key order, to keep the
gate under a minute. The pinned minima are the scores measured when the gate was last
set (fast path: trafilatura set 0.915, AEB 0.967; default mode on the subsets: 0.932
and 0.973) minus a tolerance. Extraction is deterministic, so the tolerance is not
sampling noise but room for dependency drift: 0.005 for the fast path (thresher's own
code over lexbor) and 0.01 for the default mode (which also runs trafilatura, whose
releases move scores by about that much). The evaluation files are pinned by SHA-256,
so a changed corpus fails loudly instead of moving the scores silently.

Skipped with a message where ../shared/data is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from thresher.document import Document
from thresher.stages.extract import evaluation as ev
from thresher.stages.extract.extract import Extract

pytestmark = [pytest.mark.shared, pytest.mark.slow]

DIGESTS = {
    ("aeb", "ground-truth.json"): "2b7b8009be8c0d048e71c8f29884e3ac2196e5e8df0824cc56b0a3505ac6544a",
    ("aeb", "html/*.html.gz"): "ef7484bf8fb43014127f8350e7a7e2f0f6b5223308793584eef5d90896a7b49a",
    ("trafilatura-eval", "evaldata.json"): "c1511c45167057ca4f5b54a9403257637eeab4980ffa71bde050d404b588f503",
    ("trafilatura-eval", "eval/*"): "77587e7263f28b789ebbe51a7e2a4b0e051494d1cb7af63d4d0e266cbf2de02a",
    ("trafilatura-eval", "cache/*"): "7690d19f89f4f54c5c7891d5e2622f211507dae07752c4a19d68d20574c7f39a",
}

# (mode, set) -> minimum F1 = measured - tolerance (see the module docstring)
MINIMUM_F1 = {
    ("fast", "trafilatura-eval"): 0.915 - 0.005,
    ("fast", "aeb"): 0.967 - 0.005,
    ("accurate", "trafilatura-eval"): 0.932 - 0.01,
    ("accurate", "aeb"): 0.973 - 0.01,
}


@pytest.fixture(scope="module")
def extraction_dir(shared_dir: Path) -> Path:
    folder = shared_dir / "data" / "extraction"
    for (sub, pattern), digest in DIGESTS.items():
        got = ev.files_digest(folder / sub, pattern)
        assert got == digest, f"{sub}/{pattern} changed (sha256 {got}): re-measure and re-pin the gate"
    return folder


@pytest.fixture(scope="module")
def pages(extraction_dir: Path) -> dict[str, list[ev.Page]]:
    return {
        "trafilatura-eval": ev.load_trafilatura_eval(extraction_dir / "trafilatura-eval"),
        "aeb": ev.load_aeb(extraction_dir / "aeb"),
    }


def _extract(mode: str, pages: list[ev.Page]) -> list[str]:
    step = Extract(mode=mode)
    docs = [Document(p.key, "", url=p.url, raw=p.html) for p in pages]
    step(docs)
    return [d.text for d in docs]


# (mode) -> (trafilatura-eval step, AEB step): which pages, in key order
SUBSET = {"fast": (1, 1), "accurate": (3, 2)}


@pytest.mark.parametrize("mode", ["fast", "accurate"])
def test_f1_does_not_regress(mode: str, pages: dict[str, list[ev.Page]]) -> None:
    every_traf, every_aeb = SUBSET[mode]
    traf = pages["trafilatura-eval"][::every_traf]
    texts = _extract(mode, traf)
    f1_traf = ev.segment_score(ev.segment_counts(p, t) for p, t in zip(traf, texts)).f1
    aeb = pages["aeb"][::every_aeb]
    texts = _extract(mode, aeb)
    f1_aeb = ev.aeb_score(ev.shingle_counts(p.gold_text, t) for p, t in zip(aeb, texts)).f1
    assert f1_traf >= MINIMUM_F1[(mode, "trafilatura-eval")], f"{mode}: trafilatura-eval F1 {f1_traf:.4f}"
    assert f1_aeb >= MINIMUM_F1[(mode, "aeb")], f"{mode}: AEB F1 {f1_aeb:.4f}"


def test_scorers_reproduce_the_published_method() -> None:
    """Small worked cases for both scorers, so that a change to them is noticed."""
    gold = "one two three four five"
    assert ev.shingle_counts(gold, gold) == (1.0, 0.0, 0.0)
    tp, fp, fn = ev.shingle_counts(gold, "one two three four six")  # 1 of 2 shingles right
    assert (tp, fp, fn) == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    s = ev.aeb_score([(1.0, 0.0, 0.0), (0.5, 0.5, 0.0)])
    assert (s.precision, s.recall) == pytest.approx((0.75, 1.0))
    page = ev.Page("k", b"", "", keep=("must  keep", "also"), drop=("drop me",))
    assert ev.segment_counts(page, "we must\nkeep this; drop me") == (1, 1, 1, 0)
    assert ev.segment_counts(page, "") == (0, 2, 0, 1)
