from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
import zstandard

from thresher.config import ReaderParams
from thresher.demo import make_crawl
from thresher.document import Document
from thresher.stages.read import Shard, expand_paths, reader_class
from thresher.stages.read.base import detect_format


def read_all(path: Path, fmt: str | None = None, **params: object) -> list[Document]:
    fmt = fmt or detect_format(str(path))
    p = ReaderParams(paths=[str(path)], **params)  # type: ignore[arg-type]
    reader = reader_class(fmt)(p)
    reader.format = fmt  # type: ignore[misc]
    docs: list[Document] = []
    for shard in reader.plan([str(path)]):
        docs.extend(reader.read(shard))
    return docs


LINES = [{"id": f"d{i}", "text": f"document number {i}", "url": f"https://x.org/{i}", "lang": "en"} for i in range(50)]


def _jsonl_bytes() -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in LINES)


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz", ".jsonl.zst"])
def test_jsonl_compressions(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"a{suffix}"
    data = _jsonl_bytes()
    if suffix.endswith(".gz"):
        data = gzip.compress(data)
    elif suffix.endswith(".zst"):
        data = zstandard.ZstdCompressor().compress(data)
    path.write_bytes(data)
    docs = read_all(path)
    assert [d.id for d in docs] == [r["id"] for r in LINES]
    assert docs[3].text == "document number 3" and docs[3].url == "https://x.org/3"
    assert docs[3].metadata == {"lang": "en"}
    assert docs[0].source.endswith(":line 1")


def test_jsonl_byte_ranges_cover_every_line_once(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    path.write_bytes(_jsonl_bytes())
    p = ReaderParams(paths=[str(path)], shard_bytes=1024)
    reader = reader_class("jsonl")(p)
    shards = reader.plan([str(path)])
    assert len(shards) > 1
    ids = [d.id for s in shards for d in reader.read(s)]
    assert ids == [r["id"] for r in LINES]


def test_jsonl_bad_records_are_quarantined_with_position(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b'{"id": "ok", "text": "fine"}\n{"id": "cut", "te\n\xff\xfe\n[1, 2]\n{"id": "notext"}\n'
                     b'{"id": 5, "text": 7}\n\n{"text": "last"}\n')
    docs = read_all(path)
    status = [(d.verdict.status, d.error.split(": ", 1)[1] if d.error else None) for d in docs]
    assert [s for s, _ in status] == ["kept", "quarantined", "quarantined", "quarantined", "quarantined",
                                      "quarantined", "kept"]
    errors = [d.error for d in docs if d.error]
    assert "bad.jsonl:line 2" in errors[0] and "invalid JSON" in errors[0]
    assert "line 3" in errors[1] and "invalid UTF-8" in errors[1]
    assert "expected a JSON object" in errors[2]
    assert "no 'text' field" in errors[3]
    assert "not a string" in errors[4]


def test_jsonl_oversized_record(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    path.write_bytes(json.dumps({"text": "x" * 5000}).encode() + b"\n" + b'{"text": "small"}\n')
    docs = read_all(path, max_record_bytes=1000)
    assert docs[0].verdict.status == "quarantined" and "max_record_bytes" in (docs[0].error or "")
    assert docs[1].text == "small"


def test_html_field_goes_to_raw(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    path.write_text(json.dumps({"id": "h", "html": "<p>hi</p>"}) + "\n")
    (doc,) = read_all(path)
    assert doc.raw == "<p>hi</p>" and doc.text == ""


def test_parquet_reader(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "a.parquet"
    pq.write_table(pa.Table.from_pylist(LINES), path, row_group_size=7)
    docs = read_all(path)
    assert [d.id for d in docs] == [r["id"] for r in LINES]
    assert docs[10].source.endswith(":row 10")


def test_parquet_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1 not really")
    (doc,) = read_all(path)
    assert doc.verdict.status == "quarantined" and "unreadable Parquet" in (doc.error or "")


def test_text_folder(tmp_path: Path) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "one.txt").write_text("first page")
    (tmp_path / "t" / "two.txt").write_bytes(b"bad \xff bytes")
    files = expand_paths([str(tmp_path / "t")])
    docs = [d for f in files for d in read_all(Path(f), "text")]
    assert docs[0].text == "first page" and docs[0].id == "one"
    assert docs[1].verdict.status == "quarantined" and "byte 4" in (docs[1].error or "")


def test_missing_input_is_an_error(tmp_path: Path) -> None:
    from thresher.errors import InputError

    with pytest.raises(InputError, match="no such file"):
        expand_paths([str(tmp_path / "nope*.jsonl")])


def test_warc_demo_crawl(tmp_path: Path) -> None:
    warc, _ = make_crawl(tmp_path)
    docs = read_all(warc)
    ok = [d for d in docs if d.alive]
    bad = [d for d in docs if not d.alive]
    assert len(ok) > 40
    assert all(isinstance(d.raw, bytes) and d.url for d in ok)
    assert ok[0].metadata["http_headers"]["content-type"].startswith("text/html")
    assert len(bad) == 1 and "truncated record" in (bad[0].error or "")


# --- the real broken files of ../shared/data/crawl ------------------------------------

CRAWL = "data/crawl"


def _split(docs: list[Document]) -> tuple[list[Document], list[Document]]:
    return [d for d in docs if d.alive], [d for d in docs if not d.alive]


def test_clipped_warc(shared_dir: Path) -> None:
    ok, bad = _split(read_all(shared_dir / CRAWL / "resiliparse/tests/data/clipped.warc.gz"))
    assert not ok and len(bad) == 1
    assert "truncated record" in (bad[0].error or "") and "of 88275 bytes" in (bad[0].error or "")


def test_truncated_warc(shared_dir: Path) -> None:
    ok, bad = _split(read_all(shared_dir / CRAWL / "warcio/test/data/example-trunc.warc"))
    assert len(ok) >= 1 and len(bad) == 1
    assert "example-trunc.warc:after byte" in (bad[0].error or "")


@pytest.mark.parametrize("name", ["example-bad.warc.gz.bad", "example-bad-non-chunked.warc.gz",
                                  "example-wrong-chunks.warc.gz"])
def test_bad_warcs_read_without_crash(shared_dir: Path, name: str) -> None:
    docs = read_all(shared_dir / CRAWL / "warcio/test/data" / name, "warc")
    assert docs, "every response record is a document or a quarantined record"
    for d in docs:
        assert d.alive or d.error


def test_bad_arc(shared_dir: Path) -> None:
    docs = read_all(shared_dir / CRAWL / "warcio/test/data/bad.arc")
    ok, bad = _split(docs)
    assert len(ok) == 1 and ok[0].url == "http://example.com/"
    assert len(bad) == 2 and all("bad ARC record length" in (d.error or "") for d in bad)


def test_arc_url_with_spaces(shared_dir: Path) -> None:
    # The header parses although its URL has spaces; the record itself is 12 bytes
    # shorter than its declared length, and says so.
    (doc,) = read_all(shared_dir / CRAWL / "warcio/test/data/example-space-in-url.arc")
    assert "truncated record: 1579 of 1591 bytes" in (doc.error or "")


@pytest.mark.parametrize("name", ["example.arc", "example.arc.gz"])
def test_good_arc(shared_dir: Path, name: str) -> None:
    ok, bad = _split(read_all(shared_dir / CRAWL / "warcio/test/data" / name))
    assert ok and not bad
    assert ok[0].metadata["http_status"] == 200 and b"Example Domain" in ok[0].raw  # type: ignore[operator]


@pytest.mark.parametrize("name", ["warcfile.warc", "warcfile.warc.gz", "warcfile.warc.lz4"])
def test_compressions_agree(shared_dir: Path, name: str) -> None:
    docs = read_all(shared_dir / CRAWL / "resiliparse/tests/data" / name, "warc")
    assert len(docs) > 10 and all(d.alive for d in docs)
    plain = read_all(shared_dir / CRAWL / "resiliparse/tests/data/warcfile.warc", "warc")
    assert [d.id for d in docs] == [d.id for d in plain]


def test_wet_gives_text(shared_dir: Path) -> None:
    docs = read_all(shared_dir / CRAWL / "whirlwind/whirlwind.warc.wet.gz")
    assert docs and all(d.text and d.raw is None for d in docs)


@pytest.mark.parametrize("name", ["a.jsonl.gz", "a.jsonl.zst", "a.jsonl.xz", "a.jsonl.bz2", "a.jsonl.lz4"])
def test_truncated_compressed_jsonl_keeps_what_was_read(tmp_path: Path, name: str) -> None:
    import lzma

    import random

    rng = random.Random(0)  # text that does not compress to nothing: the stream has many blocks
    data = b"".join(json.dumps({"id": str(i), "text": "%032x" % rng.getrandbits(128) * 4}).encode() + b"\n"
                    for i in range(8000))
    import bz2

    import lz4.frame

    packers = {"gz": gzip.compress, "zst": zstandard.ZstdCompressor().compress, "xz": lzma.compress,
               "bz2": bz2.compress, "lz4": lz4.frame.compress}
    packed = packers[name[8:]](data)
    path = tmp_path / name
    path.write_bytes(packed[: len(packed) * 2 // 3])
    docs = read_all(path)
    ok, bad = [d for d in docs if d.alive], [d for d in docs if not d.alive]
    assert len(ok) < 8000
    if not name.endswith("bz2"):  # bz2 gives nothing of a 900 kB block it cannot finish
        assert ok
    assert len(bad) <= 2 and "corrupt or truncated file" in (bad[-1].error or "")


@pytest.mark.parametrize("compressed", [True, False])
def test_warc_cut_anywhere_loses_nothing_silently(tmp_path: Path, compressed: bool) -> None:
    """Cut a 4-record WARC at many points: the whole records before the cut are read, and a
    cut inside a record is always one quarantined record, never a silent end."""
    import random

    rng = random.Random(1)
    body = b"<p>" + "".join("%08x" % rng.getrandbits(32) for _ in range(4000)).encode() + b"</p>"
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + body
    rec = (b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:x>\r\nWARC-Target-URI: http://a/\r\n"
           b"Content-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n%s\r\n\r\n"
           % (len(http), http))
    members = [gzip.compress(rec) if compressed else rec for _ in range(4)]
    data = b"".join(members)
    size = len(members[0])
    for cut in sorted({size * 2, size * 2 + 10, size * 2 + 40, size * 2 + 200, size * 2 + size // 2,
                       len(data) - 60, len(data)}):
        path = tmp_path / ("c.warc.gz" if compressed else "c.warc")
        path.write_bytes(data[:cut])
        docs = read_all(path)
        ok = [d for d in docs if d.alive]
        bad = [d for d in docs if not d.alive]
        whole = cut // size
        inside = cut % size != 0
        assert len(ok) == whole and len(bad) == int(inside), (cut, [d.error for d in bad])
