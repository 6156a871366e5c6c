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
# A signal named like this, with a string value, is the document's language code.
_LANG_SIGNAL = re.compile(r"(^|\.)(lang|language)$")
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

    @property
    def n(self) -> int:
        return len(self.ids)


@dataclass(slots=True)
class Folder:
    """An output folder: its statistics, plan, output files, and (lazily) its index."""

    out: Path
    stats: dict[str, Any]
    plan: dict[str, Any]
    files: list[Path]
    warnings: list[str]
    _index: Index | None = None

    @property
    def index(self) -> Index:
        if self._index is None:
            self._index = build_index(self.files)
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


def open_folder(out: Path) -> Folder:
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
    return Folder(out=out, stats=stats, plan=plan, files=files, warnings=warnings)


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


def _columns(path: Path) -> dict[str, Any]:
    """The columns the index needs from one file; text stays an Arrow array."""
    import pyarrow as pa

    wanted = ["id", "text", "url", "status", "reasons", "step", "signals", "metadata"]
    if path.name.endswith(".parquet"):
        import pyarrow.parquet as pq

        names = set(pq.read_schema(path).names)
        table = pq.read_table(path, columns=[c for c in wanted if c in names])
        cols: dict[str, Any] = {}
        for c in wanted:
            if c == "text":
                cols[c] = table.column(c) if c in names else pa.chunked_array([pa.nulls(table.num_rows,
                                                                                        pa.string())])
            else:
                cols[c] = table.column(c).to_pylist() if c in names else [None] * table.num_rows
        return cols
    rows = list(_iter_jsonl(path))
    cols = {c: [r.get(c) for r in rows] for c in wanted}
    cols["text"] = pa.chunked_array([pa.array([t if isinstance(t, str) else None for t in cols["text"]],
                                              pa.string())])
    return cols


def build_index(files: list[Path]) -> Index:
    """One pass over the output files; unreadable files are skipped (the page says so)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    ids: list[str] = []
    urls: list[str] = []
    file_no: list[np.ndarray] = []
    row_no: list[np.ndarray] = []
    status: list[int] = []
    reason_keys: list[str] = []
    lang_vals: list[str] = []
    texts: list[Any] = []
    sig_rows: list[dict[str, Any]] = []
    status_code = {s: i for i, s in enumerate(STATUSES)}
    for fi, path in enumerate(files):
        try:
            cols = _columns(path)
        except Exception:  # noqa: BLE001 - a damaged file must not hide the others
            continue
        n = len(cols["id"])
        file_no.append(np.full(n, fi, dtype=np.int32))
        row_no.append(np.arange(n, dtype=np.int32))
        texts.extend(cols["text"].chunks)
        for i in range(n):
            ids.append(str(cols["id"][i]))
            urls.append(cols["url"][i] or "")
            st = cols["status"][i] or ("quarantined" if "quarantine" in path.parent.name else "kept")
            status.append(status_code.get(st, 0))
            rs = cols["reasons"][i] or []
            if st == "kept":
                reason_keys.append("")
            else:
                reason_keys.append(f"{cols['step'][i]}:{rs[0] if rs else 'rejected'}")
            sig = _json_obj(cols["signals"][i])
            sig_rows.append(sig)
            lang = ""
            for k, v in sig.items():
                if isinstance(v, str) and _LANG_SIGNAL.search(k):
                    lang = v
                    break
            if not lang:
                meta = cols["metadata"][i]
                if meta and ("lang" in meta if isinstance(meta, str) else True):
                    m = _json_obj(meta)
                    for k in _LANG_KEYS:
                        if isinstance(m.get(k), str):
                            lang = m[k]
                            break
            lang_vals.append(lang)
    n = len(ids)
    text = pa.chunked_array(texts, pa.string()) if texts else pa.chunked_array([], pa.string())
    length = (pc.fill_null(pc.utf8_length(text), 0).to_numpy(zero_copy_only=False).astype(np.int64)
              if n else np.zeros(0, np.int64))
    signals, labels = _signal_columns(sig_rows)
    reason, reasons = _codes(reason_keys)
    language, languages = _codes(lang_vals)
    domain, domains = _codes([domain_of(u) for u in urls])
    return Index(
        ids=ids,
        urls=urls,
        file_no=np.concatenate(file_no) if file_no else np.zeros(0, np.int32),
        row_no=np.concatenate(row_no) if row_no else np.zeros(0, np.int32),
        status=np.asarray(status, dtype=np.int8),
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
    )


def _codes(values: list[str]) -> tuple[np.ndarray, list[str]]:
    """Integer codes with "" as code 0, other values sorted (stable URLs and pages)."""
    vocab = [""] + sorted({v for v in values if v})
    code = {v: i for i, v in enumerate(vocab)}
    return np.fromiter((code[v] for v in values), dtype=np.int32, count=len(values)), vocab


def _signal_columns(rows: list[dict[str, Any]]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    n = len(rows)
    numeric: dict[str, np.ndarray] = {}
    labels: dict[str, np.ndarray] = {}
    for i, sig in enumerate(rows):
        for k, v in sig.items():
            if isinstance(v, bool | int | float) and not isinstance(v, str):
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
    # a cluster id may be a number: it is a label, not a quantity to histogram
    for k in [k for k in numeric if k.endswith(".cluster_id")]:
        col = numeric.pop(k)
        lab = np.full(n, "", dtype=object)
        ok = ~np.isnan(col)
        lab[ok] = [str(int(x)) if float(x).is_integer() else str(x) for x in col[ok]]
        labels[k] = lab
    return numeric, labels


def domain_of(url: str) -> str:
    """The host of a URL without a leading ``www.``; "" when there is none."""
    if not url:
        return ""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host


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
