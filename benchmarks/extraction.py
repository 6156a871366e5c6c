"""Main-text extraction: thresher (fast, default) against trafilatura and resiliparse.

Reproduces the published metrics on the two sets in ../shared/data/extraction:
ScrapingHub's word-4-gram precision/recall/F1 on ``aeb/`` and trafilatura's segment
containment precision/recall/F1 on ``trafilatura-eval/`` (scorers in
:mod:`thresher.stages.extract.evaluation`). Every extractor runs on the same pages, one
process, in this invocation; pages/s is per core (one process, wall clock, HTML bytes
in, text out, decoding included), measured as CPU time of the process so that other
load on the machine does not distort it.

Both sets are also reported by halves, split by the SHA-1 of the page key
(:func:`thresher.stages.extract.evaluation.is_held_out`): thresher's constants and rules
were tuned and its errors analysed (``benchmarks/extraction_errors.py``) on the "tune"
halves only; the "held-out" halves are the honest numbers. The escalation rate of the default mode
is reported per set, and on the distinct HTML pages of the real WARC files in
``../shared/data/crawl`` (no gold there: the rate is what sets the speed on real work).

    .venv/bin/python benchmarks/extraction.py [--data ../shared/data/extraction] [--limit N]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from thresher.document import Document
from thresher.stages.extract import evaluation as ev
from thresher.stages.extract.extract import Extract

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = Path(os.environ.get("THRESHER_SHARED", ROOT.parent / "shared")) / "data" / "extraction"


def thresher_runner(mode: str) -> tuple[Callable[[ev.Page], str], Callable[[], dict[str, int]]]:
    """An extractor over the ``extract`` step, and a function giving its path counts.

    The counts are reset each time they are read, so that each set reports its own.
    """
    step = Extract(mode=mode)
    step.ensure_setup()
    paths: dict[str, int] = {}

    def run(page: ev.Page) -> str:
        doc = Document(page.key, "", url=page.url, raw=page.html)
        step([doc])
        path = str(doc.signals.get("extract.path", doc.verdict.status))
        paths[path] = paths.get(path, 0) + 1
        return doc.text

    def counts() -> dict[str, int]:
        c = dict(paths)
        paths.clear()
        return c

    return run, counts


def escalation_share(counts: dict[str, int]) -> str:
    """The share of pages sent to trafilatura, as a percentage."""
    return f"{counts.get('escalated', 0) / max(1, sum(counts.values())):.1%}"


def crawl_escalation(crawl: Path) -> str:
    """Escalation rate of the default mode on the distinct HTML responses of real WARCs.

    The pages of the evaluation sets are articles; a crawl is mostly not (shops,
    listings, home pages), and the escalation rate there is what sets the default
    mode's speed on real work. Duplicate payloads (the same file in several
    compressions) count once.
    """
    from thresher.stages.read.base import ReaderParams
    from thresher.stages.read.warc import WarcReader

    files = sorted(
        str(p)
        for p in crawl.rglob("*.warc*")
        if ".wet" not in p.name and ".wat" not in p.name and "bad" not in p.name
    )
    if not files:
        return "no WARC files"
    reader = WarcReader(ReaderParams(paths=files))
    step = Extract()
    seen: set[bytes] = set()
    paths: dict[str, int] = {}
    for shard in reader.plan(files):
        for doc in reader.read_safely(shard):
            raw = doc.raw
            if not isinstance(raw, bytes) or doc.verdict.status != "kept":
                continue
            digest = hashlib.sha1(raw).digest()
            if digest in seen:
                continue
            seen.add(digest)
            step([doc])
            if doc.verdict.status == "kept":
                path = str(doc.signals.get("extract.path"))
                paths[path] = paths.get(path, 0) + 1
    n = sum(paths.values())
    return f"{escalation_share(paths)} of {n} distinct HTML pages with text ({len(files)} WARC files)"


def trafilatura_runner() -> Callable[[ev.Page], str]:
    """trafilatura with its defaults, as a user would call it on the raw bytes."""
    import trafilatura

    return lambda page: trafilatura.extract(page.html) or ""


def resiliparse_runner() -> Callable[[ev.Page], str]:
    """resiliparse's main-content extraction, its encoding detection in front."""
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.encoding import bytes_to_str, detect_encoding
    from resiliparse.parse.html import HTMLTree

    def run(page: ev.Page) -> str:
        html = bytes_to_str(page.html, detect_encoding(page.html) or "utf-8")
        return str(extract_plain_text(HTMLTree.parse(html), main_content=True))

    return run


