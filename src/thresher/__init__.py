"""thresher: turn raw web crawl data into clean training text, and explain every decision."""

from __future__ import annotations

from typing import Any

from thresher.document import Document, Edit, EditGroup, Verdict
from thresher.errors import ConfigError, InputError, ThresherError
from thresher.step import Decision, Filter, GlobalStep, Step, Transformer

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "Decision",
    "Document",
    "Edit",
    "EditGroup",
    "Filter",
    "GlobalStep",
    "InputError",
    "Pipeline",
    "Step",
    "ThresherError",
    "Transformer",
    "Verdict",
    "__version__",
    "explain",
]


def __getattr__(name: str) -> Any:
    # The pipeline pulls in readers and executors: load it on first use only.
    if name == "Pipeline":
        from thresher.pipeline import Pipeline

        return Pipeline
    if name == "explain":
        from thresher.explain import explain

        return explain
    raise AttributeError(name)
