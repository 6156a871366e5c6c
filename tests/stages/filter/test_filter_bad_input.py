"""Bad input never crashes a filter or divides by zero: a decision, or a quarantine."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thresher.document import Document
from thresher.registry import step_class

FILTERS = ("gopher_repetition", "gopher_quality", "c4_quality", "fineweb_quality")

BAD = {
    "empty": "",
    "no words": "   \t  ",
    "only newlines": "\n" * 500,
    "one enormous word": "a" * 200_000,
    "only symbols": "!!! ??? ... --- ### *** ((( ))) {{{ }}}\n" * 20,
    "cjk without spaces": "我们今天去公园散步天气很好大家都很开心然后一起吃了午饭" * 50,
    "control characters": "\x00\x01\x02 \x1b[0m \x7f\x85\u2028\u2029" * 30,
    "lone surrogates": "text with \udcff\udcfe escaped bytes " * 30,
    "zero-width only": "\u200b\u200c\u200d\ufeff" * 100,
}


@pytest.mark.parametrize("name", FILTERS)
@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_gets_a_decision(name: str, case: str) -> None:
    params = {"filter_no_terminal_punct": False} if name == "c4_quality" else {}
    doc = Document(id=case, text=BAD[case])
    step_class(name)(**params)([doc])
    assert doc.verdict.status in ("kept", "rejected"), doc.error  # never a crash
    if doc.verdict.status == "rejected":
        assert doc.verdict.reasons and all(doc.verdict.reasons)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab .,!?#-•…\n\r\t{}[]1'\"") + ["\u2028", "中", "\u00a0"]),
               max_size=300))
def test_any_text_gets_a_decision(text: str) -> None:
    docs = [Document(id="x", text=text)]
    for name in FILTERS:
        params = {"filter_no_terminal_punct": False} if name == "c4_quality" else {}
        step_class(name)(**params)(docs)
    assert docs[0].verdict.status in ("kept", "rejected"), docs[0].error
