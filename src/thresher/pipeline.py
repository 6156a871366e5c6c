"""The Python API: build a pipeline from YAML or a dict, run it on files or documents.

```python
import thresher
result = thresher.Pipeline.from_yaml("pipeline.yaml").run(output="out", workers=2)
docs = thresher.Pipeline.from_config({"steps": ["gopher_quality"]}).process(my_documents)
```
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from thresher.config import Config, load_yaml, parse_config
from thresher.document import Document
from thresher.executors import RunResult, get_executor
from thresher.executors.base import ProgressFn, _no_progress, segments_of
from thresher.step import GlobalContext, GlobalStep, ShardContext, Step


class Pipeline:
    """A validated configuration: steps in order, input, output and executor options."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._steps: list[Step] | None = None

    @classmethod
    def from_yaml(cls, path: str | os.PathLike[str]) -> Pipeline:
        return cls(load_yaml(path))

    @classmethod
    def from_config(cls, data: dict[str, Any]) -> Pipeline:
        return cls(parse_config(data))

    @property
    def steps(self) -> list[Step]:
        if self._steps is None:
            self._steps = [s.build() for s in self.config.steps]
        return self._steps

    def run(
        self,
        input: Sequence[str] | None = None,
        output: str | os.PathLike[str] | None = None,
        workers: int | None = None,
        executor: str | None = None,
        address: str | None = None,
        overwrite: bool = False,
        progress: ProgressFn = _no_progress,
    ) -> RunResult:
        """Run on files: read, process and write every shard; resumes a killed run."""
        cfg = self.config
        if input:
            from thresher.stages.read.base import ReaderParams

            base = cfg.input.model_dump() if cfg.input else {}
            base["paths"] = list(input)
            cfg.input = ReaderParams(**base)
        ex = get_executor(executor or cfg.executor.type, workers or cfg.executor.workers,
                          address or cfg.executor.address)
        return ex.run(cfg, Path(output) if output else None, overwrite=overwrite, progress=progress)

    def process(self, docs: list[Document]) -> list[Document]:
        """Run every step on documents in memory (global steps through a temporary folder)."""
        steps = self.steps
        with tempfile.TemporaryDirectory(prefix="thresher-") as tmp:
            for seg in segments_of(steps):
                if seg.opens_with is not None:
                    g: GlobalStep = steps[seg.opens_with]  # type: ignore[assignment]
                    g.apply_shard([d for d in docs if d.alive], ShardContext(0, 1, Path(tmp) / g.label))
                for i in seg.steps:
                    steps[i](docs)
                if seg.closes_with is not None:
                    g = steps[seg.closes_with]  # type: ignore[assignment]
                    wd = Path(tmp) / g.label
                    wd.mkdir(parents=True, exist_ok=True)
                    g.ensure_setup()
                    g.map_shard([d for d in docs if d.alive], ShardContext(0, 1, wd))
                    g.reduce(GlobalContext(1, wd))
        return docs


__all__ = ["Pipeline"]
