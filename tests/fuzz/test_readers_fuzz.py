"""Property tests: any bytes, in any input format, give documents or quarantined records.

A short run is part of `make test`; `THRESHER_FUZZ_EXAMPLES=10000 pytest tests/fuzz`
runs the long campaign.
"""

from __future__ import annotations

import gzip
import json
import os
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "fuzz"))
import _common  # noqa: E402

EXAMPLES = int(os.environ.get("THRESHER_FUZZ_EXAMPLES", "60"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))


def read_bytes(tmp: Path, name: str, fmt: str, data: bytes) -> list[object]:
    return _common.check_reader(fmt, data, suffix=name[name.index("."):])


WARC_RECORD = (b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:x>\r\nWARC-Target-URI: http://a/\r\n"
               b"Content-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n%s\r\n\r\n")
HTTP = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>hello</p>"


def mutate(data: bytes, cuts: list[tuple[int, int]]) -> bytes:
    b = bytearray(data)
    for pos, val in cuts:
        if b:
            b[pos % len(b)] = val
    return bytes(b)


@SETTINGS
@given(st.binary(max_size=400))
def test_jsonl_any_bytes(tmp_path_factory, data: bytes) -> None:  # type: ignore[no-untyped-def]
    read_bytes(tmp_path_factory.mktemp("j"), "x.jsonl", "jsonl", data)


@SETTINGS
@given(st.lists(st.one_of(st.binary(max_size=60), st.dictionaries(st.text(max_size=5), st.text(max_size=20))),
                max_size=8))
def test_jsonl_mixed_records(tmp_path_factory, recs: list[object]) -> None:  # type: ignore[no-untyped-def]
    data = b"".join((r if isinstance(r, bytes) else json.dumps(r).encode()) + b"\n" for r in recs)
    read_bytes(tmp_path_factory.mktemp("j"), "x.jsonl.gz", "jsonl", gzip.compress(data))


@SETTINGS
@given(st.binary(max_size=400))
def test_gzip_garbage(tmp_path_factory, data: bytes) -> None:  # type: ignore[no-untyped-def]
    read_bytes(tmp_path_factory.mktemp("g"), "x.jsonl.gz", "jsonl", data)


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=6), st.integers(0, 300))
def test_warc_mutations(tmp_path_factory, cuts: list[tuple[int, int]], cut_end: int) -> None:  # type: ignore[no-untyped-def]
    rec = WARC_RECORD % (len(HTTP), HTTP)
    data = mutate(rec * 3, cuts)
    data = data[: len(data) - cut_end]
    tmp = tmp_path_factory.mktemp("w")
    read_bytes(tmp, "x.warc", "warc", data)
    read_bytes(tmp, "x.warc.gz", "warc", gzip.compress(data))


@SETTINGS
@given(st.binary(max_size=400))
def test_warc_any_bytes(tmp_path_factory, data: bytes) -> None:  # type: ignore[no-untyped-def]
    read_bytes(tmp_path_factory.mktemp("w"), "x.warc", "warc", data)


ARC = (b"filedesc://x.arc 0.0.0.0 20140101000000 text/plain 9\n1 0 test\n\n"
       b"http://a/ 1.2.3.4 20140101000000 text/html %d\n%s\n")


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=6), st.integers(0, 100))
def test_arc_mutations(tmp_path_factory, cuts: list[tuple[int, int]], cut_end: int) -> None:  # type: ignore[no-untyped-def]
    data = mutate((ARC % (len(HTTP), HTTP)) * 2, cuts)
    read_bytes(tmp_path_factory.mktemp("a"), "x.arc", "arc", data[: len(data) - cut_end])


@SETTINGS
@given(st.binary(max_size=300))
def test_parquet_any_bytes(tmp_path_factory, data: bytes) -> None:  # type: ignore[no-untyped-def]
    read_bytes(tmp_path_factory.mktemp("p"), "x.parquet", "parquet", b"PAR1" + data + b"PAR1")


@SETTINGS
@given(st.binary(max_size=300))
def test_text_any_bytes(tmp_path_factory, data: bytes) -> None:  # type: ignore[no-untyped-def]
    (doc,) = read_bytes(tmp_path_factory.mktemp("t"), "x.txt", "text", data)
    try:
        assert doc.text == data.decode("utf-8")  # type: ignore[attr-defined]
    except UnicodeDecodeError:
        assert doc.verdict.status == "quarantined"  # type: ignore[attr-defined]


def test_http_gzip_bomb_is_quarantined(tmp_path: Path) -> None:
    body = gzip.compress(b"\0" * (50 << 20))  # 50 MB of zeros in ~50 KB
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\r\n" + body
    (doc,) = read_bytes(tmp_path, "bomb.warc", "warc", WARC_RECORD % (len(http), http))
    assert doc.verdict.status == "quarantined" and "larger than max_record_bytes" in (doc.error or "")  # type: ignore[attr-defined]
