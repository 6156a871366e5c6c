"""Error analysis of the fast path: the kept blocks that the gold says are not main text.

For every page of the *tune* halves of the two evaluation sets (the held-out halves are
never looked at; see :func:`thresher.stages.extract.evaluation.is_held_out`), the fast
path runs with its block trace, and every kept block is judged against the gold:

- AEB: a block is false-positive text when under half of its word 4-grams (or, for a
  block of under four words, its word sequence) occur in the gold article body;
- trafilatura set: a block is false-positive text when it contains one of the page's
  must-drop segments, or is contained in one; true when it meets a must-keep segment;
  unjudged otherwise (the set's gold is a sample of segments, not the whole text).

Each judged block is described by features that a rule could use (kind, words, link
density, position relative to the prose of the page, the tag path and class/id names
above it) and the script prints, per feature value, how many false-positive and
true blocks (and words) carry it: a feature value with many false and few true words is
a candidate rule; one with many true words is not. ``--pages`` lists the false-positive
blocks page by page.

    .venv/bin/python benchmarks/extraction_errors.py [--set aeb|traf|both] [--pages] [--top 40]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from thresher.stages.extract import evaluation as ev
from thresher.stages.extract import fast
from thresher.stages.extract.base import decode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from extraction import DEFAULT_DATA

_TOKEN = re.compile(r"\w+")


@dataclass(slots=True)
class Judged:
    """One kept block, its verdict under the gold, and the features a rule could use."""

    page: str
    text: str
    label: str  # "fp", "tp" or "?"
    features: dict[str, str] = field(default_factory=dict)


def _names_recorder() -> tuple[list[str], Any]:
    """Wrap the fast path's furniture test to record each element's class/id, in order.

    The walker calls the test exactly once per element it records (in the order it
    appends them), so the n-th recorded name string belongs to element n + 1.
    """
    names: list[str] = []
    original = fast._furniture_of

    def recording(tag: str, attrs: dict[str, str | None], in_article: bool) -> str:
        cls = (attrs or {}).get("class") or ""
        ident = (attrs or {}).get("id") or ""
        names.append(f"{cls} #{ident}" if ident else cls)
        return original(tag, attrs, in_article)

    return names, recording


def _words_bucket(n: int) -> str:
    for hi in (1, 2, 3, 5, 8, 12, 20, 40):
        if n <= hi:
            return f"<={hi}"
    return ">40"


def _ld_bucket(x: float) -> str:
    for hi in (0.0, 0.1, 0.25, 0.5, 0.75):
        if x <= hi:
            return f"<={hi}"
    return ">0.75"


def block_features(
    tree: Any, opts: fast.FastOptions
) -> tuple[list[tuple[str, str, str]], dict[str, dict[str, str]]]:
    """The fast path's trace of one page, and features of each block text (first seen)."""
    trace: list[tuple[str, str, str]] = []
    fast.extract_fast(tree, opts, trace=trace)
    names, recording = _names_recorder()
    saved = fast._furniture_of
    fast._furniture_of = recording  # type: ignore[assignment]
    try:
        walker = fast._Walker(opts, None, collapse=False)
        walker.walk(tree.body)
    finally:
        fast._furniture_of = saved  # type: ignore[assignment]
    fast._score_prose(walker.blocks, walker.elements, opts)
    elements = walker.elements
    feats: dict[str, dict[str, str]] = {}
    for b in walker.blocks:
        if b.text in feats:
            continue
        path: list[str] = []
        classes: list[str] = []
        e = b.element
        while e > 0 and len(path) < 6:
            el = elements[e]
            path.append(el.tag)
            n = names[e - 1] if e - 1 < len(names) else ""
            classes.extend(t for t in re.split(r"[\s#_-]+", n.lower()) if t and not t.isdigit())
            e = el.parent
        n = len(b.text)
        feats[b.text] = {
            "kind": b.kind,
            "words": _words_bucket(b.words),
            "link_density": _ld_bucket(b.link_chars / n if n else 0.0),
            "tag": path[0] if path else "#root",
            "path3": "/".join(reversed(path[:3])),
            "ends_sentence": str(bool(fast._SENTENCE_END.search(b.text))),
            "classes": " ".join(sorted(set(classes))),
        }
    return trace, feats


