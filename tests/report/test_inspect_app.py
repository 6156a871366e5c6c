"""The inspector over plain HTTP: pages and their .json twins, filters as URL parameters,
one JSON error shape, no path out of the folder, hostile documents shown as text."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from tests.report.conftest import HOSTILE_ID, synthetic_docs
from thresher.report.data import OutputFolderError
from thresher.report.inspect import create_app, get_page
from thresher.report.spans import edits_of


@pytest.fixture(scope="module")
def client(synthetic_out: Path) -> Iterator[TestClient]:
    with TestClient(create_app(synthetic_out), base_url="http://127.0.0.1") as c:
        yield c


DOCS = synthetic_docs()
N = len(DOCS)


def _error(r: object, status: int, parameter: str | None) -> str:
    """Assert the one error shape; return its message."""
    assert r.status_code == status, r.text  # type: ignore[attr-defined]
    body = r.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"} and set(body["error"]) == {"status", "message", "parameter"}
    assert body["error"]["status"] == status and body["error"]["parameter"] == parameter
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return str(body["error"]["message"])


@pytest.mark.parametrize("path", ["/", "/docs", "/doc?id=edited-1", "/cluster?step=near_dedup&id=7"])
def test_every_page_has_a_json_twin(client: TestClient, path: str) -> None:
    html = client.get(path)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    base, _, query = path.partition("?")
    twin = ("/index" if base == "/" else base) + ".json" + ("?" + query if query else "")
    assert f'href="{twin.replace("&", "&amp;")}"' in html.text  # the page links its twin
    js = client.get(twin)
    assert js.status_code == 200 and js.headers["content-type"] == "application/json"


def test_overview_totals(client: TestClient) -> None:
    d = client.get("/index.json").json()
    assert d["totals"]["read"] == N
    assert d["totals"]["rejected"] == sum(x.verdict.status == "rejected" for x in DOCS)
    assert [s["step"] for s in d["steps"]] == ["restore_deleted_chars", "gopher_quality", "near_dedup"]


def test_filters_and_facet_counts(client: TestClient) -> None:
    all_docs = client.get("/docs.json?size=500").json()
    assert all_docs["total"] == N and len(all_docs["documents"]) == N
    d = client.get("/docs.json", params={"reason": "gopher_quality:too_few_words"}).json()
    assert d["total"] == 6 and {x["id"] for x in d["documents"]} == {f"short-{i}" for i in range(6)}
    # the reason facet ignores its own filter: other reasons keep their counts
    counts = {f["value"]: f["count"] for f in d["facets"]["reason"]}
    assert counts["near_dedup:near_duplicate"] == 2 and counts["gopher_quality:too_few_words"] == 6
    status = {f["value"]: f["count"] for f in d["facets"]["status"]}
    assert status == {"kept": 0, "rejected": 6, "quarantined": 0}
    d = client.get("/docs.json", params=[("lang", "de"), ("status", "kept")]).json()
    assert d["total"] == sum(1 for i in range(30) if i % 5 == 0)
    d = client.get("/docs.json", params={"domain": "spam.example"}).json()
    assert d["total"] == 6
    d = client.get("/docs.json", params={"q": "FERRY"}).json()  # case-insensitive full text
    assert [x["id"] for x in d["documents"]] == ["dup-1"]
    d = client.get("/docs.json", params={"range": "gopher_quality.n_words:10:20"}).json()
    n_words = [x.signals.get("gopher_quality.n_words") for x in DOCS]
    assert d["total"] == sum(1 for v in n_words if v is not None and 10 <= v <= 20)
    d = client.get("/docs.json", params={"range": "length::30"}).json()
    assert d["total"] == sum(len(x.text) <= 30 for x in DOCS)


def test_histograms_follow_the_filters(client: TestClient) -> None:
    d = client.get("/docs.json", params=[("status", "rejected"), ("hist", "length")]).json()
    (h,) = d["histograms"]
    assert h["name"] == "length" and sum(h["kept"]) == 0 and sum(h["rejected"]) == d["total"]
    page = client.get("/docs", params=[("status", "rejected"), ("hist", "length")]).text
    assert len(re.findall(r'class="hist"', page)) == 1


def test_paging(client: TestClient) -> None:
    p1 = client.get("/docs.json?size=10&page=1").json()
    last = (N + 9) // 10
    p4 = client.get(f"/docs.json?size=10&page={last}").json()
    assert p1["pages"] == last and len(p1["documents"]) == 10
    assert len(p4["documents"]) == N - 10 * (last - 1)
    assert not {x["id"] for x in p1["documents"]} & {x["id"] for x in p4["documents"]}
    html = client.get("/docs?size=10&page=2").text
    assert 'href="/docs?size=10&amp;page=3"' in html and 'href="/docs?size=10"' in html


@pytest.mark.parametrize(("query", "parameter"), [
    ("page=0", "page"), ("page=abc", "page"), ("page=99", "page"), ("size=0", "size"), ("size=100000", "size"),
    ("status=deleted", "status"), ("range=length:5", "range"), ("range=length:a:b", "range"),
    ("range=nope.x:1:2", "range"), ("range=length:9:1", "range"), ("range=length:nan:", "range"),
    ("hist=nope", "hist"), ("q=" + "x" * 501, "q"), ("page=1&page=2", "page"), ("colour=red", "colour"),
])
def test_malformed_parameters_are_400_with_one_json_shape(client: TestClient, query: str, parameter: str) -> None:
    _error(client.get("/docs.json?" + query), 400, parameter)
    html = client.get("/docs?" + query)
    assert html.status_code == 400 and 'id="error"' in html.text


def test_other_errors_share_the_shape(client: TestClient) -> None:
    _error(client.get("/doc.json"), 400, "id")
    assert "no document" in _error(client.get("/doc.json?id=nope"), 404, "id")
    _error(client.get("/cluster.json?step=nope&id=1"), 400, "step")
    _error(client.get("/cluster.json?step=near_dedup&id=999"), 404, "id")
    _error(client.get("/nope.json"), 404, None)
    _error(client.get("/index.json?x=1"), 400, "x")


@pytest.mark.parametrize("path", [
    "/static/../stats.json", "/static/..%2fstats.json", "/static/%2e%2e/%2e%2e/etc/passwd",
    "/..%2f..%2fetc/passwd", "/doc?id=../../etc/passwd", "/doc?id=%2Fetc%2Fpasswd", "/kept/part-00000.parquet",
    "/stats.json", "/plan.json", "//etc/passwd", "/static/thresher.css/../../stats.json",
])
def test_no_path_escapes_the_folder(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code in (400, 404)
    assert "root:" not in r.text and '"totals"' not in r.text and "PAR1" not in r.text


def test_only_loopback_host_names_are_answered(synthetic_out: Path) -> None:
    with TestClient(create_app(synthetic_out), base_url="http://evil.example") as c:
        assert c.get("/").status_code == 400
    with TestClient(create_app(synthetic_out), base_url="http://localhost:8001") as c:
        assert c.get("/").status_code == 200


def test_security_headers(client: TestClient) -> None:
    r = client.get("/docs")
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script" not in csp  # no script source allowed at all
    assert r.headers["x-content-type-options"] == "nosniff"
    rep = client.get("/report.html")
    assert rep.status_code == 200 and "script-src" not in rep.headers["content-security-policy"]


def test_document_view_marks_the_recorded_edits(client: TestClient) -> None:
    doc = DOCS[0]
    page = client.get("/doc?id=edited-1").text
    marks = re.findall(r'data-step="([^"]*)" data-action="([^"]*)" data-label="([^"]*)" '
                       r'data-start="(\d+)" data-end="(\d+)"', page)
    want = [(e["step"], e["action"], e["label"], str(e["start"]), str(e["end"])) for e in edits_of(doc)]
    assert sorted(marks) == sorted(want)
    js = client.get("/doc.json?id=edited-1").json()
    assert js["original_text"] == doc.original_text() and js["text"] == doc.text
    assert [(e["start"], e["end"], e["label"]) for e in js["edits"]] == [
        (e["start"], e["end"], e["label"]) for e in edits_of(doc)]


def test_hostile_document_is_text(client: TestClient) -> None:
    for path in (f"/doc?id={quote(HOSTILE_ID)}", "/docs?q=pwned", "/docs?reason=gopher_quality:"
                 + quote("<script>window.__pwned=10</script>"), "/doc?id=hostile-rejected", "/doc?id=broken",
                 "/", "/report.html"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert "<script" not in r.text.lower(), path
        assert not re.search(r"<(img|svg|a)\b[^>]*(onerror|onload|javascript:)", r.text, re.IGNORECASE), path
        assert "</textarea>" not in r.text
    page = client.get(f"/doc?id={quote(HOSTILE_ID)}").text
    assert "&lt;script&gt;window.__pwned = 1" in page
    assert 'href="javascript' not in page  # the javascript: URL is shown, not linked


def test_cluster_compares_members(client: TestClient) -> None:
    d = client.get("/cluster.json?step=near_dedup&id=7").json()
    assert d["size"] == 3 and d["members"][0] == "dup-0"  # the kept member first
    sims = {m["id"]: m["similarity"] for m in d["shown"]}
    assert sims["dup-0"] == 1.0 and 0.8 < sims["dup-1"] < 1.0
    extra = [s["text"] for m in d["shown"] if m["id"] == "dup-1" for s in m["sentences"] if not s["shared"]]
    assert extra == ["A ferry took the rest."]


def test_unreadable_folder_fails_before_serving(tmp_path: Path) -> None:
    with pytest.raises(OutputFolderError, match="no such folder"):
        create_app(tmp_path / "missing")


def test_get_page_without_a_server(synthetic_out: Path) -> None:
    status, body = get_page(synthetic_out, "/docs.json?status=quarantined")
    assert status == 200 and '"total":1' in body.replace(" ", "")
    status, body = get_page(synthetic_out, "/docs.json?page=0")
    assert status == 400 and '"parameter":"page"' in body.replace(" ", "")


def _run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "thresher.cli", *args], capture_output=True, text=True, timeout=60, check=False)


def test_cli_get_and_errors(synthetic_out: Path, tmp_path: Path) -> None:
    ok = _run_cli("inspect", str(synthetic_out), "--get", "/docs.json?status=quarantined")
    assert ok.returncode == 0 and json.loads(ok.stdout)["total"] == 1
    bad = _run_cli("inspect", str(synthetic_out), "--get", "/docs.json?size=0")
    assert bad.returncode == 1 and json.loads(bad.stdout)["error"]["parameter"] == "size"
    missing = _run_cli("inspect", str(tmp_path / "nope"))
    assert missing.returncode == 1
    assert missing.stderr.strip().splitlines() == [f"error: {tmp_path / 'nope'}: no such folder"]


def _outward_address() -> str | None:
    """An address of this machine other than loopback, if it has one."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.254.254.254", 1))  # no packet is sent for a UDP connect
            addr = s.getsockname()[0]
    except OSError:
        return None
    return None if addr.startswith("127.") else addr


