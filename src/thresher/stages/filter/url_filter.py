"""``url_filter``: drop documents by their URL, with user-supplied block lists.

Rules, order and reason names are datatrove 0.10.1's ``URLFilter`` (as used for
FineWeb), checked in this order:

1. ``domain``: the registered domain (``example.co.uk`` for ``a.b.example.co.uk``, by
   the public suffix list bundled with ``tldextract``; never fetched) is blocked;
2. ``subdomain``: the full host name is blocked (the same domain list);
3. ``url``: the exact URL is blocked;
4. ``hard_blacklisted``: a URL token (the URL split on runs of characters other than
   ASCII letters and digits; case kept, as in datatrove) is a banned word;
5. ``soft_blacklisted``: at least ``soft_word_threshold`` distinct soft-banned words
   are URL tokens;
6. ``blacklisted_subword``: a banned sub-word occurs anywhere in the URL reduced to
   lower-case ASCII letters and digits.

Words in the word lists are normalised the same way (lower case, letters and digits
only); domains and URLs are compared as written (stripped). Each list can be given
inline and/or as a file (one entry per line; blank lines and lines starting with
``#`` are skipped). A file that is missing or unreadable is a
:class:`~thresher.errors.ConfigError` when the step is built, naming the file.

Difference from datatrove: datatrove ships and enables by default the UT1 block lists
(``use_integrated_lists=True``); thresher ships no block list, so the parameter exists
with default ``False`` and ``True`` is refused with an explanation. A document without
a URL cannot be judged: it is quarantined with that reason (datatrove fails an assert).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from thresher.document import Document
from thresher.errors import ConfigError, require
from thresher.step import KEEP, Decision, Filter, Params

REASON_ALIASES: dict[str, str] = {}  # every reason is datatrove's own name

_NON_ALNUM = re.compile(r"[^a-zA-Z0-9]+")


def normalize(text: str) -> str:
    """Lower-case ASCII letters and digits only: how words and URLs are compared."""
    return _NON_ALNUM.sub("", text).lower()


class URLFilterParams(Params):
    """datatrove 0.10.1's parameters (``extra_*`` are the inline lists) plus list files."""

    soft_word_threshold: int = Field(2, ge=1)
    extra_domains: tuple[str, ...] = ()
    extra_urls: tuple[str, ...] = ()
    banned_words: tuple[str, ...] = ()
    banned_subwords: tuple[str, ...] = ()
    soft_banned_words: tuple[str, ...] = ()
    domains_file: str | None = None
    urls_file: str | None = None
    banned_words_file: str | None = None
    banned_subwords_file: str | None = None
    soft_banned_words_file: str | None = None
    use_integrated_lists: bool = False


def read_list(path: str, what: str) -> list[str]:
    """Entries of a block-list file; a clear :class:`ConfigError` if it cannot be read."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ConfigError(f"url_filter: {what} file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"url_filter: cannot read {what} file {path}: {exc}") from None
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


class URLFilter(Filter):
    """Drops documents whose URL is on a block list or contains banned words."""

    name = "url_filter"
    Params: ClassVar[type[Params]] = URLFilterParams
    params: URLFilterParams

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        p = self.params
        if p.use_integrated_lists:
            raise ConfigError(
                "url_filter: thresher ships no block lists (datatrove's integrated UT1 lists are not "
                "redistributed); set use_integrated_lists: false and pass domains_file / banned_words_file"
            )

        def gather(inline: tuple[str, ...], path: str | None, what: str) -> list[str]:
            return [x.strip() for x in inline if x.strip()] + (read_list(path, what) if path else [])

        # read now, so that a bad file stops the run before any work starts
        self.domains = frozenset(gather(p.extra_domains, p.domains_file, "domains"))
        self.urls = frozenset(gather(p.extra_urls, p.urls_file, "urls"))
        self.banned = frozenset(
            w for w in map(normalize, gather(p.banned_words, p.banned_words_file, "banned words")) if w
        )
        self.soft = frozenset(
            w for w in map(normalize, gather(p.soft_banned_words, p.soft_banned_words_file, "soft banned words"))
            if w
        )
        self.subwords = sorted(
            {w for w in map(normalize, gather(p.banned_subwords, p.banned_subwords_file, "banned subwords")) if w}
        )

    def setup(self) -> None:
        tldextract = require("tldextract", "url")
        # an empty suffix_list_urls means: use the snapshot inside the package, offline
        self._extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)  # type: ignore[attr-defined]
        self._sub_re = re.compile("|".join(map(re.escape, self.subwords))) if self.subwords else None

    def decide(self, doc: Document) -> Decision:
        url = doc.url or doc.metadata.get("url")
        if not url:
            raise ValueError("document has no url: url_filter cannot judge it")
        info = self._extract(url)
        registered = getattr(info, "top_domain_under_public_suffix", None) or info.registered_domain
        if registered and registered in self.domains:
            return Decision.drop("domain")
        if info.fqdn and info.fqdn in self.domains:
            return Decision.drop("subdomain")
        if url in self.urls:
            return Decision.drop("url")
        tokens = set(_NON_ALNUM.split(url))
        if not self.banned.isdisjoint(tokens):
            return Decision.drop("hard_blacklisted")
        n_soft = len(self.soft.intersection(tokens))
        self.signal(doc, "soft_words", n_soft)
        if n_soft >= self.params.soft_word_threshold:
            return Decision.drop("soft_blacklisted")
        if self._sub_re is not None and self._sub_re.search(normalize(url)):
            return Decision.drop("blacklisted_subword")
        return KEEP
