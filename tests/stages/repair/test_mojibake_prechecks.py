"""fix_mojibake's shortcuts against ftfy itself: whatever they skip, ftfy leaves alone.

The step proves from the runs of non-ASCII characters which segments ftfy could change,
asks ftfy's detector before running ftfy on a segment whose only trigger is a possible
mojibake pair, and replays ``fix_and_explain`` without the passes that find nothing.
Each shortcut is checked here against ftfy on generated text built from the characters
ftfy's rules are made of, and on real pages.
"""

from __future__ import annotations

import gzip
import itertools
import json
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thresher.document import Document
from thresher.stages.repair import mojibake as mojibake_module
from thresher.stages.repair.mojibake import FixMojibake, _segments

ftfy = pytest.importorskip("ftfy")
from ftfy.badness import BADNESS_RE, MOJIBAKE_CATEGORIES, is_bad


def _alphabet() -> list[str]:
    """ASCII of every kind the rules distinguish, every character the badness pattern
    names, and characters each fixer acts on."""
    named = re.compile("[" + "".join(MOJIBAKE_CATEGORIES.values()) + "]")
    chars = {chr(c) for c in range(0x80, 0x2600) if named.match(chr(c))}
    chars |= {c for c in BADNESS_RE.pattern if ord(c) > 127}
    chars |= set("aZz .,?!0_-\n\t\r&;<#x")
    chars |= set("\x00\x1b\x7f\x85\u2028\ufeff\ufb01\uff21\u3000\ufffd\ud800\udc00")
    chars |= set("\u0301\u0316\u0338\u05b0\u1100\u1161東éЖж")
    return sorted(chars)


ALPHABET = _alphabet()
TEXT = st.text(alphabet=st.sampled_from(ALPHABET), max_size=14)
CODECS = ["latin-1", "sloppy-windows-1252", "sloppy-windows-1251", "macroman", "cp437", "iso-8859-2"]


@st.composite
def mojibake(draw: st.DrawFn) -> str:
    """Text, part of it encoded as UTF-8 and decoded with a one-byte code page."""
    import ftfy.bad_codecs  # noqa: F401  (registers the sloppy codecs)

    good = draw(st.text(alphabet=st.sampled_from(ALPHABET + list("café naïve “quoted” — €")), max_size=12))
    codec = draw(st.sampled_from(CODECS))
    return draw(TEXT) + good.encode("utf-8", "surrogatepass").decode(codec, errors="replace") + draw(TEXT)


ANY_TEXT = st.one_of(TEXT, mojibake(), st.lists(TEXT, max_size=4).map("\n".join))
CONFIGS = [
    {},
    {"uncurl_quotes": True, "normalization": "NFKC", "unescape_html": "yes"},
    {"normalization": "none"},
]


@pytest.fixture(scope="module", params=range(len(CONFIGS)), ids=["default", "nfkc-uncurl", "no-norm"])
def step(request: pytest.FixtureRequest) -> FixMojibake:
    s = FixMojibake(**CONFIGS[request.param])
    s.ensure_setup()
    return s


FAST = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(text=TEXT)
def test_no_bad_run_means_ftfy_does_not_call_it_bad(step: FixMojibake, text: str) -> None:
    if is_bad(text):
        assert step._may_be_bad(text)


def test_the_bad_pairs_are_derived_from_ftfy() -> None:
    s = FixMojibake()
    s.ensure_setup()
    assert s._bad is not None  # a derivation failure would silently cost the speed
    assert s._bad.search("Ã©") and s._bad.search("â€™") and s._bad.search("\x85")
    # single accented letters, dashes and quotes between ASCII are no pair
    assert not any(s._bad.search(run) for run in ("ï", "é", "—", "“", "’", "\xa0\xa0"))


@FAST
@given(text=ANY_TEXT)
def test_the_replay_is_ftfy_fix_and_explain(step: FixMojibake, text: str) -> None:
    for html in (True, False):
        config = step._config(html)
        fixed, steps = step._fix_and_explain(text, config)
        want = ftfy.fix_and_explain(text, config)
        assert (fixed, [tuple(s) for s in steps]) == (want.text, [tuple(s) for s in want.explanation])


