"""Benchmark of the cleaning stage: furniture removal, mash-up detection, throughput.

Run from the project root (needs ../shared/data):

    .venv/bin/python benchmarks/cleaning.py [--pages N] [--salads N]

1. Furniture removal on the trafilatura evaluation set. Each page is extracted with
   resiliparse *without* main-content detection (so its furniture is still in the
   text), then cleaned with ``clean_furniture``. A must-drop (``without``) segment
   found in the extracted text counts as removed when it is no longer found in the
   cleaned text (whitespace-normalised substring test, as in the published scores);
   a must-keep (``with``) segment removed the same way is a false removal. The peer,
   run on the same pages in the same process, is resiliparse's own main-content
   mode (a DOM boilerplate remover, the fast path of FineWeb-style pipelines):
   a segment of the full text that its main-content text lacks counts as removed.
   Reported on all pages and on the English ones (pycld2), since the lexicon is
   English.
2. Mash-up detection on salads: sentences of 3-12 real pages of
   ../shared/data/corpus/web-text.jsonl.gz shuffled into one flat paragraph (like the
   seed page), against the real pages as they are and flattened to one paragraph.
   Salads and pages come from corpus lines 3000-6954, which were not used to choose
   the weights (lines 0-2999 were). Peers (C4, FineWeb, Gopher rules) have no such
   signal: they keep every salad that passes their line and word rules.
3. Throughput of the segmenter, of ``clean_furniture`` and of ``mashup_filter`` on
   the corpus's main text (57 MB), one process, in CPU seconds (time.process_time)
   so that other work on a shared machine does not count against it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import time
from pathlib import Path

from thresher.document import Document
from thresher.stages.clean.furniture import CleanFurniture
from thresher.stages.filter.mashup import MashupFilter
from thresher.stages.segment import segment_sentences

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
_WS = re.compile(r"\s+")


def _norm(s: str) -> str:
    return _WS.sub(" ", s).strip()


def furniture(pages: int) -> list[tuple[str, str, float, float, int, int]]:
    import pycld2
    from resiliparse.extract.html2text import extract_plain_text

    base = SHARED / "extraction" / "trafilatura-eval"
    gold = json.loads((base / "evaldata.json").read_text("utf-8"))
    step = CleanFurniture()
    counts: dict[tuple[str, str], list[int]] = {}
    for url, item in list(gold.items())[:pages]:
        path = base / "eval" / item["file"]
        if not path.exists():
            path = base / "cache" / item["file"]
        if not path.exists():
            continue
        html = path.read_bytes().decode("utf-8", errors="replace")
        full = extract_plain_text(html, main_content=False)
        main = _norm(extract_plain_text(html, main_content=True))
        doc = Document(url, full)
        step([doc])
        cleaned = _norm(doc.text)
        full_n = _norm(full)
        try:
            english = pycld2.detect(full_n[:20000])[2][0][1] == "en"
        except pycld2.error:  # undecodable text: not counted as English
            english = False
        for system, out in (("thresher clean_furniture", cleaned), ("resiliparse main_content", main)):
            for subset in ("all", "en") if english else ("all",):
                c = counts.setdefault((system, subset), [0, 0, 0, 0])  # tp, fp, drop_present, keep_present
                for seg in item["without"]:
                    s = _norm(seg)
                    if s and s in full_n:
                        c[2] += 1
                        c[0] += s not in out
                for seg in item["with"]:
                    s = _norm(seg)
                    if s and s in full_n:
                        c[3] += 1
                        c[1] += s not in out
    rows = []
    for (system, subset), (tp, fp, drops, keeps) in sorted(counts.items()):
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / drops if drops else 0.0
        rows.append((system, subset, precision, recall, fp, keeps))
    return rows


def _corpus(lo: int, hi: int) -> list[str]:
    out = []
    with gzip.open(SHARED / "corpus" / "web-text.jsonl.gz", "rt", encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i >= hi:
                break
            if i >= lo:
                out.append(json.loads(line)["text_main"] or "")
    return out


def mashup(n: int) -> dict[str, list[float | None]]:
    """Mash-up scores (None: too short to judge) of salads, real and flattened pages."""
    texts = [t for t in _corpus(3000, 6955) if len(segment_sentences(t)) >= 15]
    rng = random.Random(1)

    def salad() -> str:
        k = rng.randint(3, 12)
        sents: list[str] = []
        for page in rng.sample(texts, k):
            ss = [s.of(page) for s in segment_sentences(page)]
            sents += rng.sample(ss, min(len(ss), max(3, 90 // k)))
        rng.shuffle(sents)
        return " ".join(sents)

    clean, mash = CleanFurniture(), MashupFilter()
    scores: dict[str, list[float | None]] = {}
    for kind, make in (
        ("salad (3-12 pages, flat)", salad),
        ("real page", lambda: rng.choice(texts)),
        ("real page, flattened", lambda: " ".join(rng.choice(texts).split())),
    ):
        docs = [Document(str(i), make()) for i in range(n)]
        clean(docs)
        mash(docs)
        scores[kind] = [d.signals.get("mashup_filter.score") for d in docs]
    return scores


def throughput() -> list[tuple[str, int, float, float, float]]:
    texts = _corpus(0, 6955)
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    rows = []
    t0 = time.process_time()
    for t in texts:
        segment_sentences(t)
    dt = time.process_time() - t0
    rows.append(("segment_sentences", len(texts), dt, len(texts) / dt, mb / dt))
    try:  # the compiled peer, when installed (pip install blingfire)
        import blingfire

        t0 = time.process_time()
        for t in texts:
            if t:
                blingfire.text_to_sentences_and_offsets(t)
        dt = time.process_time() - t0
        rows.append(
            ("blingfire text_to_sentences_and_offsets (peer)", len(texts), dt, len(texts) / dt, mb / dt)
        )
    except ImportError:
        pass
    docs = [Document(str(i), t) for i, t in enumerate(texts)]
    step = CleanFurniture()
    step.ensure_setup()
    t0 = time.process_time()
    step(docs)
    dt = time.process_time() - t0
    rows.append(("clean_furniture", len(docs), dt, len(docs) / dt, mb / dt))
    mash = MashupFilter()
    t0 = time.process_time()
    mash(docs)
    dt = time.process_time() - t0
    rows.append(("mashup_filter", len(docs), dt, len(docs) / dt, mb / dt))
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=1000, help="trafilatura-eval pages (all: 1000)")
    ap.add_argument("--salads", type=int, default=300, help="salads and real pages each")
    ap.add_argument(
        "--parts", default="furniture,mashup,throughput", help="comma-separated parts to run (default: all)"
    )
    args = ap.parse_args()
    if not SHARED.is_dir():
        print(f"needs the shared data folder at {SHARED}", file=sys.stderr)
        return 1
    print("| measure | system / set | n | value |")
    print("|---|---|---|---|")
    for system, subset, p, r, fp, keeps in furniture(args.pages) if "furniture" in args.parts else []:
        print(
            f"| furniture precision / recall ({subset} pages) | {system} | {keeps} must-keep | "
            f"P {p:.3f} R {r:.3f} (must-keep removed: {fp}) |"
        )
    if "mashup" in args.parts:
        scores = mashup(args.salads)
        threshold = MashupFilter().params.threshold
        for kind, values in scores.items():
            judged = [v for v in values if v is not None]
            flagged = sum(1 for v in judged if v >= threshold)
            print(
                f"| mash-up flagged at {threshold} | {kind} | {len(judged)} judged | {flagged} ({flagged / len(judged):.3f}) |"
            )
        salads, *negatives = scores.items()
        for th in (0.35, 0.4, 0.45, 0.5, 0.55):
            # recall over all salads (a salad too short to judge is missed); precision
            # at equal numbers of salads and pages, from the two rates
            recall = sum(1 for v in salads[1] if v is not None and v >= th) / len(salads[1])
            for kind, values in negatives:
                judged = [v for v in values if v is not None]
                false_rate = sum(1 for v in judged if v >= th) / len(judged)
                precision = recall / (recall + false_rate) if recall + false_rate else 0.0
                print(
                    f"| mash-up P / R at threshold {th}, salads vs {kind} (1:1) | thresher mashup_filter | | "
                    f"P {precision:.3f} R {recall:.3f} |"
                )
        print("| mash-up recall | C4 / FineWeb / Gopher rules | | 0 (no order signal) |")
    for name, n, dt, dps, mbps in throughput() if "throughput" in args.parts else []:
        print(
            f"| throughput, 1 core (CPU time) | {name} | {n} docs | {dps:.0f} docs/s, {mbps:.1f} MB/s ({dt:.1f} s) |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
