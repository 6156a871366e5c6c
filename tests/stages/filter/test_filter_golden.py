"""Golden decisions: a change of behaviour on the pinned documents fails the build.

The documents and decisions live in tests/golden/filters/docs.jsonl.gz (see the README
there); datatrove 0.10.1's decisions are stored beside ours and must agree on at least
99.5 % of the documents for the chain, the target of the FineWeb filter set.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from thresher.document import Document
from thresher.registry import step_class

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "filters" / "docs.jsonl.gz"
FILTERS = ("gopher_repetition", "gopher_quality", "c4_quality", "fineweb_quality")


def load() -> list[dict[str, Any]]:
    with gzip.open(GOLDEN, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def make(name: str) -> Any:
    return step_class(name)(**({"filter_no_terminal_punct": False} if name == "c4_quality" else {}))


def aliases() -> dict[str, str]:
    import sys

    out: dict[str, str] = {}
    for name in FILTERS:
        out.update(getattr(sys.modules[type(make(name)).__module__], "REASON_ALIASES", {}))
    return out


def outcome(doc: Document, names: dict[str, str]) -> dict[str, Any]:
    keep = doc.verdict.status == "kept"
    out: dict[str, Any] = {"keep": keep, "reason": None}
    if not keep:
        out["reason"] = names.get(doc.verdict.reasons[0], doc.verdict.reasons[0])
    return out


@pytest.fixture(scope="module")
def golden() -> list[dict[str, Any]]:
    return load()


@pytest.fixture(scope="module")
def results(golden: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    names = aliases()
    res: dict[str, list[dict[str, Any]]] = {}
    for name in FILTERS:
        docs = [Document(id=str(r["id"]), text=r["text"]) for r in golden]
        make(name)(docs)
        res[name] = []
        for d in docs:
            o = outcome(d, names)
            if name == "c4_quality" and o["keep"]:
                o["text_sha256"] = hashlib.sha256(d.text.encode("utf-8")).hexdigest()
            res[name].append(o)
    docs = [Document(id=str(r["id"]), text=r["text"]) for r in golden]
    for step in [make(n) for n in FILTERS]:
        step(docs)
    res["chain"] = []
    for d in docs:
        o = outcome(d, names)
        if o["keep"]:
            o["text_sha256"] = hashlib.sha256(d.text.encode("utf-8")).hexdigest()
        res["chain"].append(o)
    return res


def test_golden_file_is_small_and_varied(golden: list[dict[str, Any]]) -> None:
    assert GOLDEN.stat().st_size < 2_000_000
    assert len(golden) >= 300
    reasons = {r["thresher"]["chain"]["reason"] for r in golden}
    assert len(reasons) >= 8  # the pinned documents exercise many rules, not one


@pytest.mark.parametrize("name", [*FILTERS, "chain"])
def test_decisions_are_pinned(name: str, golden: list[dict[str, Any]],
                              results: dict[str, list[dict[str, Any]]]) -> None:
    changed = [
        (r["id"], r["thresher"][name], got)
        for r, got in zip(golden, results[name])
        if {k: v for k, v in r["thresher"][name].items()} != got
    ]
    assert not changed, f"{len(changed)} pinned decisions changed, first: {changed[:3]}"


def test_chain_agrees_with_datatrove(golden: list[dict[str, Any]],
                                     results: dict[str, list[dict[str, Any]]]) -> None:
    same = sum(r["datatrove"]["chain"]["keep"] == got["keep"] for r, got in zip(golden, results["chain"]))
    assert same / len(golden) >= 0.995
