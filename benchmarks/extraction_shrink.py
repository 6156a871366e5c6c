"""Gold-free regression check of the fast path: pages whose text shrank against a revision.

A precision rule that misfires removes the article itself, and a page's score only
shows that where its gold was sampled. This script runs the fast path of the working
tree and that of an earlier revision (``git show REV:src/thresher/stages/extract/fast.py``)
on every page of both evaluation sets (and any other folder of ``.html``/``.html.gz``
pages given with ``--pages``) and lists the pages whose text fell below ``--ratio`` of
what the revision kept, with the removal counts of the new path: no gold is read, so
the held-out halves can be checked for such failures without being scored.

    .venv/bin/python benchmarks/extraction_shrink.py [--rev HEAD~5] [--ratio 0.6]
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from types import ModuleType

from selectolax.lexbor import LexborHTMLParser

from thresher.stages.extract import evaluation as ev
from thresher.stages.extract import fast
from thresher.stages.extract.base import decode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from extraction import DEFAULT_DATA, ROOT


def load_revision(rev: str) -> ModuleType:
    """The fast path module as it was at ``rev``, imported under another name."""
    source = subprocess.run(
        ["git", "show", f"{rev}:src/thresher/stages/extract/fast.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "fast_at_revision.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("fast_at_revision", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def pages_of(data: Path, extra: list[Path]) -> list[tuple[str, bytes]]:
    """(name, HTML bytes) of the evaluation pages and of any extra folders."""
    out = [(p.key, p.html) for p in ev.load_aeb(data / "aeb")]
    out += [(p.key, p.html) for p in ev.load_trafilatura_eval(data / "trafilatura-eval")]
    for folder in extra:
        for f in sorted(folder.rglob("*.htm*")):
            raw = f.read_bytes()
            out.append((str(f), gzip.decompress(raw) if f.suffix == ".gz" else raw))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--rev", default="HEAD~1", help="the revision to compare against")
    ap.add_argument("--ratio", type=float, default=0.6, help="report pages whose text fell below this share")
    ap.add_argument("--min-chars", type=int, default=500, help="ignore pages where the revision kept less")
    ap.add_argument("--pages", type=Path, nargs="*", default=[], help="more folders of HTML pages")
    args = ap.parse_args()
    old = load_revision(args.rev)
    shrunk = 0
    pages = pages_of(args.data, args.pages)
    for name, raw in pages:
        html, _ = decode(raw, "")
        before = old.extract_fast(LexborHTMLParser(html), old.FastOptions()).text
        trace: list[tuple[str, str, str]] = []
        after = fast.extract_fast(LexborHTMLParser(html), fast.FastOptions(), trace=trace).text
        if len(before) >= args.min_chars and len(after) < args.ratio * len(before):
            shrunk += 1
            kinds = Counter(d for _, _, d in trace)
            print(f"{len(before):>7} -> {len(after):>7}  {name[:70]}  {dict(kinds.most_common(6))}")
    print(f"{shrunk} of {len(pages)} pages kept under {args.ratio:.0%} of the text kept at {args.rev}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
