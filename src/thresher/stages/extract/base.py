"""What every extraction path shares: decoding, sniffing, limits, metadata, the result.

The ``extract`` step (:mod:`thresher.stages.extract.extract`) runs these in order:

1. :func:`sniff_non_html` rejects payloads that are not HTML (PDF, images, JSON...), by
   Content-Type first and by the payload's first bytes second;
2. :func:`decode` turns bytes into text: charset from the HTTP header, then the
   ``<meta>`` tags, then detection from the content (resiliparse's ``detect_encoding``);
3. :func:`check_limits` refuses pages that would make a parser slow or memory-hungry
   *before* they reach it (size, nesting depth);
4. a path (fast, trafilatura, resiliparse) produces an :class:`Extraction`;
5. :func:`page_metadata` reads title, language hint and publication date.

How long one page can take, and why it is bounded: the size limit bounds the parser's
input; lexbor parses linearly in size except for deep nesting, where its open-element
stack makes it quadratic (100,000 nested ``<div>`` take ~17 s on this machine), so the
depth pre-check runs on the raw markup before parsing; the fast path checks a
:class:`Deadline` inside its own loops; the trafilatura path runs under a SIGALRM
watchdog where the platform allows it (main thread, POSIX) and its overrun is checked
afterwards otherwise.
"""

from __future__ import annotations

import re
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from thresher.errors import require


class LimitExceeded(Exception):
    """A page breaks a configured bound: it is quarantined with this message."""


@dataclass(slots=True)
class Extraction:
    """What one path made of one page.

    ``confidence`` is in [0, 1]: how sure the path is that ``text`` is the main content
    (the default mode escalates pages below its threshold). ``removed`` counts the blocks
    that were dropped, by kind (``nav``, ``link_dense``, ``boilerplate_name``...).
    """

    text: str
    confidence: float = 1.0
    removed: Counter[str] = field(default_factory=Counter)
    kept_blocks: int = 0
    signals: dict[str, Any] = field(default_factory=dict)


class Deadline:
    """A per-page time budget that loops check; :meth:`check` raises when it has passed."""

    __slots__ = ("end", "limit")

    def __init__(self, seconds: float) -> None:
        self.limit = seconds
        self.end = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.end:
            raise LimitExceeded(f"page took longer than max_seconds={self.limit:g}")

    def remaining(self) -> float:
        return self.end - time.monotonic()


# ---- sniffing ------------------------------------------------------------------------

# Content types that are HTML or may hold it; everything else with a declared type is
# refused. An absent or generic type (octet-stream, text/plain: servers mislabel HTML
# as both) falls through to sniffing the bytes.
_HTML_TYPES = ("text/html", "application/xhtml+xml", "application/xml", "text/xml")
_GENERIC_TYPES = ("", "application/octet-stream", "text/plain", "unknown/unknown", "binary/octet-stream")

# Magic numbers of common non-HTML payloads (the WHATWG MIME sniffing table's binary
# signatures, plus JSON openers).
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF87a", "image"),
    (b"GIF89a", "image"),
    (b"RIFF", "media"),
    (b"PK\x03\x04", "archive"),
    (b"\x1f\x8b", "archive"),
    (b"\x00\x00\x01\x00", "image"),
    (b"OggS", "media"),
    (b"ID3", "media"),
    (b"\x7fELF", "binary"),
    (b"%!PS", "postscript"),
    (b"wOFF", "font"),
    (b"wOF2", "font"),
)
_MARKUP = re.compile(
    rb"<\s*(!doctype|html|head|body|div|p|title|meta|table|span|a|br|h[1-6]|!--)[\s>/]", re.IGNORECASE
)


