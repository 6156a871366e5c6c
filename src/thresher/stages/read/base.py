"""The reader contract: inputs are planned as shards, and a shard yields documents.

A reader never raises for a bad record: it yields a quarantined document that names the
file, the position and the error, and goes on where it can. Only an input that cannot
be opened at all (a missing path) is an :class:`~thresher.errors.InputError`, raised
while planning, before any work starts.
"""

from __future__ import annotations

import bz2
import glob
import gzip
import io
import lzma
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, ClassVar

from pydantic import Field

from thresher.document import Document
from thresher.errors import ConfigError, InputError
from thresher.step import Params

READ_STEP = "read"

# Where a reader quotes the bad bytes of a quarantined record, it keeps this many:
# enough to recognise the record, small enough that a corrupt 1 GB line costs nothing.
SNIPPET_CHARS = 2000


class ReaderParams(Params):
    """Options every reader understands (each reader adds its own)."""

    paths: list[str] = Field(min_length=1)
    format: str = "auto"
    # A plain (uncompressed) file larger than this is split into byte ranges, one shard
    # each, so that one large file still uses every worker. 64 MiB keeps per-shard
    # overhead (process start, file open, output files) well under 1% of the work.
    shard_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    # Records larger than this are quarantined unread: bounds memory per record.
    max_record_bytes: int = Field(default=64 * 1024 * 1024, ge=1)
    limit: int | None = Field(default=None, ge=0, description="read at most this many records per shard")
    # JSONL / Parquet: which fields hold what; other fields go to metadata.
    text_key: str = "text"
    id_key: str = "id"
    url_key: str = "url"
    # Where a record carries HTML instead of text (for the extract stage).
    html_key: str = "html"
    # WARC: record types that are documents; the others are counted and skipped.
    record_types: list[str] = ["response", "resource", "conversion"]


@dataclass(frozen=True, slots=True)
class Shard:
    """A unit of work: one file, or the byte range ``[start, end)`` of a plain file."""

    index: int
    path: str
    start: int = 0
    end: int | None = None
    format: str = ""

    @property
    def name(self) -> str:
        return f"part-{self.index:05d}"

    def describe(self) -> str:
        if self.start == 0 and self.end is None:
            return self.path
        return f"{self.path}[{self.start}:{self.end}]"

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "path": self.path, "start": self.start, "end": self.end, "format": self.format}


class Reader:
    """Base of readers: ``plan`` lists shards, ``read`` yields a shard's documents."""

    format: ClassVar[str] = ""
    extensions: ClassVar[tuple[str, ...]] = ()
    splittable: ClassVar[bool] = False
    Params: ClassVar[type[ReaderParams]] = ReaderParams

    def __init__(self, params: ReaderParams) -> None:
        self.params = params

    def plan(self, files: list[str], first_index: int = 0) -> list[Shard]:
        shards: list[Shard] = []
        i = first_index
        for path in files:
            size = os.path.getsize(path)
            if self.splittable and not _is_compressed(path) and size > self.params.shard_bytes:
                for start in range(0, size, self.params.shard_bytes):
                    end = min(size, start + self.params.shard_bytes)
                    shards.append(Shard(i, path, start, end, self.format))
                    i += 1
            else:
                shards.append(Shard(i, path, format=self.format))
                i += 1
        return shards

    def read(self, shard: Shard) -> Iterator[Document]:
        raise NotImplementedError

    def guard_decompression(self, shard: Shard, records: Iterator[Document]) -> Iterator[Document]:
        """``records``, ending with a quarantined record that says so where the compressed
        stream under them turns out corrupt or truncated."""
        n = 0
        try:
            for doc in records:
                n += 1
                yield doc
        except decompression_errors() as exc:
            yield quarantined(shard, f"after record {n}", f"corrupt or truncated file ({type(exc).__name__}: "
                              f"{exc}); the rest of the file cannot be read")

    def read_safely(self, shard: Shard) -> Iterator[Document]:
        """``read``, with any failure the reader did not foresee turned into a quarantined
        record that says where reading stopped: one bad file never stops a run."""
        n = 0
        try:
            for doc in self.read(shard):
                n += 1
                yield doc
        except Exception as exc:
            yield quarantined(shard, f"after record {n}",
                              f"reading failed ({type(exc).__name__}: {exc}); the rest of the shard is unread")


def quarantined(shard: Shard, position: str, error: str, snippet: str = "", doc_id: str | None = None) -> Document:
    """A record that could not be read, kept with where it was and why."""
    where = f"{shard.path}:{position}"
    doc = Document(id=doc_id or where, text=snippet[:SNIPPET_CHARS], source=where)
    doc.quarantine(READ_STEP, f"{where}: {error}")
    return doc


