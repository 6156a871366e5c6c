"""``thresher inspect``: a local web page over an output folder (Starlette + Jinja2).

Pages are rendered on the server and run no script; every page has a ``.json`` twin
with the same data (``/docs`` and ``/docs.json``), and filters are URL parameters, so
that a view can be shared and tested over plain HTTP, as datasette does.

Safe by default: the server binds to 127.0.0.1 (the CLI), answers only to loopback
host names (a page on another site cannot reach it through DNS rebinding), serves no
file by path (documents are found by id in the loaded index; the stylesheet by a fixed
name), escapes every piece of document text (Jinja2 autoescape), and sends a strict
Content-Security-Policy that forbids scripts, so a scraped ``<script>`` runs nothing
even if escaping failed somewhere.
"""

from __future__ import annotations

import difflib
import math
import re
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import numpy as np

from thresher.report.data import STATUSES, Folder, open_folder
from thresher.report.inspect.queries import (
    BadRequest,
    Searcher,
    _get,
    combine,
    facets,
    masks,
    order,
    parse_filters,
)
from thresher.report.spans import edits_of, marked_html
from thresher.report.summary import LENGTH, folder_summary, funnel, histograms, main_signals, signal_names
from thresher.report.svg import KEPT_COLOUR, bar_svg, funnel_svg, histogram_svg, legend_svg
from thresher.report.templating import environment, stylesheet

CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")
# The stored report inlines its stylesheet, so its own page needs inline styles (and
# still no script).
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; frame-ancestors 'none'"
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1", "[::1]"]
# Members of a near-duplicate cluster shown side by side: beyond six columns the texts
# are too narrow to read; the JSON twin lists them all.
CLUSTER_SHOWN = 6
# Characters of each text in the cluster view and of a list row's snippet.
CLUSTER_CHARS = 6000
SNIPPET_CHARS = 220
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*\s*|\n")


class Inspector:
    """The loaded folder and what requests share (the search cache, the report)."""

    def __init__(self, folder: Folder) -> None:
        self.folder = folder
        self.index = folder.index
        self.searcher = Searcher(self.index)
        self.names = signal_names(self.index, folder.stats)
        self.main = main_signals(self.index, folder.stats)
        self._report: str | None = None
        self._lock = threading.Lock()

    def report_html(self) -> str:
        with self._lock:
            if self._report is None:
                from thresher.report.html_report import report_context
                from thresher.report.templating import render

                self._report = render("report.html", **report_context(self.folder))
            return self._report


def _error_payload(status: int, message: str, parameter: str | None = None) -> dict[str, Any]:
    """The one error shape of every JSON answer."""
    return {"error": {"status": status, "message": message, "parameter": parameter}}


