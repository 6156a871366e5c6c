"""The demo crawl through the default pipeline: every planted problem is handled."""

from __future__ import annotations

from pathlib import Path

import pytest

from thresher import Pipeline
from thresher.demo import demo_config, make_crawl
from thresher.stages.write import read_records
from thresher.verify import verify


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    tmp = tmp_path_factory.mktemp("demo")
    make_crawl(tmp / "data")
    cfg = demo_config(tmp / "data", tmp / "out")
    result = Pipeline.from_config(cfg).run(workers=2)
    docs = {d.id: d for kind in ("kept", "rejected", "quarantine") for p in sorted((tmp / "out" / kind).glob("*"))
            for d in read_records(p)}
    return tmp / "out", {"result": result, "docs": docs}


def test_accounting_and_verify(demo_run: tuple[Path, dict[str, object]]) -> None:
    out, run = demo_run
    result = run["result"]
    assert result.read == 90 == result.kept + result.rejected + result.quarantined  # type: ignore[attr-defined]
    assert verify(out)[0] == []
    assert (out / "report.html").exists()


def test_planted_problems_are_caught(demo_run: tuple[Path, dict[str, object]]) -> None:
    _, run = demo_run
    by = run["result"].rejected_by  # type: ignore[attr-defined]
    assert by.get("exact_dedup:exact_duplicate") == 4  # four mirrored pages
    assert by.get("near_dedup:near_duplicate") == 4  # four syndicated copies with a phrase added
    assert by.get("language:language_not_in_list") == 2  # the German and French pages
    assert by.get("extract:extract_not_html") == 1  # the PDF
    assert by.get("mashup_filter:multi_source_mashup") == 1
    docs = run["docs"]
    assert docs["salad"].verdict.reasons == ["multi_source_mashup"]  # type: ignore[index,attr-defined]
    spam = [d for d in docs.values() if (d.url or "").startswith("https://spam.")]  # type: ignore[attr-defined]
    assert spam and spam[0].verdict.status == "rejected" and spam[0].verdict.step == "gopher_repetition"
    errors = sorted(d.error for d in docs.values() if d.verdict.status == "quarantined")  # type: ignore[attr-defined]
    assert len(errors) == 3
    assert any("truncated record" in e for e in errors)
    assert any("invalid JSON" in e for e in errors) and any("invalid UTF-8" in e for e in errors)


def test_repairs_and_furniture_are_edits(demo_run: tuple[Path, dict[str, object]]) -> None:
    _, run = demo_run
    docs = run["docs"]
    moji = docs["mojibake"]  # type: ignore[index]
    assert "café" in moji.text and "Ã" not in moji.text
    pii = docs["pii"]  # type: ignore[index]
    assert "jane.doe@example.org" not in pii.text and "555" not in pii.text
    assert "jane.doe@example.org" in pii.original_text()
    damaged = docs["deleted-chars"]  # type: ignore[index]
    labels = {e.label for g in damaged.edits for e in g.edits}
    assert "apostrophe" in labels
    # restored where the lexicon is sure; "bakers son" (one baker or several?) is left alone
    assert "that’s" in damaged.text and "city’s" in damaged.text and "didn’t" in damaged.text
    # HTML pages lose their navigation and cookie banner in extraction
    page = next(d for d in docs.values() if (d.url or "").endswith("/articles/3"))  # type: ignore[attr-defined]
    assert "cookies" not in page.text and "About us" not in page.text and len(page.text) > 300
