"""The extract step: main text, metadata, signals, and every kind of bad input."""

from __future__ import annotations

import json
import pickle
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thresher.document import Document
from thresher.errors import ConfigError
from thresher.registry import step_class
from thresher.stages.extract import accurate
from thresher.stages.extract.extract import Extract

GOLDEN = Path(__file__).parent / "golden"


def run(raw: bytes | str | None, headers: dict[str, str] | None = None, **params: object) -> Document:
    doc = Document("d", "", url="https://example.org/a", raw=raw)
    if headers is not None:
        doc.metadata["http_headers"] = headers
    Extract(**params)([doc])  # type: ignore[arg-type]
    return doc


def paragraph(words: int = 40) -> str:
    base = "The committee met again on Tuesday and agreed, after a long debate, to publish its report. "
    return (base * (words // 15 + 1)).strip()


# ---- the golden page -----------------------------------------------------------------


@pytest.mark.parametrize("case", json.loads((GOLDEN / "cases.json").read_text(encoding="utf-8")))
def test_golden_pages(case: dict[str, object]) -> None:
    raw = (GOLDEN / str(case["page"])).read_bytes()
    doc = run(raw, mode="fast")
    expected = (GOLDEN / str(case["text"])).read_text(encoding="utf-8").rstrip("\n")
    assert doc.verdict.status == "kept"
    assert doc.text == expected
    assert doc.raw is None
    for k, v in dict(case["metadata"]).items():  # type: ignore[call-overload]
        assert doc.metadata[k] == v
    for k, v in dict(case["signals"]).items():  # type: ignore[call-overload]
        assert doc.signals[k] == v


def test_default_mode_keeps_a_confident_page_on_the_fast_path() -> None:
    doc = run((GOLDEN / "article.html").read_bytes())
    assert doc.signals["extract.path"] == "fast"
    assert doc.signals["extract.confidence"] >= 0.8


def test_registered_under_extract() -> None:
    assert step_class("extract") is Extract


def test_text_document_passes_through_untouched() -> None:
    doc = Document("t", "already text", metadata={"k": 1})
    Extract()([doc])
    assert doc.text == "already text" and doc.verdict.status == "kept"
    assert doc.signals == {} and doc.metadata == {"k": 1}


def test_str_payload_from_jsonl_or_parquet() -> None:
    html = f"<html><body><nav><a href='/'>Home</a></nav><p>{paragraph()}</p></body></html>"
    doc = run(html, mode="fast")
    assert doc.text.startswith("The committee met again")
    assert "Home" not in doc.text
    assert doc.metadata["charset"] == "str"


def test_paragraphs_and_breaks_become_newlines() -> None:
    html = f"<body><article><p>{paragraph()}</p><p>Line one<br>line two &amp; more, {paragraph(20)}</p></article></body>"
    doc = run(html.encode(), mode="fast")
    lines = doc.text.split("\n")
    assert lines[0].startswith("The committee") and lines[1] == "Line one"
    assert lines[2].startswith("line two & more,")


# ---- rejections ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "headers", "kind"),
    [
        (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\n", None, "pdf"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), {"content-type": "image/png"}, "image"),
        (b'{"id": 1, "html": "<p>x</p>"}', {"content-type": "application/json; charset=utf-8"}, "json"),
        (bytes(range(32)) * 64, None, "binary"),
    ],
)
def test_non_html_is_rejected_with_a_reason(raw: bytes, headers: dict[str, str] | None, kind: str) -> None:
    doc = run(raw, headers)
    assert doc.verdict.status == "rejected" and doc.verdict.reasons == ["extract_not_html"]
    assert doc.signals["extract.content_kind"] == kind
    assert doc.raw is None


@pytest.mark.parametrize(
    "raw", [b"", b"   \n\t ", "", "<html><head><title>t</title></head><body></body></html>"]
)
def test_empty_pages_are_rejected(raw: bytes | str) -> None:
    doc = run(raw)
    assert doc.verdict.status == "rejected" and doc.verdict.reasons == ["extract_empty"]


# ---- quarantines: limits never become crashes or hangs -------------------------------


def test_a_100_mb_page_is_quarantined_before_parsing() -> None:
    raw = b"<html><body>" + b"<p>" + b"word " * 20_000_000 + b"</p>"
    t0 = time.perf_counter()
    doc = run(raw)
    assert time.perf_counter() - t0 < 1.0
    assert doc.verdict.status == "quarantined" and "max_bytes" in (doc.error or "")


def test_100000_nested_levels_are_quarantined_quickly() -> None:
    raw = ("<div>" * 100_000 + "deep" + "</div>" * 100_000).encode()
    t0 = time.perf_counter()
    doc = run(raw)
    assert time.perf_counter() - t0 < 2.0  # lexbor alone would take ~17 s on it
    assert doc.verdict.status == "quarantined" and "max_depth" in (doc.error or "")


def test_moderate_nesting_is_extracted() -> None:
    raw = ("<div>" * 500 + f"<p>{paragraph()}</p>" + "</div>" * 500).encode()
    doc = run(raw, mode="fast")
    assert doc.verdict.status == "kept" and doc.text.startswith("The committee")


def test_the_watchdog_quarantines_a_slow_escalation(monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura

    def slow(*args: object, **kwargs: object) -> str:
        time.sleep(5)
        return "never"

    monkeypatch.setattr(trafilatura, "extract", slow)
    t0 = time.perf_counter()
    doc = run(f"<p>{paragraph()}</p>", mode="trafilatura", max_seconds=0.2)
    assert time.perf_counter() - t0 < 2.0
    assert doc.verdict.status == "quarantined" and "max_seconds" in (doc.error or "")


def test_the_watchdog_leaves_an_outer_timer_running() -> None:
    import signal

    from thresher.stages.extract.base import Deadline

    fired: list[int] = []
    previous = signal.signal(signal.SIGALRM, lambda s, f: fired.append(s))
    signal.setitimer(signal.ITIMER_REAL, 30.0)
    try:
        with accurate.watchdog(Deadline(5.0)):
            pass
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 25.0 < remaining <= 30.0
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert fired == []


def test_parser_failure_is_quarantined_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    from thresher.stages.extract import fast

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("parser exploded")

    monkeypatch.setattr(fast, "extract_fast", broken)
    doc = run(f"<p>{paragraph()}</p>", mode="fast")
    assert doc.verdict.status == "quarantined" and "parser exploded" in (doc.error or "")


# ---- damaged input still gives text ---------------------------------------------------


def test_truncated_html_gives_text() -> None:
    raw = (
        f"<html><head><title>Cut</title></head><body><article><p>{paragraph()}</p><p>And then the tr".encode()
    )
    doc = run(raw, mode="fast")
    assert doc.verdict.status == "kept" and doc.text.startswith("The committee")
    assert doc.metadata["title"] == "Cut"


def test_wrong_charset_header_is_overruled() -> None:
    body = f"<p>Zoë’s café — {paragraph()}</p>".encode()
    doc = run(body, {"content-type": "text/html; charset=iso-8859-1"}, mode="fast")
    assert doc.text.startswith("Zoë’s café — The committee")
    assert doc.metadata["charset"] == "utf-8"


def test_missing_charset_legacy_page() -> None:
    body = ("<p>" + "Le comité s’est réuni mardi et a décidé de publier son rapport. " * 4 + "</p>").encode(
        "cp1252"
    )
    doc = run(body, mode="fast")
    assert "Le comité s’est réuni mardi" in doc.text


def test_entities_are_decoded() -> None:
    doc = run(f"<p>Fish &amp; chips &ndash; &#x1F41F; &eacute;t&eacute; &nbsp;{paragraph()}</p>", mode="fast")
    assert doc.text.startswith("Fish & chips – 🐟 été The committee")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=2000),
        st.lists(
            st.sampled_from(
                [
                    "<div>",
                    "</div>",
                    "<p>",
                    "</p>",
                    "<a href=x>",
                    "</a>",
                    "<table>",
                    "<td>",
                    "<br>",
                    "<!--",
                    "-->",
                    "<script>",
                    "</script>",
                    "&amp;",
                    "&#0;",
                    "\x00",
                    "é",
                    "word ",
                    "<nav>",
                    "<pre>",
                    ">",
                    "<",
                ]
            ),
            max_size=300,
        ).map("".join),
    )
)
def test_any_input_gives_a_verdict_never_an_exception(raw: bytes | str) -> None:
    for mode in ("fast", "accurate"):
        doc = run(raw, mode=mode)
        assert doc.verdict.status in ("kept", "rejected", "quarantined")
        assert doc.raw is None
        if doc.verdict.status == "kept":
            assert doc.text and doc.text == doc.text.strip()
        if doc.verdict.status == "quarantined":
            assert doc.error  # a reason, always