def create_app(out: Path, allowed_hosts: list[str] | None = None) -> Any:
    """The inspector over output folder ``out`` (raises OutputFolderError if unreadable).

    ``allowed_hosts`` are the Host names the server answers to (loopback names by
    default); give ``["*"]`` only behind a proxy you trust.
    """
    from starlette.applications import Starlette
    from starlette.exceptions import HTTPException
    from starlette.middleware import Middleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
    from starlette.routing import Route

    ins = Inspector(open_folder(Path(out)))
    env = environment()
    for name in ("index.html", "docs.html", "doc.html", "cluster.html", "error.html"):
        env.get_template(name)  # compile now, not on a user's first request

    def is_json(request: Request) -> bool:
        return request.url.path.endswith(".json")

    def page(request: Request, template: str, data: dict[str, Any], status: int = 200,
             **extra: Any) -> Response:
        if is_json(request):
            return JSONResponse(_jsonable(data), status_code=status)
        html = env.get_template(template).render(data=data, folder=str(ins.folder.out),
                                                 warnings=ins.folder.warnings, qs=_qs, **extra)
        return HTMLResponse(html, status_code=status)

    def error(request: Request, status: int, message: str, parameter: str | None = None) -> Response:
        payload = _error_payload(status, message, parameter)
        if is_json(request):
            return JSONResponse(payload, status_code=status)
        html = env.get_template("error.html").render(data=payload, folder=str(ins.folder.out),
                                                     warnings=[], qs=_qs)
        return HTMLResponse(html, status_code=status)

    async def home(request: Request) -> Response:
        _get(list(request.query_params.multi_items()), frozenset())
        summary = folder_summary(ins.folder)
        rows = funnel(ins.folder.stats)
        max_rate = max([r.docs_per_second or 0.0 for r in rows] + [1e-9])
        max_seen = max([r.seen for r in rows] + [1])
        return page(request, "index.html", summary, funnel=rows, max_rate=max_rate, bar=bar_svg,
                    funnel_bar=funnel_svg, max_seen=max_seen,
                    kept_colour=KEPT_COLOUR, statuses=STATUSES)

    async def docs(request: Request) -> Response:
        idx = ins.index
        f = parse_filters(list(request.query_params.multi_items()), idx)
        ms = masks(f, idx, ins.searcher)
        m = combine(ms, idx.n)
        rows = order(np.flatnonzero(m), f, idx)
        total = int(rows.size)
        pages = max(1, math.ceil(total / f.size))
        if f.page > pages:
            raise BadRequest(f"page must be in [1, {pages}] for this query ({total} documents), got {f.page}",
                             "page")
        shown = rows[(f.page - 1) * f.size: f.page * f.size]
        texts = idx.texts(shown)
        items = []
        for row, text in zip(shown, texts, strict=True):
            r = int(row)
            items.append({
                "id": idx.ids[r], "status": STATUSES[int(idx.status[r])], "reason": idx.reasons[int(idx.reason[r])],
                "url": idx.urls[r], "domain": idx.domains[int(idx.domain[r])],
                "lang": idx.languages[int(idx.language[r])], "length": int(idx.length[r]),
                "snippet": _snippet(text or "", f.q),
            })
        names = f.hist or ins.main[:6]
        hists = histograms(idx, names, m)
        data = {
            "filters": f.to_dict(), "total": total, "page": f.page, "pages": pages, "size": f.size,
            "documents": items,
            "facets": {k: [{"value": v.value, "count": v.count, "selected": v.selected} for v in vs]
                       for k, vs in facets(f, idx, ms).items()},
            "histograms": [h.to_dict() for h in hists],
        }
        return page(request, "docs.html", data, f=f, hist_svgs=[histogram_svg(h, width=300, height=120) for h in hists],
                    legend=legend_svg(), signals=ins.names)

    def _one(request: Request, allowed: frozenset[str]) -> dict[str, str]:
        got = _get(list(request.query_params.multi_items()), allowed)
        return {k: v[0] for k, v in got.items()}

    async def doc(request: Request) -> Response:
        p = _one(request, frozenset({"id"}))
        if "id" not in p:
            raise BadRequest("id is required: /doc?id=DOCUMENT_ID", "id")
        row = ins.index.row_of.get(p["id"])
        if row is None:
            return error(request, 404, f"no document with id {p['id'][:200]!r} in this folder", "id")
        d = ins.folder.document(row)
        original = d.original_text()
        edits = edits_of(d)
        clusters = []
        for key, col in ins.index.labels.items():
            if key.endswith(".cluster_id") and col[row]:
                step = key[: -len(".cluster_id")]
                size = d.signals.get(f"{step}.cluster_size")
                clusters.append({"step": step, "id": str(col[row]), "size": size})
        groups: dict[str, dict[str, Any]] = {}
        # the step that rejected the document first: its numbers are the ones it decided on
        for k, v in sorted(d.signals.items(), key=lambda kv: (kv[0].partition(".")[0] != d.verdict.step, kv[0])):
            step, _, name = k.partition(".")
            groups.setdefault(step, {})[name or k] = v
        data = {
            "id": d.id, "url": d.url, "source": d.source, "status": d.verdict.status,
            "reasons": d.verdict.reasons, "step": d.verdict.step, "error": d.error,
            "metadata": d.metadata, "signals": d.signals, "edits": edits,
            "edit_groups": [g.to_dict() for g in d.edits], "original_text": original, "text": d.text,
            "clusters": clusters,
        }
        return page(request, "doc.html", data, marked=marked_html(original, edits), signal_groups=groups,
                    safe_url=_safe_url(d.url))

    async def cluster(request: Request) -> Response:
        p = _one(request, frozenset({"step", "id"}))
        if "step" not in p or "id" not in p:
            raise BadRequest("step and id are required: /cluster?step=near_dedup&id=CLUSTER_ID",
                             "step" if "step" not in p else "id")
        key = f"{p['step']}.cluster_id"
        col = ins.index.labels.get(key)
        if col is None:
            steps = sorted(k[: -len(".cluster_id")] for k in ins.index.labels if k.endswith(".cluster_id"))
            raise BadRequest(f"step {p['step'][:80]!r} records no clusters; steps with clusters: "
                             f"{', '.join(steps) or 'none'}", "step")
        rows = [int(r) for r in np.flatnonzero(col == p["id"])]
        if not rows:
            return error(request, 404, f"no cluster {p['id'][:80]!r} of step {p['step'][:80]!r}", "id")
        # the kept member is the one the others were compared with
        rows.sort(key=lambda r: (int(ins.index.status[r]) != 0, r))
        members = [ins.folder.document(r) for r in rows[:CLUSTER_SHOWN]]
        ref = members[0].text
        ref_sents = {s.strip() for s in _SENTENCE.findall(ref) if s.strip()}
        cols = []
        for d in members:
            sents = []
            for s in _SENTENCE.findall(d.text[:CLUSTER_CHARS]):
                sents.append({"text": s, "shared": (s.strip() in ref_sents) or not s.strip()})
            ratio = difflib.SequenceMatcher(None, ref[:CLUSTER_CHARS], d.text[:CLUSTER_CHARS],
                                            autojunk=False).quick_ratio()
            cols.append({"id": d.id, "url": d.url, "status": d.verdict.status, "reasons": d.verdict.reasons,
                         "step": d.verdict.step, "similarity": round(ratio, 3), "sentences": sents,
                         "truncated": len(d.text) > CLUSTER_CHARS})
        data = {"step": p["step"], "id": p["id"], "size": len(rows),
                "members": [ins.index.ids[r] for r in rows], "shown": cols}
        return page(request, "cluster.html", data)

    async def signals(request: Request) -> Response:
        _get(list(request.query_params.multi_items()), frozenset())
        out = []
        for name in ins.names:
            v = ins.index.length.astype(np.float64) if name == LENGTH else ins.index.signals[name]
            ok = v[np.isfinite(v)]
            out.append({"name": name, "documents": int(ok.size),
                        "min": float(ok.min()) if ok.size else None, "max": float(ok.max()) if ok.size else None})
        return JSONResponse({"signals": out})

    async def report(request: Request) -> Response:
        _get(list(request.query_params.multi_items()), frozenset())
        return HTMLResponse(ins.report_html(), headers={"Content-Security-Policy": REPORT_CSP})

    async def css(request: Request) -> Response:
        return Response(stylesheet(), media_type="text/css")

    async def root_json(request: Request) -> Response:
        return await home(request)

    async def on_bad_request(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, BadRequest)
        return error(request, 400, exc.message, exc.parameter)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        msg = "no such page" if exc.status_code == 404 else str(exc.detail)
        return error(request, exc.status_code, msg)

    async def on_error(request: Request, exc: Exception) -> Response:
        return error(request, 500, f"{type(exc).__name__}: {exc}")

    async def favicon(request: Request) -> Response:
        return Response(status_code=204)

    routes = [
        Route("/", home), Route("/index.json", root_json),
        Route("/docs", docs), Route("/docs.json", docs),
        Route("/doc", doc), Route("/doc.json", doc),
        Route("/cluster", cluster), Route("/cluster.json", cluster),
        Route("/signals.json", signals),
        Route("/report.html", report),
        Route("/static/thresher.css", css),
        Route("/favicon.ico", favicon),
        Route("/index.html", lambda r: RedirectResponse("/", status_code=301)),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(_SecurityHeaders),
                    Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts or LOOPBACK_HOSTS)],
        exception_handlers={BadRequest: on_bad_request, HTTPException: on_http, Exception: on_error},
    )
    app.state.inspector = ins
    return app


class _SecurityHeaders:
    """ASGI middleware: the Content-Security-Policy and friends on every response (a
    response that set its own policy, the stored report, keeps it)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", CSP.encode()))
                headers += [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                            (b"x-frame-options", b"DENY")]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _qs(params: list[tuple[str, str]]) -> str:
    """A query string ("?a=1&b=2", or "" when empty) for links in templates."""
    return "?" + urlencode(params) if params else ""


def _safe_url(url: str | None) -> str | None:
    """The URL if it is an http(s) link a user may follow, else None (shown as text):
    a ``javascript:`` or ``data:`` URL from a crawl must never become a link."""
    if not url:
        return None
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


def _snippet(text: str, q: str) -> str:
    if q:
        i = text.lower().find(q.lower())
        if i > SNIPPET_CHARS // 2:
            start = i - SNIPPET_CHARS // 3
            return "\u2026" + text[start:start + SNIPPET_CHARS].replace("\n", " ") + "\u2026"
    s = text[:SNIPPET_CHARS].replace("\n", " ")
    return s + ("\u2026" if len(text) > SNIPPET_CHARS else "")


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, np.generic):
        return _jsonable(v.item())
    return v
