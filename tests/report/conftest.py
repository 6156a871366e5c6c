"""Output folders for the report and inspector tests.

``synthetic_out`` is written with the real writer from documents built here, so every
edit shape (nested steps, repairs, insertions, redactions, flags), every verdict, a
near-duplicate cluster and a hostile document are present whatever stages this build
has. ``demo_out`` is a real run of the default pipeline over the demo crawl (plus the
hostile documents), with the steps of this build that import.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from thresher.document import Document, Edit
from thresher.stages.write import write_records

# Documents whose text, id, URL, labels and signal names try to run script.
HOSTILE_TEXT = (
    "Totally normal page. <script>window.__pwned = 1; console.log('PWNED-script')</script> "
    "<img src=x onerror=\"window.__pwned = 2; console.log('PWNED-img')\"> "
    "<a href=\"javascript:window.__pwned=3\">click me</a> "
    "<svg onload=\"window.__pwned=4\"></svg> and the end of the page </textarea></title></style>."
)
HOSTILE_ID = "hostile-<script>window.__pwned=5</script>"
HOSTILE_URL = "javascript:window.__pwned=6"


def _doc(doc_id: str, text: str, url: str = "https://example.org/a", **signals: Any) -> Document:
    d = Document(id=doc_id, text=text, url=url, source=f"synthetic:{doc_id}")
    d.signals.update(signals)
    return d


def _find(text: str, sub: str) -> tuple[int, int]:
    i = text.index(sub)
    return i, i + len(sub)


def synthetic_docs() -> list[Document]:
    """Kept, rejected and quarantined documents with every kind of edit."""
    docs: list[Document] = []
    # a repair, then a removal of the sentence that holds it, then a redaction and a flag
    t = ("The bakers son said thats the best loaf. Subscribe to our newsletter today! "
         "Write to jo@example.com for the recipe. Ancient tienne bread was dense.")
    d = _doc("edited-1", t, "https://www.bakery.example/loaf", **{"language.language": "en",
                                                                   "gopher_quality.n_words": 30.0})
    s1, e1 = _find(t, "bakers")
    s2, e2 = _find(t, "thats")
    s3 = t.index("Subscribe")
    d.apply_edits("restore_deleted_chars", [
        Edit(s1, e1, "replace", "apostrophe", "a possessive lost its apostrophe", "baker's"),
        Edit(s2, e2, "replace", "apostrophe", "a contraction lost its apostrophe", "that's"),
        Edit(s2 + 5, s2 + 5, "replace", "comma", "an inserted comma", ","),
    ])
    t2 = d.text
    a, b = _find(t2, "said that's, the best loaf. ")
    c, e = _find(t2, "Subscribe to our newsletter today! ")
    d.apply_edits("clean_furniture", [
        Edit(a + 5, b, "flag", "suspicious", "a flag inside the text"),
        Edit(c, e, "remove", "call_to_action", "asks the reader to subscribe"),
    ])
    t3 = d.text
    m, n = _find(t3, "jo@example.com")
    f, g = _find(t3, "tienne")
    d.apply_edits("redact_pii", [Edit(m, n, "redact", "email", "an e-mail address", "[EMAIL]")])
    t4 = d.text
    f, g = _find(t4, "tienne")
    d.apply_edits("restore_deleted_chars_2", [Edit(f, g, "flag", "damaged", "a leading letter was deleted")])
    assert s3  # the removed sentence exists in the original
    docs.append(d)
    # kept documents: different languages, domains, lengths
    for i in range(30):
        lang = "de" if i % 5 == 0 else "en"
        body = ("Ein ruhiger Satz über Brot. " if lang == "de" else "A calm sentence about bread. ") * (1 + i)
        docs.append(_doc(f"kept-{i:02d}", body, f"https://site{i % 3}.example/p{i}",
                         **{"language.language": lang, "gopher_quality.n_words": float(5 * (1 + i)),
                            "near_dedup.cluster_id": 100 + i, "near_dedup.cluster_size": 1}))
    # a near-duplicate cluster: one kept, two rejected
    base = "The river rose in the night. The bridge was closed at dawn. Buses ran on the old road."
    variants = [base, base + " A ferry took the rest.", base.replace("dawn", "six")]
    for i, v in enumerate(variants):
        d = _doc(f"dup-{i}", v, f"https://news{i}.example/river", **{
            "language.language": "en", "gopher_quality.n_words": 18.0,
            "near_dedup.cluster_id": 7, "near_dedup.cluster_size": 3})
        if i:
            d.reject("near_dedup", "near_duplicate")
        docs.append(d)
    # rejected by a filter, several reasons on one document
    for i in range(6):
        d = _doc(f"short-{i}", "Too short." * (i + 1), f"https://spam.example/{i}",
                 **{"language.language": "en", "gopher_quality.n_words": float(2 * (i + 1))})
        if i == 0:
            d.apply_edits("clean_furniture", [Edit(0, 10, "remove", "boilerplate", "a repeated fragment")])
        if i % 2:
            d.reject("gopher_quality", "too_few_words", "no_stop_words")
        else:
            d.reject("gopher_quality", "too_few_words")
        docs.append(d)
    # hostile: kept, and rejected with hostile reasons and signals
    h = _doc(HOSTILE_ID, HOSTILE_TEXT, HOSTILE_URL, **{"language.language": "<b>en</b>",
                                                         "gopher_quality.n_words": 40.0})
    hs, he = _find(HOSTILE_TEXT, "<script>window.__pwned = 1; console.log('PWNED-script')</script>")
    h.apply_edits("clean_<script>x</script>", [
        Edit(hs, he, "remove", "<img src=x onerror=window.__pwned=7>", "\"><script>window.__pwned=8</script>")])
    h.metadata["title"] = "<script>window.__pwned=9</script>"
    docs.append(h)
    h2 = _doc("hostile-rejected", HOSTILE_TEXT, "https://evil.example/<script>", **{
        "language.language": "en", "<script>evil</script>.n": 1.0})
    h2.reject("gopher_quality", "<script>window.__pwned=10</script>")
    docs.append(h2)
    q = _doc("broken", "half a record", "")
    q.quarantine("read", "read: invalid JSON <script>window.__pwned=11</script> at column 3")
    docs.append(q)
    return docs


def write_output(out: Path, docs: list[Document], fmt: str = "parquet", stats: bool = True) -> Path:
    """Write ``docs`` as a run would (kept/, rejected/, quarantine/, stats.json)."""
    ext = {"parquet": ".parquet", "jsonl": ".jsonl", "jsonl.gz": ".jsonl.gz"}[fmt]
    by = {"kept": [d for d in docs if d.verdict.status == "kept"],
          "rejected": [d for d in docs if d.verdict.status == "rejected"],
          "quarantine": [d for d in docs if d.verdict.status == "quarantined"]}
    for sub, group in by.items():
        write_records(out / sub / f"part-00000{ext}", group, fmt)
    if stats:
        rejected_by: dict[str, int] = {}
        for d in by["rejected"]:
            k = f"{d.verdict.step}:{d.verdict.reasons[0]}"
            rejected_by[k] = rejected_by.get(k, 0) + 1
        n = len(docs)
        stats_json = {
            "totals": {"read": n, "kept": len(by["kept"]), "rejected": len(by["rejected"]),
                       "quarantined": len(by["quarantine"])},
            "rejected_by": rejected_by,
            "steps": [
                {"step": "restore_deleted_chars", "name": "restore_deleted_chars", "seen": n - 1,
                 "dropped": {}, "quarantined": 0, "edited_docs": 1,
                 "edits": {"replace:apostrophe": 2, "replace:comma": 1}, "chars_in": 5000, "seconds": 0.01},
                {"step": "gopher_quality", "name": "gopher_quality", "seen": n - 1,
                 "dropped": {"too_few_words": 6, "<script>window.__pwned=10</script>": 1}, "quarantined": 0,
                 "edited_docs": 0, "edits": {}, "chars_in": 5000, "seconds": 0.02},
                {"step": "near_dedup", "name": "near_dedup", "seen": n - 8, "dropped": {"near_duplicate": 2},
                 "quarantined": 0, "edited_docs": 0, "edits": {}, "chars_in": 4000, "seconds": 0.005},
            ],
            "global": {"near_dedup": {"clusters": 31, "seconds": 0.01}},
            "reader": {"skipped_records": {}},
            "shards": 1,
            "seconds": 0.1,
        }
        (out / "stats.json").write_text(json.dumps(stats_json), encoding="utf-8")
    return out


@pytest.fixture(scope="session")
def synthetic_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_output(tmp_path_factory.mktemp("synthetic") / "out", synthetic_docs())


def hostile_jsonl(path: Path) -> Path:
    """A JSONL input with the hostile documents, for a real run."""
    rows = [
        {"id": "hostile-script", "url": HOSTILE_URL,
         "text": HOSTILE_TEXT + " " + "A plain sentence that makes the page long enough to keep. " * 8},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def importable_steps(specs: list[Any]) -> list[Any]:
    """The steps of ``specs`` that this build can import (others are landing in parallel)."""
    from thresher.errors import ConfigError
    from thresher.registry import step_class

    out = []
    for s in specs:
        name = s if isinstance(s, str) else next(iter(s))
        try:
            step_class(name)
        except ConfigError:
            continue
        out.append(s)
    return out


@pytest.fixture(scope="session")
def demo_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real run of the default pipeline over the demo crawl plus the hostile documents."""
    from thresher.demo import demo_config, make_crawl
    from thresher.pipeline import Pipeline

    root = tmp_path_factory.mktemp("demo")
    data = root / "data"
    make_crawl(data)
    cfg = demo_config(data, root / "out")
    cfg["steps"] = importable_steps(cfg["steps"])
    cfg["input"]["paths"].append(str(hostile_jsonl(data / "hostile.jsonl")))
    Pipeline.from_config(cfg).run(workers=1, overwrite=True)
    return root / "out"
