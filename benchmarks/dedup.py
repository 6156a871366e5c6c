"""Near-duplicate detection: thresher vs datasketch, rensa and datatrove, on the same corpus.

Builds a corpus from ../shared/data/corpus (real pages) with planted near-duplicates of
known edit types (word insertions, deletions, substitutions, boilerplate added,
paragraphs reordered, exact copies), computes the exact Jaccard similarity of word
5-grams (tokens ``\\w+``, lowercased) of every pair as ground truth, and runs each method
in its own subprocess (so each has its own peak memory) on that corpus. Prints one table:
precision of the pairs each method declares duplicates, recall of the true pairs
(``J >= 0.8``) directly and through the clusters the declared pairs make, documents/s
per core (CPU time of the method, corpus loading excluded) and peak resident memory,
and thresher's CPU time per phase (map, reduce, apply).

``--baseline REV`` also runs thresher as it was at git revision ``REV`` (extracted with
``git archive``, put first on ``PYTHONPATH`` of its worker) on the same corpus, so a
before/after comparison comes from one invocation; ``--repeat N`` runs every method N
times, interleaved, and reports medians (CPU time is noisy on a shared machine).

Then, unless ``--synthetic 0``: the clustering phase's peak memory per document on
synthetic documents (with one cluster of 100,000 copies), and the score distribution
over the 480 CopyCat human judgements.

The peers are benchmark-only; install them beside thresher in a separate venv::

    python3.11 -m venv .bench-venv-dedup
    .bench-venv-dedup/bin/pip install -e . datasketch rensa datatrove tokenizers scipy
    .bench-venv-dedup/bin/python benchmarks/dedup.py

Methods whose package is missing are reported as skipped.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("THRESHER_SHARED", ROOT.parent / "shared"))
TOKEN = re.compile(r"\w+")
THRESHOLD = 0.8
NUM_PERM = 128
BOILERPLATE = [
    "Share this article on Facebook Twitter and LinkedIn",
    "Subscribe to our newsletter to get the latest stories delivered to your inbox every week",
    "Copyright all rights reserved. Terms of use. Privacy policy. Cookie settings",
    "Related posts you may also like: ten things to know before you go",
]


# ---- corpus -----------------------------------------------------------------------------


def load_pages(n: int, min_words: int = 50) -> list[str]:
    path = SHARED / "data" / "corpus" / "web-text.jsonl.gz"
    pages = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            text = json.loads(line).get("text_main") or ""
            if len(text.split()) >= min_words:
                pages.append(text)
            if len(pages) >= n:
                break
    return pages


def plant(rng: random.Random, text: str, kind: str, rate: float) -> str:
    """A near-duplicate of ``text``: ``rate`` is the share of words edited."""
    if kind == "exact":
        return text
    if kind == "boilerplate":
        head = rng.sample(BOILERPLATE, 2)
        return "\n".join([head[0], text, head[1]])
    if kind == "reorder":
        paras = text.split("\n")
        if len(paras) >= 3:
            i, j = rng.sample(range(len(paras)), 2)
            paras[i], paras[j] = paras[j], paras[i]
        return "\n".join(paras)
    words = text.split(" ")
    n_edits = max(1, round(rate * len(words)))
    for _ in range(n_edits):
        i = rng.randrange(len(words))
        if kind == "substitute":
            words[i] = rng.choice(words) + "x"
        elif kind == "insert":
            words.insert(i, rng.choice(words))
        elif kind == "delete" and len(words) > 10:
            del words[i]
    return " ".join(words)


def build_corpus(n_pages: int, n_copies: int, seed: int) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    pages = load_pages(n_pages)
    kinds = ["exact", "substitute", "insert", "delete", "boilerplate", "reorder"]
    rates = [0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1]
    copies, labels = [], []
    for _ in range(n_copies):
        kind, rate = rng.choice(kinds), rng.choice(rates)
        copies.append(plant(rng, rng.choice(pages), kind, rate))
        labels.append(f"{kind}@{rate}")
    texts = pages + copies
    order = list(range(len(texts)))
    rng.shuffle(order)
    return [texts[i] for i in order], ["page" if i < len(pages) else labels[i - len(pages)] for i in order]


def word_shingles(text: str, n: int = 5) -> set[str]:
    toks = TOKEN.findall(text.lower())
    return {" ".join(toks[i : i + n]) for i in range(len(toks) - n + 1)}


def ground_truth(texts: list[str]) -> np.ndarray:
    """All pairs (i < j) with exact word 5-gram Jaccard ≥ THRESHOLD, via a sparse product."""
    from scipy import sparse

    vocab: dict[str, int] = {}
    rows, cols = [], []
    for i, t in enumerate(texts):
        for s in word_shingles(t):
            rows.append(i)
            cols.append(vocab.setdefault(s, len(vocab)))
    x = sparse.csr_matrix((np.ones(len(rows), np.int32), (rows, cols)), shape=(len(texts), len(vocab)))
    sizes = np.asarray(x.sum(axis=1)).ravel()
    inter = sparse.triu(x @ x.T, k=1).tocoo()
    jac = inter.data / (sizes[inter.row] + sizes[inter.col] - inter.data)
    keep = jac >= THRESHOLD
    return np.stack([inter.row[keep], inter.col[keep]]).astype(np.int64)


# ---- methods (each runs in a subprocess) ---------------------------------------------------


def run_thresher(texts: list[str], workdir: Path) -> tuple[np.ndarray, dict[str, Any]]:
    from thresher.document import Document
    from thresher.stages.dedup.near import NearDedup
    from thresher.step import GlobalContext, ShardContext

    docs = [Document(id=str(i), text=t) for i, t in enumerate(texts)]
    n_shards = 4
    size = -(-len(docs) // n_shards)
    shards = [docs[i * size : (i + 1) * size] for i in range(n_shards)]
    step = NearDedup()
    t0 = time.process_time()
    for s, sd in enumerate(shards):
        step.map_shard(sd, ShardContext(s, n_shards, workdir))
    t1 = time.process_time()
    stats = step.reduce(GlobalContext(n_shards, workdir))
    t2 = time.process_time()
    for s, sd in enumerate(shards):
        step.apply_shard(sd, ShardContext(s, n_shards, workdir))
    t3 = time.process_time()
    pairs = np.load(workdir / "pairs.npy")
    return pairs, {
        "cpu": t3 - t0,
        "map_cpu": t1 - t0,
        "reduce_cpu": t2 - t1,
        "apply_cpu": t3 - t2,
        "stats": stats,
    }


def run_datasketch(texts: list[str], workdir: Path) -> tuple[np.ndarray, dict[str, Any]]:
    from datasketch import MinHash, MinHashLSH

    t0 = time.process_time()
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    sigs = []
    for i, t in enumerate(texts):
        m = MinHash(num_perm=NUM_PERM, seed=1)
        m.update_batch([s.encode("utf-8") for s in word_shingles(t)])
        lsh.insert(i, m)
        sigs.append(m)
    pairs = {(min(i, j), max(i, j)) for i, m in enumerate(sigs) for j in lsh.query(m) if j != i}
    cpu = time.process_time() - t0
    return np.array(sorted(pairs), dtype=np.int64).T.reshape(2, -1), {"cpu": cpu}


def run_rensa(texts: list[str], workdir: Path) -> tuple[np.ndarray, dict[str, Any]]:
    from rensa import RMinHash, RMinHashLSH

    t0 = time.process_time()
    lsh = RMinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, num_bands=16)
    sets, sigs = [], []
    for i, t in enumerate(texts):
        sh = word_shingles(t)
        m = RMinHash(num_perm=NUM_PERM, seed=1)
        m.update(list(sh))
        lsh.insert(i, m)
        sets.append(sh)
        sigs.append(m)
    pairs = set()
    for i, m in enumerate(sigs):
        for j in lsh.query(m):
            if j != i:
                a, b = sets[i], sets[j]
                if a and len(a & b) / len(a | b) >= THRESHOLD:  # the exact check
                    pairs.add((min(i, j), max(i, j)))
    cpu = time.process_time() - t0
    return np.array(sorted(pairs), dtype=np.int64).T.reshape(2, -1), {"cpu": cpu}


def run_datatrove(texts: list[str], workdir: Path) -> tuple[np.ndarray, dict[str, Any]]:
    from datatrove.data import Document as DtDoc
    from datatrove.pipeline.dedup.minhash import (
        MinhashConfig,
        MinhashDedupBuckets,
        MinhashDedupSignature,
    )

    config = MinhashConfig()  # FineWeb defaults: 5-grams, 14 buckets × 8 hashes
    docs = [DtDoc(text=t, id=str(i)) for i, t in enumerate(texts)]
    t0 = time.process_time()
    sig = MinhashDedupSignature(output_folder=str(workdir / "sigs"), config=config)
    sig.run(iter(docs), rank=0, world_size=1)
    t_sig = time.process_time() - t0
    buckets = MinhashDedupBuckets(
        input_folder=str(workdir / "sigs"), output_folder=str(workdir / "buckets"), config=config
    )
    for b in range(config.num_buckets):
        buckets.run(rank=b, world_size=config.num_buckets)
    cpu = time.process_time() - t0
    pairs = set()
    for f in sorted((workdir / "buckets").glob("*.dups")):
        arr = np.fromfile(f, dtype="<u4").reshape(-1, 4)  # (file, doc, file, doc)
        for _, a, _, b in arr.tolist():
            pairs.add((min(a, b), max(a, b)))
    return np.array(sorted(pairs), dtype=np.int64).T.reshape(2, -1), {"cpu": cpu, "signature_cpu": t_sig}


METHODS = {
    "thresher": run_thresher,
    "datasketch": run_datasketch,
    "rensa": run_rensa,
    "datatrove": run_datatrove,
}


def _proc_status(field: str) -> int:
    """A memory field of /proc/self/status, in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited at exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(method: str, corpus: Path, out: Path) -> None:
    texts = json.loads(corpus.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        pairs, info = METHODS[method](texts, Path(tmp))
    info["peak_rss_mb"] = peak_rss_mb()
    np.save(out.with_suffix(".npy"), pairs)
    out.write_text(json.dumps(info, default=float))


# ---- scoring ------------------------------------------------------------------------------


def components(n: int, pairs: np.ndarray) -> np.ndarray:
    from thresher.stages.dedup.base import connected_components

    return connected_components(n, pairs[0], pairs[1])


def score(n: int, pairs: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    true = set(map(tuple, truth.T.tolist()))
    found = set(map(tuple, pairs.T.tolist()))
    labels = components(n, pairs)
    via_clusters = sum(labels[a] == labels[b] for a, b in true)
    members: dict[int, list[int]] = {}
    for i, lab in enumerate(labels.tolist()):
        members.setdefault(lab, []).append(i)
    co = [(a, b) for m in members.values() if len(m) > 1 for k, a in enumerate(m) for b in m[k + 1 :]]
    return {
        "precision_clusters": sum(p in true for p in co) / len(co) if co else 1.0,
        "pairs": len(found),
        "precision": len(found & true) / len(found) if found else 1.0,
        "recall_direct": len(found & true) / len(true) if true else 1.0,
        "recall_clusters": via_clusters / len(true) if true else 1.0,
    }


def baseline_tree(rev: str, into: Path) -> Path:
    """The package as it was at git revision ``rev``, extracted under ``into``; a worker
    run with it first on ``PYTHONPATH`` measures the old code on the same corpus."""
    tar = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev, "src/thresher"], check=True, capture_output=True
    )
    subprocess.run(["tar", "-x", "-C", str(into)], input=tar.stdout, check=True)
    return into / "src"