def expand_paths(patterns: list[str]) -> list[str]:
    """Globs and folders to a sorted list of files; a pattern that matches nothing is an error."""
    files: list[str] = []
    for pattern in patterns:
        if "://" in pattern and not pattern.startswith("file://"):
            raise InputError(f"{pattern}: remote URLs are not supported yet; copy the data to a local path")
        pattern = pattern.removeprefix("file://")
        if os.path.isdir(pattern):
            found = [str(p) for p in sorted(Path(pattern).rglob("*")) if p.is_file() and not p.name.startswith(".")]
        else:
            found = sorted(glob.glob(pattern, recursive=True))
            found = [f for f in found if os.path.isfile(f)]
        if not found:
            raise InputError(f"{pattern}: no such file, or the pattern matches no file")
        files.extend(found)
    # one file named twice is read once
    seen: set[str] = set()
    unique = []
    for f in files:
        key = os.path.abspath(f)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


_COMPRESSED = (".gz", ".zst", ".zstd", ".bz2", ".xz", ".lz4")


def _is_compressed(path: str) -> bool:
    return path.endswith(_COMPRESSED)


def open_binary(path: str) -> IO[bytes]:
    """Open a file, decompressing by its extension (gzip, zstd, bz2, xz, lz4)."""
    if path.endswith(".gz"):
        return gzip.open(path, "rb")
    if path.endswith((".zst", ".zstd")):

        return io.BufferedReader(_ZstdRaw(path), 1 << 16)
    if path.endswith(".bz2"):
        return bz2.open(path, "rb")
    if path.endswith(".xz"):
        return lzma.open(path, "rb")
    if path.endswith(".lz4"):
        import lz4.frame

        return lz4.frame.open(path, "rb")  # type: ignore[no-any-return]
    return open(path, "rb")


def decompression_errors() -> tuple[type[BaseException], ...]:
    """Exceptions that mean a compressed stream is corrupt or truncated."""
    import lzma as _lzma
    import zlib

    errors: list[type[BaseException]] = [OSError, EOFError, zlib.error, _lzma.LZMAError]
    try:
        import zstandard

        errors.append(zstandard.ZstdError)
    except ImportError:
        pass
    try:
        import lz4.frame  # noqa: F401

        errors.append(RuntimeError)  # lz4.frame reports a corrupt frame as RuntimeError
    except ImportError:
        pass
    return tuple(errors)


def strip_compression(path: str) -> str:
    for ext in _COMPRESSED:
        if path.endswith(ext):
            return path[: -len(ext)]
    return path


def detect_format(path: str) -> str:
    base = strip_compression(path).lower()
    if base.endswith((".jsonl", ".json", ".ndjson")):
        return "jsonl"
    if base.endswith(".parquet"):
        return "parquet"
    if base.endswith((".warc", ".wet", ".wat")) or ".warc." in os.path.basename(path):
        return "warc"
    if base.endswith(".arc"):
        return "arc"
    if base.endswith((".txt", ".text", ".md")):
        return "text"
    raise ConfigError(f"{path}: cannot tell the input format from the name; set input.format (jsonl, parquet, text, warc, arc)")


class _ZstdRaw(io.RawIOBase):
    """A zstd file as a raw stream that fails loudly on a truncated frame.

    zstandard's own stream reader ends quietly when the input stops mid-frame, which
    would drop the records of a truncated file without a word; here the end of the file
    inside a frame is an EOFError. Concatenated frames are read one after the other.
    """

    def __init__(self, path: str) -> None:
        import zstandard

        self._zstd = zstandard
        self._file = open(path, "rb")
        self._dec = zstandard.ZstdDecompressor().decompressobj()
        self._buf = b""
        self._in_frame = False

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        while not self._buf:
            chunk = self._file.read(1 << 16)
            if not chunk:
                if self._in_frame:
                    raise EOFError("the zstd stream ends inside a frame (truncated file)")
                return 0
            while chunk:
                self._in_frame = True
                self._buf += self._dec.decompress(chunk)
                if self._dec.eof:
                    chunk = self._dec.unused_data
                    self._dec = self._zstd.ZstdDecompressor().decompressobj()
                    self._in_frame = False
                else:
                    chunk = b""
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n

    def close(self) -> None:
        self._file.close()
        super().close()


class LimitedReader(io.RawIOBase):
    """Reads at most ``limit`` bytes of a stream, to bound decompression (gzip bombs)."""

    def __init__(self, raw: IO[bytes], limit: int) -> None:
        self._raw = raw
        self._left = limit
        self.exceeded = False

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        if self._left <= 0:
            self.exceeded = bool(self._raw.read(1))
            return 0
        view = memoryview(b)[: self._left]
        n = self._raw.readinto(view)  # type: ignore[attr-defined]
        self._left -= n or 0
        return n or 0
