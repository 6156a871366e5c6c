"""url_filter: each rule, list files, and the errors that stop a run before it starts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from thresher.document import Document
from thresher.errors import ConfigError
from thresher.stages.filter.url_filter import URLFilter


def decide(url: str | None, **params: object) -> tuple[str, list[str]]:
    doc = Document(id="d", text="text", url=url)
    URLFilter(**params)([doc])
    return doc.verdict.status, doc.verdict.reasons


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://news.blocked.co.uk/story", "domain"),  # registered domain, public suffix aware
        ("http://ads.example.com/x", "subdomain"),  # the full host is on the list
        ("http://ok.org/exact/page", "url"),
        ("http://ok.org/free-casino-bonus", "hard_blacklisted"),
        ("http://ok.org/hot/cams/live", "soft_blacklisted"),
        ("http://ok.org/megacasinoworld", "blacklisted_subword"),
    ],
)
def test_each_rule(url: str, reason: str) -> None:
    params = {
        "extra_domains": ["blocked.co.uk", "ads.example.com"],
        "extra_urls": ["http://ok.org/exact/page"],
        "banned_words": ["Casino"],
        "soft_banned_words": ["hot", "cams", "live"],
        "banned_subwords": ["casinoworld"],
    }
    assert decide(url, **params) == ("rejected", [reason])


def test_clean_url_is_kept() -> None:
    assert decide("https://www.example.org/articles/budget", extra_domains=["blocked.com"]) == ("kept", [])


def test_lists_from_files(tmp_path: Path) -> None:
    domains = tmp_path / "domains.txt"
    domains.write_text("# a comment\n\nblocked.com\n", encoding="utf-8")
    words = tmp_path / "words.txt"
    words.write_text("spam\n", encoding="utf-8")
    params = {"domains_file": str(domains), "banned_words_file": str(words)}
    assert decide("https://x.blocked.com/", **params) == ("rejected", ["domain"])
    assert decide("https://fine.org/spam/", **params) == ("rejected", ["hard_blacklisted"])
    assert decide("https://fine.org/", **params) == ("kept", [])


def test_missing_list_file_is_a_config_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "domains.txt"
    with pytest.raises(ConfigError, match=str(missing)):
        URLFilter(domains_file=str(missing))


def test_unreadable_list_file_is_a_config_error_naming_it(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    with pytest.raises(ConfigError, match="a-folder"):
        URLFilter(banned_words_file=str(folder))
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(ConfigError, match="binary.txt"):
        URLFilter(banned_subwords_file=str(binary))
    if os.geteuid() != 0:  # root reads any file
        locked = tmp_path / "locked.txt"
        locked.write_text("x\n")
        locked.chmod(0)
        with pytest.raises(ConfigError, match="locked.txt"):
            URLFilter(urls_file=str(locked))


def test_integrated_lists_are_refused_with_an_explanation() -> None:
    with pytest.raises(ConfigError, match="ships no block lists"):
        URLFilter(use_integrated_lists=True)


def test_document_without_url_is_quarantined() -> None:
    doc = Document(id="d", text="text")
    URLFilter(extra_domains=["x.com"])([doc])
    assert doc.verdict.status == "quarantined" and "no url" in (doc.error or "")


def test_url_from_metadata() -> None:
    doc = Document(id="d", text="text", metadata={"url": "https://blocked.com/"})
    URLFilter(extra_domains=["blocked.com"])([doc])
    assert doc.verdict.reasons == ["domain"]
