"""redact_pii: e-mail addresses, IP addresses and phone numbers, as readable edits.

Each match becomes a ``redact`` edit labelled ``email``, ``ip_address`` or ``phone``,
whose replacement keeps the sentence readable ("write to <EMAIL> for details"); the
template is configurable. The peers redact e-mails and IPv4 addresses with a bare
pattern (datatrove's PII formatter, Dolma's PII tagger) and NeMo Curator runs a
named-entity model; phone numbers are where plain patterns go wrong, so each phone
candidate must pass a validation:

- an international number ("+44 20 7946 0958", 8 to 15 digits after "+" or "00");
- a North-American number ("(415) 555-0132", "415.555.0132", with an optional "1"):
  area code and exchange start with 2-9, one separator style;
- a national number with a trunk "0" ("020 7946 0958", "06 12 34 56 78"): 9 to 12
  digits, no one-digit group (ISBN-10s have them);
- any digit group of 7 to 15 digits right after a word that announces a number
  ("Tel.", "phone:", "call", "fax", "mobile").

Candidates are rejected when they read as a date, a year range, a version ("v1.2.3.4",
"version 10.0.19041.1", "openresty/1.9.7.1", a dotted number within 40 characters after
"version", "update", "section"...), an ISBN or ISSN, a price or a decimal. IP addresses are
validated with :mod:`ipaddress`; by default only globally routable ones are redacted:
"192.168.0.1" in a router manual is not anyone's address.

Speed: the patterns start with a character class, so a plain scan tests every
character of the text (about 24 MB/s for the three kinds on ../shared/data/corpus).
Each kind is looked for only inside the runs ("islands") of the characters its matches
are made of, found on a one-byte-per-character class string with substring searches
(about 90 MB/s, same matches in the same order; the tests compare with full scans).
The class strings are only made where they can hold something: :func:`_scan` first
tells whether an "@", an IPv4 core or an IPv6 hint occurs (most pages have none of
them) and gives the phone hint's windows. In Python it looks for the cores on the ASCII
view with patterns that start with their "." or ":" and finds the windows with one
search of a class string that starts with a literal (about 150 MB/s); the optional
compiled twin (``_repairfast.pii_scan``) goes through the characters once (about
250 MB/s; tests/stages/repair/test_repairfast.py compares the two).
"""

from __future__ import annotations

import bisect
import ipaddress
import re
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Literal

from pydantic import Field

from thresher import accelerators
from thresher.document import Document, Edit
from thresher.step import Params, Transformer


def _words(text: str) -> frozenset[str]:
    """A word list written as one string, to keep long lexicons readable."""
    return frozenset(text.split())


Kind = Literal["email", "ip_address", "phone"]

_EMAIL = re.compile(
    r"(?<![\w.%+'-])[A-Za-z0-9](?:[A-Za-z0-9._%+'-]{0,63})@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z]{2,24})(?![\w-]|\.[A-Za-z0-9])"
)
# an "@" address whose top-level domain is a file type is an asset name ("logo@2x.png")
_FILE_TLDS = _words("png jpg jpeg gif svg webp css js json xml pdf mp4 mp3 ico bmp tif tiff")

_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
# not inside a path, a package name or a longer dotted number, not a CIDR network
_IPV4 = re.compile(rf"(?<![\w./\\-]){_OCTET}(?:\.{_OCTET}){{3}}(?![\w/-]|\.\d)")
_IPV6 = re.compile(
    r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|" + _OCTET + r"(?:\.\d{1,3}){3})?(?![\w:])"
)

# Phone candidates: an optional "+country", an optional "(area)", then 1 to 6 digit
# groups joined by one space, dot or hyphen (one group: an unbroken run of digits).
_PHONE = re.compile(
    r"(?<![\w+.,/-])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,5}\)[ .-]?)?\d{1,15}(?:[ .-]\d{1,8}){0,5}(?![\w]|[.,/-]\d)"
)
# Cheap pre-screens: text without these cannot hold a match of the full patterns.
_PHONE_HINT = re.compile(r"[\d(+][\d .()+-]{6,}")
_IPV6_HINT = re.compile(r"[0-9A-Fa-f]:[0-9A-Fa-f]{0,4}:")


