"""Benchmark of the cleaning stage: furniture removal, mash-up detection, throughput.

Run from the project root (needs ../shared/data):

    .venv/bin/python benchmarks/cleaning.py [--pages N] [--salads N] [--parts P] [--repeat N]

1. Furniture removal on the trafilatura evaluation set. Each page is extracted with
   resiliparse *without* main-content detection (so its furniture is still in the
   text), then cleaned with ``clean_furniture``. A must-drop (``without``) segment
   found in the extracted text counts as removed when it is no longer found in the
   cleaned text (whitespace-normalised substring test, as in the published scores);
   a must-keep (``with``) segment removed the same way is a false removal. The peer,
   run on the same pages in the same process, is resiliparse's own main-content
   mode (a DOM boilerplate remover, the fast path of FineWeb-style pipelines):
   a segment of the full text that its main-content text lacks counts as removed.
   Reported on all pages, on the English ones (pycld2), and on the two halves of
   the set by URL hash (phrases added to the lexicon from missed segments came from
   the "tune" half only).
2. Mash-up detection on salads: sentences of 3-12 real pages of
   ../shared/data/corpus/web-text.jsonl.gz shuffled into one flat paragraph (like the
   seed page), against the real pages as they are and flattened to one paragraph.
   Two kinds of salad: of random pages, and of pages on one topic (a page and the
   pages sharing three or more of its most distinctive words), so that a change of
   topic alone cannot give a salad away. The corpus is split in two halves by
   document hash: the weights of ``mashup_filter`` were fitted on the "tune" half
   and the "held-out" half is reported beside it (scripts/fit_mashup_weights.py fits
   them). A page counts as flagged when the step dropped it as a mash-up (pages of
   fewer than ``min_sentences`` prose sentences are judged at ``short_threshold``).
   Recall and precision are given on the pages long enough to judge and counting all
   (a salad too short to judge is a miss), each rate with its 95% interval. Each half
   gives ``--salads`` salads of each kind (3,000) and as many real pages as it has, up
   to that number; a salad draws its pages by a hash of their ids with a seed of its
   own, so that a change to some pages' sentences redraws only the salads that use
   them. Peers (C4, FineWeb, Gopher rules) have no such signal: they keep every
   salad that passes their line and word rules.
3. Throughput of the segmenter and of each step of the cleaning stage on the
   corpus's main text (57 MB): ``fix_mojibake``, ``restore_deleted_chars``,
   ``redact_pii``, ``clean_furniture`` and ``mashup_filter``, run one after the other
   as in the default pipeline, and of the whole stage; one process, in CPU seconds (time.process_time) so that other
   work on a shared machine does not count against it.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import heapq
import json
import math
import random
import re
import subprocess
import sys
import time
from pathlib import Path

from thresher.document import Document
from thresher.stages.clean.furniture import CleanFurniture
from thresher.stages.filter.mashup import MashupFilter
from thresher.stages.repair.deleted_chars import RestoreDeletedChars
from thresher.stages.repair.mojibake import FixMojibake
from thresher.stages.repair.pii import RedactPII
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
        # halves by URL hash: the lexicon's second batch of phrases was written from the
        # "tune" half only (see furniture.json)
        half = "tune half" if int(hashlib.sha1(url.encode()).hexdigest()[-1], 16) % 2 == 0 else "held-out half"
        for system, out in (("thresher clean_furniture", cleaned), ("resiliparse main_content", main)):
            for subset in ("all", "en", half) if english else ("all", half):
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
    return [t for _, t in _corpus_rows(lo, hi)]


def _corpus_rows(lo: int = 0, hi: int = 10**9) -> list[tuple[str, str]]:
    """(id, main text) of corpus lines lo..hi-1."""
    out = []
    with gzip.open(SHARED / "corpus" / "web-text.jsonl.gz", "rt", encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i >= hi:
                break
            if i >= lo:
                row = json.loads(line)
                out.append((row["id"], row["text_main"] or ""))
    return out


def corpus_half(half: str) -> list[tuple[str, str]]:
    """(id, text) of the pages of one half of the corpus, split by document hash: "tune"
    (ids ending in an even hex digit), on which the mash-up weights were chosen, or
    "held-out" (odd). Only pages of 15 sentences or more: the material of salads and
    real pages alike."""
    want = 0 if half == "tune" else 1
    return [
        (i, t) for i, t in _corpus_rows() if int(i[-1], 16) % 2 == want and len(segment_sentences(t)) >= 15
    ]


def _rank(key: str) -> bytes:
    """A stable pseudo-random rank: pages are drawn by the hash of their id, not by their
    position in the half, so that a page entering or leaving the half (its sentence count
    changed with the segmenter) moves no other salad's pages."""
    return hashlib.sha1(key.encode("utf-8")).digest()


_TOPIC_WORD = re.compile(r"[^\W\d_]{5,}")


