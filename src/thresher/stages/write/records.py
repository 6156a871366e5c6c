"""Reading and writing document records in the output formats."""

from __future__ import annotations

import gzip
import io
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from thresher.document import Document
from thresher.errors import ConfigError

FORMATS = ("parquet", "jsonl", "jsonl.gz")

# Columns of a Parquet output file. Nested fields (metadata, edits, signals) are JSON
# strings: their keys differ between documents and pipelines, and a fixed schema keeps
# every shard's file readable as one dataset (DuckDB reads them with json_extract).
_JSON_COLUMNS = ("metadata", "edits", "signals")


def extension(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ConfigError(f"unknown output format {fmt!r}; valid: {', '.join(FORMATS)}")
    return "." + fmt


def dumps(obj: Any) -> str:
    """Deterministic JSON: sorted keys, no ASCII escaping, anything else as str()."""
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _schema(with_raw: bool) -> Any:
    import pyarrow as pa

    fields = [
        pa.field("id", pa.string()),
        pa.field("text", pa.string()),
        pa.field("url", pa.string()),
        pa.field("source", pa.string()),
        pa.field("metadata", pa.string()),
        pa.field("edits", pa.string()),
        pa.field("signals", pa.string()),
        pa.field("status", pa.string()),
        pa.field("reasons", pa.list_(pa.string())),
        pa.field("step", pa.string()),
        pa.field("error", pa.string()),
    ]
    if with_raw:
        fields.append(pa.field("raw", pa.binary()))
    return pa.schema(fields)


def _safe_text(s: str) -> str:
    # Lone surrogates (from JSON "\ud800" escapes) cannot be encoded as UTF-8: write
    # them as U+FFFD rather than fail the shard.
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        return s.encode("utf-8", "replace").decode("utf-8")


def write_records(path: Path, docs: Iterable[Document], fmt: str, with_raw: bool = False) -> int:
    """Write documents to ``path`` atomically; returns the number of records."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    n = 0
    try:
        if fmt == "parquet":
            n = _write_parquet(tmp, docs, with_raw)
        elif fmt in ("jsonl", "jsonl.gz"):
            n = _write_jsonl(tmp, docs, gz=fmt == "jsonl.gz", with_raw=with_raw)
        else:
            raise ConfigError(f"unknown output format {fmt!r}; valid: {', '.join(FORMATS)}")
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return n


def _write_parquet(path: Path, docs: Iterable[Document], with_raw: bool) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    cols: dict[str, list[Any]] = {name: [] for name in _schema(with_raw).names}
    for d in docs:
        r = d.to_record()
        for k in ("id", "text", "url", "source", "status", "step", "error"):
            v = r[k]
            cols[k].append(_safe_text(v) if isinstance(v, str) else v)
        for k in _JSON_COLUMNS:
            cols[k].append(_safe_text(dumps(r[k])))
        cols["reasons"].append(r["reasons"])
        if with_raw:
            raw = d.raw
            cols["raw"].append(raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw)
    table = pa.Table.from_pydict(cols, schema=_schema(with_raw))
    pq.write_table(table, path, compression="zstd", row_group_size=10_000)
    return table.num_rows


def _write_jsonl(path: Path, docs: Iterable[Document], gz: bool, with_raw: bool) -> int:
    n = 0
    with open(path, "wb") as fh:
        out: Any = gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0) if gz else fh
        try:
            for d in docs:
                r = d.to_record()
                if with_raw and d.raw is not None:
                    r["raw"] = d.raw.decode("latin-1") if isinstance(d.raw, bytes) else d.raw
                    r["raw_is_bytes"] = isinstance(d.raw, bytes)
                out.write(_safe_text(dumps(r)).encode("utf-8") + b"\n")
                n += 1
        finally:
            if gz:
                out.close()
    return n


def read_records(path: Path) -> Iterator[Document]:
    """Read back a file written by :func:`write_records` (raw payloads included)."""
    name = path.name
    if name.endswith(".parquet"):
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(path)
        for rg in range(pf.num_row_groups):
            for r in pf.read_row_group(rg).to_pylist():
                for k in _JSON_COLUMNS:
                    r[k] = json.loads(r[k]) if r[k] else None
                doc = Document.from_record(r)
                doc.raw = r.get("raw")
                yield doc
    elif name.endswith((".jsonl", ".jsonl.gz")):
        opener = gzip.open if name.endswith(".gz") else open
        with opener(path, "rb") as f:  # type: ignore[operator]
            for line in io.TextIOWrapper(f, encoding="utf-8"):
                r = json.loads(line)
                doc = Document.from_record(r)
                if "raw" in r:
                    doc.raw = r["raw"].encode("latin-1") if r.get("raw_is_bytes") else r["raw"]
                yield doc
    else:
        raise ValueError(f"{path}: not an output file of thresher")