def sniff_non_html(head: bytes, content_type: str) -> str | None:
    """The kind of a non-HTML payload (``pdf``, ``image``, ``json``...), or None for HTML.

    ``head`` is the first KiB of the payload. A declared HTML type is trusted unless the
    bytes are a known binary format; a generic or missing type needs markup near the start
    or a mostly-text payload.
    """
    ctype = content_type.split(";", 1)[0].strip().lower()
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16: look at it as text, not bytes
        head = head.decode("utf-16", errors="replace").encode("utf-8")
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    for magic, kind in _MAGIC:
        if stripped.startswith(magic):
            return kind
    if ctype and ctype not in _HTML_TYPES and ctype not in _GENERIC_TYPES:
        if ctype.endswith("json") or "+json" in ctype:
            return "json"
        major = ctype.split("/", 1)[0]
        return major if major in ("image", "audio", "video", "font") else ctype.replace("/", "_")
    if ctype in _HTML_TYPES:
        return None
    if stripped[:1] in (b"{", b"[") and not _MARKUP.search(stripped[:1024]):
        return "json"
    if _MARKUP.search(head):
        return None
    # No markup: refuse binary garbage (many control bytes), accept text (a fragment of
    # HTML without tags is still text a user may want).
    sample = head[:1024]
    if sample and sum(1 for b in sample if b < 9 or 13 < b < 32) / len(sample) > 0.1:
        return "binary"
    return None


# ---- content encoding ----------------------------------------------------------------


def inflate(raw: bytes, content_encoding: str, max_bytes: int) -> tuple[bytes, bool]:
    """The payload with a gzip/deflate content encoding undone, and whether it was.

    Some WARC writers keep the HTTP body as sent (``Content-Encoding: gzip``). The
    output is capped at ``max_bytes`` (a decompression bomb is a page over the limit),
    and a truncated stream gives what it holds, like a truncated page.
    """
    enc = content_encoding.lower()
    if not (raw[:2] == b"\x1f\x8b" or "gzip" in enc or "deflate" in enc):
        return raw, False
    for wbits in (47, -15):  # gzip or zlib (detected from the header), then raw deflate
        d = zlib.decompressobj(wbits)
        try:
            out = d.decompress(raw, max_bytes + 1)
        except zlib.error:
            continue
        if len(out) > max_bytes:
            raise LimitExceeded(f"page inflates to over max_bytes={max_bytes}")
        return out, True
    return raw, False  # not compressed after all: let sniffing judge the bytes


# ---- decoding ------------------------------------------------------------------------

_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)


def _valid_codec(name: str) -> str | None:
    import codecs

    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    # a page that declares latin-1 is, per WHATWG, windows-1252 (a strict superset)
    return "cp1252" if info.name in ("latin-1", "iso8859-1", "ascii") else info.name


def decode(raw: bytes | str, content_type: str = "") -> tuple[str, str]:
    """The page as text and the charset used: UTF-8, header, meta tag, then detection.

    Valid UTF-8 is taken as UTF-8. Otherwise a declared charset that fails to decode the
    bytes strictly is not trusted (servers and templates lie) and the next source is
    tried; detection from the content (resiliparse) decodes with replacement characters.
    """
    if isinstance(raw, str):
        return raw, "str"
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return raw.decode("utf-16", errors="replace"), "utf-16"
    # Bytes that decode strictly as UTF-8 are UTF-8, whatever the labels say: text in a
    # legacy encoding almost never forms valid multi-byte sequences by chance, while
    # UTF-8 pages labelled latin-1 or ASCII by a stale server default are common.
    try:
        return raw.decode("utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    candidates: list[str] = []
    m = _HEADER_CHARSET.search(content_type or "")
    if m:
        candidates.append(m.group(1))
    m2 = _META_CHARSET.search(raw[:4096])
    if m2:
        candidates.append(m2.group(1).decode("ascii", "replace"))
    for name in candidates:
        codec = _valid_codec(name)
        if codec is None:
            continue
        try:
            return raw.decode(codec), codec
        except (UnicodeDecodeError, LookupError):
            continue
    enc = require("resiliparse.parse.encoding", "html", "resiliparse")
    detected = enc.detect_encoding(raw)  # type: ignore[attr-defined]
    codec = _valid_codec(detected) or "utf-8"
    return raw.decode(codec, errors="replace"), codec


# ---- limits --------------------------------------------------------------------------

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>")
# elements that never hold children, so never add to the depth
_VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
    # closed implicitly by the next sibling, so they never nest by themselves
    + [
        "p",
        "li",
        "dt",
        "dd",
        "option",
        "tr",
        "td",
        "th",
        "tbody",
        "thead",
        "tfoot",
        "colgroup",
        "rb",
        "rt",
        "rp",
    ]
)


