"""Golden decisions of `thresher explain` on the seed page.

The whole acceptance of the seed (DESIGN.md): every edit (offsets, action, label) and the
verdict are pinned in tests/golden/explain/seed.json, so that a change in behaviour
fails here and is updated on purpose: THRESHER_UPDATE_GOLDEN=1 pytest tests/test_explain_golden.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from thresher.explain import explain

GOLDEN = Path(__file__).resolve().parent / "golden" / "explain" / "seed.json"


def _pinned(result: dict[str, object]) -> dict[str, object]:
    edits = [{k: e[k] for k in ("start", "end", "action", "label", "step", "original", "replacement")}
             for e in result["edits"]]  # type: ignore[attr-defined]
    return {"verdict": result["verdict"], "edits": edits}


def test_seed_explained_as_pinned(seed_text: str) -> None:
    got = _pinned(explain(seed_text))
    if os.environ.get("THRESHER_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert got["verdict"] == want["verdict"]
    assert got["edits"] == want["edits"]


def test_seed_acceptance(seed_text: str) -> None:
    """The acceptance criteria of the seed, independent of the exact golden."""
    result = explain(seed_text)
    edits = result["edits"]
    removed = " ".join(e["original"] for e in edits if e["action"] == "remove")
    for furniture in ("What did Stalin think of Trotsky? - Quora", "Why did Stalin kill Leon Trotsky? - Quora",
                      "Get the week's best stories straight to your inbox.", "Credit: Gunther Schenk.",
                      "Stack Exchange network consists of 181 Q&A communities", "Author of.",
                      "How Did Joseph Stalin Die?", "Let us know if you have suggestions to improve this article",
                      "In remembering Pearl Harbor, we remember who we are.", "Jason Dawsey, PhD",
                      "History .", "The following sample essay on", "Can you add some more details to this answer"):
        assert furniture in removed, f"not removed: {furniture}"
    text = result["text"]
    assert "He had been a barely perceptible shadow" in text
    assert "the GPU could count on seeing many of the articles" in text
    restored = [e for e in edits if e["action"] == "replace" and e["label"] == "apostrophe"]
    assert len(restored) >= 10
    assert "Revolution—admired" in text
    assert any(e["action"] == "flag" and e["original"] == "tienne" for e in edits)
    for word in ("Results", "Prospects", "Paris", "Workers", "Siqueiros", "Nicholas", "Jews", "Countries",
                 "Bolsheviks", "Ages", "His", "Thus"):
        assert not any(e["original"] == word and e["action"] != "remove" for e in edits), word
    assert result["verdict"]["keep"] is False and "multi_source_mashup" in result["verdict"]["reasons"]