# ---- configuration and determinism ---------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [{"mode": "fastest"}, {"escalate_below": 1.5}, {"max_bytes": 10}, {"max_depth": 0}, {"unknown": 1}],
)
def test_bad_parameters_stop_before_work(params: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        Extract(**params)  # type: ignore[arg-type]


def test_same_input_same_output_and_picklable() -> None:
    raw = (GOLDEN / "article.html").read_bytes()
    step = pickle.loads(pickle.dumps(Extract()))
    a, b = Document("a", "", raw=raw), Document("a", "", raw=raw)
    step([a])
    Extract()([b])
    assert a.to_record() == b.to_record()


def test_options_change_what_is_kept() -> None:
    raw = (GOLDEN / "article.html").read_bytes()
    no_tables = run(raw, mode="fast", include_tables=False)
    assert "8 July" not in no_tables.text and no_tables.signals["extract.removed_blocks.table"] == 1
    html = (
        f"<body><article><p>{paragraph()}</p><figure><img src=x><figcaption>A field of rye at dawn</figcaption>"
        f"</figure><p>{paragraph()}</p></article></body>"
    )
    assert "A field of rye" not in run(html, mode="fast").text
    assert "A field of rye" in run(html, mode="fast", include_captions=True).text


def test_utf16_page_is_html_not_binary() -> None:
    raw = f"\ufeff<html><body><p>Zürich — {paragraph()}</p></body></html>".encode("utf-16-le")
    doc = run(raw, mode="fast")
    assert doc.verdict.status == "kept" and doc.text.startswith("Zürich — The committee")
    assert doc.metadata["charset"] == "utf-16"


def test_gzip_content_encoding_is_undone() -> None:
    import gzip

    body = gzip.compress(f"<html><body><p>{paragraph()}</p></body></html>".encode())
    doc = run(body, {"content-type": "text/html", "content-encoding": "gzip"}, mode="fast")
    assert doc.verdict.status == "kept" and doc.text.startswith("The committee")
    assert doc.signals["extract.inflated"] is True
    truncated = run(body[: len(body) // 2], {"content-encoding": "gzip"}, mode="fast")
    assert truncated.verdict.status in ("kept", "rejected")  # text, or empty: never an error


def test_a_decompression_bomb_is_quarantined() -> None:
    import gzip

    bomb = gzip.compress(b"<p>" + b"a" * 30_000_000)
    doc = run(bomb, {"content-encoding": "gzip"})
    assert doc.verdict.status == "quarantined" and "max_bytes" in (doc.error or "")


def test_a_bem_modifier_does_not_make_a_block_furniture() -> None:
    from thresher.stages.extract.fast import _furniture_of_names

    # Drupal's "the field's label is hidden": the field itself is the article body
    assert _furniture_of_names("field field--name-body field--label-hidden") == ""
    # the block part still decides: a menu with a modifier is a menu
    assert _furniture_of_names("menu--main") == "nav"
    assert _furniture_of_names("sidebar--left") == "sidebar"
    html = (
        "<body><nav><a href=/>Home</a> <a href=/a>About</a></nav>"
        f'<div class="field field--label-hidden"><p>{paragraph()}</p><p>{paragraph()}</p></div></body>'
    )
    doc = run(html, mode="fast")
    assert doc.text.startswith("The committee") and "Home" not in doc.text


def test_scripts_in_head_and_body_are_counted_once_each() -> None:
    html = (
        "<html><head><script>var a = 1;</script><style>p {}</style></head><body>"
        f"<script>var b = 2;</script><p>{paragraph()}</p><noscript><iframe src=x></iframe></noscript></body></html>"
    )
    doc = run(html, mode="fast")
    assert "var" not in doc.text
    assert doc.signals["extract.removed_blocks.script"] == 3  # two <script>, one <noscript>
    assert doc.signals["extract.removed_blocks.style"] == 1


@pytest.mark.parametrize(("fallbacks", "fast"), [(False, True), (True, False)])
def test_escalation_runs_trafilatura_without_its_fallbacks_by_default(
    monkeypatch: pytest.MonkeyPatch, fallbacks: bool, fast: bool
) -> None:
    import trafilatura

    calls: list[dict[str, object]] = []

    def record(*args: object, **kwargs: object) -> str:
        calls.append(kwargs)
        return "escalated text"

    monkeypatch.setattr(trafilatura, "extract", record)
    # two unrelated articles of equal weight: the fast path is unsure which is the page's
    html = f"<body><div><p>{paragraph()}</p></div><div><p>{paragraph()}</p></div></body>"
    doc = run(html, escalate_below=1.0, escalation_fallbacks=fallbacks, escalation_merge=False)
    assert doc.signals["extract.path"] == "escalated" and doc.text == "escalated text"
    assert calls and calls[0]["fast"] is fast


def test_an_escalated_page_gets_the_fast_blocks_trafilatura_lacks_in_page_order() -> None:
    from thresher.stages.extract.accurate import merge_texts

    accurate = "Headline\nFirst paragraph of the story.\nThird paragraph."
    fast = "First paragraph of the story.\nSecond   paragraph, which trafilatura dropped.\nThird paragraph.\nAuthor line"
    assert merge_texts(accurate, fast) == (
        "Headline\nFirst paragraph of the story.\nSecond   paragraph, which trafilatura dropped.\n"
        "Third paragraph.\nAuthor line"
    )
    # a fast block that trafilatura holds inside a longer line is not repeated
    assert merge_texts("One. Two. Three.", "Two.\nFour.") == "One. Two. Three.\nFour."
    assert merge_texts("Only this.", "") == "Only this."


def test_image_credits_go_and_a_dateline_stays() -> None:
    lead = "Berlin (dpa) - " + paragraph(20)
    html = (
        f"<body><article><p>{lead}</p><p>Der Kanzler am Montag in Berlin. Foto: Markus Scholz/dpa</p>"
        f"<p>{paragraph()}</p><div>© AFP / Jeff Pachoud</div><p>{paragraph()}</p></article></body>"
    )
    doc = run(html, mode="fast")
    assert doc.text.startswith("Berlin (dpa) - The committee")
    assert "Foto:" not in doc.text and "Pachoud" not in doc.text
    assert doc.signals["extract.removed_blocks.credit"] == 2
    assert "Foto: Markus Scholz" in run(html, mode="fast", include_captions=True).text


def test_a_see_also_label_goes_and_a_sentence_with_the_words_stays() -> None:
    html = (
        f"<body><article><p>{paragraph()}</p><h3>Mehr zum Thema</h3>"
        f"<p>Read more about the report: it was published after a long debate and a vote.</p>"
        f"<p>{paragraph()}</p></article></body>"
    )
    doc = run(html, mode="fast")
    assert "Mehr zum Thema" not in doc.text
    assert "Read more about the report" in doc.text
    assert doc.signals["extract.removed_blocks.see_also"] == 1


def test_a_caption_without_figcaption_is_a_caption() -> None:
    caption = (
        "Former Governor Deval Patrick, left, speaks with a business owner during a campaign stop on Tuesday"
    )
    html = (
        f"<body><article><p>{paragraph()}</p>"
        f'<div class="resgallery-item"><img src=x><div class="gallery-caption">{caption}</div></div>'
        f"<figure><img src=y><figcaption><div>{caption} in Boston</div></figcaption></figure>"
        f"<p>{paragraph()}</p></article></body>"
    )
    doc = run(html, mode="fast")
    assert "Deval Patrick" not in doc.text
    assert paragraph() in doc.text
    assert doc.signals["extract.removed_blocks.caption"] == 2
    kept = run(html, mode="fast", include_captions=True).text
    assert kept.count("Deval Patrick") == 2


def test_a_control_label_alone_goes_and_a_sentence_with_the_word_stays() -> None:
    html = (
        f"<body><article><p>{paragraph()}</p><div>Advertisement</div><p>Close</p>"
        f"<p>Advertisement revenue fell by a third last year, the publisher said.</p>"
        f"<p>{paragraph()}</p></article></body>"
    )
    doc = run(html, mode="fast")
    assert "Advertisement\n" not in doc.text and "Close" not in doc.text
    assert "Advertisement revenue fell" in doc.text
    assert doc.signals["extract.removed_blocks.ui_label"] == 2


def test_teaser_articles_beside_the_lead_article_go() -> None:
    teaser = "A short summary of another story that links to a different page of the site, with one sentence."
    teasers = "".join(f"<article><h3>Other story {i}</h3><p>{teaser}</p></article>" for i in range(4))
    lead = f"<article><h1>Title</h1><p>{paragraph(120)}</p><p>{paragraph(80)}</p></article>"
    doc = run(f"<body><main>{lead}{teasers}</main></body>", mode="fast")
    assert paragraph(120) in doc.text and paragraph(80) in doc.text
    assert "A short summary" not in doc.text and "Other story" not in doc.text
    assert doc.signals["extract.removed_blocks.teaser"] == 8
    # a page of whole posts, none of them the lead: every post stays
    posts = "".join(f"<article><h2>Post {i}</h2><p>{paragraph(60)} {i}</p></article>" for i in range(4))
    doc = run(f"<body><main>{posts}</main></body>", mode="fast")
    assert all(f"Post {i}" in doc.text for i in range(4))
    assert "extract.removed_blocks.teaser" not in doc.signals


def test_a_long_dateline_is_frame_and_a_dated_lead_sentence_is_prose() -> None:
    dateline = "PUBLISHED: 10:48, Tue, Nov 19, 2019 | UPDATED: 11:05, Tue, Nov 19, 2019"
    lead = "BERLIN, 5. März 2021 - Die Regierung hat heute beschlossen, die Regeln zu lockern."
    html = f"<body><article><div>{dateline}</div><p>{lead}</p><p>{paragraph()}</p></article></body>"
    doc = run(html, mode="fast")
    assert dateline not in doc.text
    assert doc.text.startswith(lead)
    assert doc.signals["extract.removed_blocks.frame_short"] == 1


def test_a_long_run_of_linked_headlines_goes_and_a_linked_paragraph_stays() -> None:
    headlines = " | ".join(
        f'<a href="/s{i}">Another story about the budget vote and what it means number {i}</a>'
        for i in range(6)
    )
    linked = (
        "The committee, which <a href=/c>met on Tuesday</a>, agreed to publish the report after a long "
        "debate about its findings and the <a href=/r>evidence</a> behind them, and the members said so."
    )
    html = f"<body><article><p>{paragraph()}</p><p>{headlines}</p><p>{linked}</p><p>{paragraph()}</p></article></body>"
    doc = run(html, mode="fast")
    assert "Another story" not in doc.text
    assert "The committee, which met on Tuesday" in doc.text
    assert doc.signals["extract.removed_blocks.link_dense"] == 1


def test_a_list_of_teasers_goes_and_a_listicle_with_linked_headings_stays() -> None:
    blurb = "NEW DELHI: The minister said on Wednesday that the service will be restored soon..."
    teasers = "".join(
        f'<li><a href="/s{i}">Another headline about the day number {i}</a> <span>{blurb}</span></li>'
        for i in range(5)
    )
    doc = run(f"<body><article><p>{paragraph(80)}</p><ul>{teasers}</ul></article></body>", mode="fast")
    assert paragraph(80) in doc.text
    assert "Another headline" not in doc.text and "NEW DELHI" not in doc.text
    assert doc.signals["extract.removed_blocks.teaser"] == 5
    items = "".join(
        f'<li><h3><a href="/o{i}">{i}. The office that answered our letter</a></h3><p>{paragraph(90)}</p></li>'
        for i in range(4)
    )
    doc = run(f"<body><article><p>{paragraph(40)}</p><ol>{items}</ol></article></body>", mode="fast")
    assert doc.text.count(paragraph(90)) == 4
    assert "extract.removed_blocks.teaser" not in doc.signals


def test_summaries_that_open_with_a_linked_sentence_stay() -> None:
    items = "".join(
        f'<li><a href="/s{i}">The attorney general is investigating company number {i}.</a> '
        f"The company confirmed that it had been contacted and said it would cooperate fully.</li>"
        for i in range(5)
    )
    doc = run(f"<body><article><p>{paragraph(40)}</p><ol>{items}</ol></article></body>", mode="fast")
    assert all(f"company number {i}." in doc.text for i in range(5))
    assert "extract.removed_blocks.teaser" not in doc.signals


def test_a_page_told_in_captions_keeps_them() -> None:
    slides = "".join(
        f"<figure><img src=s{i}.jpg><figcaption><div>{paragraph(30)} Slide {i}.</div></figcaption></figure>"
        for i in range(6)
    )
    doc = run(
        f"<body><article><h1>Ten cheap ideas</h1><p>Short intro.</p>{slides}</article></body>", mode="fast"
    )
    assert all(f"Slide {i}." in doc.text for i in range(6))


def test_furniture_read_in_one_piece_decides_as_the_full_walk() -> None:
    from selectolax.lexbor import LexborHTMLParser

    from thresher.stages.extract.fast import FastOptions, extract_fast

    blog = (  # Blogger wraps every post in class="widget Blog": furniture by name, yet the article
        "<body><nav><a href=/>Home</a> <a href=/b>Blog</a></nav>"
        f'<div class="widget Blog"><h2>A post</h2><p>{paragraph(60)}</p><p>{paragraph(60)}</p></div>'
        '<div class="sidebar"><p>About me: I write about committees and their reports, weekly.</p></div></body>'
    )
    for page in (blog, (GOLDEN / "article.html").read_text(encoding="utf-8")):
        one = extract_fast(LexborHTMLParser(page), FastOptions(collapse_furniture=True))
        full = extract_fast(LexborHTMLParser(page), FastOptions(collapse_furniture=False))
        assert one.text == full.text and one.text
    assert "A post\nThe committee" in extract_fast(LexborHTMLParser(blog), FastOptions()).text


def test_chinese_and_japanese_prose_counts_as_prose() -> None:
    from thresher.stages.extract.fast import count_words

    assert count_words("The committee met again") == 4
    assert count_words("委員会は火曜日に再び会合を開いた") == 1 + 16 // 2
    assert count_words("Zürich — Straße") == 3  # non-ASCII Latin is split on spaces only
    zh = "委员会周二再次开会，经过长时间的辩论，同意发布其报告。" * 3
    html = (
        "<body><div class='menu'><a href=/>首页</a> <a href=/n>新闻</a></div>"
        f"<div><p>{zh}</p><p>{zh}</p></div><div><p>版权所有</p></div></body>"
    )
    doc = run(html)  # default mode: confident enough to stay on the fast path
    assert doc.signals["extract.path"] == "fast"
    assert doc.text == f"{zh}\n{zh}"
