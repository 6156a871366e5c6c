"""Every registered per-document step, on hostile text: a result, never an exception."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "fuzz"))
import _common  # noqa: E402

EXAMPLES = int(os.environ.get("THRESHER_FUZZ_EXAMPLES", "40"))

HOSTILE = [
    "",
    "   \n\t\n  ",
    "!!! ??? ... ### *** ---",
    "\n" * 1000,
    "word " * 100_000,  # one very long line
    "x" * 2_000_000,  # one enormous word
    "東京は日本の首都であり、世界で最も人口の多い都市圏の一つである。" * 200,
    "مرحبا بكم في الموقع. هذا نص باللغة العربية يكتب من اليمين إلى اليسار." * 50,
    "a\u0000b\u0007c\u001b[31mred\u001b[0m \ufeff\u200b\u202e reversed",
    "<script>alert(1)</script><img src=x onerror=alert(2)> javascript:alert(3)",
    "e-mail: a@b.c 1.2.3.4 +1 (555) 123-4567 ::1 fe80::1",
]


@pytest.fixture(scope="module")
def steps() -> list[object]:
    found = _common.per_document_steps()
    if not found:
        pytest.skip("no per-document step registered")
    return found


KNOWN_FAILURES: dict[int, str] = {}


@pytest.mark.parametrize("case", [
    pytest.param(i, marks=pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[i])) if i in KNOWN_FAILURES else i
    for i in range(len(HOSTILE))
])
def test_hostile_inputs(steps: list[object], case: int) -> None:
    _common.check_steps(steps, HOSTILE[case])


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_random_text(steps: list[object], text: str) -> None:
    _common.check_steps(steps, text)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(["The", "cat", "sat", ".", "?", "!", "\n", "\n\n", " ", "Dr.", "e.g.", "3.5",
                                 "http://x.org/a.b", "Quora", "-", "|", "©", "Trotskys", "thats", "Ã©"]),
                max_size=80))
def test_word_salads(steps: list[object], words: list[str]) -> None:
    _common.check_steps(steps, " ".join(words))
