"""An output folder, loaded once as columns: what the report and the inspector read.

The report and the inspector ask the same questions of a run (how many documents of each
verdict, reason, language and domain; the distribution of every numeric signal; which
documents match a filter), so both work on one columnar :class:`Index` built by a
single pass over the output files. Only the small columns are materialised as Python
objects; the text stays an Arrow array (for length and full-text search), and a whole
record is read back from its file only when a page shows it.

Folders that are missing, incomplete (a killed run: no ``stats.json``) or written by an
older version (fields missing) give an :class:`OutputFolderError` with a one-line
message, or load with ``warnings`` that the pages show.
"""

from __future__ import annotations

import gzip
import io
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from thresher.document import Document
from thresher.errors import ThresherError

STATUSES: tuple[str, ...] = ("kept", "rejected", "quarantined")
_SUBDIRS: tuple[str, ...] = ("kept", "rejected", "quarantine")
_SUFFIXES: tuple[str, ...] = (".parquet", ".jsonl", ".jsonl.gz")
# A signal named like this, with a string value, is the document's language code
# ("language.language", "lid.lang", "language.code").
_LANG_SIGNAL = re.compile(r"(^|\.)(lang|language|lang_code|language_code)$|^lang[a-z_]*\.(code|label)$")
_LANG_KEYS: tuple[str, ...] = ("language", "lang")


class OutputFolderError(ThresherError):
    """The folder is not a readable thresher output: the message says why, in one line."""


@dataclass(slots=True)
class Index:
    """One row per document of the run, in file order (kept, rejected, quarantine).

    Categorical columns are integer codes into a values list (code 0 is the empty
    value), so that filters and facet counts are numpy operations.
    """

    ids: list[str]
    urls: list[str]
    file_no: np.ndarray  # int32: index into Folder.files
    row_no: np.ndarray  # int32: row within that file
    status: np.ndarray  # int8: index into STATUSES
    reason: np.ndarray  # int32 codes into reasons ("step:first reason", as in stats.json)
    reasons: list[str]
    language: np.ndarray  # int32 codes into languages
    languages: list[str]
    domain: np.ndarray  # int32 codes into domains
    domains: list[str]
    length: np.ndarray  # int64: characters of the text as written
    signals: dict[str, np.ndarray]  # numeric signals as float64, NaN where absent
    labels: dict[str, np.ndarray]  # string-valued signals (cluster ids, languages), "" where absent
    text: Any  # pyarrow ChunkedArray of the texts, for search
    row_of: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # files that could not be read

    @property
    def n(self) -> int:
        return len(self.ids)

    def texts(self, rows: np.ndarray) -> list[str]:
        """The texts of ``rows``, read from their Arrow chunks (``ChunkedArray.take``
        concatenates every chunk first: a second at 100,000 documents)."""
        starts = np.cumsum([0] + [len(c) for c in self.text.chunks])
        out = []
        for r in rows:
            ci = int(np.searchsorted(starts, r, side="right")) - 1
            v = self.text.chunks[ci][int(r) - int(starts[ci])].as_py()
            out.append(v or "")
        return out


@dataclass(slots=True)
class Folder:
    """An output folder: its statistics, plan, output files, and (lazily) its index."""

    out: Path
    stats: dict[str, Any]
    plan: dict[str, Any]
    files: list[Path]
    warnings: list[str]
    keep_text: bool = True  # False: the index keeps lengths, not texts (no search)
    _index: Index | None = None

    @property
    def index(self) -> Index:
        if self._index is None:
            self._index = build_index(self.files, self.keep_text)
            self.warnings.extend(self._index.skipped)
        return self._index

    def document(self, row: int) -> Document:
        """The full record of index row ``row``, read back from its file."""
        idx = self.index
        return read_row(self.files[int(idx.file_no[row])], int(idx.row_no[row]))

    def totals(self) -> dict[str, int]:
        """Read / kept / rejected / quarantined: from stats.json, else counted from the files."""
        t = self.stats.get("totals")
        if isinstance(t, dict) and all(isinstance(t.get(k), int) for k in ("read", *STATUSES)):
            return {k: int(t[k]) for k in ("read", *STATUSES)}
        counts = np.bincount(self.index.status, minlength=len(STATUSES))
        out = {s: int(counts[i]) for i, s in enumerate(STATUSES)}
        return {"read": sum(out.values()), **out}