def _judge_aeb(text: str, gold_shingles: set[tuple[str, ...]], gold_tokens: str) -> str:
    tokens = _TOKEN.findall(text)
    if not tokens:
        return "?"
    if len(tokens) < 4:
        return "tp" if f" {' '.join(tokens)} " in gold_tokens else "fp"
    sh = [tuple(tokens[i : i + 4]) for i in range(len(tokens) - 3)]
    inside = sum(1 for s in sh if s in gold_shingles)
    return "tp" if inside * 2 >= len(sh) else "fp"


def _norm(s: str) -> str:
    return " ".join(s.split())


def _judge_traf(text: str, page: ev.Page) -> str:
    t = _norm(text)
    for s in page.drop:
        d = _norm(s)
        if d and (d in t or (len(t) >= 20 and t in d)):
            return "fp"
    for s in page.keep:
        k = _norm(s)
        if k and (k in t or (len(t) >= 20 and t in k)):
            return "tp"
    return "?"


def judged_blocks(pages: list[ev.Page], which: str, opts: fast.FastOptions) -> Iterator[Judged]:
    """Every kept block of the tune pages, judged and described."""
    for page in pages:
        if ev.is_held_out(page.key):
            continue
        html, _ = decode(page.html, "")
        tree = LexborHTMLParser(html)
        if tree.body is None:
            continue
        trace, feats = block_features(tree, opts)
        kept = [t for t, _, d in trace if d == "kept"]
        if which == "aeb":
            tokens = _TOKEN.findall(page.gold_text)
            gold_sh = {tuple(tokens[i : i + 4]) for i in range(len(tokens) - 3)}
            gold_tok = f" {' '.join(tokens)} "
        for i, text in enumerate(kept):
            label = _judge_aeb(text, gold_sh, gold_tok) if which == "aeb" else _judge_traf(text, page)
            f = dict(feats.get(text, {}))
            f["position"] = (
                "first"
                if i == 0
                else "last"
                if i == len(kept) - 1
                else ("head3" if i < 3 else "tail3" if i >= len(kept) - 3 else "middle")
            )
            yield Judged(page.key, text, label, f)


def report(blocks: list[Judged], top: int, show_pages: bool) -> None:
    """Per feature value: false-positive and true blocks and words, largest first."""
    fp_words = sum(len(b.text.split()) for b in blocks if b.label == "fp")
    tp_words = sum(len(b.text.split()) for b in blocks if b.label == "tp")
    n_fp = sum(1 for b in blocks if b.label == "fp")
    print(f"kept blocks: {len(blocks)}; false-positive {n_fp} ({fp_words} words), true words {tp_words}")
    keys = ["kind", "words", "link_density", "tag", "path3", "position", "ends_sentence", "class token"]
    for key in keys:
        stats: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for b in blocks:
            if b.label == "?":
                continue
            values = (
                b.features.get("classes", "").split() if key == "class token" else [b.features.get(key, "")]
            )
            w = len(b.text.split())
            for v in set(values):
                s = stats[v]
                if b.label == "fp":
                    s[0] += 1
                    s[1] += w
                else:
                    s[2] += 1
                    s[3] += w
        print(f"\n== {key}: value  fp_blocks fp_words  tp_blocks tp_words")
        for v, s in sorted(stats.items(), key=lambda kv: -kv[1][1])[:top]:
            print(f"  {v[:40]:<40} {s[0]:>6} {s[1]:>7} {s[2]:>7} {s[3]:>8}")
    if show_pages:
        by_page: dict[str, list[Judged]] = defaultdict(list)
        for b in blocks:
            if b.label == "fp":
                by_page[b.page].append(b)
        for page, bs in by_page.items():
            print(f"\n## {page}")
            for b in bs:
                f = b.features
                print(
                    f"  [{f.get('kind')} {f.get('words')}w ld{f.get('link_density')} {f.get('position')} "
                    f"{f.get('path3')} .{f.get('classes', '')[:60]}] {b.text[:110]!r}"
                )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--set", choices=["aeb", "traf", "both"], default="both")
    ap.add_argument("--pages", action="store_true", help="list the false-positive blocks page by page")
    ap.add_argument("--top", type=int, default=25, help="feature values shown per feature")
    args = ap.parse_args()
    opts = fast.FastOptions()
    sets = ["aeb", "traf"] if args.set == "both" else [args.set]
    for which in sets:
        pages = (
            ev.load_aeb(args.data / "aeb")
            if which == "aeb"
            else ev.load_trafilatura_eval(args.data / "trafilatura-eval")
        )
        print(f"\n######## {which} (tune half)")
        report(list(judged_blocks(pages, which, opts)), args.top, args.pages)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
