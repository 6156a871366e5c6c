"""Benchmark of the report and the inspector at 100,000 documents.

Run from the project root (needs Debian's chromium for the load time):

    .venv/bin/python benchmarks/report_scale.py [--docs 100000] [--keep DIR]

1. Builds a synthetic output folder of N documents with the real writer (10 shards of
   kept and rejected Parquet files and stats.json): English-like text of 30-2,000
   words, a dozen numeric signals from four steps, a language label, near-duplicate
   cluster ids, edits on a third of the documents, a quarter of them rejected for one of
   nine reasons, a few quarantined.
2. Writes report.html and prints its size (target: under 5 MB) and the time Chromium
   takes to load it from disk (target: under 2 s), as the navigation timing's
   ``loadEventEnd`` (median of 3 cold loads, a new browser context each time).
3. The inspector on the same folder: time to load the columnar index, then requests
   over HTTP (in process): the list page, a facet filter, a signal range, a full-text
   search, a document page.

The peers have nothing to compare a report with (datatrove writes JSON statistics and
has a terminal pager; NeMo Curator reports pipeline metrics only), so the comparison
is with the naive way of serving the same pages: reading every record back as a
Document (``thresher.stages.write.read_records``, every JSON column parsed) for each
query, against loading the columns once.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from thresher.document import Document, Edit
from thresher.stages.write import read_records, write_records

WORDS = ["the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "as", "was", "with", "be", "by", "on", "not", "he", "this", "are", "or", "his", "from", "at", "which", "but", "have", "an", "they", "you", "were", "her", "she", "there", "been", "one", "all", "we", "their", "has", "would", "when", "if", "so", "no", "will", "more", "about", "bread", "river", "garden", "telescope", "bicycle", "market", "winter", "morning", "station", "library", "museum", "village", "history", "century", "government", "science", "language", "water", "country", "family", "school", "people", "city", "world", "house"]
REASONS = [("gopher_quality", "too_few_words"), ("gopher_quality", "no_stop_words"),
           ("gopher_repetition", "dup_line_frac"), ("gopher_repetition", "top_2_gram"),
           ("c4_quality", "too_few_sentences"), ("fineweb_quality", "short_line_ratio"),
           ("mashup_filter", "multi_source_mashup"), ("exact_dedup", "exact_duplicate"),
           ("near_dedup", "near_duplicate")]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _doc(rng: random.Random, i: int) -> Document:
    n = int(rng.lognormvariate(5.5, 0.9)) % 2000 + 30
    words = rng.choices(WORDS, k=n)
    sents, pos = [], 0
    while pos < n:
        k = rng.randint(6, 20)
        sents.append(" ".join(words[pos:pos + k]).capitalize() + ".")
        pos += k
    text = " ".join(sents)
    d = Document(id=f"doc-{i:06d}", text=text, url=f"https://site{rng.randint(0, 400)}.example/p/{i}",
                 source=f"crawl-{i // 10000}.warc.gz:{i}")
    d.signals.update({
        "language.language": rng.choice(["en"] * 8 + ["de", "fr"]),
        "language.score": round(rng.uniform(0.5, 1.0), 4),
        "gopher_quality.n_words": n,
        "gopher_quality.mean_word_length": round(rng.gauss(4.6, 0.4), 4),
        "gopher_quality.alpha_words_ratio": round(rng.uniform(0.7, 1.0), 4),
        "gopher_quality.stop_words": rng.randint(0, 20),
        "gopher_repetition.top_2_gram": round(rng.betavariate(2, 30), 4),
        "gopher_repetition.dup_line_frac": round(rng.betavariate(1, 40), 4),
        "fineweb_quality.line_punct_ratio": round(rng.uniform(0, 1), 4),
        "mashup_filter.score": round(rng.gauss(0, 1), 4),
        "near_dedup.cluster_id": i if rng.random() > 0.05 else i % 500,
        "near_dedup.cluster_size": 1,
    })
    if rng.random() < 0.33:
        a = text.find(".") + 1
        if 0 < a < len(text):
            d.apply_edits("clean_furniture", [Edit(0, a, "remove", "call_to_action", "asks the reader to act")])
    r = rng.random()
    if r < 0.25:
        step, reason = rng.choice(REASONS)
        d.reject(step, reason)
    elif r < 0.252:
        d.quarantine("extract", "extract: ValueError: synthetic failure")
    return d


def build_folder(out: Path, n: int, shards: int = 10, seed: int = 1) -> float:
    """Write ``n`` synthetic documents as a run would; returns the seconds taken."""
    t0 = time.perf_counter()
    rng = random.Random(seed)
    rejected_by: dict[str, int] = {}
    totals = {"read": 0, "kept": 0, "rejected": 0, "quarantined": 0}
    dropped: dict[str, dict[str, int]] = {s: {} for s, _ in REASONS}
    per = n // shards
    for s in range(shards):
        docs = [_doc(rng, s * per + i) for i in range(per if s < shards - 1 else n - per * (shards - 1))]
        groups = {"kept": [d for d in docs if d.verdict.status == "kept"],
                  "rejected": [d for d in docs if d.verdict.status == "rejected"],
                  "quarantine": [d for d in docs if d.verdict.status == "quarantined"]}
        for sub, g in groups.items():
            if g:
                write_records(out / sub / f"part-{s:05d}.parquet", g, "parquet")
        for d in docs:
            totals["read"] += 1
            totals[{"kept": "kept", "rejected": "rejected", "quarantined": "quarantined"}[d.verdict.status]] += 1
            if d.verdict.status == "rejected":
                k = f"{d.verdict.step}:{d.verdict.reasons[0]}"
                rejected_by[k] = rejected_by.get(k, 0) + 1
                st = dropped[d.verdict.step or ""]
                st[d.verdict.reasons[0]] = st.get(d.verdict.reasons[0], 0) + 1
    steps = [{"step": s, "name": s, "seen": n, "dropped": dropped[s], "quarantined": 0, "edited_docs": 0,
              "edits": {}, "chars_in": 0, "seconds": n / rng.uniform(500, 20000)} for s in dict.fromkeys(
                  s for s, _ in REASONS)]
    stats = {"totals": totals, "rejected_by": rejected_by, "steps": steps, "global": {}, "reader": {},
             "shards": shards, "seconds": 0.0}
    (out / "stats.json").write_text(json.dumps(stats), encoding="utf-8")
    return time.perf_counter() - t0


def chromium_load_seconds(path: Path, runs: int = 3) -> float | None:
    """Median ``loadEventEnd`` of cold loads of ``path`` in Chromium (None without it)."""
    if not Path("/usr/bin/chromium").exists():
        return None
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for _ in range(runs):
            ctx = browser.new_context()
            page = ctx.new_page()
            page.goto(path.as_uri(), wait_until="load", timeout=60_000)
            ms = page.evaluate("(() => { const n = performance.getEntriesByType('navigation')[0];"
                               " return n.loadEventEnd - n.startTime; })()")
            times.append(ms / 1000)
            ctx.close()
        browser.close()
    return statistics.median(times)


def inspector_timings(out: Path) -> list[tuple[str, float, str]]:
    from starlette.testclient import TestClient

    from thresher.report.inspect import create_app

    rows = []
    t0 = time.perf_counter()
    app = create_app(out)
    rows.append(("inspector: load the index (once)", time.perf_counter() - t0, ""))
    with TestClient(app, base_url="http://127.0.0.1") as c:
        for label, path in [("GET /docs", "/docs"),
                            ("GET /docs?reason=...", "/docs?reason=gopher_quality:too_few_words"),
                            ("GET /docs?lang=de&range=...", "/docs?lang=de&range=gopher_quality.n_words:100:500"),
                            ("GET /docs?q=... (full text, first)", "/docs?q=telescope%20bicycle"),
                            ("GET /docs?q=...&page=2 (cached)", "/docs?q=telescope%20bicycle&page=2"),
                            ("GET /doc?id=...", "/doc?id=doc-054321"),
                            ("GET /docs.json?status=rejected", "/docs.json?status=rejected")]:
            t0 = time.perf_counter()
            r = c.get(path)
            rows.append((f"inspector: {label}", time.perf_counter() - t0, f"HTTP {r.status_code}"))
    return rows


def naive_query_seconds(out: Path) -> float:
    """One query the naive way: every record read back and parsed, then filtered."""
    t0 = time.perf_counter()
    hits = 0
    for p in sorted(out.glob("*/*.parquet")):
        for d in read_records(p):
            hits += d.verdict.reasons[:1] == ["too_few_words"]
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--keep", type=Path, help="build the folder here and keep it")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="thresher-report-bench-"))
    out = args.keep or tmp / "out"
    try:
        if out.exists():
            shutil.rmtree(out)
        build_s = build_folder(out, args.docs)
        from thresher.report import build_report

        t0 = time.perf_counter()
        report = build_report(out)
        report_s = time.perf_counter() - t0
        size_mb = report.stat().st_size / 1e6
        load_s = chromium_load_seconds(report)
        rows: list[tuple[str, str, str, str]] = [
            ("build the synthetic folder", f"{build_s:.1f} s", "", ""),
            ("write report.html", f"{report_s:.2f} s", "", ""),
            ("report.html size", f"{size_mb:.2f} MB", "< 5 MB", "met" if size_mb < 5 else "NOT MET"),
            ("Chromium load of report.html (median of 3)",
             "n/a (no /usr/bin/chromium)" if load_s is None else f"{load_s:.3f} s", "< 2 s",
             "" if load_s is None else ("met" if load_s < 2 else "NOT MET")),
        ]
        for label, secs, note in inspector_timings(out):
            rows.append((label, f"{secs:.3f} s", "", note))
        rows.append(("naive: one reason filter by reading every record back", f"{naive_query_seconds(out):.2f} s",
                     "", "per query, vs the index's per-query times above"))
        w = max(len(r[0]) for r in rows)
        print(f"report and inspector at {args.docs:,} documents")
        print(f"{'measure':<{w}}  {'value':>28}  {'target':>8}  result")
        for r in rows:
            print(f"{r[0]:<{w}}  {r[1]:>28}  {r[2]:>8}  {r[3]}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
