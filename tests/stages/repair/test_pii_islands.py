"""redact_pii's island search against plain full-text scans: the same matches, in order.

``find_pii`` looks for each kind only inside the runs of the characters its pattern is
made of; the reference here scans the whole text with the same patterns, as a simple
implementation would. Generated text mixes every character class the patterns
distinguish, non-ASCII digits (which ``\\d`` matches) included.
"""

from __future__ import annotations

import bisect
import gzip
import itertools
import json
from itertools import islice
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thresher.stages.repair import pii
from thresher.stages.repair.pii import find_pii

KINDS = ("email", "ip_address", "phone")


def reference(text: str, max_candidates: int) -> tuple[list[tuple[int, int, str, str]], dict[str, int]]:
    """Each pattern over the whole text (no islands), with the step's validations."""
    seen: dict[str, int] = {}
    found: list[tuple[int, int, str, str]] = []
    taken: list[tuple[int, int]] = []

    def add(s: int, e: int, kind: str, reason: str) -> None:
        i = bisect.bisect_left(taken, (s, e))
        if (i > 0 and taken[i - 1][1] > s) or (i < len(taken) and taken[i][0] < e):
            return
        taken.insert(i, (s, e))
        found.append((s, e, kind, reason))

    for m in islice(pii._EMAIL.finditer(text), max_candidates):
        seen["email"] = seen.get("email", 0) + 1
        if m.group(1).lower() not in pii._FILE_TLDS:
            add(m.start(), m.end(), "email", "e-mail address")
    for m in islice(pii._IPV4.finditer(text), max_candidates):
        seen["ipv4"] = seen.get("ipv4", 0) + 1
        before = text[max(0, m.start() - 40) : m.start()]
        if pii._VERSION_BEFORE.search(before) or pii._NOT_IP_CONTEXT.search(before):
            continue
        if pii._ip_ok(m.group(), True):
            add(m.start(), m.end(), "ip_address", "IPv4 address")
    if pii._IPV6_HINT.search(text):
        for m in islice(pii._IPV6.finditer(text), max_candidates):
            seen["ipv6"] = seen.get("ipv6", 0) + 1
            cand = m.group()
            if sum(1 for g in cand.split(":") if g) >= 2 and pii._ip_ok(cand, True):
                add(m.start(), m.end(), "ip_address", "IPv6 address")
    n = len(text)
    for w in pii._PHONE_HINT.finditer(text):
        if seen.get("phone", 0) >= max_candidates:
            break
        for m in pii._PHONE.finditer(text, w.start(), min(n, w.end() + 2)):
            seen["phone"] = seen.get("phone", 0) + 1
            if seen["phone"] > max_candidates:
                break
            reason = pii._phone_reason(text, m.start(), m.group())
            if reason:
                add(m.start(), m.end(), "phone", reason)
    found.sort()
    return found, seen


PIECES = [
    "john.doe@example.com",
    "a@b.co",
    "logo@2x.png",
    "x@y",
    "8.8.8.8",
    "192.168.1.1",
    "1.2.3.4.5",
    "2001:db8::1",
    "2606:4700:4700::1111",
    "::",
    "a:b:c",
    "+44 20 7946 0958",
    "(415) 555-0132",
    "020 7946 0958",
    "Tel: 5551234567",
    "version 10.0.19041.1",
    "12.03.2020",
    "1999-2004",
    "\u0663.\u0664.\u0665.\u0666",
    "\uff18.\uff18.\uff18.\uff18",
    "\u0665\u0665\u0665 \u0665\u0665\u0665\u0665",
]
ATOMS = st.one_of(
    st.sampled_from(PIECES),
    st.text(alphabet=st.sampled_from(list("0123456789.:@-+() /_%'abcdefxyzé\u0663\uff11?\n")), max_size=10),
)
TEXT = st.lists(ATOMS, max_size=12).map("".join)


@settings(max_examples=600, deadline=None)
@given(text=TEXT, cap=st.sampled_from([1, 2, 20_000]))
def test_islands_find_what_full_scans_find(text: str, cap: int) -> None:
    seen: dict[str, int] = {}
    got = find_pii(text, KINDS, True, cap, seen)
    want, want_seen = reference(text, cap)
    assert got == want
    assert seen == want_seen


def test_island_classes_keep_offsets() -> None:
    text = "é 8.8.8.8 \u6771 mail a@b.co"
    view = text.encode("ascii", "replace")
    assert len(view) == len(text)
    assert view.translate(pii._IPV4_CLASSES)[2:9] == b"0.0.0.0"


@pytest.mark.shared
def test_real_pages_islands_match_full_scans(shared_dir: Path) -> None:
    path = shared_dir / "data" / "corpus" / "web-text.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        texts = [json.loads(line)["text_full"] or "" for line in itertools.islice(f, 300)]
    total = 0
    for text in texts:
        got = find_pii(text, KINDS, True, 20_000, {})
        assert got == reference(text, 20_000)[0]
        total += len(got)
    assert total > 0  # the sample holds some addresses or numbers to redact


@settings(max_examples=600, deadline=None)
@given(text=TEXT)
def test_prechecks_on_the_view_are_the_class_searches(text: str) -> None:
    # the IPv4 and IPv6 tests on the ASCII view, and the phone windows from the class
    # string, against the searches they stand for
    view = text.encode("ascii", "replace")
    ipv4 = pii._IPV4_CORE.search(view.translate(pii._IPV4_CLASSES)) is not None
    assert pii._after(view, pii._IPV4_DOT, pii._IPV4_DIGIT) == ipv4
    ipv6 = pii._IPV6_HINT_CLASS.search(view.translate(pii._IPV6_CLASSES)) is not None
    assert pii._after(view, pii._IPV6_COLON, pii._HEX_BYTES) == ipv6
    windows = list(pii._phone_windows(text, view, view.translate(pii._PHONE_CLASSES)))
    assert windows == [m.span() for m in pii._PHONE_HINT.finditer(text)]
    for m in pii._PHONE.finditer(text):
        assert pii._digit_count(m.group()) == sum(c.isdigit() for c in m.group())


def test_prechecks_see_overlapping_cores() -> None:
    # a dot or colon that does not follow a digit (or hex digit) must not hide the core
    # that starts at the next one
    view = b"x.1.2.3.4 and :a:b:"
    assert pii._after(view, pii._IPV4_DOT, pii._IPV4_DIGIT)
    assert pii._after(view, pii._IPV6_COLON, pii._HEX_BYTES)
    assert not pii._after(b"v.1.2.x a:b", pii._IPV4_DOT, pii._IPV4_DIGIT)
    assert not pii._after(b"v.1.2.x a:b", pii._IPV6_COLON, pii._HEX_BYTES)
