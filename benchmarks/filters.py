"""thresher's FineWeb filter set against datatrove 0.10.1: same decisions, how much faster.

Runs datatrove's chain (GopherRepetitionFilter, GopherQualityFilter,
C4QualityFilter(filter_no_terminal_punct=False), FineWebQualityFilter) and thresher's
(``gopher_repetition``, ``gopher_quality``, ``c4_quality``, ``fineweb_quality``) on the
same documents, in one invocation:

- corpus ``web``: ``text_main`` of ../shared/data/corpus/web-text.jsonl.gz (real pages);
- corpus ``synthetic``: documents this script generates from those pages with
  mutations that hit every rule (repeated paragraphs / lines / phrases, bullets,
  ellipses, hashes, lorem ipsum, curly brackets, javascript and policy lines,
  citations, CRLF line ends, padding whitespace, upper case, no line breaks, CJK).

datatrove and spaCy are installed into a separate virtual environment
(``.bench-venv-datatrove`` beside the repository, git-ignored) on first use; thresher
never imports them. Each filter is run alone on the original text (per-filter rows)
and as a chain (the ``chain`` row, where C4 rewrites the text before FineWeb sees it).

Prints one table: per filter and for the chain, the share of documents with the same
keep/drop decision, the same reason (thresher's reasons mapped to datatrove's names
through each module's ``REASON_ALIASES``), the same C4 rewritten text, and the
throughput of both per core (CPU seconds of one process), with the ratio; thresher runs
twice, with its compiled accelerator and on its pure-Python path (which must give the
same results, document by document). Then every disagreement, grouped by class.

    .venv/bin/python benchmarks/filters.py            # full corpus (about 10 minutes)
    .venv/bin/python benchmarks/filters.py --limit 500
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("THRESHER_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "data" / "corpus" / "web-text.jsonl.gz"
VENV = ROOT / ".bench-venv-datatrove"
DATATROVE = "datatrove[processing]==0.10.1"
SPACY = "spacy>=3.7,<4"
FILTERS = ("gopher_repetition", "gopher_quality", "c4_quality", "fineweb_quality")
WARM = "chain, warm"  # thresher's chain with the chunk cache the per-filter runs filled

# Runs inside the datatrove venv: reads documents, writes one result line per document
# and filter, then the CPU seconds of each configuration.
WORKER = r'''
import json, sys, time, warnings
warnings.filterwarnings("ignore")
from datatrove.data import Document
from datatrove.pipeline.filters import (GopherRepetitionFilter, GopherQualityFilter,
    C4QualityFilter, FineWebQualityFilter)

def make():
    return {
        "gopher_repetition": GopherRepetitionFilter(),
        "gopher_quality": GopherQualityFilter(),
        "c4_quality": C4QualityFilter(filter_no_terminal_punct=False),
        "fineweb_quality": FineWebQualityFilter(),
    }

def run(f, text):
    doc = Document(text=text, id="x")
    try:
        r = f.filter(doc)
    except Exception as e:  # datatrove crashes on some bad input: record it
        return {"keep": None, "reason": "crash:" + type(e).__name__, "text": None}
    keep, reason = (r if isinstance(r, tuple) else (r, None))
    return {"keep": bool(keep), "reason": reason, "text": doc.text}

def chain_run(filters):
    rs = []
    for t in texts:
        doc_text, res = t, {"keep": True, "reason": None, "by": None}
        for name, f in filters.items():
            r = run(f, doc_text)
            if not r["keep"]:
                res = {"keep": False, "reason": r["reason"], "by": name}
                break
            if r["text"] is not None:
                doc_text = r["text"]
        res["text"] = doc_text if res["keep"] else None
        rs.append(res)
    return rs

texts = [json.loads(l)["text"] for l in open(sys.argv[1], encoding="utf-8")]
out = open(sys.argv[2], "w", encoding="utf-8")
secs = {}
if sys.argv[3] == "steady-chain":
    # A process of its own whose spaCy tokenizer first ran the chain over other documents
    # of the same corpus (argv[4]): its cache holds what a long run's would. The same
    # per-document work as chain_run, on those documents, then timed on these.
    def chain_over(filters, items):
        for t in items:
            doc_text = t
            for name, f in filters.items():
                r = run(f, doc_text)
                if not r["keep"]:
                    break
                if r["text"] is not None:
                    doc_text = r["text"]
    filters = make()
    chain_over(filters, [json.loads(l)["text"] for l in open(sys.argv[4], encoding="utf-8")])
    t0 = time.process_time()
    chain_over(filters, texts)
    out.write(json.dumps({"seconds": {"chain, steady": time.process_time() - t0}}) + "\n")
    sys.exit(0)
if sys.argv[3] == "cold-chain":
    # A process of its own whose spaCy tokenizer has seen one short sentence only
    # (loaded, its chunk cache empty), like thresher's cold chain.
    filters = make()
    for f in filters.values():
        run(f, "Loading the tokenizer. One sentence.")
    t0 = time.process_time()
    chain_run(filters)
    out.write(json.dumps({"seconds": {"chain": time.process_time() - t0}}) + "\n")
    sys.exit(0)
filters = make()
for name, f in filters.items():
    rs = []
    t0 = time.process_time()
    for t in texts:
        rs.append(run(f, t))
    secs[name] = time.process_time() - t0
    for i, r in enumerate(rs):
        if name != "c4_quality":
            r.pop("text")
        out.write(json.dumps({"i": i, "filter": name, **r}) + "\n")
filters = make()  # fresh instances; the process's spaCy tokenizer and its cache stay warm
t0 = time.process_time()
rs = chain_run(filters)
secs["chain, warm"] = time.process_time() - t0
for i, r in enumerate(rs):
    out.write(json.dumps({"i": i, "filter": "chain", **r}) + "\n")
out.write(json.dumps({"seconds": secs}) + "\n")
'''


def ensure_venv() -> Path:
    """The datatrove venv's python, created and filled on first use."""
    py = VENV / "bin" / "python"
    ok = py.exists() and subprocess.run(
        [str(py), "-c", "import datatrove, spacy"], capture_output=True, check=False
    ).returncode == 0
    if not ok:
        print(f"installing {DATATROVE} and spaCy into {VENV} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", DATATROVE, SPACY], check=True)
    return py