def _topic_neighbours(texts: list[str], top: int = 12) -> list[list[int]]:
    """Per page, the other pages on its topic, most similar first: pages that share at
    least three of its ``top`` most distinctive words (tf-idf over the half), ranked
    by the idf of the words shared. Same-topic salads are built from these groups."""
    n = len(texts)
    tfs: list[dict[str, int]] = []
    df: dict[str, int] = {}
    for t in texts:
        tf: dict[str, int] = {}
        for w in _TOPIC_WORD.findall(t.lower()):
            tf[w[:6]] = tf.get(w[:6], 0) + 1
        tfs.append(tf)
        for w in tf:
            df[w] = df.get(w, 0) + 1
    idf = {w: math.log(n / c) for w, c in df.items()}
    keys = []
    for tf in tfs:
        # a word of one page only says nothing about a topic shared with another
        scored = sorted(((c * idf[w], w) for w, c in tf.items() if df[w] >= 2), reverse=True)
        keys.append([w for _, w in scored[:top]])
    index: dict[str, list[int]] = {}
    for i, k in enumerate(keys):
        for w in k:
            index.setdefault(w, []).append(i)
    out = []
    for i, k in enumerate(keys):
        score: dict[int, float] = {}
        shared: dict[int, int] = {}
        for w in k:
            for j in index[w]:
                if j != i:
                    score[j] = score.get(j, 0.0) + idf[w]
                    shared[j] = shared.get(j, 0) + 1
        out.append([j for j in sorted(score, key=lambda j: -score[j]) if shared[j] >= 3][:15])
    return out


