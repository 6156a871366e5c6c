"""atheris target: every registered per-document step on arbitrary text."""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    import _common

STEPS = _common.per_document_steps()


def target(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    _common.check_steps(STEPS, fdp.ConsumeUnicodeNoSurrogates(len(data)))


if __name__ == "__main__":
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()
