"""atheris target: every reader on arbitrary bytes. Usage: fuzz_readers.py FORMAT [atheris args]."""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    import _common

FORMAT = sys.argv.pop(1) if len(sys.argv) > 1 and not sys.argv[1].startswith("-") else "jsonl"


def target(data: bytes) -> None:
    _common.check_reader(FORMAT, data)


if __name__ == "__main__":
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()