def open_folder(out: Path, keep_text: bool = True) -> Folder:
    """Open ``out`` for reading, or raise :class:`OutputFolderError` saying what is wrong."""
    out = Path(out)
    if not out.exists():
        raise OutputFolderError(f"{out}: no such folder")
    if not out.is_dir():
        raise OutputFolderError(f"{out}: not a folder (give the output folder of a thresher run)")
    warnings: list[str] = []
    stats = _read_json(out / "stats.json", warnings)
    plan = _read_json(out / "plan.json", warnings)
    files = output_files(out)
    if not files and not stats:
        raise OutputFolderError(f"{out}: not a thresher output folder (no stats.json and no kept/, "
                                "rejected/ or quarantine/ files)")
    if not (out / "stats.json").exists():
        warnings.append("no stats.json: the run did not finish (rerun it to resume); "
                        "counts below come from the files written so far")
    elif stats and "steps" not in stats:
        warnings.append("stats.json has no per-step statistics (written by an older version?)")
    return Folder(out=out, stats=stats, plan=plan, files=files, warnings=warnings, keep_text=keep_text)


def _read_json(path: Path, warnings: list[str]) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        warnings.append(f"{path.name} is unreadable ({exc}); ignored")
        return {}
    if not isinstance(data, dict):
        warnings.append(f"{path.name} is not a JSON object; ignored")
        return {}
    return data


def output_files(out: Path) -> list[Path]:
    """The document files of a run, in a stable order: kept, rejected, quarantine."""
    files: list[Path] = []
    for sub in _SUBDIRS:
        d = out / sub
        if d.is_dir():
            files.extend(sorted(p for p in d.iterdir()
                                if p.is_file() and p.name.endswith(_SUFFIXES) and not p.name.startswith(".")))
    return files


# ---- reading ---------------------------------------------------------------------------


def _json_obj(s: Any) -> dict[str, Any]:
    if isinstance(s, dict):
        return s
    if not s:
        return {}
    try:
        v = json.loads(s)
    except ValueError:
        return {}
    return v if isinstance(v, dict) else {}


def _iter_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    opener: Any = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as f:
        for line in io.TextIOWrapper(f, encoding="utf-8", errors="replace"):
            if line.strip():
                try:
                    r = json.loads(line)
                except ValueError:
                    continue
                if isinstance(r, dict):
                    yield r


_COLUMNS: tuple[str, ...] = ("id", "text", "url", "status", "reasons", "step", "signals", "metadata")
# Host of a URL, for the domain facet: scheme://[user@]host[:port]/... (vectorised in Arrow;
# urllib.parse costs ~40 us a URL, 4 s at 100,000 documents).
_HOST = r"^[A-Za-z][A-Za-z0-9+.\-]*://(?:[^/?#@]*@)?(?P<host>\[[^\]/]*\]|[^/?#:]*)"


def _table(path: Path) -> Any:
    """The columns the index needs from one file, as an Arrow table of strings."""
    import pyarrow as pa

    strings = [c for c in _COLUMNS if c != "reasons"]
    if path.name.endswith(".parquet"):
        import pyarrow.parquet as pq

        names = set(pq.read_schema(path).names)
        t = pq.read_table(path, columns=[c for c in _COLUMNS if c in names])
        n = t.num_rows
        cols = {}
        for c in _COLUMNS:
            if c not in names:
                cols[c] = pa.nulls(n, pa.list_(pa.string()) if c == "reasons" else pa.string())
            else:
                cols[c] = t.column(c)
        return pa.table(cols)
    rows = list(_iter_jsonl(path))
    cols = {}
    for c in strings:
        vals = [r.get(c) for r in rows]
        if c in ("signals", "metadata"):
            vals = [json.dumps(v) if isinstance(v, dict) else None for v in vals]
        cols[c] = pa.array([v if isinstance(v, str) else (None if v is None else str(v)) for v in vals],
                           pa.string())
    cols["reasons"] = pa.array([[str(x) for x in r.get("reasons") or []] for r in rows], pa.list_(pa.string()))
    return pa.table({c: cols[c] for c in _COLUMNS})