def timed(run: Callable[[ev.Page], str], pages: list[ev.Page]) -> tuple[list[str], float]:
    # CPU time of this process: "pages/s per core" that other work on the machine does
    # not distort (wall clock is also shown in the header line when it differs a lot)
    t0 = time.process_time()
    outs = [run(p) for p in pages]
    return outs, time.process_time() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--limit", type=int, default=0, help="first N pages of each set (0: all)")
    ap.add_argument("--only", nargs="*", default=None, help="extractors to run (default: all)")
    args = ap.parse_args()
    if not (args.data / "aeb").is_dir() or not (args.data / "trafilatura-eval").is_dir():
        print(f"no evaluation data under {args.data} (see ../shared/data/README.md)", file=sys.stderr)
        return 1
    traf_pages = ev.load_trafilatura_eval(args.data / "trafilatura-eval")
    aeb_pages = ev.load_aeb(args.data / "aeb")
    if args.limit:
        traf_pages, aeb_pages = traf_pages[: args.limit], aeb_pages[: args.limit]
    tune = [i for i, p in enumerate(traf_pages) if not ev.is_held_out(p.key)]
    held = [i for i, p in enumerate(traf_pages) if ev.is_held_out(p.key)]
    a_tune = [i for i, p in enumerate(aeb_pages) if not ev.is_held_out(p.key)]
    a_held = [i for i, p in enumerate(aeb_pages) if ev.is_held_out(p.key)]

    fast, fast_paths = thresher_runner("fast")
    default, default_paths = thresher_runner("accurate")
    extractors: dict[str, tuple[Callable[[ev.Page], str], Callable[[], dict[str, int]] | None]] = {
        "thresher fast": (fast, fast_paths),
        "thresher default": (default, default_paths),
        "trafilatura": (trafilatura_runner(), None),
        "resiliparse": (resiliparse_runner(), None),
    }
    if args.only:
        extractors = {k: v for k, v in extractors.items() if any(o in k for o in args.only)}

    header = (
        f"{'extractor':<17} {'traf F1':>7} {'P':>6} {'R':>6} {'tune':>6} {'held':>6} "
        f"{'AEB F1':>7} {'P':>6} {'R':>6} {'tune':>6} {'held':>6} {'pages/s':>8} {'esc traf':>8} {'esc AEB':>7}"
    )
    rows = []
    for name, (run, paths) in extractors.items():
        t_outs, t_sec = timed(run, traf_pages)
        esc_t = escalation_share(paths()) if paths is not None else ""
        a_outs, a_sec = timed(run, aeb_pages)
        esc_a = escalation_share(paths()) if paths is not None else ""
        counts = [ev.segment_counts(p, o) for p, o in zip(traf_pages, t_outs)]
        t_all = ev.segment_score(counts)
        t_tune = ev.segment_score(counts[i] for i in tune)
        t_held = ev.segment_score(counts[i] for i in held)
        a_counts = [ev.shingle_counts(p.gold_text, o) for p, o in zip(aeb_pages, a_outs)]
        a = ev.aeb_score(a_counts)
        a_t = ev.aeb_score(a_counts[i] for i in a_tune)
        a_h = ev.aeb_score(a_counts[i] for i in a_held)
        pps = (len(traf_pages) + len(aeb_pages)) / (t_sec + a_sec)
        rows.append(
            f"{name:<17} {t_all.f1:>7.3f} {t_all.precision:>6.3f} {t_all.recall:>6.3f} {t_tune.f1:>6.3f} "
            f"{t_held.f1:>6.3f} {a.f1:>7.3f} {a.precision:>6.3f} {a.recall:>6.3f} {a_t.f1:>6.3f} {a_h.f1:>6.3f} "
            f"{pps:>8.1f} {esc_t:>8} {esc_a:>7}"
        )
        print(rows[-1], file=sys.stderr, flush=True)  # progress while the rest runs
    print(
        f"trafilatura-eval: {len(traf_pages)} pages ({len(tune)} tune / {len(held)} held-out), "
        f"AEB: {len(aeb_pages)} pages ({len(a_tune)} tune / {len(a_held)} held-out); one process"
    )
    print(header)
    for r in rows:
        print(r)
    crawl = args.data.parent / "crawl"
    if "thresher default" in extractors and crawl.is_dir():
        print(f"default mode escalation on {crawl.name}/: {crawl_escalation(crawl)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