# ---- the corpora -------------------------------------------------------------------------


def load_web(limit: int | None) -> list[str]:
    texts: list[str] = []
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        for line in f:
            texts.append(json.loads(line)["text_main"] or "")
            if limit and len(texts) >= limit:
                break
    return texts


_CJK = "我们今天去公园散步天气很好大家都很开心然后一起吃了午饭"


def _mutate(text: str, rng: random.Random) -> str:
    """One rule-hitting change to a real page (which one is drawn from ``rng``)."""
    lines = text.split("\n") or [""]
    words = text.split() or ["word"]
    kind = rng.randrange(16)
    if kind == 0:  # repeated paragraphs
        paras = text.split("\n\n")
        return "\n\n".join(paras + rng.choices(paras, k=rng.randint(1, len(paras))))
    if kind == 1:  # repeated lines
        return "\n".join(lines + rng.choices(lines, k=rng.randint(1, max(1, len(lines) // 2))))
    if kind == 2:  # a phrase repeated
        k = rng.randint(2, 6)
        i = rng.randrange(max(1, len(words) - k))
        phrase = " ".join(words[i : i + k])
        return text + "\n" + " ".join([phrase] * rng.randint(2, 40))
    if kind == 3:  # bullets
        return "\n".join(("- " if rng.random() < 0.95 else "") + ln for ln in lines)
    if kind == 4:  # ellipses at line ends
        return "\n".join(ln + ("..." if rng.random() < 0.5 else "") for ln in lines)
    if kind == 5:  # hashtags
        return " ".join(w if rng.random() > 0.15 else "#" + w for w in words)
    if kind == 6:  # lorem ipsum / curly bracket / javascript / policy lines
        extra = rng.choice([
            "Lorem ipsum dolor sit amet, consectetur adipiscing elit.",
            "var x = {a: 1}; function f() { return x; }",
            "Please enable JavaScript in your browser to view this page.",
            "This site uses cookies to improve your experience.",
            "By using this site you agree to our Terms of Use and Privacy Policy.",
        ])
        lines.insert(rng.randrange(len(lines) + 1), extra)
        return "\n".join(lines)
    if kind == 7:  # citations
        return " ".join(w + (f"[{rng.randint(1, 99)}]" if rng.random() < 0.1 else "") for w in words)
    if kind == 8:  # CRLF line ends and padding
        return "\r\n".join("  " + ln + " \t" for ln in lines)
    if kind == 9:  # upper case: the stop words are case-sensitive
        return text.upper()
    if kind == 10:  # no line breaks at all
        return " ".join(words)
    if kind == 11:  # one word per line
        return "\n".join(words[: rng.randint(5, 400)])
    if kind == 12:  # CJK without spaces
        return "".join(rng.choice(_CJK) for _ in range(rng.randint(50, 3000)))
    if kind == 13:  # short document
        return " ".join(words[: rng.randint(0, 80)])
    if kind == 14:  # apostrophes and dashes stripped (as on the seed page)
        return text.replace("'", "").replace("’", "").replace("—", "")
    return text[: rng.randint(0, len(text))]  # truncated mid-way


def synthetic(web: list[str], n: int, seed: int = 4) -> list[str]:
    rng = random.Random(seed)
    pool = [t for t in web if t.strip()]
    return [_mutate(rng.choice(pool), rng) for _ in range(n)]


# ---- running both ------------------------------------------------------------------------


def run_datatrove(texts: list[str], workers: int = 2) -> tuple[dict[str, list[dict[str, Any]]], dict[str, float]]:
    """datatrove's results, from ``workers`` processes over interleaved shares of ``texts``.

    Seconds are CPU seconds summed over the processes, so documents/s stays per core.
    """
    py = ensure_venv()
    results: dict[str, list[dict[str, Any]]] = {k: [{}] * len(texts) for k in (*FILTERS, "chain")}
    secs: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        worker = Path(tmp, "worker.py")
        worker.write_text(WORKER)
        procs = []
        for w in range(workers):
            src = Path(tmp, f"in{w}.jsonl")
            with open(src, "w", encoding="utf-8") as f:
                f.writelines(json.dumps({"text": t}) + "\n" for t in texts[w::workers])
        # the cold chain in fresh processes first, then everything else (warm chain last);
        # one process per core at a time, as thresher's runs
        for mode in ("cold-chain", "rest"):
            batch = []
            for w in range(workers):
                src, dst = Path(tmp, f"in{w}.jsonl"), Path(tmp, f"out{w}-{mode}.jsonl")
                batch.append((w, dst, subprocess.Popen([str(py), str(worker), str(src), str(dst), mode])))
            for w, _, proc in batch:
                if proc.wait() != 0:
                    raise RuntimeError(f"datatrove worker {w} ({mode}) failed")
            procs += batch
        for w, dst, _ in procs:
            with open(dst, encoding="utf-8") as f:
                for line in f:
                    r = json.loads(line)
                    if "seconds" in r:
                        for k, v in r["seconds"].items():
                            secs[k] = secs.get(k, 0.0) + v
                    else:
                        results[r.pop("filter")][r.pop("i") * workers + w] = r
    return results, secs


def datatrove_chain_seconds(texts: list[str], mode: str, warm: list[str] | None = None, workers: int = 2) -> float:
    """CPU seconds of datatrove's chain in fresh processes: ``cold-chain`` (as the chain row)
    or ``steady-chain`` (after the chain ran over ``warm``, other documents of the corpus)."""
    py = ensure_venv()
    total = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        worker = Path(tmp, "worker.py")
        worker.write_text(WORKER)
        procs = []
        for w in range(workers):
            src, dst = Path(tmp, f"in{w}.jsonl"), Path(tmp, f"out{w}.jsonl")
            with open(src, "w", encoding="utf-8") as f:
                f.writelines(json.dumps({"text": t}) + "\n" for t in texts[w::workers])
            argv = [str(py), str(worker), str(src), str(dst), mode]
            if warm is not None:
                wsrc = Path(tmp, f"warm{w}.jsonl")
                with open(wsrc, "w", encoding="utf-8") as f:
                    f.writelines(json.dumps({"text": t}) + "\n" for t in warm[w::workers])
                argv.append(str(wsrc))
            procs.append((w, dst, subprocess.Popen(argv)))
        for w, dst, proc in procs:
            if proc.wait() != 0:
                raise RuntimeError(f"datatrove worker {w} ({mode}) failed")
            with open(dst, encoding="utf-8") as f:
                for line in f:
                    total += sum(json.loads(line)["seconds"].values())
    return total


def thresher_chain(texts: list[str], warm: list[str] | None = None) -> tuple[float, list[dict[str, Any]]]:
    """CPU seconds and outcomes of thresher's chain, measured as the chain row measures it
    (empty caches, batches of 1000), after running the chain over ``warm`` if given (its
    chunk cache then holds what a long run's would; no whole-text analysis is kept)."""
    sys.path.insert(0, str(ROOT / "src"))
    from thresher.document import Document
    from thresher.registry import step_class
    from thresher.stages.filter import _words

    aliases: dict[str, str] = {}
    for name in FILTERS:
        aliases.update(getattr(sys.modules[step_class(name).__module__], "REASON_ALIASES", {}))

    def steps() -> list[Any]:
        out = []
        for name in FILTERS:
            step = step_class(name)(**({"filter_no_terminal_punct": False} if name == "c4_quality" else {}))
            step.ensure_setup()
            out.append(step)
        return out

    def run_chain(items: list[str]) -> list[Document]:
        chain = steps()
        docs = [Document(id=str(i), text=t) for i, t in enumerate(items)]
        for i in range(0, len(docs), 1000):
            for step in chain:
                step(docs[i : i + 1000])
        return docs

    _words._ANALYSES.clear()
    _words._CHUNK_CACHE.clear()
    _words._FLAGS.clear()
    if warm:
        run_chain(warm)
        _words._ANALYSES.clear()
    chain = steps()
    docs = [Document(id=str(i), text=t) for i, t in enumerate(texts)]
    t0 = time.process_time()
    for i in range(0, len(docs), 1000):
        for step in chain:
            step(docs[i : i + 1000])
    secs = time.process_time() - t0
    _words._ANALYSES.clear()
    outcomes = []
    for d in docs:
        keep = d.verdict.status == "kept"
        reason = aliases.get(d.verdict.reasons[0], d.verdict.reasons[0]) if d.verdict.status == "rejected" else None
        if d.verdict.status == "quarantined":
            reason = "quarantined:" + (d.error or "")
        outcomes.append({"keep": keep, "reason": reason, "by": d.verdict.step, "text": d.text if keep else None})
    return secs, outcomes


def extra_chain_rows(
    corpus: str, texts: list[str], dt_chain: list[dict[str, Any]], first: tuple[float, float],
    repeat: int, warm: list[str] | None,
) -> list[list[str]]:
    """The optional rows: the cold chain best of ``repeat`` runs per system (runs alternate
    between the two), and the chain in a steady state (caches warmed on ``warm``)."""
    n = len(texts)
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6

    def row(name: str, dsec: float, tsec: float, outcomes: list[dict[str, Any]]) -> list[str]:
        same = [a.get("keep") == b["keep"] and a.get("reason") == b["reason"] for a, b in zip(dt_chain, outcomes)]
        dec = sum(a.get("keep") == b["keep"] for a, b in zip(dt_chain, outcomes))
        txt = sum(s and (a.get("text") == b["text"] if b["keep"] else True)
                  for s, a, b in zip(same, dt_chain, outcomes))
        return [corpus, name, str(n), f"{dec / n:.2%}", f"{sum(same) / n:.2%}", f"{txt / n:.2%}",
                f"{n / dsec:.1f}", f"{mb / dsec:.3f}", f"{n / tsec:.0f}", f"{mb / tsec:.2f}",
                f"{dsec / tsec:.1f}x", "-", "-"]

    rows = []
    if repeat > 1:
        dts, ths = [first[0]], [first[1]]
        outcomes: list[dict[str, Any]] = []
        for _ in range(repeat - 1):
            dts.append(datatrove_chain_seconds(texts, "cold-chain"))
            tsec, outcomes = thresher_chain(texts)
            ths.append(tsec)
        rows.append(row(f"chain, best of {repeat}", min(dts), min(ths), outcomes))
    if warm:
        dsec = datatrove_chain_seconds(texts, "steady-chain", warm)
        tsec, outcomes = thresher_chain(texts, warm)
        rows.append(row("chain, steady", dsec, tsec, outcomes))
    return rows


def run_thresher(texts: list[str], pure: bool = False) -> tuple[dict[str, list[dict[str, Any]]], dict[str, float]]:
    """thresher's results and CPU seconds; ``pure`` runs without the compiled accelerator."""
    sys.path.insert(0, str(ROOT / "src"))
    from thresher.stages.filter import _words

    fast = _words._fast
    if pure:
        _words._fast = None
    try:
        return _run_thresher(texts)
    finally:
        _words._fast = fast


def _run_thresher(texts: list[str]) -> tuple[dict[str, list[dict[str, Any]]], dict[str, float]]:
    from thresher.document import Document
    from thresher.registry import step_class

    aliases: dict[str, str] = {}
    for name in FILTERS:
        mod = sys.modules[step_class(name).__module__]
        aliases.update(getattr(mod, "REASON_ALIASES", {}))

    def make(name: str) -> Any:
        params = {"filter_no_terminal_punct": False} if name == "c4_quality" else {}
        step = step_class(name)(**params)
        step.ensure_setup()
        return step

    def outcome(doc: Document, with_text: bool) -> dict[str, Any]:
        keep = doc.verdict.status == "kept"
        reason = None
        if doc.verdict.status == "rejected":
            reason = aliases.get(doc.verdict.reasons[0], doc.verdict.reasons[0])
        elif doc.verdict.status == "quarantined":
            reason = "quarantined:" + (doc.error or "")
        r = {"keep": keep, "reason": reason, "by": doc.verdict.step}
        if with_text:
            r["text"] = doc.text if keep else None
        return r

    batch = 1000  # documents per call, as an executor would hand them over
    results: dict[str, list[dict[str, Any]]] = {}
    secs: dict[str, float] = {}
    from thresher.stages.filter import _words

    for name in FILTERS:
        _words._ANALYSES.clear()  # each filter starts cold: no split shared with the one before
        _words._CHUNK_CACHE.clear()
        _words._FLAGS.clear()
        step = make(name)
        docs = [Document(id=str(i), text=t) for i, t in enumerate(texts)]
        t0 = time.process_time()
        for i in range(0, len(docs), batch):
            step(docs[i : i + batch])
        secs[name] = time.process_time() - t0
        results[name] = [outcome(d, name == "c4_quality") for d in docs]
    # "chain": thresher starts with empty caches, as datatrove's cold chain (run in a fresh
    # process). "chain, warm": its chunk cache keeps what the per-filter runs filled, as
    # datatrove's warm chain (one spaCy tokenizer and its cache per process, across the
    # worker's runs). Whole-text analyses are never carried over.
    for key, cold in (("chain", True), (WARM, False)):
        _words._ANALYSES.clear()
        if cold:
            _words._CHUNK_CACHE.clear()
            _words._FLAGS.clear()
        steps = [make(n) for n in FILTERS]
        docs = [Document(id=str(i), text=t) for i, t in enumerate(texts)]
        t0 = time.process_time()
        for i in range(0, len(docs), batch):
            part = docs[i : i + batch]
            for step in steps:
                step(part)
        secs[key] = time.process_time() - t0
        results[key] = [outcome(d, True) for d in docs]
    _words._ANALYSES.clear()
    return results, secs


TOKENIZER_WORKER = r'''
import json, sys
import spacy
nlp = spacy.blank("en")
out = open(sys.argv[2], "w", encoding="utf-8")
for line in open(sys.argv[1], encoding="utf-8"):
    chunk = json.loads(line)
    out.write(json.dumps([t.text for t in nlp.tokenizer(chunk) if t.text.strip()]) + "\n")
'''


def tokenizer_agreement(texts: list[str]) -> tuple[float, int, int, list[tuple[int, str, list[str], list[str]]]]:
    """Share of whitespace chunks (weighted by frequency) that thresher splits as spaCy does."""
    sys.path.insert(0, str(ROOT / "src"))
    from thresher.stages.filter._words import _chunk_tokens

    counts = Counter(c for t in texts for c in t.split())
    chunks = list(counts)
    py = ensure_venv()
    with tempfile.TemporaryDirectory() as tmp:
        src, dst, worker = Path(tmp, "chunks.jsonl"), Path(tmp, "tokens.jsonl"), Path(tmp, "tok.py")
        with open(src, "w", encoding="utf-8") as f:
            f.writelines(json.dumps(c) + "\n" for c in chunks)
        worker.write_text(TOKENIZER_WORKER)
        subprocess.run([str(py), str(worker), str(src), str(dst)], check=True)
        with open(dst, encoding="utf-8") as f:
            ref = [json.loads(line) for line in f]
    bad: list[tuple[int, str, list[str], list[str]]] = []
    for c, r in zip(chunks, ref):
        mine = list(_chunk_tokens(c))
        if mine != r:
            bad.append((counts[c], c, r, mine))
    total = sum(counts.values())
    wrong = sum(b[0] for b in bad)
    bad.sort(key=lambda b: -b[0])
    return 1 - wrong / total, total, len(chunks), bad


def classify(name: str, dt: dict[str, Any], th: dict[str, Any]) -> str:
    """A short name for one disagreement: which side drops, and for what."""
    if dt.get("keep") != th.get("keep"):
        a = f"datatrove {dt.get('reason') or 'keep'}"
        b = f"thresher {th.get('reason') or 'keep'}"
        return f"{name}: decision: {a} / {b}"
    if dt.get("reason") != th.get("reason"):
        return f"{name}: reason: datatrove {dt.get('reason')} / thresher {th.get('reason')}"
    return f"{name}: c4 text differs"


def compare(
    corpus: str, texts: list[str], dump: Path | None = None, repeat: int = 1, warm: list[str] | None = None
) -> tuple[list[list[str]], Counter[str], dict[str, list[int]]]:
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    rows: list[list[str]] = []
    classes: Counter[str] = Counter()
    examples: dict[str, list[int]] = {}
    dt, dt_secs = run_datatrove(texts)
    th, th_secs = run_thresher(texts)
    py, py_secs = run_thresher(texts, pure=True)
    if py != th:  # the accelerator must not change a single result
        n_diff = sum(py[k][i] != th[k][i] for k in th for i in range(len(texts)))
        print(f"{corpus}: the pure-Python path differs from the compiled one on {n_diff} results", file=sys.stderr)
        key = f"{corpus}: pure-Python path differs from the compiled one"
        classes[key] += n_diff
        examples[key] = sorted({i for k in th for i in range(len(texts)) if py[k][i] != th[k][i]})
    if dump is not None:
        with open(dump, "w", encoding="utf-8") as f:
            f.writelines(
                json.dumps({"i": i, "datatrove": a.get("keep"), "thresher": b["keep"],
                            "datatrove_reason": a.get("reason"), "thresher_reason": b["reason"]}) + "\n"
                for i, (a, b) in enumerate(zip(dt["chain"], th["chain"]))
            )
    n = len(texts)
    dt[WARM] = dt["chain"]  # the same decisions; dt_secs has a cold and a warm time
    for name in (*FILTERS, "chain", WARM):
        same_dec = same_reason = same_text = 0
        for i in range(n):
            a, b = dt[name][i], th[name][i]
            dec = a.get("keep") == b["keep"]
            rea = dec and a.get("reason") == b["reason"]
            # a rejected document's text is not compared: datatrove leaves it as it was
            txt = rea and (a.get("text") == b.get("text") if "text" in a and b["keep"] else True)
            same_dec += dec
            same_reason += rea
            same_text += txt
            if not txt:
                c = classify(name, a, b)
                classes[f"{corpus}: {c}"] += 1
                examples.setdefault(f"{corpus}: {c}", []).append(i)
        has_text = name in ("c4_quality", "chain", WARM)
        dsec, tsec, psec = dt_secs[name], th_secs[name], py_secs[name]
        rows.append([
            corpus, name, str(n),
            f"{same_dec / n:.2%}", f"{same_reason / n:.2%}",
            f"{same_text / n:.2%}" if has_text else "-",
            f"{n / dsec:.1f}", f"{mb / dsec:.3f}",
            f"{n / tsec:.0f}", f"{mb / tsec:.2f}", f"{dsec / tsec:.1f}x",
            f"{n / psec:.0f}", f"{dsec / psec:.1f}x",
        ])
    rows += extra_chain_rows(corpus, texts, dt["chain"], (dt_secs["chain"], th_secs["chain"]), repeat, warm)
    return rows, classes, examples


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int, default=None, help="first N pages of the web corpus")
    ap.add_argument("--synthetic", type=int, default=1000, help="number of generated documents")
    ap.add_argument("--examples", type=int, default=3, help="document indices shown per class")
    ap.add_argument("--dump", type=Path, default=None,
                    help="write datatrove's and thresher's chain decisions per web document (JSONL)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="also run the cold chain N times per system, alternating, and add a best-of-N row")
    ap.add_argument("--steady", type=int, default=0,
                    help="add a 'chain, steady' row: caches warmed on N other documents of each corpus")
    args = ap.parse_args()
    if not CORPUS.exists():
        sys.exit(f"needs {CORPUS} (set THRESHER_SHARED to the shared folder)")
    web = load_web(args.limit)
    corpora = {"web": web, "synthetic": synthetic(web, args.synthetic)}
    warm: dict[str, list[str] | None] = {"web": None, "synthetic": None}
    if args.steady:
        # other pages of the corpus (after the timed ones), and documents generated from them
        rest = load_web((args.limit or len(web)) + args.steady)[len(web):]
        warm = {"web": rest, "synthetic": synthetic(rest, args.steady, seed=5) if rest else None}
    header = ["corpus", "filter", "docs", "same decision", "same reason", "same C4 text",
              "datatrove docs/s", "datatrove MB/s", "thresher docs/s", "thresher MB/s", "speed-up",
              "pure-Python docs/s", "pure-Python speed-up"]
    rows: list[list[str]] = []
    classes: Counter[str] = Counter()
    examples: dict[str, list[int]] = {}
    for corpus, texts in corpora.items():
        r, c, e = compare(corpus, texts, args.dump if corpus == "web" else None, args.repeat, warm[corpus])
        rows += r
        classes.update(c)
        examples.update(e)
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths)))
    print("-|-".join("-" * w for w in widths))
    for r in rows:
        print(" | ".join(v.ljust(w) for v, w in zip(r, widths)))
    from thresher.stages.filter._words import _fast

    print("\nthroughput is per core: documents (MB of UTF-8 text) per CPU second of one process")
    print(f"'chain': both start with empty caches (datatrove in a fresh process, its spaCy tokenizer"
          f" loaded on one sentence); '{WARM}': both with the caches the per-filter runs filled"
          " (datatrove keeps one spaCy tokenizer and its cache per process)")
    if args.repeat > 1:
        print(f"'chain, best of {args.repeat}': the cold chain run {args.repeat} times per system (the first is the"
              " 'chain' row), alternating; the fastest run of each")
    if args.steady:
        print(f"'chain, steady': both first run the chain over {args.steady} other documents of the corpus (web:"
              " the pages after the timed ones; synthetic: generated from those, seed 5), then are timed on the"
              " corpus (thresher keeps no whole-text analysis; datatrove's decisions do not depend on its cache)")
    print("thresher: " + ("with the compiled accelerator (_fastwords)" if _fast is not None else
                          "the accelerator is NOT built: both thresher columns are pure Python")
          + "; pure-Python: THRESHER_PURE_PYTHON's path, same results (checked per document)")
    print("\ndisagreement classes (count, first document indices):")
    for c, k in sorted(classes.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {k:5d}  {c}  {examples[c][: args.examples]}")
    share, total, distinct, bad = tokenizer_agreement(web)
    print(f"\nword split vs spaCy 3 English tokenizer (datatrove's) on the web corpus: {share:.4%} of "
          f"{total} whitespace chunks ({distinct} distinct) split identically; most frequent differences:")
    for k, chunk, ref, mine in bad[:8]:
        print(f"  {k:4d}x {chunk[:40]!r}: spaCy {ref[:6]} / thresher {mine[:6]}")
    from thresher.stages.filter._words import TOKENISATION_DIFFERENCES

    print("accepted tokenisation differences:")
    for d in TOKENISATION_DIFFERENCES:
        print(f"  - {d}")
    digest = hashlib.sha256("\x00".join(web).encode()).hexdigest()[:16]
    print(f"\nweb corpus: {len(web)} docs, sha256 {digest}; synthetic: {args.synthetic} docs, seed 4")


if __name__ == "__main__":
    main()