def build_index(files: list[Path], keep_text: bool = True) -> Index:
    """One pass over the output files, column by column in Arrow and numpy; unreadable
    files are skipped (the page of each of their documents would fail anyway).

    ``keep_text=False`` keeps only the length of each text (the report needs no search,
    and a run's texts can outgrow memory where its other columns do not).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    tables = []
    skipped: list[str] = []
    file_no: list[np.ndarray] = []
    row_no: list[np.ndarray] = []
    for fi, path in enumerate(files):
        try:
            t = _table(path)
        except Exception as exc:  # noqa: BLE001 - a damaged file must not hide the others
            skipped.append(f"{path}: unreadable ({type(exc).__name__}: {exc}); its documents are left out")
            continue
        default = "quarantined" if path.parent.name == "quarantine" else path.parent.name
        t = t.set_column(t.schema.get_field_index("status"), "status",
                         pc.fill_null(t.column("status"), default if default in STATUSES else "kept"))
        lengths = pc.cast(pc.fill_null(pc.utf8_length(t.column("text")), 0), pa.int64())
        t = t.append_column("length", lengths)
        if not keep_text:
            t = t.set_column(t.schema.get_field_index("text"), "text", pa.nulls(t.num_rows, pa.string()))
        tables.append(t)
        file_no.append(np.full(t.num_rows, fi, dtype=np.int32))
        row_no.append(np.arange(t.num_rows, dtype=np.int32))
    if tables:
        t = pa.concat_tables(tables)
    else:
        t = pa.table({**{c: pa.array([], pa.list_(pa.string()) if c == "reasons" else pa.string())
                         for c in _COLUMNS}, "length": pa.array([], pa.int64())})
    n = t.num_rows
    ids = [str(x) for x in t.column("id").to_pylist()]
    urls = [u or "" for u in t.column("url").to_pylist()]
    status_codes = pc.fill_null(pc.index_in(t.column("status"), value_set=pa.array(STATUSES)), 0)
    status = status_codes.to_numpy(zero_copy_only=False).astype(np.int8)
    # the reason of a rejection, keyed as in stats.json: "<step>:<first reason>"
    reason_keys = [""] * n
    dropped = np.flatnonzero(status != 0)
    if dropped.size:
        idx = pa.array(dropped)
        steps = t.column("step").take(idx).to_pylist()
        firsts = t.column("reasons").take(idx).to_pylist()
        for i, row in enumerate(dropped):
            rs = firsts[i] or []
            reason_keys[int(row)] = f"{steps[i]}:{rs[0] if rs else 'rejected'}"
    text = t.column("text")
    length = t.column("length").to_numpy().astype(np.int64) if n else np.zeros(0, np.int64)
    signals, labels = _signal_columns(t.column("signals"))
    lang_vals = _languages(labels, t.column("metadata"), n)
    hosts = pc.struct_field(pc.extract_regex(pc.fill_null(t.column("url"), ""), _HOST), "host") if n else None
    domains_list: list[str] = []
    if hosts is not None:
        hosts = pc.replace_substring_regex(pc.utf8_lower(pc.fill_null(hosts, "")), r"^www\.", "")
        domains_list = [h.strip("[]") for h in hosts.to_pylist()]
    reason, reasons = _codes(reason_keys)
    language, languages = _codes(lang_vals)
    domain, domains = _codes(domains_list)
    return Index(
        ids=ids,
        urls=urls,
        file_no=np.concatenate(file_no) if file_no else np.zeros(0, np.int32),
        row_no=np.concatenate(row_no) if row_no else np.zeros(0, np.int32),
        status=status,
        reason=reason,
        reasons=reasons,
        language=language,
        languages=languages,
        domain=domain,
        domains=domains,
        length=length,
        signals=signals,
        labels=labels,
        text=text,
        row_of={d: i for i, d in enumerate(ids)},
        skipped=skipped,
    )


def _languages(labels: dict[str, np.ndarray], metadata: Any, n: int) -> list[str]:
    """Each document's language: a string signal named ``*.language``/``*.lang``, else
    a ``language``/``lang`` field of its metadata, else ""."""
    out = np.full(n, "", dtype=object)
    for k in sorted(labels):
        if _LANG_SIGNAL.search(k):
            col = labels[k]
            empty = out == ""
            out[empty] = col[empty]
    missing = np.flatnonzero(out == "")
    if missing.size:
        import pyarrow as pa
        import pyarrow.compute as pc

        meta = metadata.take(pa.array(missing))
        has = pc.fill_null(pc.match_substring(meta, "lang"), False).to_numpy(zero_copy_only=False)
        for row, m in zip(missing[has], meta.filter(pa.array(has)).to_pylist(), strict=True):
            d = _json_obj(m)
            for k in _LANG_KEYS:
                if isinstance(d.get(k), str):
                    out[row] = d[k]
                    break
    return [str(x) for x in out]


def _codes(values: list[str]) -> tuple[np.ndarray, list[str]]:
    """Integer codes with "" as code 0, other values sorted (stable URLs and pages)."""
    vocab = [""] + sorted({v for v in values if v})
    code = {v: i for i, v in enumerate(vocab)}
    return np.fromiter((code[v] for v in values), dtype=np.int32, count=len(values)), vocab


def _signal_columns(column: Any) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Numeric signals as float columns (NaN where absent) and string ones as labels.

    Arrow's JSON reader parses all the documents' signals at once (ten times faster than
    a Python loop at 100,000 documents); a key whose type changes between documents
    makes it fail, and the loop takes over.
    """
    import pyarrow as pa

    n = len(column)
    if n == 0:
        return {}, {}
    try:
        import pyarrow.json as pj

        strings = column.to_pylist()
        buf = "\n".join(s if s else "{}" for s in strings).encode("utf-8")
        table = pj.read_json(pa.py_buffer(buf))
        if table.num_rows != n:
            raise ValueError("row count changed")
        numeric: dict[str, np.ndarray] = {}
        labels: dict[str, np.ndarray] = {}
        for name, col in zip(table.column_names, table.columns, strict=True):
            typ = col.type
            if pa.types.is_boolean(typ) or pa.types.is_integer(typ) or pa.types.is_floating(typ):
                arr = col.cast(pa.float64()).to_numpy(zero_copy_only=False).astype(np.float64)
                arr[~np.isfinite(arr)] = np.nan
                numeric[name] = arr
            elif pa.types.is_string(typ) or pa.types.is_large_string(typ):
                labels[name] = np.array([v if v is not None else "" for v in col.to_pylist()], dtype=object)
        rows = None
    except (pa.ArrowInvalid, ValueError, TypeError):
        rows = [_json_obj(s) for s in column.to_pylist()]
        numeric, labels = _signal_columns_slow(rows)
    # a cluster id may be a number: it is a label, not a quantity to histogram
    for k in [k for k in numeric if k.endswith(".cluster_id")]:
        col = numeric.pop(k)
        lab = np.full(n, "", dtype=object)
        ok = ~np.isnan(col)
        lab[ok] = [str(int(x)) if float(x).is_integer() else str(x) for x in col[ok]]
        labels[k] = lab
    return numeric, labels


