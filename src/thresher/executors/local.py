"""The local executor: shards in a process pool on this machine."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_EXCEPTION, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from thresher.errors import ThresherError
from thresher.executors.base import Executor

T = TypeVar("T")
R = TypeVar("R")


class LocalExecutor(Executor):
    """Runs tasks in ``workers`` processes (inline when ``workers`` is 1)."""

    name = "local"

    def __init__(self, workers: int | None = None) -> None:
        super().__init__(workers)
        self._pool: ProcessPoolExecutor | None = None

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # fork: workers inherit the loaded modules, so start-up costs milliseconds
            self._pool = ProcessPoolExecutor(self.workers, mp_context=mp.get_context("fork"))
        return self._pool

    def run_tasks(self, fn: Callable[..., dict[str, Any]], args: list[tuple[Any, ...]],
                  on_done: Callable[[dict[str, Any]], None]) -> None:
        if self.workers == 1 or len(args) == 1:
            for a in args:
                on_done(fn(*a))
            return
        pool = self._get_pool()
        futures: dict[Future[dict[str, Any]], tuple[Any, ...]] = {pool.submit(fn, *a): a for a in args}
        pending = set(futures)
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_EXCEPTION)
                for f in done:
                    on_done(f.result())
        except BrokenProcessPool:
            raise ThresherError("a worker process died (killed, or out of memory); completed shards are kept: "
                                "rerun the same command to resume") from None
        finally:
            for f in pending:
                f.cancel()

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        items = list(items)
        if self.workers == 1 or len(items) <= 1:
            return [fn(x) for x in items]
        return list(self._get_pool().map(fn, items))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
