"""Executors: how the shards of a run are scheduled (a local process pool, or Ray)."""

from __future__ import annotations

from thresher.errors import ConfigError
from thresher.executors.base import Executor, RunResult


def get_executor(kind: str, workers: int | None = None, address: str | None = None) -> Executor:
    if kind == "local":
        from thresher.executors.local import LocalExecutor

        return LocalExecutor(workers)
    if kind == "ray":
        from thresher.executors.ray import RayExecutor  # type: ignore[import-not-found,unused-ignore]

        return RayExecutor(workers, address=address)  # type: ignore[no-any-return,unused-ignore]
    raise ConfigError(f"unknown executor {kind!r}; valid: local, ray")


__all__ = ["Executor", "RunResult", "get_executor"]
