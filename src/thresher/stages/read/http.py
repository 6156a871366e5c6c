"""HTTP responses as stored in WARC and ARC records: status, headers, decoded body."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field


class PayloadError(ValueError):
    """The body cannot be decoded within the limits (a bad chunk, a decompression bomb)."""


@dataclass(slots=True)
class HttpResponse:
    status: int | None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    notes: list[str] = field(default_factory=list)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


def parse_response(block: bytes, max_body: int) -> HttpResponse:
    """Split an HTTP response block into status, headers and decoded body.

    Transfer and content encodings are undone (chunked, gzip, deflate, br). The decoded
    body is bounded by ``max_body`` bytes: a larger one raises :class:`PayloadError`
    rather than being expanded in memory. A damaged encoding falls back to the bytes as
    stored, with a note, since the raw bytes are often still usable HTML.
    """
    head, sep, body = block.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = block.partition(b"\n\n")
    if not sep:
        return HttpResponse(None, {}, block, ["no HTTP header block"])
    lines = head.decode("latin-1").splitlines()
    status: int | None = None
    if lines and lines[0].upper().startswith("HTTP/"):
        parts = lines[0].split()
        if len(parts) > 1 and parts[1].isdigit():
            status = int(parts[1])
        lines = lines[1:]
    headers: dict[str, str] = {}
    for line in lines:
        name, colon, value = line.partition(":")
        if colon:
            key = name.strip().lower()
            headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
    resp = HttpResponse(status, headers, body)
    if "chunked" in headers.get("transfer-encoding", "").lower():
        try:
            resp.body = _dechunk(resp.body, max_body)
        except PayloadError:
            raise
        except ValueError as exc:
            resp.notes.append(f"bad chunked encoding ({exc}); body kept as stored")
    encoding = headers.get("content-encoding", "").strip().lower()
    if encoding in ("gzip", "x-gzip", "deflate", "br"):
        try:
            resp.body = _decompress(resp.body, encoding, max_body)
        except PayloadError:
            raise
        except Exception as exc:
            resp.notes.append(f"bad {encoding} encoding ({exc}); body kept as stored")
    if len(resp.body) > max_body:
        raise PayloadError(f"body of {len(resp.body)} bytes is larger than max_record_bytes ({max_body})")
    return resp


def _dechunk(data: bytes, max_body: int) -> bytes:
    out = bytearray()
    pos = 0
    while True:
        eol = data.find(b"\r\n", pos)
        if eol < 0:
            raise ValueError("missing chunk size line")
        size_field = data[pos:eol].split(b";")[0].strip()
        try:
            size = int(size_field, 16)
        except ValueError:
            raise ValueError(f"bad chunk size {size_field[:20]!r}") from None
        if size == 0:
            return bytes(out)
        start = eol + 2
        if start + size > len(data):
            raise ValueError("chunk runs past the end of the record")
        out += data[start : start + size]
        if len(out) > max_body:
            raise PayloadError(f"chunked body larger than max_record_bytes ({max_body})")
        pos = start + size + 2


def _decompress(data: bytes, encoding: str, max_body: int) -> bytes:
    if encoding == "br":
        try:
            import brotli  # type: ignore[import-not-found]
        except ImportError:
            raise ValueError("brotli is not installed") from None
        out = brotli.decompress(data)
        if len(out) > max_body:
            raise PayloadError(f"decompressed body larger than max_record_bytes ({max_body})")
        return out  # type: ignore[no-any-return]
    # gzip: wbits 16+; zlib-wrapped or raw deflate are both seen in the wild as "deflate"
    wbits = 16 + zlib.MAX_WBITS if encoding in ("gzip", "x-gzip") else zlib.MAX_WBITS
    try:
        return _inflate(data, wbits, max_body)
    except zlib.error:
        if encoding == "deflate":
            return _inflate(data, -zlib.MAX_WBITS, max_body)
        raise


def _inflate(data: bytes, wbits: int, max_body: int) -> bytes:
    d = zlib.decompressobj(wbits)
    # max_length bounds the output: a bomb stops at the limit instead of filling memory
    out = d.decompress(data, max_body + 1)
    if len(out) > max_body:
        raise PayloadError(f"decompressed body larger than max_record_bytes ({max_body})")
    return out
