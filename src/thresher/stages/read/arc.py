"""ARC files (the Internet Archive's format before WARC), plain or gzip.

An ARC file is a version block then records, each a header line
``URL IP-address Archive-date Content-type Archive-length`` followed by that many bytes.
FastWARC reads WARC only, so ARC is parsed here. A header whose length is not a number
cannot say where its record ends: it is quarantined and the reader resynchronises at
the next line that parses as a record header. Positions are in the decompressed stream.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from thresher.document import Document
from thresher.stages.read.base import Reader, Shard, open_binary, quarantined
from thresher.stages.read.http import PayloadError, parse_response

# URL IP-address Archive-date Content-type Archive-length; the URL may contain spaces
# (seen in real files), so the other four fields are taken from the right.
_HEADER = re.compile(rb"^(\S.*) (\S+) (\d{14,18}) (\S+) (\S+)\r?\n$")


class ArcReader(Reader):
    format: ClassVar[str] = "arc"

    def read(self, shard: Shard) -> Iterator[Document]:
        return self.guard_decompression(shard, self._read(shard))

    def _read(self, shard: Shard) -> Iterator[Document]:
        limit = self.params.max_record_bytes
        n = 0
        with open_binary(shard.path) as f:
            pos = 0
            first = True
            # after a record whose length cannot be read, its body lines are skipped
            # until the next line that parses as a header
            resync = False
            while True:
                line = f.readline(65536)
                if not line:
                    return
                start = pos
                pos += len(line)
                if not line.strip():
                    continue
                m = _HEADER.match(line)
                if not m:
                    if not first and not resync:
                        yield quarantined(shard, f"byte {start}", "not an ARC record header",
                                          line.decode("latin-1"))
                    first = False
                    continue
                resync = False
                url, _ip, date, ctype, length_field = (g.decode("latin-1") for g in m.groups())
                if not length_field.isdigit():
                    resync = True
                    if not url.startswith("filedesc://"):  # a bad version block is not a document
                        yield quarantined(shard, f"byte {start}", f"bad ARC record length {length_field!r}",
                                          line.decode("latin-1"), doc_id=f"{shard.path}:{start}")
                    first = False
                    continue
                length = int(length_field)
                if length > limit:
                    f.seek(length, 1) if f.seekable() else _skip(f, length)
                    pos += length
                    yield quarantined(shard, f"byte {start}", f"record of {length} bytes is larger than "
                                      f"max_record_bytes ({limit})", doc_id=f"{shard.path}:{start}")
                    continue
                block = f.read(length)
                pos += len(block)
                if url.startswith("filedesc://"):
                    first = False
                    continue  # the version block describes the file, not a page
                first = False
                if self.params.limit is not None and n >= self.params.limit:
                    return
                n += 1
                if len(block) < length:
                    yield quarantined(shard, f"byte {start}", f"truncated record: {len(block)} of {length} bytes",
                                      block[:2000].decode("utf-8", "replace"), f"{shard.path}:{start}")
                    return
                doc = Document(id=f"{shard.path}:{start}", text="", url=url, source=f"{shard.path}:byte {start}",
                               metadata={"arc_date": date, "content_type": ctype.lower()})
                if block.startswith(b"HTTP/"):
                    try:
                        resp = parse_response(block, limit)
                    except PayloadError as exc:
                        yield quarantined(shard, f"byte {start}", str(exc), doc_id=doc.id)
                        continue
                    doc.metadata.update(http_status=resp.status, http_headers=resp.headers,
                                        content_type=resp.content_type or ctype.lower())
                    doc.raw = resp.body
                else:
                    doc.raw = block
                yield doc


def _skip(f: object, n: int) -> None:
    while n > 0:
        chunk = f.read(min(n, 1 << 20))  # type: ignore[attr-defined]
        if not chunk:
            return
        n -= len(chunk)
