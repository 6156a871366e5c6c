"""The optional compiled accelerators, found and switched off in one place.

Three C modules, built by ``setup.py`` where a compiler is present, run the hottest
loops of some steps (``_fastwords``, ``_mashfeat``, ``_furnfast``). Each has a
pure-Python twin that gives the same results, so a build without them is slower, never
different. ``THRESHER_PURE_PYTHON`` set to anything but ``""`` or ``"0"`` forces the
twins everywhere: the tests run both paths and compare them.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType


def pure_python() -> bool:
    """Whether ``THRESHER_PURE_PYTHON`` forces the pure-Python twins."""
    return os.environ.get("THRESHER_PURE_PYTHON", "") not in ("", "0")


def load(name: str) -> ModuleType | None:
    """The compiled module ``name`` (a full dotted name), or None when it was not built
    or the pure-Python twins are forced."""
    if pure_python():
        return None
    try:
        return importlib.import_module(name)
    except ImportError:
        return None
