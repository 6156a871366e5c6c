"""The inspector's queries: URL parameters in, validated filters, masks and facet counts out.

Filters live in the URL (``/docs?status=rejected&reason=gopher_quality:too_short&
range=gopher_quality.n_words:0:50&q=cookie``) so that any view can be shared, bookmarked
and tested over plain HTTP. Every parameter is checked here; a malformed or
out-of-range value raises :class:`BadRequest`, which the app answers with a 400 and one
JSON error shape. Filtering is numpy over the columns of the loaded :class:`Index`.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from thresher.report.data import STATUSES, Index
from thresher.report.summary import LENGTH

# Page sizes: 50 rows fit a screen of a few scrolls; 500 caps the work of one request.
DEFAULT_SIZE = 50
MAX_SIZE = 500
MAX_QUERY_CHARS = 500
MAX_HISTOGRAMS = 12
# Facet values listed per facet (domains can number in the thousands); the selected
# values are always listed too.
FACET_TOP = 15

DOC_PARAMS = frozenset({"status", "reason", "lang", "domain", "q", "range", "page", "size", "hist", "sort"})
_MULTI = frozenset({"status", "reason", "lang", "domain", "range", "hist"})


class BadRequest(Exception):
    """A request parameter that is malformed or out of range (answered with a 400)."""

    def __init__(self, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.parameter = parameter


@dataclass(slots=True)
class Range:
    signal: str
    lo: float | None
    hi: float | None

    def param(self) -> str:
        return f"{self.signal}:{_num(self.lo)}:{_num(self.hi)}"


def _num(v: float | None) -> str:
    if v is None:
        return ""
    return str(int(v)) if float(v).is_integer() else repr(v)


@dataclass(slots=True)
class Filters:
    """A validated document query; ``params()`` gives it back as URL parameters."""

    status: list[str] = field(default_factory=list)
    reason: list[str] = field(default_factory=list)
    lang: list[str] = field(default_factory=list)
    domain: list[str] = field(default_factory=list)
    q: str = ""
    ranges: list[Range] = field(default_factory=list)
    page: int = 1
    size: int = DEFAULT_SIZE
    hist: list[str] = field(default_factory=list)
    sort: str = ""  # a signal (ascending) or -signal (descending); "" keeps the file order

    def params(self, **change: Any) -> list[tuple[str, str]]:
        """The URL parameters of this query, with ``change`` applied (page resets to 1
        when a filter changes, since the old page may no longer exist)."""
        d: dict[str, Any] = {
            "status": list(self.status), "reason": list(self.reason), "lang": list(self.lang),
            "domain": list(self.domain), "q": self.q, "range": [r.param() for r in self.ranges],
            "hist": list(self.hist), "sort": self.sort, "size": self.size, "page": self.page,
        }
        if change and "page" not in change:
            d["page"] = 1
        d.update(change)
        out: list[tuple[str, str]] = []
        for k in ("status", "reason", "lang", "domain", "q", "range", "hist", "sort", "size", "page"):
            v = d[k]
            if isinstance(v, list):
                out.extend((k, str(x)) for x in v)
            elif k == "size" and v == DEFAULT_SIZE or k == "page" and v == 1 or v in ("", None):
                continue
            else:
                out.append((k, str(v)))
        return out

    def toggle(self, facet: str, value: str) -> list[tuple[str, str]]:
        """Parameters with ``value`` added to (or removed from) facet ``facet``."""
        cur = list(getattr(self, facet))
        cur = [v for v in cur if v != value] if value in cur else [*cur, value]
        return self.params(**{facet: cur})

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "reason": self.reason, "lang": self.lang, "domain": self.domain,
                "q": self.q, "range": [{"signal": r.signal, "min": r.lo, "max": r.hi} for r in self.ranges],
                "page": self.page, "size": self.size, "hist": self.hist, "sort": self.sort}


def _get(items: Sequence[tuple[str, str]], allowed: frozenset[str]) -> dict[str, list[str]]:
    got: dict[str, list[str]] = {}
    for k, v in items:
        if k not in allowed:
            raise BadRequest(f"unknown parameter {k!r}; valid: {', '.join(sorted(allowed))}", k)
        got.setdefault(k, []).append(v)
    for k, vs in got.items():
        if k not in _MULTI and len(vs) > 1:
            raise BadRequest(f"parameter {k!r} given {len(vs)} times; give it once", k)
    return got


def int_param(raw: str, name: str, lo: int, hi: int) -> int:
    """An integer parameter in ``[lo, hi]``, or a 400 that says the valid range."""
    try:
        v = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be an integer in [{lo}, {hi}], got {raw[:40]!r}", name) from None
    if not lo <= v <= hi:
        raise BadRequest(f"{name} must be in [{lo}, {hi}], got {v}", name)
    return v


def _float(raw: str, name: str) -> float | None:
    if raw.strip() == "":
        return None
    try:
        v = float(raw)
    except ValueError:
        raise BadRequest(f"range bound must be a number, got {raw[:40]!r}", name) from None
    if not math.isfinite(v):
        raise BadRequest(f"range bound must be finite, got {raw[:40]!r}", name)
    return v


def parse_filters(items: Sequence[tuple[str, str]], index: Index) -> Filters:
    """Validate the query parameters of a document list against the loaded index."""
    got = _get(items, DOC_PARAMS)
    f = Filters()
    for s in got.get("status", []):
        if s not in STATUSES:
            raise BadRequest(f"status must be one of {', '.join(STATUSES)}, got {s[:40]!r}", "status")
    f.status = got.get("status", [])
    f.reason = got.get("reason", [])
    f.lang = got.get("lang", [])
    f.domain = got.get("domain", [])
    f.q = got.get("q", [""])[0]
    if len(f.q) > MAX_QUERY_CHARS:
        raise BadRequest(f"q must be at most {MAX_QUERY_CHARS} characters, got {len(f.q)}", "q")
    known = {LENGTH, *index.signals}
    for raw in got.get("range", []):
        name, sep1, rest = raw.rpartition(":")
        name, sep2, lo_raw = name.rpartition(":")
        if not (sep1 and sep2 and name):
            raise BadRequest(f"range must be SIGNAL:MIN:MAX (either bound may be empty), got {raw[:80]!r}",
                             "range")
        if name not in known:
            raise BadRequest(f"range: unknown signal {name[:80]!r}; see /signals.json for the signals", "range")
        lo, hi = _float(lo_raw, "range"), _float(rest, "range")
        if lo is not None and hi is not None and lo > hi:
            raise BadRequest(f"range: min {lo} is above max {hi}", "range")
        f.ranges.append(Range(name, lo, hi))
    for h in got.get("hist", []):
        if h not in known:
            raise BadRequest(f"hist: unknown signal {h[:80]!r}; see /signals.json for the signals", "hist")
    f.hist = list(dict.fromkeys(got.get("hist", [])))
    if len(f.hist) > MAX_HISTOGRAMS:
        raise BadRequest(f"hist: at most {MAX_HISTOGRAMS} histograms, got {len(f.hist)}", "hist")
    if "sort" in got:
        f.sort = got["sort"][0]
        if f.sort.removeprefix("-") not in known:
            raise BadRequest(f"sort: unknown signal {f.sort[:80]!r}; give SIGNAL or -SIGNAL "
                             "(see /signals.json)", "sort")
    if "size" in got:
        f.size = int_param(got["size"][0], "size", 1, MAX_SIZE)
    if "page" in got:
        f.page = int_param(got["page"][0], "page", 1, 10**9)
    return f


class Searcher:
    """Case-insensitive substring search over the texts, with the last results cached
    (paging through one search must not scan the corpus again)."""

    def __init__(self, index: Index, cache: int = 16) -> None:
        self._index = index
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._size = cache

    def mask(self, q: str) -> np.ndarray:
        hit = self._cache.get(q)
        if hit is not None:
            self._cache.move_to_end(q)
            return hit
        import pyarrow.compute as pc

        idx = self._index
        if idx.n == 0:
            m = np.zeros(0, dtype=bool)
        else:
            found = pc.fill_null(pc.match_substring(idx.text, q, ignore_case=True), False)
            m = found.to_numpy(zero_copy_only=False).astype(bool)
        self._cache[q] = m
        if len(self._cache) > self._size:
            self._cache.popitem(last=False)
        return m


def _in(codes: np.ndarray, vocab: list[str], values: list[str]) -> np.ndarray:
    pos = {v: i for i, v in enumerate(vocab)}
    wanted = [pos[v] for v in values if v in pos]
    return np.isin(codes, np.asarray(wanted, dtype=codes.dtype))


def masks(f: Filters, index: Index, searcher: Searcher) -> dict[str, np.ndarray]:
    """One boolean mask per filter group; a document matches when all are true."""
    n = index.n
    out: dict[str, np.ndarray] = {}
    if f.status:
        out["status"] = np.isin(index.status, [STATUSES.index(s) for s in f.status])
    if f.reason:
        out["reason"] = _in(index.reason, index.reasons, f.reason)
    if f.lang:
        out["lang"] = _in(index.language, index.languages, f.lang)
    if f.domain:
        out["domain"] = _in(index.domain, index.domains, f.domain)
    if f.q:
        out["q"] = searcher.mask(f.q)
    if f.ranges:
        m = np.ones(n, dtype=bool)
        for r in f.ranges:
            v = index.length.astype(np.float64) if r.signal == LENGTH else index.signals[r.signal]
            with np.errstate(invalid="ignore"):
                if r.lo is not None:
                    m &= v >= r.lo
                if r.hi is not None:
                    m &= v <= r.hi
            m &= np.isfinite(v)
        out["range"] = m
    return out


def order(rows: np.ndarray, f: Filters, index: Index) -> np.ndarray:
    """``rows`` in the order the query asks for; documents without the signal go last,
    ties keep the file order (a stable sort, so pages do not shuffle)."""
    if not f.sort:
        return rows
    name = f.sort.removeprefix("-")
    v = (index.length.astype(np.float64) if name == LENGTH else index.signals[name])[rows]
    key = -v if f.sort.startswith("-") else v
    key = np.where(np.isnan(key), np.inf, key)
    return rows[np.argsort(key, kind="stable")]


def combine(ms: Mapping[str, np.ndarray], n: int, leave_out: str | None = None) -> np.ndarray:
    m = np.ones(n, dtype=bool)
    for k, v in ms.items():
        if k != leave_out:
            m &= v
    return m


@dataclass(slots=True)
class FacetValue:
    value: str
    count: int
    selected: bool


def facets(f: Filters, index: Index, ms: Mapping[str, np.ndarray]) -> dict[str, list[FacetValue]]:
    """Counts beside each facet value, under every filter except the facet's own (so a
    selected value's siblings still show what selecting them would give)."""
    n = index.n
    out: dict[str, list[FacetValue]] = {}
    m = combine(ms, n, "status")
    counts = np.bincount(index.status[m], minlength=len(STATUSES))
    out["status"] = [FacetValue(s, int(counts[i]), s in f.status) for i, s in enumerate(STATUSES)]
    for facet, codes, vocab, chosen in (("reason", index.reason, index.reasons, f.reason),
                                        ("lang", index.language, index.languages, f.lang),
                                        ("domain", index.domain, index.domains, f.domain)):
        m = combine(ms, n, facet)
        counts = np.bincount(codes[m], minlength=len(vocab))
        order = [int(i) for i in np.argsort(-counts, kind="stable") if i != 0 and counts[i] > 0]
        top = order[:FACET_TOP]
        for v in chosen:
            if v in vocab and vocab.index(v) not in top:
                top.append(vocab.index(v))
        vals = [FacetValue(vocab[i], int(counts[i]), vocab[i] in chosen) for i in top]
        for v in chosen:  # a shared URL may name a value this folder does not have
            if v not in vocab:
                vals.append(FacetValue(v, 0, True))
        out[facet] = vals
    return out
