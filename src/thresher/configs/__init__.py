"""Pipelines that ship with thresher (the default run, what explain runs)."""

from __future__ import annotations

from importlib import resources
from typing import Any


def step_name(item: Any) -> str:
    """The step name of a configuration entry (``name`` or ``{name: params}``)."""
    return item if isinstance(item, str) else next(iter(item))


def shipped_steps(filename: str) -> list[Any]:
    """The ``steps`` of a shipped pipeline, less those absent from this build."""
    import yaml

    from thresher.registry import STEPS

    text = resources.files(__name__).joinpath(filename).read_text(encoding="utf-8")
    return [item for item in yaml.safe_load(text)["steps"] if step_name(item) in STEPS]
