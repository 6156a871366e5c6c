"""The YAML configuration of a pipeline, validated before any work starts.

```yaml
input: {paths: ["data/*.jsonl.gz"], format: jsonl}
steps:
  - gopher_quality: {min_doc_words: 50}
  - exact_dedup            # a step with its defaults
output: {path: out, format: parquet}
executor: {type: local, workers: 2}
```

Every problem is a :class:`~thresher.errors.ConfigError` with one line that names the
key and the valid values.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, ValidationError

from thresher.errors import ConfigError
from thresher.registry import step_class
from thresher.stages.read.base import ReaderParams
from thresher.stages.write.records import FORMATS
from thresher.step import Params, Step, _one_line

TOP_KEYS = ("input", "steps", "output", "executor")


class OutputParams(Params):
    path: str = "out"
    format: Literal["parquet", "jsonl", "jsonl.gz"] = "parquet"
    # Keep the intermediate files between the phases of global steps after a run.
    keep_work: bool = False
    # Write report.html at the end of a run.
    report: bool = True


class ExecutorParams(Params):
    type: Literal["local", "ray"] = "local"
    workers: int | None = Field(default=None, ge=1, le=4096)
    address: str | None = None
    # Documents handed to the steps at a time inside a shard.
    batch_size: int = Field(default=1000, ge=1)
    # Per-document time limit of every step (seconds; 0 for none): a document that takes
    # longer is quarantined with the step's name. 60 s is about 1,000 times the cost of
    # an ordinary page through the slowest step (HTML extraction), so it only catches
    # pathological input.
    doc_seconds: float = Field(default=60.0, ge=0)


@dataclass
class StepSpec:
    """A step as configured: its registry name, the label it reports under, its params."""

    name: str
    label: str
    params: dict[str, Any] = field(default_factory=dict)

    def build(self) -> Step:
        cls = step_class(self.name)
        step: Step = cls(**self.params)
        step.label = self.label
        return step


@dataclass
class Config:
    steps: list[StepSpec]
    input: ReaderParams | None
    output: OutputParams
    executor: ExecutorParams
    source: str = "<dict>"

    def fingerprint(self) -> str:
        """A hash of everything that changes the outputs (not the worker count)."""
        payload = {
            "steps": [[s.name, s.label, s.params] for s in self.steps],
            "input": self.input.model_dump() if self.input else None,
            "output_format": self.output.format,
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        return {
            "input": self.input.model_dump() if self.input else None,
            "steps": [{s.name: s.params} for s in self.steps],
            "output": self.output.model_dump(),
            "executor": self.executor.model_dump(),
        }


def load_yaml(path: str | os.PathLike[str]) -> Config:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read the configuration ({exc.strerror})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{p}: invalid YAML{where}: {getattr(exc, 'problem', exc)}") from None
    cfg = parse_config(data, source=str(p))
    # relative input paths are relative to the configuration file
    if cfg.input is not None:
        base = p.resolve().parent
        paths = [q if os.path.isabs(q) or "://" in q else str(base / q) for q in cfg.input.paths]
        cfg.input = cfg.input.model_copy(update={"paths": paths})
    return cfg


def parse_config(data: Any, source: str = "<dict>") -> Config:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the configuration must be a mapping with keys {', '.join(TOP_KEYS)}")
    unknown = sorted(set(data) - set(TOP_KEYS))
    if unknown:
        raise ConfigError(f"{source}: unknown key {unknown[0]!r}; valid keys: {', '.join(TOP_KEYS)}")
    steps = parse_steps(data.get("steps") or [], source)
    inp = None
    if data.get("input") is not None:
        if not isinstance(data["input"], dict):
            raise ConfigError(f"{source}: input must be a mapping, e.g. {{paths: [data/*.jsonl], format: jsonl}}")
        raw_in = dict(data["input"])
        if isinstance(raw_in.get("paths"), str):
            raw_in["paths"] = [raw_in["paths"]]
        inp = _validated(ReaderParams, raw_in, "input", source)
        if inp.format != "auto":
            from thresher.stages.read import READERS

            if inp.format not in READERS:
                raise ConfigError(f"{source}: input.format {inp.format!r} is unknown; valid: auto, "
                                  f"{', '.join(sorted(READERS))}")
    out = _validated(OutputParams, data.get("output") or {}, "output", source)
    ex = _validated(ExecutorParams, data.get("executor") or {}, "executor", source)
    return Config(steps, inp, out, ex, source)


def parse_steps(items: Any, source: str = "<dict>") -> list[StepSpec]:
    if not isinstance(items, list):
        raise ConfigError(f"{source}: steps must be a list, e.g. [- gopher_quality: {{min_doc_words: 50}}]")
    specs: list[StepSpec] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        if isinstance(item, str):
            name, params = item, {}
        elif isinstance(item, dict) and len(item) == 1:
            name, params = next(iter(item.items()))
            params = params or {}
        else:
            raise ConfigError(f"{source}: steps[{i}] must be a step name or a mapping of one step name to "
                              "its parameters")
        if not isinstance(params, dict):
            raise ConfigError(f"{source}: steps[{i}] ({name}): parameters must be a mapping")
        seen[name] = seen.get(name, 0) + 1
        label = name if seen[name] == 1 else f"{name}#{seen[name]}"
        spec = StepSpec(str(name), label, params)
        spec.build()  # validates the name and the parameters now, before any work
        specs.append(spec)
    return specs


def _validated(model: type[Params], data: Any, key: str, source: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: {key} must be a mapping")
    try:
        return model(**data)
    except ValidationError as exc:
        raise ConfigError(f"{source}: " + _one_line(key, exc, model).removeprefix("step ")) from None


__all__ = ["FORMATS", "Config", "ExecutorParams", "OutputParams", "StepSpec", "load_yaml", "parse_config"]
