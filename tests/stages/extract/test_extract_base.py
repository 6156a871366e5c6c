"""The shared contract of the extraction paths: sniffing, decoding, limits, metadata."""

from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from thresher.stages.extract.base import (
    Deadline,
    LimitExceeded,
    check_limits,
    decode,
    max_nesting,
    page_metadata,
    sniff_non_html,
)


@pytest.mark.parametrize(
    ("head", "ctype", "kind"),
    [
        (b"%PDF-1.7\n%\xe2\xe3", "", "pdf"),
        (b"%PDF-1.7\n", "text/html", "pdf"),  # the bytes win over a wrong header
        (b"\x89PNG\r\n\x1a\n\x00\x00", "", "image"),
        (b"\xff\xd8\xff\xe0JFIF", "image/jpeg", "image"),
        (b'{"items": [1, 2, 3]}', "application/json", "json"),
        (b'{"items": [1, 2, 3]}', "", "json"),
        (b"[1, 2, 3]", "text/plain", "json"),
        (b"<html><body>x</body></html>", "application/pdf", "application_pdf"),
        (b"GIF89a....", "", "image"),
        (bytes(range(32)) * 8, "", "binary"),
    ],
)
def test_non_html_payloads_are_named(head: bytes, ctype: str, kind: str) -> None:
    assert sniff_non_html(head, ctype) == kind


@pytest.mark.parametrize(
    ("head", "ctype"),
    [
        (b"<!DOCTYPE html><html><head>", "text/html; charset=utf-8"),
        (b"\xef\xbb\xbf<html><body>", ""),
        (b"  \n<div class='x'>hello</div>", "application/octet-stream"),
        (b"<p>a fragment</p>", "text/plain"),
        (b"plain words without any markup at all", ""),
        (b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml">', "application/xhtml+xml"),
    ],
)
def test_html_and_text_payloads_pass(head: bytes, ctype: str) -> None:
    assert sniff_non_html(head, ctype) is None


def test_charset_from_header() -> None:
    text, charset = decode("<p>Grüße</p>".encode("iso-8859-15"), "text/html; charset=ISO-8859-15")
    assert "Grüße" in text and charset == "iso8859-15"


def test_charset_from_meta_tag() -> None:
    raw = '<meta charset="windows-1251"><p>Привет</p>'.encode("cp1251")
    text, charset = decode(raw)
    assert "Привет" in text and charset == "cp1251"


def test_wrong_header_charset_falls_back_to_the_content() -> None:
    # the header says ASCII, the bytes are UTF-8: ASCII fails strictly, meta says utf-8
    raw = '<meta charset="utf-8"><p>naïve café</p>'.encode()
    text, charset = decode(raw, "text/html; charset=us-ascii")
    assert "naïve café" in text and charset == "utf-8"


def test_latin1_declared_is_read_as_windows_1252() -> None:
    # WHATWG: a page labelled latin-1 is decoded as windows-1252 (0x93/0x94 are quotes)
    text, charset = decode(b"<p>\x93quoted\x94</p>", "text/html; charset=iso-8859-1")
    assert text == "<p>\u201cquoted\u201d</p>" and charset == "cp1252"


def test_missing_charset_is_detected() -> None:
    raw = ("<p>" + "Ça coûte très cher, déjà. " * 20 + "</p>").encode("cp1252")
    text, _ = decode(raw)
    assert "Ça coûte très cher" in text


def test_unknown_charset_name_is_ignored() -> None:
    text, charset = decode(b"<p>plain</p>", "text/html; charset=x-no-such-codec")
    assert text == "<p>plain</p>" and charset == "utf-8"


def test_garbage_bytes_decode_with_replacement() -> None:
    raw = bytes(range(256)) * 4
    text, _ = decode(raw)
    assert isinstance(text, str) and len(text) > 0


def test_str_payload_is_used_as_is() -> None:
    assert decode("<p>é</p>") == ("<p>é</p>", "str")


def test_nesting_estimate() -> None:
    assert max_nesting("<div>" * 10, limit=50) == 0  # fewer tags than the limit: not scanned
    assert max_nesting("<div>" * 100 + "</div>" * 100, limit=50, scan_above=0) > 50
    # implicitly closed and void elements do not add depth
    html = "<ul>" + "<li>item <br><img src=x>" * 200 + "</ul>"
    assert max_nesting(html, limit=50, scan_above=0) <= 2


def test_check_limits() -> None:
    with pytest.raises(LimitExceeded, match="max_bytes"):
        check_limits("x" * 2000, max_chars=1000, max_depth=100)
    with pytest.raises(LimitExceeded, match="max_depth"):
        check_limits("<b>" * 25_000, max_chars=10**6, max_depth=1000)
    check_limits("<p>fine</p>" * 100, max_chars=10**6, max_depth=100)


def test_deadline() -> None:
    d = Deadline(0.0)
    with pytest.raises(LimitExceeded, match="max_seconds"):
        d.check()
    Deadline(60.0).check()


def test_metadata() -> None:
    html = (
        '<html lang="de_AT"><head><title> Ein  Titel </title>'
        '<script type="application/ld+json">{"datePublished": "2021-03-04T10:00:00Z"}</script>'
        "</head><body><p>x</p></body></html>"
    )
    meta = page_metadata(LexborHTMLParser(html), html)
    assert meta == {"title": "Ein Titel", "html_lang": "de-at", "date": "2021-03-04"}


def test_metadata_fallbacks() -> None:
    html = (
        '<html><head><meta property="og:title" content="OG title">'
        '<meta http-equiv="Content-Language" content="fr, en"></head>'
        '<body><time datetime="2020-01-02">2 Jan</time></body></html>'
    )
    meta = page_metadata(LexborHTMLParser(html), html)
    assert meta == {"title": "OG title", "html_lang": "fr", "date": "2020-01-02"}


def test_metadata_absent() -> None:
    html = "<p>no head at all</p>"
    assert page_metadata(LexborHTMLParser(html), html) == {}


def test_utf16_with_bom() -> None:
    text, charset = decode("\ufeff<p>Zürich</p>".encode("utf-16-le"))
    assert "Zürich" in text and charset == "utf-16"
