"""Readers: files in, documents out (JSONL, Parquet, plain text, WARC/WET, ARC)."""

from __future__ import annotations

from thresher.errors import ConfigError
from thresher.stages.read.base import Reader, ReaderParams, Shard, detect_format, expand_paths

READERS: dict[str, str] = {
    "jsonl": "thresher.stages.read.jsonl:JsonlReader",
    "parquet": "thresher.stages.read.parquet:ParquetReader",
    "text": "thresher.stages.read.text:TextReader",
    "warc": "thresher.stages.read.warc:WarcReader",
    "arc": "thresher.stages.read.arc:ArcReader",
}


def reader_class(fmt: str) -> type[Reader]:
    import importlib

    target = READERS.get(fmt)
    if target is None:
        raise ConfigError(f"unknown input format {fmt!r}; valid: auto, {', '.join(sorted(READERS))}")
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)  # type: ignore[no-any-return]


__all__ = ["READERS", "Reader", "ReaderParams", "Shard", "detect_format", "expand_paths", "reader_class"]
