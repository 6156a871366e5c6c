"""Rebuild ``docs.jsonl.gz``: the golden documents and the decisions pinned on them.

Needs ../shared/data/corpus (the source texts) and the datatrove venv that
``benchmarks/filters.py`` creates (for datatrove's decisions, stored for reference).
Run it only when a change of behaviour is intended, and say why in the commit:

    .venv/bin/python tests/golden/filters/make_golden.py
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent
N_WEB, N_SYNTHETIC, MAX_CHARS = 240, 120, 4000


def _bench() -> object:
    spec = importlib.util.spec_from_file_location("bench_filters", ROOT / "benchmarks" / "filters.py")
    mod = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules["bench_filters"] = mod
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


def main() -> None:
    bench: object = _bench()
    web = bench.load_web(None)  # type: ignore[attr-defined]
    rng = random.Random(7)
    # a page is cut at a line end near MAX_CHARS so the file stays small
    picked = [t for t in rng.sample(web, N_WEB * 2) if t.strip()][:N_WEB]
    texts = []
    for t in picked:
        if len(t) > MAX_CHARS:
            cut = t.rfind("\n", 0, MAX_CHARS)
            t = t[: cut if cut > 0 else MAX_CHARS]
        texts.append(t)
    texts += bench.synthetic(texts, N_SYNTHETIC, seed=11)  # type: ignore[attr-defined]
    dt, _ = bench.run_datatrove(texts)  # type: ignore[attr-defined]
    th, _ = bench.run_thresher(texts)  # type: ignore[attr-defined]
    with gzip.open(HERE / "docs.jsonl.gz", "wt", encoding="utf-8") as f:
        for i, text in enumerate(texts):
            rec = {"id": i, "source": "web" if i < len(picked) else "synthetic", "text": text}
            for side, res in (("thresher", th), ("datatrove", dt)):
                rec[side] = {}
                for name in (*bench.FILTERS, "chain"):  # type: ignore[attr-defined]
                    r = res[name][i]
                    out = {"keep": r.get("keep"), "reason": r.get("reason")}
                    if name in ("c4_quality", "chain") and r.get("keep") and r.get("text") is not None:
                        out["text_sha256"] = hashlib.sha256(r["text"].encode("utf-8")).hexdigest()
                    rec[side][name] = out
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"wrote {len(texts)} documents to {HERE / 'docs.jsonl.gz'}")


if __name__ == "__main__":
    main()
