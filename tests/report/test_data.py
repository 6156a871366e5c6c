"""Loading an output folder: the index columns, and clear errors for bad folders."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.report.conftest import synthetic_docs, write_output
from thresher.report.data import OutputFolderError, domain_of, open_folder


def test_index_columns_match_the_documents(synthetic_out: Path) -> None:
    folder = open_folder(synthetic_out)
    idx = folder.index
    docs = {d.id: d for d in synthetic_docs()}
    assert idx.n == len(docs) and set(idx.ids) == set(docs)
    for row, doc_id in enumerate(idx.ids):
        d = docs[doc_id]
        assert idx.length[row] == len(d.text)
        assert ("kept", "rejected", "quarantined")[idx.status[row]] == d.verdict.status
        want = "" if d.verdict.status == "kept" else f"{d.verdict.step}:{d.verdict.reasons[0]}"
        assert idx.reasons[idx.reason[row]] == want
    assert len(idx.text.chunks) >= 3  # one per file: texts() must find the right chunk
    rows = np.arange(idx.n)[::-1]
    assert idx.texts(rows) == [docs[idx.ids[r]].text for r in rows]
    row = idx.row_of["edited-1"]
    assert idx.languages[idx.language[row]] == "en"
    assert idx.domains[idx.domain[row]] == "bakery.example"
    assert idx.signals["gopher_quality.n_words"][row] == 30.0
    assert np.isnan(idx.signals["gopher_quality.n_words"][idx.row_of["broken"]])
    # numeric cluster ids are labels, not quantities
    assert "near_dedup.cluster_id" in idx.labels and "near_dedup.cluster_id" not in idx.signals
    assert idx.labels["near_dedup.cluster_id"][idx.row_of["dup-1"]] == "7"


def test_document_reads_back_the_full_record(synthetic_out: Path) -> None:
    folder = open_folder(synthetic_out)
    doc = folder.document(folder.index.row_of["edited-1"])
    want = synthetic_docs()[0]
    assert doc.text == want.text and doc.original_text() == want.original_text()
    assert [g.step for g in doc.edits] == [g.step for g in want.edits]


def test_jsonl_folder_gives_the_same_index(tmp_path: Path, synthetic_out: Path) -> None:
    out = write_output(tmp_path / "out", synthetic_docs(), fmt="jsonl.gz")
    a, b = open_folder(out).index, open_folder(synthetic_out).index
    assert a.ids == b.ids and (a.length == b.length).all() and a.reasons == b.reasons
    assert open_folder(out).document(a.row_of["edited-1"]).original_text() == synthetic_docs()[0].original_text()


def test_missing_folder_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(OutputFolderError, match="no such folder"):
        open_folder(tmp_path / "nope")
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(OutputFolderError, match="not a folder"):
        open_folder(tmp_path / "file.txt")
    (tmp_path / "empty").mkdir()
    with pytest.raises(OutputFolderError, match="not a thresher output folder"):
        open_folder(tmp_path / "empty")


def test_incomplete_run_loads_with_a_warning(tmp_path: Path) -> None:
    out = write_output(tmp_path / "out", synthetic_docs(), stats=False)
    folder = open_folder(out)
    assert any("did not finish" in w for w in folder.warnings)
    t = folder.totals()
    assert t["read"] == len(synthetic_docs()) == t["kept"] + t["rejected"] + t["quarantined"]


def test_older_or_damaged_stats_load_with_a_warning(tmp_path: Path, synthetic_out: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(synthetic_out, out)
    (out / "stats.json").write_text(json.dumps({"totals": {"read": 3}}))
    folder = open_folder(out)
    assert any("older version" in w for w in folder.warnings)
    assert folder.totals()["read"] == len(synthetic_docs())  # incomplete totals: counted from files
    (out / "stats.json").write_text("{not json")
    assert any("unreadable" in w for w in open_folder(out).warnings)


def test_a_damaged_file_does_not_hide_the_others(tmp_path: Path, synthetic_out: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(synthetic_out, out)
    (out / "rejected" / "part-00000.parquet").write_bytes(b"PAR1 not really")
    folder = open_folder(out)
    idx = folder.index
    assert "edited-1" in idx.row_of and "short-0" not in idx.row_of
    assert any("rejected/part-00000.parquet: unreadable" in w for w in folder.warnings)


@pytest.mark.parametrize(("url", "host"), [
    ("https://www.Example.org/x", "example.org"), ("http://a.b.example:8080/", "a.b.example"),
    ("javascript:alert(1)", ""), ("", ""), ("http://[::1", ""),
])
def test_domain_of(url: str, host: str) -> None:
    assert domain_of(url) == host


def test_signals_whose_type_changes_between_documents(tmp_path: Path) -> None:
    """A step that records a flag as True in one document and 3 in another: Arrow's JSON
    reader refuses the column, and the per-document path reads it."""
    from thresher.document import Document

    docs = [Document(id="a", text="x", signals={"s.v": True, "s.lang_code": "en"}),
            Document(id="b", text="yy", signals={"s.v": 3, "lid.lang": "de"}),
            Document(id="c", text="zzz", signals={"s.v": "high", "s.inf": float("inf")})]
    out = write_output(tmp_path / "out", docs)
    idx = open_folder(out).index
    assert list(idx.signals["s.v"][:2]) == [1.0, 3.0] and np.isnan(idx.signals["s.v"][2])
    assert [idx.languages[c] for c in idx.language] == ["en", "de", ""]


def test_index_without_texts_keeps_the_lengths(synthetic_out: Path) -> None:
    full, lean = open_folder(synthetic_out).index, open_folder(synthetic_out, keep_text=False).index
    assert (full.length == lean.length).all() and lean.text.null_count == lean.n
