"""Configuration names of steps and readers, mapped to where they live.

Modules are imported only when a pipeline names them, so ``import thresher`` stays
light and optional dependencies load only where used. A new step adds one line here.
"""

from __future__ import annotations

import importlib

from thresher.errors import ConfigError

STEPS: dict[str, str] = {
    # extract
    # repair
    # language
    # segment / clean
    # filter
    # dedup
}


def step_class(name: str) -> type:
    """The class registered under ``name``; a clear error lists the valid names."""
    target = STEPS.get(name)
    if target is None:
        raise ConfigError(f"unknown step {name!r}; valid steps: {', '.join(sorted(STEPS))}")
    module, _, attr = target.partition(":")
    cls = getattr(importlib.import_module(module), attr)
    return cls  # type: ignore[no-any-return]