def _signal_columns_slow(rows: list[dict[str, Any]]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    n = len(rows)
    numeric: dict[str, np.ndarray] = {}
    labels: dict[str, np.ndarray] = {}
    for i, sig in enumerate(rows):
        for k, v in sig.items():
            if isinstance(v, bool | int | float):
                col = numeric.get(k)
                if col is None:
                    col = numeric[k] = np.full(n, np.nan)
                fv = float(v)
                col[i] = fv if math.isfinite(fv) else np.nan
            elif isinstance(v, str):
                lcol = labels.get(k)
                if lcol is None:
                    lcol = labels[k] = np.full(n, "", dtype=object)
                lcol[i] = v
    return numeric, labels


def domain_of(url: str) -> str:
    """The host of a URL without a leading ``www.``; "" when there is none."""
    if not url:
        return ""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def read_row(path: Path, row: int) -> Document:
    """One record of an output file, by position, as a Document."""
    if path.name.endswith(".parquet"):
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(path)
        columns = [c for c in pf.schema_arrow.names if c != "raw"]
        start = 0
        for rg in range(pf.num_row_groups):
            n = pf.metadata.row_group(rg).num_rows
            if row < start + n:
                r = pf.read_row_group(rg, columns=columns).slice(row - start, 1).to_pylist()[0]
                break
            start += n
        else:
            raise IndexError(f"{path}: no row {row}")
    else:
        for i, rec in enumerate(_iter_jsonl(path)):
            if i == row:
                r = rec
                break
        else:
            raise IndexError(f"{path}: no row {row}")
    for k in ("metadata", "signals"):
        r[k] = _json_obj(r.get(k))
    edits = r.get("edits")
    if isinstance(edits, str):
        try:
            edits = json.loads(edits) if edits else []
        except ValueError:
            edits = []
    r["edits"] = edits if isinstance(edits, list) else []
    return Document.from_record(r)
