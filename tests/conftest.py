"""Shared fixtures: the third-party data folder, skipped with a message where absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("THRESHER_SHARED", ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared (or $THRESHER_SHARED): the seed page and the third-party data sets."""
    if not (SHARED / "data").is_dir():
        pytest.skip(f"needs the shared data folder at {SHARED} (set THRESHER_SHARED to use another)")
    return SHARED


@pytest.fixture(scope="session")
def seed_text(shared_dir: Path) -> str:
    files = sorted((shared_dir / "seed").glob("*.txt"))
    if not files:
        pytest.skip(f"no seed page under {shared_dir / 'seed'}")
    return files[0].read_text(encoding="utf-8")