def test_cli_serves_on_loopback_only(synthetic_out: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "thresher.cli", "inspect", str(synthetic_out), "--port",
                             str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.json", timeout=2) as r:
                    assert json.loads(r.read())["totals"]["read"] == N
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
        other = _outward_address()
        if other is not None:
            with socket.socket() as c, pytest.raises(OSError):
                c.settimeout(2)
                c.connect((other, port))
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_sort_by_a_signal(client: TestClient) -> None:
    up = client.get("/docs.json", params={"sort": "gopher_quality.n_words", "size": 500}).json()["documents"]
    down = client.get("/docs.json", params={"sort": "-length", "size": 500}).json()["documents"]
    by_id = {d.id: d for d in DOCS}
    vals = [by_id[x["id"]].signals.get("gopher_quality.n_words") for x in up]
    present = [v for v in vals if v is not None]
    assert present == sorted(present) and vals[len(present):] == [None] * (len(vals) - len(present))
    lengths = [x["length"] for x in down]
    assert lengths == sorted(lengths, reverse=True)
    _error(client.get("/docs.json?sort=nope"), 400, "sort")
    html = client.get("/docs", params={"sort": "-length", "status": "kept"}).text
    assert 'href="/docs?status=kept&amp;sort=-length&amp;page=2"' in html or "page 1 / 1" in html


def test_facet_links_toggle_their_value_and_keep_the_others(client: TestClient) -> None:
    html = client.get("/docs", params=[("status", "rejected"), ("q", "short"), ("page", "1")]).text
    links = dict(re.findall(r'<a href="(/docs[^"]*)" data-value="([^"]*)"', html)[i][::-1]
                 for i in range(len(re.findall(r'data-value=', html))))
    assert links["rejected"] == "/docs?q=short"  # selected: the link removes it
    assert links["kept"] == "/docs?status=rejected&amp;status=kept&amp;q=short"
    assert links["gopher_quality:too_few_words"].startswith("/docs?status=rejected&amp;reason=gopher_quality")