def _check_plan(step: FixMojibake, text: str) -> None:
    """The planned segments are the plain path's, and each one skipped is left alone by
    ftfy; a document the step leaves alone is one ftfy.fix_text leaves alone."""
    html = "<" not in text
    norm = None if step.params.normalization == "none" else step.params.normalization
    todo, gate = step._plan(text, html, norm)
    assert todo == step._candidates(text, html, norm)
    config = step._config(html)
    for start, end in todo:
        seg = text[start:end]
        need = gate.get(start)
        if need is None or (need is False and not is_bad(seg)):
            assert ftfy.fix_and_explain(seg, config).text == seg
    doc = Document("t", text)
    step([doc])
    assert doc.alive, doc.error
    if not any(g.edits for g in doc.edits):
        assert ftfy.fix_text(text, config) == text


@FAST
@given(text=ANY_TEXT)
def test_what_the_plan_skips_ftfy_leaves_alone(step: FixMojibake, text: str) -> None:
    _check_plan(step, text)


def _ready(**params: str) -> FixMojibake:
    s = FixMojibake(**params)  # type: ignore[arg-type]
    s.ensure_setup()
    return s


NORMALIZERS = {form: _ready(normalization=form) for form in ("NFC", "NFKC")}


@settings(max_examples=1000, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(ALPHABET), max_size=8))
def test_runs_prove_normalization(text: str) -> None:
    # a text none of whose runs may denormalize is normalized
    for form, s in NORMALIZERS.items():
        runs = re.findall(r"[^\x00-\x7f]+", text)
        if not any(s._may_denormalize(r) for r in runs):
            assert unicodedata.is_normalized(form, text), (form, text)


def test_a_composing_mark_after_an_ascii_letter_is_seen() -> None:
    s = FixMojibake()
    s.ensure_setup()
    assert s._may_denormalize("\u0316\u0301")  # e + grave below + acute -> é + grave below
    assert s._may_denormalize("\u0338")  # = + long solidus -> ≠
    assert not s._may_denormalize("é—")


def test_segments_match_ftfy_fix_text_segments() -> None:
    assert _segments("a\nbb\n\nc", 1_000) == [(0, 2), (2, 5), (5, 6), (6, 7)]


@pytest.mark.shared
def test_real_pages_plan_and_replay(shared_dir: Path) -> None:
    s = FixMojibake()
    s.ensure_setup()
    path = shared_dir / "data" / "corpus" / "web-text.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        texts = [json.loads(line)["text_main"] or "" for line in itertools.islice(f, 250)]
    replayed = 0
    for text in texts:
        _check_plan(s, text)
        html = "<" not in text
        for start, end in s._candidates(text, html, "NFC"):
            seg = text[start:end]
            want = ftfy.fix_and_explain(seg, s._config(html))
            got = s._fix_and_explain(seg, s._config(html))
            assert (got[0], [tuple(x) for x in got[1]]) == (want.text, [tuple(x) for x in want.explanation])
            replayed += 1
    assert replayed > 50  # the sample does hold segments ftfy changes or inspects


@FAST
@given(text=ANY_TEXT)
def test_line_by_line_plan_is_the_same(step: FixMojibake, text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # past _MAX_FIND_RUNS distinct runs the lines are gone through instead of searched
    monkeypatch.setattr(mojibake_module, "_MAX_FIND_RUNS", 0)
    _check_plan(step, text)


def test_many_distinct_runs_stay_linear() -> None:
    # a long page where every word is a distinct run that may be mojibake (Ukrainian
    # "і" after a Cyrillic letter is such a pair): one pass over the lines, not a
    # search per word
    import random
    import time

    rng = random.Random(0)
    letters = "абвгдежзиклмнопрстуфхцчшщюяіїє"
    words = ["".join(rng.choice(letters) for _ in range(6)) + "ії" for _ in range(40_000)]
    text = "\n".join(" ".join(words[i : i + 12]) for i in range(0, len(words), 12))
    s = FixMojibake()
    s.ensure_setup()
    t0 = time.process_time()
    todo, _ = s._plan(text, True, "NFC")
    took = time.process_time() - t0
    assert todo == s._candidates(text, True, "NFC")
    assert took < 1.0  # one str.find per distinct word: about 10 s here
