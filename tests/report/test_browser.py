"""The inspector and the report in a real browser (Debian's Chromium, driven by Playwright).

Skipped with a message where /usr/bin/chromium or Playwright is missing (``make test``
installs Chromium with scripts/install-browser.sh). Screenshots go to
test-output/report/ for a person to look at.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.report.conftest import HOSTILE_ID, importable_steps
from thresher.report.data import open_folder
from thresher.report.spans import edits_of

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "report"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium "
                       "(apt-get install -y chromium, or make test)"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (pip install -e '.[test]')")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(out: Path) -> Iterator[str]:
    """The inspector on a free loopback port, in a thread, stopped at the end."""
    import uvicorn

    from thresher.report.inspect import create_app

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(out), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the inspector did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    # bypass_csp: the escaping alone must hold; the CSP header is a second fence (tested over HTTP)
    ctx = browser.new_context(viewport={"width": 1300, "height": 900}, bypass_csp=True)
    pg = ctx.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    ctx.close()


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _marks(page: Any) -> list[tuple[str, str, str, int, int]]:
    rows = page.eval_on_selector_all(
        "#marked .ed", "els => els.map(e => [e.dataset.step, e.dataset.action, e.dataset.label, "
                       "Number(e.dataset.start), Number(e.dataset.end)])")
    return sorted(tuple(r) for r in rows)


def _record_marks(out: Path, doc_id: str) -> tuple[list[tuple[str, str, str, int, int]], str]:
    folder = open_folder(out)
    doc = folder.document(folder.index.row_of[doc_id])
    marks = sorted((e["step"], e["action"], e["label"], e["start"], e["end"]) for e in edits_of(doc))
    return marks, doc.original_text()


def _pick(out: Path) -> tuple[str, str]:
    """A rejection reason and one of its documents, the one with the most edits."""
    folder = open_folder(out)
    idx = folder.index
    best: tuple[int, str, str] | None = None
    for row in range(idx.n):
        reason = idx.reasons[idx.reason[row]]
        if not reason or idx.status[row] != 1:
            continue
        n = sum(len(g.edits) for g in folder.document(row).edits)
        if best is None or n > best[0]:
            best = (n, reason, idx.ids[row])
    assert best is not None, "the folder has no rejected document"
    return best[1], best[2]


def _filter_and_open(page: Any, base: str, out: Path, name: str) -> None:
    reason, doc_id = _pick(out)
    page.goto(base + "/docs")
    link = page.locator(f'ul[data-facet="reason"] a[data-value="{reason}"]')
    expected = int(link.locator("xpath=../span[@class='c']").inner_text().replace(",", ""))
    link.click()
    page.wait_for_url(lambda u: "reason=" in u)
    assert page.locator("#count b").inner_text().replace(",", "") == str(expected)
    ids = page.eval_on_selector_all("a.doclink", "els => els.map(e => e.textContent)")
    assert doc_id in ids and len(ids) == min(expected, 50)
    reasons_shown = page.eval_on_selector_all("#doclist .kv", "els => els.map(e => e.textContent)")
    assert set(reasons_shown) == {reason}
    _shot(page, f"{name}-docs-by-reason")
    page.locator("a.doclink", has_text=doc_id).first.click()
    page.wait_for_url(lambda u: "/doc?" in u)
    want, original = _record_marks(out, doc_id)
    assert _marks(page) == want
    assert page.locator("#verdict").inner_text() == "rejected"
    # a removed span with nothing nested shows exactly the original text, struck, labelled
    for el in page.query_selector_all("#marked .ed-remove"):
        if el.query_selector(".ed") is None:
            s, e = int(el.get_attribute("data-start")), int(el.get_attribute("data-end"))
            assert el.query_selector("del").text_content() == original[s:e]
            assert el.query_selector(".tag").text_content() == el.get_attribute("data-label")
            assert el.get_attribute("data-label") in el.get_attribute("title")
    _shot(page, f"{name}-document")


def test_synthetic_filter_by_reason_and_open_a_document(page: Any, synthetic_out: Path) -> None:
    with serving(synthetic_out) as base:
        _filter_and_open(page, base, synthetic_out, "synthetic")
        assert len(_marks(page)) >= 1  # short-0: a removed fragment
        page.goto(base + "/doc?id=edited-1")
        assert _marks(page) == _record_marks(synthetic_out, "edited-1")[0]
        page.locator("#marked .ed-remove").first.hover()
        _shot(page, "synthetic-edited-document")
        page.goto(base + "/cluster?step=near_dedup&id=7")
        assert page.locator("#cluster .member").count() == 3
        diff = sorted(t.strip() for t in page.locator("#cluster .sent-diff").all_inner_texts())
        assert diff == ["A ferry took the rest.", "The bridge was closed at six."]
        _shot(page, "synthetic-cluster")


def test_demo_run_filter_by_reason_and_open_a_document(page: Any, demo_out: Path) -> None:
    with serving(demo_out) as base:
        page.goto(base + "/")
        _shot(page, "demo-overview")
        _filter_and_open(page, base, demo_out, "demo")
        # the kept document with the most edits: its marks are those of the record
        folder = open_folder(demo_out)
        idx = folder.index
        kept = [r for r in range(idx.n) if idx.status[r] == 0]
        row = max(kept, key=lambda r: sum(len(g.edits) for g in folder.document(r).edits))
        page.goto(base + "/doc?id=" + quote(idx.ids[row], safe=""))
        assert _marks(page) == _record_marks(demo_out, idx.ids[row])[0]
        _shot(page, "demo-most-edited-kept-document")
        page.goto(base + "/docs?status=rejected&hist=length")
        assert page.locator("#histograms svg.hist").count() == 1
        _shot(page, "demo-rejected-with-histogram")


def _assert_runs_nothing(page: Any, url: str, events: dict[str, list[str]]) -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    assert page.evaluate("typeof window.__pwned") == "undefined", url
    bad = page.evaluate("document.querySelectorAll('script, img, svg[onload], iframe, "
                        "a[href^=\"javascript:\" i], [onerror], [onload], [onclick]').length")
    # the only svg elements are the charts, which carry no handlers
    assert bad == page.evaluate("document.querySelectorAll('svg[onload]').length") == 0, url
    assert not [m for m in events["console"] if "PWNED" in m], url
    assert not events["dialog"] and not events["pageerror"], url
    assert not [r for r in events["request"] if r.rstrip("/").endswith("/x")], url


def _listen(page: Any) -> dict[str, list[str]]:
    events: dict[str, list[str]] = {"console": [], "dialog": [], "pageerror": [], "request": []}
    page.on("console", lambda m: events["console"].append(m.text))
    page.on("dialog", lambda d: (events["dialog"].append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: events["pageerror"].append(str(e)))
    page.on("request", lambda r: events["request"].append(r.url))
    return events


def test_hostile_documents_execute_nothing(page: Any, synthetic_out: Path, demo_out: Path,
                                           tmp_path: Path) -> None:
    events = _listen(page)
    with serving(synthetic_out) as base:
        for path in (f"/doc?id={quote(HOSTILE_ID, safe='')}", "/doc?id=hostile-rejected", "/doc?id=broken",
                     "/docs?q=pwned", "/report.html", "/"):
            _assert_runs_nothing(page, base + path, events)
        page.goto(f"{base}/doc?id={quote(HOSTILE_ID, safe='')}")
        assert "<script>window.__pwned = 1;" in page.locator("#marked").inner_text()
        assert "javascript:window.__pwned=6" in page.locator("table.meta").inner_text()
        # the link of the hostile text was never made: clicking its text does nothing
        page.get_by_text("click me", exact=False).first.click()
        assert page.evaluate("typeof window.__pwned") == "undefined"
        _shot(page, "hostile-document")
    with serving(demo_out) as base:
        _assert_runs_nothing(page, base + "/doc?id=hostile-script", events)
        assert "<script>window.__pwned = 1;" in page.locator("#marked").inner_text()
    from thresher.report import build_report

    report = build_report(synthetic_out, tmp_path / "report.html")
    _assert_runs_nothing(page, report.as_uri(), events)


def test_report_screenshot(page: Any, demo_out: Path, tmp_path: Path) -> None:
    from thresher.report import build_report

    assert (demo_out / "report.html").stat().st_size > 0  # written by the run itself
    report = build_report(demo_out, tmp_path / "report.html")
    page.goto(report.as_uri())
    assert page.locator("#totals .card").count() == 4
    assert page.locator("#histograms svg.hist").count() >= 1
    assert page.locator("#funnel tr").count() == 1 + len(open_folder(demo_out).stats["steps"])
    _shot(page, "demo-report")


def test_seed_explained_in_the_browser(page: Any, seed_text: str, tmp_path: Path) -> None:
    """explain --html on the seed page: each furniture sentence struck out and labelled,
    each repair marked, the verdict and its numbers shown."""
    from thresher.explain import default_step_specs, explain
    from thresher.report.explain_html import write_explain_html

    steps = importable_steps(default_step_specs())
    result = explain(seed_text, steps)
    path = tmp_path / "seed.html"
    write_explain_html(seed_text, result, path)
    page.goto(path.as_uri())
    want = sorted((e["step"], e["action"], e["label"], e["start"], e["end"]) for e in result["edits"])
    assert _marks(page) == want
    removed = page.query_selector_all("#marked .ed-remove")
    assert len(removed) == sum(e["action"] == "remove" for e in result["edits"])
    for el in removed:
        assert el.query_selector(".tag").text_content()  # labelled
        assert el.query_selector("del") is not None  # struck out
    verdict = page.locator("#verdict").inner_text()
    for r in result["verdict"]["reasons"]:
        assert r in verdict
    if "mashup_filter" in [s if isinstance(s, str) else next(iter(s)) for s in steps]:
        assert "multi_source_mashup" in verdict
        assert page.locator("#deciding-signals tr").count() >= 1
    _shot(page, "seed-explain")


def test_seed_in_the_inspector_as_a_one_document_folder(page: Any, seed_text: str, tmp_path: Path) -> None:
    """The inspector on a one-document folder holding the seed as explain processed it:
    the marks are those of the record, the verdict and its deciding signals shown."""
    from tests.report.conftest import write_output
    from thresher.config import parse_steps
    from thresher.document import Document
    from thresher.explain import default_step_specs, explain_document

    steps = [s.build() for s in parse_steps(importable_steps(default_step_specs()), "explain")]
    doc = explain_document(Document(id="seed", text=seed_text, url="https://example.org/seed"), steps)
    out = write_output(tmp_path / "out", [doc], stats=False)
    with serving(out) as base:
        page.goto(base + "/doc?id=seed")
        want, original = _record_marks(out, "seed")
        assert original == seed_text and _marks(page) == want
        assert page.locator("#verdict").inner_text() == doc.verdict.status
        if doc.verdict.status == "rejected":
            assert page.locator("#signals tr.deciding").count() >= 1
        _shot(page, "seed-inspector")
