"""A tiny executor for global steps: map every shard, reduce, apply every shard.

It calls the phases the way the pipeline executors do, with a serial map or a
``concurrent.futures`` process pool as ``GlobalContext.map``.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from thresher.document import Document
from thresher.step import GlobalContext, GlobalStep, ShardContext


def run_global(
    step: GlobalStep, shards: list[list[Document]], workdir: Path, workers: int = 1
) -> dict[str, Any]:
    """Run the three phases of ``step`` over ``shards``; return the reduce statistics."""
    n = len(shards)
    workdir.mkdir(parents=True, exist_ok=True)
    for s, docs in enumerate(shards):
        step.map_shard(docs, ShardContext(s, n, workdir))
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            stats = step.reduce(GlobalContext(n, workdir, lambda f, it: list(pool.map(f, it)), workers))
    else:
        stats = step.reduce(GlobalContext(n, workdir))
    for s, docs in enumerate(shards):
        step.apply_shard(docs, ShardContext(s, n, workdir))
    return stats


def make_docs(texts: list[str], prefix: str = "d") -> list[Document]:
    return [Document(id=f"{prefix}{i}", text=t) for i, t in enumerate(texts)]


def split(docs: list[Document], n_shards: int) -> list[list[Document]]:
    """Contiguous shards, so global order equals list order."""
    size = -(-len(docs) // n_shards) if docs else 0
    return [docs[i * size : (i + 1) * size] for i in range(n_shards)]