def run_method(method: str, corpus: Path, out: Path, pythonpath: Path | None) -> dict[str, Any] | str:
    """One method in a fresh process: its result dict, or the last error line."""
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(pythonpath), env.get("PYTHONPATH", "")])
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", method, str(corpus), str(out)],
        check=False,
        capture_output=True,
        text=True,
        env=env,
    )
    if proc.returncode != 0:
        return (proc.stderr.strip().splitlines() or ["?"])[-1]
    info: dict[str, Any] = json.loads(out.read_text())
    info["pairs"] = np.load(out.with_suffix(".npy"))
    return info


def main_corpus(args: argparse.Namespace, old: Path | None) -> None:
    texts, _ = build_corpus(args.pages, args.copies, args.seed)
    n = len(texts)
    truth = ground_truth(texts)
    chars = sum(map(len, texts)) / n
    print(
        f"corpus: {n} documents ({args.pages} real pages + {args.copies} planted copies), "
        f"{chars:.0f} characters on average; {truth.shape[1]} true pairs at Jaccard ≥ {THRESHOLD}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.json"
        corpus.write_text(json.dumps(texts), encoding="utf-8")
        # (label, method, PYTHONPATH): the baseline is thresher's own worker on old code
        runs: list[tuple[str, str, Path | None]] = []
        if old is not None:
            runs.append((f"thresher@{args.baseline[:10]}", "thresher", old))
        runs += [(m, m, None) for m in args.methods]
        results: dict[str, list[dict[str, Any]]] = {label: [] for label, _, _ in runs}
        failed: dict[str, str] = {}
        # repeats interleave the methods, so a burst of load on the machine hits all alike
        for _ in range(args.repeat):
            for label, method, path in runs:
                if label in failed:
                    continue
                got = run_method(method, corpus, Path(tmp) / f"{method}.json", path)
                if isinstance(got, str):
                    failed[label] = got
                else:
                    results[label].append(got)

        def med(label: str, key: str) -> float:
            return float(np.median([r[key] for r in results[label]]))

        print(
            f"{'method':<22}{'pairs':>7}{'precision':>11}{'recall':>8}{'precision*':>12}{'recall*':>9}"
            f"{'docs/s/core':>13}{'peak MB':>9}"
        )
        for label, _, _ in runs:
            if label in failed:
                print(f"{label:<22} skipped: {failed[label][:90]}")
                continue
            first = results[label][0]
            sc = score(n, first["pairs"], truth)
            print(
                f"{label:<22}{sc['pairs']:>7}{sc['precision']:>11.3f}{sc['recall_direct']:>8.3f}"
                f"{sc['precision_clusters']:>12.3f}{sc['recall_clusters']:>9.3f}"
                f"{n / med(label, 'cpu'):>13,.0f}{med(label, 'peak_rss_mb'):>9.0f}"
            )
        print(
            "precision / recall: of the pairs each method declares duplicates; precision* / recall*: of the "
            "pairs that share a cluster (connected components of the declared pairs); docs/s/core: documents "
            f"over the CPU time of one process (median of {args.repeat} run(s), corpus loading excluded)"
        )
        phased = [label for label, method, _ in runs if method == "thresher" and label not in failed]
        if phased:
            print(f"thresher per phase, docs/s/core (CPU s), median of {args.repeat} run(s):")
            print(f"{'phase':<36}" + "".join(f"{label:>24}" for label in phased))
            for name, key in (
                ("map (shingles, signatures, bands)", "map_cpu"),
                ("reduce (buckets, verify, clusters)", "reduce_cpu"),
                ("apply (cluster id, verdicts)", "apply_cpu"),
                ("end to end", "cpu"),
            ):
                cells = "".join(f"{f'{n / med(lb, key):,.0f} ({med(lb, key):.3f})':>24}" for lb in phased)
                print(f"{name:<36}{cells}")
            for label in phased:
                st = results[label][0]["stats"]
                print(
                    f"  {label}: {st['candidate_pairs']} candidates -> {st['verified_pairs']} verified pairs, "
                    f"{st['clusters']} clusters, {st['duplicates']} duplicates"
                )
        if results.get("datatrove"):
            print(f"  datatrove: signature stage {n / med('datatrove', 'signature_cpu'):,.0f} docs/s/core")


# ---- clustering memory on synthetic documents ------------------------------------------------


def synthetic(n: int, copies: int, seed: int) -> None:
    """Peak memory of the reduce phase per document, with one cluster of ``copies`` copies."""
    from thresher.document import Document
    from thresher.stages.dedup.near import NearDedup
    from thresher.step import GlobalContext, ShardContext

    rng = np.random.default_rng(seed)
    vocab = np.array([f"w{i}" for i in range(50_000)])
    step = NearDedup()
    shard_size = 100_000
    n_shards = -(-n // shard_size)
    copy_text = " ".join(vocab[rng.integers(0, len(vocab), 30)])
    with tempfile.TemporaryDirectory() as tmp:
        wd = Path(tmp)
        t0 = time.process_time()
        for s in range(n_shards):
            m = min(shard_size, n - s * shard_size)
            words = vocab[rng.integers(0, len(vocab), (m, 30))]
            texts = [" ".join(row) for row in words]
            for i in range(m):
                if (s * shard_size + i) % (n // copies) == 0:
                    texts[i] = copy_text
            step.map_shard([Document(id="", text=t) for t in texts], ShardContext(s, n_shards, wd))
        t_map = time.process_time() - t0
        del texts, words
        # anonymous memory only: the memory-mapped work files (page cache, reclaimable)
        # also count in VmRSS/VmHWM, but are not memory the phase holds. The rise
        # understates when the allocator kept memory freed by the map phase (near_dedup
        # asks glibc to keep up to 62 MiB: base.keep_freed_memory) and the reduce reuses
        # it; tracemalloc's peak of numpy allocations is the figure to compare.
        anon_before = _proc_status("RssAnon")
        sampled = [anon_before]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.005):
                sampled.append(_proc_status("RssAnon"))

        sampler = threading.Thread(target=sample)
        sampler.start()
        tracemalloc.start()
        t1 = time.process_time()
        stats = step.reduce(GlobalContext(n_shards, wd))
        t_reduce = time.process_time() - t1
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        done.set()
        sampler.join()
        rss_peak = max(sampled) - anon_before
    print(f"synthetic: {n:,} documents of 30 words, {copies:,} identical copies in one cluster")
    print(
        f"  map {n / t_map:,.0f} docs/s/core; reduce {t_reduce:.1f} s CPU "
        f"({n / t_reduce:,.0f} docs/s/core), largest cluster {stats['largest_cluster']:,}, "
        f"duplicates {stats['duplicates']:,}"
    )
    print(
        f"  clustering phase peak memory (numpy allocations, tracemalloc): {peak / 2**20:.1f} MiB "
        f"= {peak / n:.1f} bytes/document; anonymous resident memory rise (sampled every 5 ms) "
        f"{rss_peak / 2**20:.1f} MiB = {rss_peak / n:.1f} bytes/document"
    )


# ---- CopyCat human judgements ---------------------------------------------------------------


def copycat() -> None:
    from thresher.stages.dedup.minhash import shingle, signatures

    root = SHARED / "data" / "dedup" / "copycat"
    by_label: dict[str, list[tuple[float, float]]] = {}
    for label_file in sorted(root.rglob("judgments-by-daniel/*/label")):
        label = label_file.read_text().strip().rstrip("s").replace("unkown", "unknown")
        a = (label_file.parent / "src-doc").read_text(errors="replace")
        b = (label_file.parent / "target-doc").read_text(errors="replace")
        sh = shingle([a, b])
        sa = np.unique(sh.hashes[sh.offsets[0] : sh.offsets[1]])
        sb = np.unique(sh.hashes[sh.offsets[1] : sh.offsets[2]])
        inter = len(np.intersect1d(sa, sb))
        union = len(sa) + len(sb) - inter
        sig = signatures(sh, NUM_PERM, 1)
        by_label.setdefault(label, []).append(
            (inter / union if union else 1.0, float((sig[0] == sig[1]).mean()))
        )
    print(
        "CopyCat human near-duplicate judgements (label: higher = more similar): thresher word 5-gram Jaccard"
    )
    print(f"{'label':<9}{'n':>5}{'mean':>7}{'p25':>7}{'median':>8}{'p75':>7}{'≥0.8':>7}{'minhash≥0.8':>13}")
    xs, ys = [], []
    for label in sorted(by_label, key=lambda x: (x == "unknown", float(x) if x != "unknown" else 0)):
        v = np.array(by_label[label])
        q = np.percentile(v[:, 0], [25, 50, 75])
        print(
            f"{label:<9}{len(v):>5}{v[:, 0].mean():>7.2f}{q[0]:>7.2f}{q[1]:>8.2f}{q[2]:>7.2f}"
            f"{(v[:, 0] >= THRESHOLD).mean():>7.2f}{(v[:, 1] >= THRESHOLD).mean():>13.2f}"
        )
        if label != "unknown":
            xs += [float(label)] * len(v)
            ys += list(v[:, 0])
    try:
        from scipy.stats import spearmanr

        print(f"Spearman correlation of label and Jaccard (labelled pairs): {spearmanr(xs, ys)[0]:.3f}")
    except ImportError:
        pass


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--synthetic-worker":
        synthetic(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
        sys.exit(0)
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
        sys.exit(0)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=3000)
    ap.add_argument("--copies", type=int, default=800)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--methods", nargs="+", default=list(METHODS))
    ap.add_argument("--synthetic", type=int, default=1_000_000, help="documents (0: skip)")
    ap.add_argument("--cluster", type=int, default=100_000, help="copies in the synthetic cluster")
    ap.add_argument("--no-copycat", action="store_true")
    ap.add_argument("--baseline", default=None, help="also run thresher as it was at this git revision")
    ap.add_argument("--repeat", type=int, default=1, help="runs per method (interleaved); medians reported")
    args = ap.parse_args()
    if not (SHARED / "data").is_dir():
        sys.exit(f"needs the shared data folder at {SHARED} (set THRESHER_SHARED)")
    with tempfile.TemporaryDirectory() as tree:
        old = baseline_tree(args.baseline, Path(tree)) if args.baseline else None
        main_corpus(args, old)
        if args.synthetic:  # a fresh process: nothing of the corpus run in its memory
            cmd = [sys.executable, __file__, "--synthetic-worker", str(args.synthetic), str(args.cluster)]
            if old is not None:
                print(f"thresher@{args.baseline[:10]}:", end=" ", flush=True)
                env = {
                    **os.environ,
                    "PYTHONPATH": os.pathsep.join([str(old), os.environ.get("PYTHONPATH", "")]),
                }
                subprocess.run([*cmd, str(args.seed)], check=True, env=env)
                print("thresher:", end=" ", flush=True)
            subprocess.run([*cmd, str(args.seed)], check=True)
    if not args.no_copycat:
        copycat()