def _classes(members: dict[str, str]) -> bytes:
    """A ``bytes.translate`` table for ``text.encode("ascii", "replace")``, which gives
    one byte per character (so offsets are kept) and "?" for every non-ASCII one:
    ``members`` maps strings of characters to the class byte they become; the rest
    become "_"."""
    table = bytearray(b"_" * 256)
    for chars, cls in members.items():
        for c in chars:
            table[ord(c)] = ord(cls)
    return bytes(table)


_DIGITS = "0123456789"
_HEX = _DIGITS + "abcdefABCDEF"
# Each kind's matches are made of a few kinds of character only, so they lie inside
# "islands" of such characters. The islands are found on a class string (one byte per
# character) with plain substring searches or patterns that start with a literal, which
# run at memory speed, where the patterns themselves (which start with a class) test
# every character of the text. A non-ASCII character ("?") may be a Unicode digit,
# which ``\d`` matches, so it counts as one wherever a pattern has ``\d``.
_EMAIL_CLASSES = _classes(
    {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" + _DIGITS + "._%+'-": "e", "@": "@"}
)
# IPv4: digits and dots; a match holds "d.d.d.d" at least
_IPV4_CLASSES = _classes({_DIGITS + "?": "0", ".": "."})
_IPV4_CORE = re.compile(rb"0\.0{1,3}\.0{1,3}\.0")
# IPv6: hex digits, colons, dots, and possible digits after a dot
_IPV6_CLASSES = _classes({_HEX: "h", ":": ":", ".": ".", "?": "?"})
_IPV6_HINT_CLASS = re.compile(rb"h:h{0,4}:")  # exactly _IPV6_HINT, on the class string
_IPV6_CORE = re.compile(rb":h{0,4}:")  # two of a match's colons
# The same tests on the ASCII view itself, before any class string is made: a pattern
# that starts with a literal ("." or ":", rarer than a digit or a hex letter) is searched
# for at memory speed, and the character before it is checked by hand (a look-behind at
# the start would make the engine test every position). Most pages have neither.
_IPV4_DOT = re.compile(rb"\.(?=[0-9?]{1,3}\.[0-9?]{1,3}\.[0-9?])")  # "0.0{1,3}.0{1,3}.0" from its first dot
_IPV4_DIGIT = frozenset(_DIGITS.encode() + b"?")
_IPV6_COLON = re.compile(rb":(?=[0-9A-Fa-f]{0,4}:)")  # "h:h{0,4}:" from its first colon
_HEX_BYTES = frozenset(_HEX.encode())
# what _scan found (_repairfast.c holds the same values)
_S_AT, _S_IPV4, _S_IPV6 = 1, 2, 4
# the compiled twin of _scan, if built
_fast = accelerators.load("thresher.stages.repair._repairfast")  # types: _repairfast.pyi
# phones: the characters of the phone hint, those it may start with ("d": a digit, "(",
# "+", or a non-ASCII character, which may be a digit) and the others ("s"); on this
# class string the hint is "d[ds]{6,}", which starts with a literal (found at memory
# speed) and matches exactly where the hint does in an island with no "?" in the view
_PHONE_CLASSES = _classes({_DIGITS + "(+?": "d", " .)-": "s"})
_PHONE_HINT_CLASS = re.compile(rb"d[ds]{6,}")
# what a phone candidate holds besides its digits
_SEPARATORS = b"+() .-"
_NANP = re.compile(r"(?:\+?1[ .-]?)?(?:\([2-9]\d\d\) ?|[2-9]\d\d([ .-]))[2-9]\d\d([ .-])\d{4}")
_ANNOUNCE = re.compile(
    r"(?:\b(?:tel|telephone|phone|ph|mob|mobile|cell|fax|call|calling|text|whatsapp|hotline|telefon|telefono|"
    r"tel\u00e9fono|t\u00e9l|t\u00e9l\u00e9phone|fon|handy|"
    r"contact)\b\.?|[\u260e\u2706\U0001f4de])\s*(?:\(?[a-z]+\)?\s*)?[:#]?\s*$",
    re.IGNORECASE,
)
_VERSION_BEFORE = re.compile(
    r"(?:\bv|\bver\.?|\bversion|\brelease|\bbuild|\bfirmware|\bkernel)\W{0,3}$", re.IGNORECASE
)
# dotted numbers near these words are versions or outline numbers, not addresses
_NOT_IP_CONTEXT = re.compile(
    r"\b(?:versions?|releases?|builds?|updates?|firmware|kernel|sdk|jdk|section|chapter|paragraph|rule|"
    r"step|figure|table|clause|article)\b|\u00a7",
    re.IGNORECASE,
)
_NOT_PHONE_BEFORE = re.compile(
    r"(?:isbn(?:-1[03])?|issn|doi|[$\u20ac\u00a3\u00a5]|\bno\.\s*of)\W{0,3}$", re.IGNORECASE
)
_DATE = re.compile(
    r"(?:1[6-9]|20)\d\d[-./ ](?:0?[1-9]|1[0-2])[-./ ](?:0?[1-9]|[12]\d|3[01])"
    r"|(?:0?[1-9]|[12]\d|3[01])[-./ ](?:0?[1-9]|1[0-2])[-./ ](?:1[6-9]|20)?\d\d"
    r"|(?:0?[1-9]|1[0-2])[-./ ](?:0?[1-9]|[12]\d|3[01])[-./ ](?:1[6-9]|20)?\d\d"
)
_YEAR_RANGE = re.compile(r"(?:1[6-9]|20)\d\d\s?[-/]\s?(?:(?:1[6-9]|20)\d\d|\d\d)")


class RedactPIIParams(Params):
    """What to redact and how the replacement reads."""

    kinds: tuple[Kind, ...] = Field(
        ("email", "ip_address", "phone"), min_length=1, description="what to redact"
    )
    template: str = Field(
        "<{KIND}>",
        min_length=1,
        description="replacement; {KIND} and {kind} become the label (EMAIL / email)",
    )
    public_ips_only: bool = Field(True, description="redact only globally routable IP addresses")
    max_chars: int = Field(
        2_000_000, ge=1_000, le=1_000_000_000, description="characters analysed per document (work bound)"
    )
    max_candidates: int = Field(
        20_000,
        ge=1,
        le=10_000_000,
        description=(
            "candidates examined per kind and document (work bound: a log dump of a million "
            "addresses is not prose; about 50 us each)"
        ),
    )


class RedactPII(Transformer):
    """Replace e-mail addresses, IP addresses and phone numbers with a readable tag."""

    name = "redact_pii"
    Params = RedactPIIParams
    params: RedactPIIParams

    def edits(self, doc: Document) -> list[Edit]:
        p = self.params
        text = doc.text
        truncated = len(text) > p.max_chars
        view = text[: p.max_chars] if truncated else text
        self.signal(doc, "truncated", truncated)
        seen: dict[str, int] = {}
        found = find_pii(view, p.kinds, p.public_ips_only, p.max_candidates, seen)
        self.signal(doc, "capped", any(v >= p.max_candidates for v in seen.values()))
        edits = [
            Edit(
                s,
                e,
                "redact",
                kind,
                reason,
                replacement=p.template.replace("{KIND}", kind.upper()).replace("{kind}", kind),
            )
            for s, e, kind, reason in found
        ]
        counts = {k: 0 for k in p.kinds}
        for _, _, kind, _ in found:
            counts[kind] += 1
        for k, v in counts.items():
            self.signal(doc, k, v)
        return edits


def find_pii(
    text: str,
    kinds: tuple[str, ...],
    public_ips_only: bool = True,
    max_candidates: int = 20_000,
    seen: dict[str, int] | None = None,
) -> list[tuple[int, int, Kind, str]]:
    """Non-overlapping ``(start, end, kind, reason)`` of the PII in ``text``, by position.

    E-mails are found first (an address may hold digits that look like a phone number),
    then IP addresses, then phones; a later match that overlaps an earlier one is dropped.
    At most ``max_candidates`` candidates of each kind are examined; ``seen`` (if given)
    receives how many were.
    """
    seen = {} if seen is None else seen
    found: list[tuple[int, int, Kind, str]] = []
    taken: list[tuple[int, int]] = []  # sorted, non-overlapping spans

    def add(s: int, e: int, kind: Kind, reason: str) -> None:
        i = bisect.bisect_left(taken, (s, e))
        if i > 0 and taken[i - 1][1] > s:
            return
        if i < len(taken) and taken[i][0] < e:
            return
        taken.insert(i, (s, e))
        found.append((s, e, kind, reason))

    n = len(text)
    windows, flags, view = _scan(text, "phone" in kinds)
    # one byte per character, "?" for each non-ASCII one (memory speed), made when a
    # kind needs it; each kind translates it to its own classes
    ascii_view = view if view is not None else b""
    if flags and view is None:
        ascii_view = text.encode("ascii", "replace")
    if "email" in kinds and flags & _S_AT:
        cls = ascii_view.translate(_EMAIL_CLASSES)
        for m in islice(_island_matches(_EMAIL, text, cls, _at_signs(cls), 2), max_candidates):
            seen["email"] = seen.get("email", 0) + 1
            if m.group(1).lower() not in _FILE_TLDS:
                add(m.start(), m.end(), "email", "e-mail address")
    if "ip_address" in kinds:
        if flags & _S_IPV4:
            cls = ascii_view.translate(_IPV4_CLASSES)
            hits = (m.start() for m in _IPV4_CORE.finditer(cls))
            for m in islice(_island_matches(_IPV4, text, cls, hits, 2), max_candidates):
                seen["ipv4"] = seen.get("ipv4", 0) + 1
                before = text[max(0, m.start() - 40) : m.start()]
                if _VERSION_BEFORE.search(before) or _NOT_IP_CONTEXT.search(before):
                    continue
                if _ip_ok(m.group(), public_ips_only):
                    add(m.start(), m.end(), "ip_address", "IPv4 address")
        if flags & _S_IPV6:
            cls = ascii_view.translate(_IPV6_CLASSES)
            hits = (m.start() for m in _IPV6_CORE.finditer(cls))
            for m in islice(_island_matches(_IPV6, text, cls, hits, 2), max_candidates):
                seen["ipv6"] = seen.get("ipv6", 0) + 1
                cand = m.group()
                if sum(1 for g in cand.split(":") if g) >= 2 and _ip_ok(cand, public_ips_only):
                    add(m.start(), m.end(), "ip_address", "IPv6 address")
    if "phone" in kinds:
        # the full pattern only runs inside the phone hint's windows (5x faster); it may
        # look two characters past a window, as its closing look-ahead needs
        for ws, we in windows:
            if seen.get("phone", 0) >= max_candidates:
                break
            for m in _PHONE.finditer(text, ws, min(n, we + 2)):
                seen["phone"] = seen.get("phone", 0) + 1
                if seen["phone"] > max_candidates:
                    break
                reason = _phone_reason(text, m.start(), m.group())
                if reason:
                    add(m.start(), m.end(), "phone", reason)
    found.sort()
    return found


def _scan(text: str, phones: bool) -> tuple[list[tuple[int, int]], int, bytes | None]:
    """What ``find_pii`` looks for before it looks at anything: the spans of the phone
    hint (when ``phones``), whether an e-mail (``_S_AT``: an "@"), an IPv4 address
    (``_S_IPV4``: ``_IPV4_CORE`` on the IPv4 classes) or an IPv6 address (``_S_IPV6``:
    ``_IPV6_HINT_CLASS`` on the IPv6 classes) may be present, and the ASCII view if it
    was made. The compiled twin (``_repairfast.pii_scan``) goes through the characters
    once."""
    if _fast is not None:
        windows, flags = _fast.pii_scan(text, phones)
        return windows, flags, None
    view = text.encode("ascii", "replace")
    flags = _S_AT if "@" in text else 0
    if "." in text and _after(view, _IPV4_DOT, _IPV4_DIGIT):
        flags |= _S_IPV4
    if ":" in text and _after(view, _IPV6_COLON, _HEX_BYTES):
        flags |= _S_IPV6
    windows = list(_phone_windows(text, view, view.translate(_PHONE_CLASSES))) if phones else []
    return windows, flags, view


def _after(view: bytes, rx: re.Pattern[bytes], before: frozenset[int]) -> bool:
    """Whether ``rx`` matches ``view`` right after one of the bytes ``before``."""
    for m in rx.finditer(view):
        pos = m.start()
        if pos and view[pos - 1] in before:
            return True
    return False


def _island(cls: bytes, pos: int) -> tuple[int, int]:
    """The run of non-"_" classes around ``pos``."""
    end = cls.find(b"_", pos)
    return cls.rfind(b"_", 0, pos) + 1, len(cls) if end < 0 else end


def _at_signs(cls: bytes) -> Iterator[int]:
    pos = cls.find(b"@")
    while pos >= 0:
        yield pos
        pos = cls.find(b"@", pos + 1)


def _island_matches(
    rx: re.Pattern[str], text: str, cls: bytes, hits: Iterable[int], look: int
) -> Iterator[re.Match[str]]:
    """The matches of ``rx.finditer(text)``, found only in the islands of ``cls`` that
    hold a hit (positions in increasing order).

    Every match lies inside one island (it is made of island characters only), and an
    island with no hit holds none, so the matches come out the same and in the same
    order. Each island is searched up to ``look`` characters past its end, so that
    the pattern's closing look-ahead sees the real text (and a match cannot fit in
    those characters, which start with one outside the island).
    """
    n = len(text)
    done = 0
    for h in hits:
        if h < done:
            continue
        start, end = _island(cls, h)
        yield from rx.finditer(text, start, min(n, end + look))
        done = end


def _phone_windows(text: str, view: bytes, cls: bytes) -> Iterator[tuple[int, int]]:
    """The spans of ``_PHONE_HINT.finditer(text)``.

    All the hint's characters are of the phone classes, so it lies inside an island of
    them, and starts with a "d". A match of ``_PHONE_HINT_CLASS`` runs from the first
    "d" of an island that has six more characters after it to the island's end (an
    island with none holds no hint). Where the island has no "?" in the view (every
    character ASCII, none a question mark), the two patterns read the same characters
    the same way, so that match is the hint's; otherwise the hint runs over the island.
    """
    for m in _PHONE_HINT_CLASS.finditer(cls):
        start, end = m.span()
        if view.find(b"?", start, end) < 0:
            yield start, end
        else:
            # the island's characters before the match are all "s": no "?" among them
            for w in _PHONE_HINT.finditer(text, cls.rfind(b"_", 0, start) + 1, end):
                yield w.span()


def _ip_ok(cand: str, public_only: bool) -> bool:
    try:
        addr = ipaddress.ip_address(cand)
    except ValueError:
        return False
    return addr.is_global or not public_only


def _digit_count(cand: str) -> int:
    r"""``sum(c.isdigit() for c in cand)`` for a match of ``_PHONE``: its characters are
    digits (``\d``, all of which ``str.isdigit`` holds of) and the separators, so
    dropping those from its bytes leaves the digits when it is ASCII."""
    if cand.isascii():
        return len(cand.encode().translate(None, _SEPARATORS))
    return sum(c.isdigit() for c in cand)


def _phone_reason(text: str, start: int, cand: str) -> str:
    """Why ``cand`` (a match of ``_PHONE``) is a phone number, or "" when it is not one."""
    digits = _digit_count(cand)
    if not 7 <= digits <= 15:
        return ""
    before = text[max(0, start - 24) : start]
    if _NOT_PHONE_BEFORE.search(before) or _VERSION_BEFORE.search(before):
        return ""
    if _DATE.fullmatch(cand) or _YEAR_RANGE.fullmatch(cand):
        return ""
    if "." in cand and " " not in cand and "-" not in cand and not _NANP.fullmatch(cand):
        return ""  # dotted digits: a version, a decimal or thousands, unless NANP-shaped
    groups = re.findall(r"\d+", cand)
    announced = _ANNOUNCE.search(before) is not None
    if (cand.startswith("+") and digits >= 8) or (
        cand.startswith("00") and 10 <= digits <= 15 and len(groups) >= 2
    ):
        return "international phone number"
    m = _NANP.fullmatch(cand)
    # one separator style, or "area code, space, number": "204 555-2345"
    if m and (m.group(1) is None or m.group(1) == m.group(2) or m.group(1) == " "):
        return "North-American phone number"
    seps = set(re.findall(r"[ .-]", cand.replace(") ", ")")))
    if (
        cand.lstrip("(")[0] == "0"
        and 9 <= digits <= 12
        and len(seps) <= 1
        and 2 <= len(groups[0]) <= 5
        and all(len(g) >= 2 for g in groups)
        and len(groups) >= 2
    ):
        return "national phone number (trunk prefix 0)"
    if announced:
        return "digits announced as a phone number"
    return ""
