"""The compiled prechecks of fix_mojibake and redact_pii and their pure-Python twins agree.

``thresher.stages.repair._repairfast`` is optional (built where a C compiler exists).
``line_marks`` must give the lines and bits the Python rules give (``_line_marks_python``)
and a plain reference written here (every line, every run, every ASCII character), on
generated text of one, two and four bytes per character: runs of every kind ftfy's
rules distinguish, long ASCII stretches (the compiled scan skips them a word at a time)
with newlines, control characters and DEL at every offset. ``opcodes`` must be
difflib's ``get_opcodes`` (no junk) on generated pairs. ``pii_scan`` must give the
phone hint's windows and the e-mail / IPv4 / IPv6 flags that ``pii._scan`` computes in
Python, on text mixing every character class the PII patterns distinguish (non-ASCII
digits, "?", full-width forms, text of one, two and four bytes per character). Where
the shared folder exists, both run on real corpus pages, and the whole steps are
compared both ways.
"""

from __future__ import annotations

import difflib
import gzip
import itertools
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thresher.document import Document
from thresher.stages.repair import mojibake, pii
from thresher.stages.repair.mojibake import FixMojibake

pytest.importorskip("ftfy")
fast = pytest.importorskip(
    "thresher.stages.repair._repairfast", reason="the C accelerator is not built (no compiler at install)"
)

CONFIGS = [
    {},
    {"uncurl_quotes": True, "normalization": "NFKC", "unescape_html": "yes"},
    {"normalization": "none", "fix_line_breaks": False, "remove_control_chars": False},
]


def _ready(compiled: bool, **params: object) -> FixMojibake:
    s = FixMojibake(**params)  # type: ignore[arg-type]
    s.ensure_setup()
    if compiled:
        s._fast = fast
        s._opcodes = fast.opcodes
    else:
        s._fast = None
        s._opcodes = mojibake._difflib_opcodes
    return s


def test_the_steps_use_the_accelerator() -> None:
    s = FixMojibake()
    s.ensure_setup()
    if os.environ.get("THRESHER_PURE_PYTHON", "") in ("", "0"):
        assert s._fast is fast and pii._fast is fast
    else:
        assert s._fast is None and pii._fast is None


STEPS = [(_ready(True, **c), _ready(False, **c)) for c in CONFIGS]


def _alphabet() -> list[str]:
    from ftfy.badness import BADNESS_RE

    chars = {c for c in BADNESS_RE.pattern if ord(c) > 127}
    chars |= set("aZz .,?!0_-\n\n\t\r&;<#x\x00\x1b\x7f\x85\xa0\u2028\ufeff\ufb01\uff21\u3000\ufffd")
    chars |= set("\ud800\udc00\u0301\u0316\u05b0東éЖжÂÃ\u2019\u201c\U0001f600\U00010348")
    return sorted(chars)


ALPHABET = _alphabet()
ASCII_RUN = st.text(alphabet=st.sampled_from(list("abc  .,-\n\r\t\x01\x1b\x7f")), min_size=0, max_size=40)
PIECE = st.one_of(
    st.text(alphabet=st.sampled_from(ALPHABET), max_size=6),
    ASCII_RUN,
    st.sampled_from(["Ã© ", "â€™", "Â ", "Ã ", "cafÃ©", "\xa0\xa0", "ﬁ", "Ａ", "x" * 17, " " * 9]),
)
TEXT = st.lists(PIECE, max_size=14).map("".join)


def reference(step: FixMojibake, text: str, table: bytes) -> tuple[list[tuple[int, int, int]], int]:
    """Line by line, run by run: what line_marks must return."""
    marks = []
    any_bits = 0
    pos = 0
    for line in re.split(r"(?<=\n)", text):
        if not line:
            continue
        bits = 0
        for ch in line:
            if ord(ch) < 128 and table[ord(ch)]:
                bits |= mojibake._L_CHOSEN | mojibake._L_NEED
        for m in re.finditer(r"[^\x00-\x7f]+", line):
            r = mojibake._bits(step._run_info(m.group()))
            any_bits |= r
            if r & mojibake._R_TRIGGER:
                bits |= mojibake._L_CHOSEN | mojibake._L_NEED
            if r & mojibake._R_SUSPECT:
                bits |= mojibake._L_CHOSEN
            if r & mojibake._R_BAD:
                bits |= mojibake._L_MAYBE
            if r & mojibake._R_ENDS_A and line[m.end() : m.end() + 1] == " ":
                bits |= mojibake._L_CHOSEN
        if bits & mojibake._L_NEED:
            bits &= ~mojibake._L_MAYBE
        if bits:
            marks.append((pos, pos + len(line), bits))
        pos += len(line)
    return marks, any_bits


