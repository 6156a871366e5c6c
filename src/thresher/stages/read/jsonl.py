"""JSON Lines, plain or compressed (gzip, zstd, bz2, xz, lz4): one document a line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any, ClassVar

from thresher.document import Document
from thresher.stages.read.base import (
    Reader,
    ReaderParams,
    Shard,
    open_binary,
    quarantined,
)

JsonlParams = ReaderParams


class JsonlReader(Reader):
    format: ClassVar[str] = "jsonl"
    splittable: ClassVar[bool] = True

    def read(self, shard: Shard) -> Iterator[Document]:
        return self.guard_decompression(shard, self._read(shard))

    def _read(self, shard: Shard) -> Iterator[Document]:
        p: JsonlParams = self.params  # type: ignore[assignment]
        with open_binary(shard.path) as f:
            pos = shard.start
            line_no: int | None = 1
            if shard.start > 0:
                f.seek(shard.start - 1)
                skipped = f.readline()  # the line that straddles the range start is the previous shard's
                pos = shard.start - 1 + len(skipped)
                line_no = None  # unknown without reading the whole prefix
            n = 0
            while shard.end is None or pos < shard.end:
                if p.limit is not None and n >= p.limit:
                    return
                line, too_long = _read_line(f, p.max_record_bytes)
                if not line and not too_long:
                    return
                where = f"line {line_no}" if line_no is not None else f"byte {pos}"
                start = pos
                pos += len(line) if not too_long else too_long
                if line_no is not None:
                    line_no += 1
                if too_long:
                    n += 1
                    yield quarantined(shard, where, f"record larger than max_record_bytes ({p.max_record_bytes})",
                                      line[:200].decode("utf-8", "replace"))
                    continue
                if not line.strip():
                    continue  # blank lines are not records
                n += 1
                yield self._parse(shard, where, start, line, p)

    def _parse(self, shard: Shard, where: str, offset: int, line: bytes, p: JsonlParams) -> Document:
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            return quarantined(shard, where, f"invalid UTF-8 at byte {exc.start} of the line",
                               line.decode("utf-8", "replace"))
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            return quarantined(shard, where, f"invalid JSON: {exc.msg} at column {exc.colno}", text)
        except RecursionError:
            return quarantined(shard, where, "invalid JSON: nested too deeply", text)
        if not isinstance(obj, dict):
            return quarantined(shard, where, f"expected a JSON object, got {type(obj).__name__}", text)
        return record_to_document(obj, shard, where, p, default_id=f"{shard.path}:{offset}")


def record_to_document(obj: dict[str, Any], shard: Shard, where: str, p: JsonlParams, default_id: str) -> Document:
    """Map a record (JSON object, Parquet row) to a document; other fields go to metadata."""
    raw_id = obj.get(p.id_key)
    doc_id = str(raw_id) if raw_id is not None else default_id
    text = obj.get(p.text_key)
    html = obj.get(p.html_key) if p.html_key else None
    source = f"{shard.path}:{where}"
    if text is None and html is None:
        return quarantined(shard, where, f"the record has no {p.text_key!r} field"
                           + (f" and no {p.html_key!r} field" if p.html_key else ""), json.dumps(obj)[:2000], doc_id)
    if text is not None and not isinstance(text, str):
        return quarantined(shard, where, f"{p.text_key!r} is a {type(text).__name__}, not a string",
                           json.dumps(obj)[:2000], doc_id)
    if html is not None and not isinstance(html, (str, bytes)):
        return quarantined(shard, where, f"{p.html_key!r} is a {type(html).__name__}, not a string",
                           json.dumps(obj)[:2000], doc_id)
    url = obj.get(p.url_key)
    skip = {p.id_key, p.text_key, p.url_key, p.html_key}
    metadata = {k: v for k, v in obj.items() if k not in skip}
    doc = Document(id=doc_id, text=text or "", url=str(url) if url is not None else None, source=source,
                   metadata=metadata)
    if text is None and html is not None:
        doc.raw = html
    return doc


def _read_line(f: IO[bytes], limit: int) -> tuple[bytes, int]:
    """One line of at most ``limit`` bytes; a longer one is skipped and its length returned."""
    line = f.readline(limit + 1)
    if len(line) <= limit or line.endswith(b"\n"):
        return line, 0
    total = len(line)
    head = line
    while True:
        chunk = f.readline(1 << 20)
        total += len(chunk)
        if not chunk or chunk.endswith(b"\n"):
            return head, total