# Below this many "<", a page is parsed without a depth scan: its depth cannot exceed
# the count, and lexbor parses 20,000 nested levels in about 0.7 s on this machine (the
# cost grows with the square of the depth: 1,000 levels 2 ms, 100,000 levels 17 s). The
# largest page of the trafilatura evaluation set has 19,600, so ordinary pages never
# pay for the scan.
SCAN_ABOVE_TAGS = 20_000


def max_nesting(html: str, limit: int, scan_above: int = SCAN_ABOVE_TAGS) -> int:
    """An upper estimate of the element nesting depth, stopping early past ``limit``.

    Returns 0 without scanning when the page has at most ``max(limit, scan_above)``
    tags. Otherwise counts start tags minus end tags (void and self-closed tags
    excluded). Browsers close some elements implicitly (``<p>``, ``<li>``), so this can
    overestimate; it is a guard against pathological pages.
    """
    if html.count("<") <= max(limit, scan_above):
        return 0
    depth = best = 0
    for m in _TAG.finditer(html):
        tag = m.group(2).lower()
        if tag in _VOID or m.group(3):
            continue
        if m.group(1):
            depth = max(0, depth - 1)
        else:
            depth += 1
            if depth > best:
                best = depth
                if best > limit:
                    return best
    return best


def check_limits(html: str, max_chars: int, max_depth: int) -> None:
    """Raise :class:`LimitExceeded` for a page too large or too deeply nested to parse."""
    if len(html) > max_chars:
        raise LimitExceeded(f"page has {len(html)} characters, over max_bytes={max_chars}")
    depth = max_nesting(html, max_depth)
    if depth > max_depth:
        raise LimitExceeded(f"page nests elements over {max_depth} deep (max_depth)")


# ---- metadata ------------------------------------------------------------------------

# meta tags that carry a publication date, by (attribute, lower-case value), in order
# of preference
_DATE_META: tuple[tuple[str, str], ...] = (
    ("property", "article:published_time"),
    ("name", "article:published_time"),
    ("itemprop", "datepublished"),
    ("name", "date"),
    ("name", "dc.date"),
    ("name", "dc.date.issued"),
    ("property", "og:published_time"),
    ("name", "pubdate"),
    ("name", "publishdate"),
)
_JSONLD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]{4,40})"')
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def page_metadata(tree: Any, html: str) -> dict[str, str]:
    """Title, language hint (``html_lang``) and publication date, where the page has them.

    ``tree`` is a selectolax ``LexborHTMLParser``. The date is normalised to
    ``YYYY-MM-DD`` when an ISO date can be found in the value, kept as given otherwise.
    """
    meta: dict[str, str] = {}
    # one pass over the <meta> tags (a CSS query per key would walk the tree each time)
    tags: dict[tuple[str, str], str] = {}
    for node in tree.css("meta"):
        attrs = node.attributes
        content = attrs.get("content")
        if not content:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            value = attrs.get(attr)
            if value:
                tags.setdefault((attr, value.lower()), content)
    node = tree.css_first("title")
    title = " ".join(node.text().split()) if node is not None else ""
    if not title:
        title = " ".join(tags.get(("property", "og:title"), "").split())
    if title:
        meta["title"] = title
    root = tree.root
    lang = (root.attributes.get("lang") or root.attributes.get("xml:lang") or "") if root is not None else ""
    if not lang:
        lang = tags.get(("http-equiv", "content-language"), "")
    lang = lang.strip().split(",")[0].strip()
    if lang:
        meta["html_lang"] = lang.replace("_", "-").lower()
    date = next((tags[k] for k in _DATE_META if k in tags), "")
    if not date:
        at = html.find('"datePublished"')  # a plain find first: the regex is the slow part
        m = _JSONLD_DATE.match(html, at) if at >= 0 else None
        if m:
            date = m.group(1)
    if not date:
        t = tree.css_first("time[datetime]")
        if t is not None:
            date = t.attributes.get("datetime") or ""
    if date:
        iso = _ISO_DATE.search(date)
        meta["date"] = iso.group(0) if iso else date.strip()
    return meta