FAST = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(text=TEXT)
def test_line_marks_agree(text: str) -> None:
    for compiled, python in STEPS:
        got = compiled._line_marks(text)
        assert got == python._line_marks_python(text)
        assert got == reference(compiled, text, compiled._ascii_trigger)
        assert compiled._line_marks(text) == got  # again, from the filled tables


@FAST
@given(text=TEXT)
def test_line_marks_agree_with_the_line_by_line_rules(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # past _MAX_FIND_RUNS distinct runs the Python rules go through the lines instead
    monkeypatch.setattr(mojibake, "_MAX_FIND_RUNS", 0)
    for compiled, python in STEPS:
        assert compiled._line_marks(text) == python._line_marks_python(text)


@FAST
@given(text=TEXT, extra=st.sampled_from("&<a #"))
def test_line_marks_with_a_printable_ascii_trigger(text: str, extra: str) -> None:
    # a printable ASCII trigger switches the word skip off
    step = STEPS[0][0]
    table = bytearray(step._ascii_trigger)
    table[ord(extra)] = 1
    got = fast.line_marks(text, bytes(table), step._single, step._run_bits_cache, step._run_bits)
    assert got == reference(step, text, bytes(table))


@pytest.mark.parametrize("width", ["", "\xe9", "\u2019", "\U0001f600"])
def test_word_skip_at_every_offset(width: str) -> None:
    # ASCII stretches with a newline, a control character or DEL at each offset, in
    # texts of one, two and four bytes per character
    step = STEPS[0][0]
    for special in ("\n", "\x01", "\x7f", "\r", "\x85", "Ã©"):
        for k in range(20):
            text = width + "a" * k + special + "b" * (19 - k) + "\n" + "c" * k
            got = step._line_marks(text)
            assert got == reference(step, text, step._ascii_trigger), (width, special, k)
            assert got == STEPS[0][1]._line_marks_python(text)


def test_errors_of_the_callable_propagate() -> None:
    def boom(run: str) -> int:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        fast.line_marks("a é b", bytes(128), bytearray(0x110000), {}, boom)
    with pytest.raises(ValueError):
        fast.line_marks("a", bytes(12), bytearray(0x110000), {}, boom)


PAIR_ALPHABET = st.sampled_from(list("ab c\u3000，,Ａ\n"))


@settings(max_examples=1500, deadline=None)
@given(a=st.text(alphabet=PAIR_ALPHABET, max_size=30), b=st.text(alphabet=PAIR_ALPHABET, max_size=30))
def test_opcodes_are_difflibs(a: str, b: str) -> None:
    want = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    assert fast.opcodes(a, b) == want


def test_opcodes_on_long_and_wide_text() -> None:
    import random

    rng = random.Random(5)
    letters = "的一是在不了有和人这，。Ａa \U0001f600"
    for n in (0, 1, 250, 2000):
        a = "".join(rng.choice(letters) for _ in range(n))
        b = "".join(c if rng.random() < 0.9 else rng.choice(letters) for c in a)
        assert fast.opcodes(a, b) == difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()


def _outcome(step: FixMojibake, text: str) -> tuple[str, list[dict[str, Any]], dict[str, Any], object]:
    doc = Document("t", text)
    step([doc])
    return doc.text, [g.to_dict() for g in doc.edits], dict(doc.signals), doc.error


@FAST
@given(text=TEXT)
def test_the_step_gives_the_same_edits_both_ways(text: str) -> None:
    for compiled, python in STEPS:
        assert _outcome(compiled, text) == _outcome(python, text)


@pytest.mark.shared
def test_real_pages_agree(shared_dir: Path) -> None:
    path = shared_dir / "data" / "corpus" / "web-text.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        texts = [json.loads(line)["text_main"] or "" for line in itertools.islice(f, 400)]
    compiled, python = STEPS[0]
    marked = edited = 0
    for text in texts:
        got = compiled._line_marks(text)
        assert got == python._line_marks_python(text)
        marked += bool(got[0])
        out = _outcome(compiled, text)
        assert out == _outcome(python, text)
        edited += bool(out[2]["fix_mojibake.edits"])
    assert marked > 50 and edited > 5  # the sample does hold lines to look at and repairs


# ---- redact_pii ------------------------------------------------------------------------

PII_ATOMS = st.one_of(
    st.sampled_from(
        [
            "john.doe@example.com",
            "8.8.8.8",
            "1.2.3.4.5",
            "x.1.2.3.4",
            "1234.5.6.7",
            "2001:db8::1",
            "fe80::1%eth0",
            "a:b:c",
            ":12345:",
            "+44 20 7946 0958",
            "(415) 555-0132",
            "Tel: 5551234567",
            "12.03.2020",
            "\u0663.\u0664.\u0665.\u0666",
            "\uff18.\uff18.\uff18.\uff18",
            "\u0665\u0665\u0665 \u0665\u0665\u0665\u0665",
            "\U0001d7ce\U0001d7cf\U0001d7d0\U0001d7d1\U0001d7d2\U0001d7d3\U0001d7d4",
            "?1.2.3",
            "1?2.3.4.5",
        ]
    ),
    st.text(
        alphabet=st.sampled_from(list("0123456789.:@-+() /_%'abcdefxyzé\u0663\uff11\u00b2?\n\t東\U0001f600")),
        max_size=12,
    ),
)
PII_TEXT = st.lists(PII_ATOMS, max_size=12).map("".join)


def _pii_python(text: str, phones: bool) -> tuple[list[tuple[int, int]], int]:
    saved = pii._fast
    pii._fast = None
    try:
        windows, flags, _ = pii._scan(text, phones)
    finally:
        pii._fast = saved
    return windows, flags


def _pii_both(text: str) -> tuple[object, object]:
    outcomes: list[tuple[object, dict[str, int] | None]] = []
    saved = pii._fast
    for module in (fast, None):
        pii._fast = module
        try:
            seen: dict[str, int] = {}
            for cap in (1, 3, 20_000):
                outcomes.append(
                    (pii.find_pii(text, ("email", "ip_address", "phone"), True, cap, seen), dict(seen))
                )
            outcomes.append((pii.find_pii(text, ("ip_address",), False), None))
        finally:
            pii._fast = saved
    half = len(outcomes) // 2
    return outcomes[:half], outcomes[half:]


@settings(max_examples=1500, deadline=None)
@given(text=PII_TEXT)
def test_pii_scan_agrees(text: str) -> None:
    got = fast.pii_scan(text, True)
    assert got == _pii_python(text, True)
    assert got[0] == [m.span() for m in pii._PHONE_HINT.finditer(text)]
    assert fast.pii_scan(text, False) == ([], got[1])
    compiled, python = _pii_both(text)
    assert compiled == python


def test_pii_scan_on_each_width() -> None:
    for prefix in ("", "\xe9", "\u2019", "\U0001f600"):
        for text in ("call 555 123 4567 now", "at 10.0.0.1:80", "a@b fe80::1", "v1.2.3.4", "x" * 30):
            text = prefix + text
            assert fast.pii_scan(text, True) == _pii_python(text, True), text


@pytest.mark.shared
def test_real_pages_pii_agree(shared_dir: Path) -> None:
    path = shared_dir / "data" / "corpus" / "web-text.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        texts = [json.loads(line)["text_full"] or "" for line in itertools.islice(f, 300)]
    windows = found = 0
    for text in texts:
        got = fast.pii_scan(text, True)
        assert got == _pii_python(text, True)
        windows += len(got[0])
        compiled, python = _pii_both(text)
        assert compiled == python
        found += len(compiled[2][0])  # type: ignore[index]
    assert windows > 100 and found > 0  # the sample does hold digit runs and addresses


@FAST
@given(run=st.text(alphabet=st.sampled_from([c for c in ALPHABET if ord(c) > 127]), min_size=1, max_size=6))
def test_run_bits_are_the_run_records(run: str) -> None:
    for compiled, _ in STEPS:
        assert compiled._run_bits(run) == mojibake._bits(compiled._run_info(run))