def make_salads(pages: list[tuple[str, str]], n: int, same_topic: bool, seed: int) -> list[str]:
    """Salads like the seed page: sentences of 3-12 real pages, shuffled into one flat
    paragraph. ``same_topic``: the pages are one page and its topic neighbours, so that
    a change of topic alone cannot give the salad away. Each salad draws from a seed of
    its own and picks its pages by :func:`_rank`, and each page's sentences are sampled
    with a seed of their own: a change to one page's sentences changes only the salads
    that use it (with one random stream, every salad after it changed)."""
    neighbours = _topic_neighbours([t for _, t in pages]) if same_topic else []
    out = []
    attempt = 0
    while len(out) < n:
        tag = f"{seed}:{attempt}"
        attempt += 1
        rng = random.Random(tag)
        k = rng.randint(3, 12)
        if same_topic:
            first = min(range(len(pages)), key=lambda j: _rank(f"{tag}:{pages[j][0]}"))
            group = neighbours[first]
            if len(group) < 2:
                continue
            chosen = [pages[first]] + [pages[j] for j in rng.sample(group, min(k - 1, len(group)))]
        else:
            chosen = [
                pages[j]
                for j in heapq.nsmallest(k, range(len(pages)), key=lambda j: _rank(f"{tag}:{pages[j][0]}"))
            ]
        sents: list[str] = []
        for page_id, page in chosen:
            ss = [s.of(page) for s in segment_sentences(page)]
            pick = random.Random(f"{tag}:{page_id}")
            sents += pick.sample(ss, min(len(ss), max(3, 90 // len(chosen))))
        rng.shuffle(sents)
        out.append(" ".join(sents))
    return out


def mashup_sets(half: str, n: int) -> dict[str, list[str]]:
    """The four sets of one half: random and same-topic salads, real pages as they are
    and flattened to one paragraph (as a salad is). Real pages are the ``n`` of lowest
    :func:`_rank`."""
    pages = corpus_half(half)
    real = [t for _, t in sorted(pages, key=lambda p: _rank(f"real:{p[0]}"))[:n]]
    return {
        "salad, random pages": make_salads(pages, n, False, 1),
        "salad, same-topic pages": make_salads(pages, n, True, 2),
        "real page": real,
        "real page, flattened": [" ".join(t.split()) for t in real],
    }


def score_sets(sets: dict[str, list[str]]) -> dict[str, list[Document]]:
    """Run clean_furniture then mashup_filter on every set."""
    clean, mash = CleanFurniture(), MashupFilter()
    out = {}
    for kind, texts in sets.items():
        docs = [Document(f"{kind}-{i}", t) for i, t in enumerate(texts)]
        mash(clean(docs))
        out[kind] = docs
    return out


SALAD_KINDS = ("salad, random pages", "salad, same-topic pages")
REAL_KINDS = ("real page", "real page, flattened")


def _wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a rate of ``k`` in ``n`` (95% by default): with 300
    real pages, the intervals of 4 false alarms and of 10 overlap."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    mid = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, mid - half), min(1.0, mid + half)


def mashup_rows(threshold: float, n: int) -> list[str]:
    """Precision and recall per half and salad kind, judged-only and counting all.

    Judged: pages and salads with a score (a short page, fewer than ``min_sentences``
    prose sentences, is judged at ``short_threshold``). Flagged: dropped as
    ``multi_source_mashup``. All: a salad too short to judge counts as missed; a real
    page too short to judge counts as neither right nor wrong (it is left out of the
    false-alarm rate; how many were judged is printed). Precision is for equal
    numbers of salads and real pages, from the two rates.
    """
    rows = []
    for half in ("tune", "held-out"):
        docs = score_sets(mashup_sets(half, n))
        # per page: None (not judged), True (flagged) or False (judged and kept)
        flags = {
            k: [
                None if d.signals.get("mashup_filter.score") is None else "multi_source_mashup" in d.verdict.reasons
                for d in v
            ]
            for k, v in docs.items()
        }
        for kind, values in flags.items():
            judged = [v for v in values if v is not None]
            hit = sum(judged)
            lo, hi = _wilson(hit, len(judged))
            rows.append(
                f"| mash-up flagged at {threshold} ({half}) | {kind} | {len(values)} ({len(judged)} judged) | "
                f"{hit} ({hit / max(1, len(judged)):.3f} of judged, 95% interval {lo:.3f}-{hi:.3f}; "
                f"{hit / max(1, len(values)):.3f} of all) |"
            )
        for salad_kind in SALAD_KINDS:
            for real_kind in REAL_KINDS:
                r_judged = [v for v in flags[real_kind] if v is not None]
                false_rate = sum(r_judged) / max(1, len(r_judged))
                cells = []
                for name, salads in (
                    ("judged", [v for v in flags[salad_kind] if v is not None]),
                    ("all", flags[salad_kind]),
                ):
                    recall = sum(1 for v in salads if v) / max(1, len(salads))
                    precision = recall / (recall + false_rate) if recall + false_rate else 0.0
                    cells.append(f"{name}: P {precision:.3f} R {recall:.3f}")
                rows.append(
                    f"| mash-up P / R at {threshold} ({half}) | {salad_kind} vs {real_kind} (1:1) | "
                    f"{len(flags[salad_kind])} + {len(flags[real_kind])} | {'; '.join(cells)} |"
                )
    return rows


STAGE_NAME = (
    "whole cleaning stage: fix_mojibake + restore_deleted_chars + redact_pii + "
    "clean_furniture + mashup_filter"
)


def _stage_steps() -> list:
    # The whole stage, in the order of the default pipeline: the three repair steps,
    # then furniture removal, then the mash-up verdict.
    return [FixMojibake(), RestoreDeletedChars(), RedactPII(), CleanFurniture(), MashupFilter()]


def stage_times(texts: list[str]) -> list[float]:
    """CPU seconds of each step of the stage, each timed on the output of the one before,
    as it runs in a pipeline."""
    steps = _stage_steps()
    for step in steps:
        step.ensure_setup()
    docs = [Document(str(i), t) for i, t in enumerate(texts)]
    times = []
    for step in steps:
        t0 = time.process_time()
        docs = step(docs)
        times.append(time.process_time() - t0)
    return times


def throughput(repeat: int = 1) -> list[tuple[str, int, float, float, float]]:
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
    # With --repeat N the stage runs N times, each in a fresh process (so no cache of a
    # step is warm from an earlier run on the same pages), and each step keeps its
    # fastest run; the whole stage is the sum of those. Bursts of load on a shared
    # machine then do not count against a step.
    step_times = stage_times(texts)
    for _ in range(repeat - 1):
        out = subprocess.run(
            [sys.executable, __file__, "--stage-times"], check=True, capture_output=True, text=True
        ).stdout
        step_times = [min(a, b) for a, b in zip(step_times, json.loads(out.splitlines()[-1]))]
    for step, dt in zip(_stage_steps(), step_times):
        rows.append((step.name, len(texts), dt, len(texts) / dt, mb / dt))
    total = sum(step_times)
    furniture_mashup = step_times[-1] + step_times[-2]
    rows.append(
        ("clean_furniture + mashup_filter", len(texts), furniture_mashup,
         len(texts) / furniture_mashup, mb / furniture_mashup)
    )
    rows.append(
        (
            STAGE_NAME,
            len(texts), total, len(texts) / total, mb / total,
        )
    )
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=1000, help="trafilatura-eval pages (all: 1000)")
    ap.add_argument(
        "--salads", type=int, default=3000,
        help="salads and real pages each (real pages: at most the half's 3,100-3,200 pages of 15+ sentences)",
    )
    ap.add_argument(
        "--parts", default="furniture,mashup,throughput", help="comma-separated parts to run (default: all)"
    )
    ap.add_argument(
        "--repeat", type=int, default=1,
        help="throughput: best of N runs per step, each in a fresh process (default 1)",
    )
    ap.add_argument("--stage-times", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.stage_times:  # one run of the stage for --repeat, in its own process
        print(json.dumps(stage_times(_corpus(0, 6955))))
        return 0
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
        for row in mashup_rows(MashupFilter().params.threshold, args.salads):
            print(row)
        print("| mash-up recall | C4 / FineWeb / Gopher rules | | 0 (no order signal) |")
    for name, n, dt, dps, mbps in throughput(args.repeat) if "throughput" in args.parts else []:
        print(
            f"| throughput, 1 core (CPU time) | {name} | {n} docs | {dps:.0f} docs/s, {mbps:.1f} MB/s ({dt:.1f} s) |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
