"""WARC, WET and WAT files (plain, gzip, lz4, zstd) through FastWARC.

Documents are the records that carry a page: ``response`` (HTTP, the HTML goes to
``doc.raw`` for the extract stage), ``resource`` and ``conversion`` (WET text goes
straight to ``doc.text``). Other record types (request, warcinfo, metadata, revisit)
describe the crawl rather than a page: they are counted in the reader's statistics
and are not documents.

Damage is detected and quarantined, never skipped in silence: a record whose block is
shorter than its Content-Length (a clipped file), a record whose headers cannot be
parsed (the rest of the file is unreachable, and that is said with the byte position),
an undecodable WET text, a body that decompresses past the size limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from thresher.document import Document
from thresher.errors import require
from thresher.stages.read.base import Reader, ReaderParams, Shard, quarantined
from thresher.stages.read.http import PayloadError, parse_response

WarcParams = ReaderParams
# Response records with a status outside 2xx are kept as documents: the extract stage
# decides (an error page is still a page someone might want to see).


class WarcReader(Reader):
    format: ClassVar[str] = "warc"

    def __init__(self, params: ReaderParams) -> None:
        super().__init__(params)
        self.skipped: dict[str, int] = {}

    def read(self, shard: Shard) -> Iterator[Document]:
        require("fastwarc", "warc", "FastWARC")
        from fastwarc.warc import ArchiveIterator

        p: WarcParams = self.params  # type: ignore[assignment]
        wanted = set(p.record_types)
        last_end = 0
        last: tuple[int, int] | None = None  # stream position and length of the last record
        n = 0
        try:
            for rec in ArchiveIterator(shard.path, parse_http=False):
                rtype = str(rec.record_type).rsplit(".", 1)[-1]
                pos = rec.stream_pos
                last = (pos, rec.content_length)
                if rec.headers.get("Content-Length") is None:
                    # FastWARC returns a record cut inside its header block with what it parsed
                    n += 1
                    last = None
                    yield quarantined(shard, f"byte {pos}", "incomplete record header (no Content-Length): "
                                      "the file is truncated or corrupt here")
                    return
                if rtype not in wanted:
                    self.skipped[rtype] = self.skipped.get(rtype, 0) + 1
                    last_end = pos + 1
                    continue
                if p.limit is not None and n >= p.limit:
                    return
                n += 1
                last_end = pos + 1
                doc = self._document(shard, rec, rtype, pos, p)
                if doc.verdict.status == "quarantined" and "truncated record" in (doc.error or ""):
                    last = None  # the damage at the end is said already
                yield doc
        except OSError as exc:
            yield quarantined(shard, f"after byte {last_end}",
                              f"unreadable WARC data ({exc}); the rest of the file cannot be read")
            return
        problem = _unread_tail(shard.path, last) if last is not None or n == 0 else None
        if problem:
            yield quarantined(shard, f"after byte {last[0] if last else 0}", problem)

    def _document(self, shard: Shard, rec: Any, rtype: str, pos: int, p: WarcParams) -> Document:
        where = f"byte {pos}"
        headers = rec.headers
        rid = headers.get("WARC-Record-ID") or f"{shard.path}:{pos}"
        url = headers.get("WARC-Target-URI")
        declared = rec.content_length
        if declared > p.max_record_bytes:
            return quarantined(shard, where, f"record of {declared} bytes is larger than max_record_bytes "
                               f"({p.max_record_bytes})", doc_id=rid)
        block = rec.reader.read()
        if len(block) < declared:
            return quarantined(shard, where, f"truncated record: {len(block)} of {declared} bytes",
                               block[:2000].decode("utf-8", "replace"), rid)
        meta: dict[str, Any] = {"warc_type": rtype, "warc_date": headers.get("WARC-Date")}
        doc = Document(id=rid, text="", url=url, source=f"{shard.path}:{where}", metadata=meta)
        ctype = (headers.get("Content-Type") or "").lower()
        if rtype == "response" and ctype.startswith("application/http"):
            try:
                resp = parse_response(block, p.max_record_bytes)
            except PayloadError as exc:
                return quarantined(shard, where, str(exc), doc_id=rid)
            meta["http_status"] = resp.status
            meta["http_headers"] = resp.headers
            meta["content_type"] = resp.content_type
            if resp.notes:
                meta["read_notes"] = resp.notes
            doc.raw = resp.body
        elif rtype == "conversion" or ctype.startswith("text/plain"):
            try:
                doc.text = block.decode("utf-8")
            except UnicodeDecodeError as exc:
                return quarantined(shard, where, f"invalid UTF-8 at byte {exc.start} of the text",
                                   block[:2000].decode("utf-8", "replace"), rid)
            meta["content_type"] = ctype.split(";")[0].strip() or "text/plain"
        else:
            meta["content_type"] = ctype.split(";")[0].strip()
            doc.raw = block
        return doc


def _unread_tail(path: str, last: tuple[int, int] | None) -> str | None:
    """Data after the last record that the iterator ended on without a word.

    FastWARC stops quietly at a record whose header or gzip member is cut short; then the
    bytes after the last record it returned are not empty. Only the tail is looked at
    (the last record's gzip member and what follows), so the cost is one record.
    """
    import zlib

    start = last[0] if last else 0
    with open(path, "rb") as f:
        f.seek(start)
        raw = f.read(_TAIL_LIMIT)
    if not raw:
        return None
    if path.endswith(".gz"):
        out = bytearray()
        data = raw
        member = 0
        while data:
            d = zlib.decompressobj(wbits=31)
            try:
                out += d.decompress(data)
            except zlib.error:
                return "corrupt gzip data after the last readable record; the rest of the file cannot be read"
            if not d.eof:
                if len(raw) == _TAIL_LIMIT or (member == 0 and last is not None):
                    # the window ends inside a large member, or only the last record's own
                    # gzip trailer is cut (its content was read whole): nothing is lost
                    break
                return "a gzip member after the last readable record is truncated; its record cannot be read"
            data = d.unused_data
            member += 1
        tail = bytes(out)
    elif path.endswith((".lz4", ".zst", ".zstd")):
        return None  # these streams report damage themselves
    else:
        tail = raw
    if last is None:
        return "no readable WARC record in the file" if tail.strip() else None
    head_end = tail.find(b"\r\n\r\n")
    if head_end < 0:
        return None if len(raw) == _TAIL_LIMIT else "the last record's header is cut short; it cannot be read"
    end = head_end + 4 + last[1]
    if len(raw) == _TAIL_LIMIT and end >= len(tail):
        return None  # a record larger than the window: it was read whole by the iterator
    rest = tail[end:].strip()
    if rest:
        return (f"{len(rest)} bytes after the last readable record could not be parsed as WARC records "
                "(truncated or corrupt); the rest of the file cannot be read")
    return None


# How much of the file's tail the check reads: a record is rarely larger, and a larger
# one was already read whole by the iterator.
_TAIL_LIMIT = 8 * 1024 * 1024
