"""Types of the compiled line gate (``_furnfast.c``); see ``furniture`` for its twin."""

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet

def configure(
    tokens_short: AbstractSet[str],
    tokens_long: AbstractSet[str],
    strong_tokens: AbstractSet[str],
    strong_triggers: Mapping[str, tuple[frozenset[str], ...]],
    site_words: AbstractSet[str],
    punct_as_space: str,
    index: Mapping[str, tuple[tuple[int, tuple[str, ...], int], ...]],
    requirements: tuple[tuple[tuple[bool, str], ...] | None, ...],
    fixes: Mapping[int, tuple[int, ...]] | None,
    small_words: AbstractSet[str],
) -> None: ...
def hits(unit: str, n_words: int) -> int: ...
def scan(
    text: str, nav_max_words: int, nav_run: int
) -> tuple[int, list[tuple[int, int, int, int, int, int]]]: ...
def units(text: str, spans: list[Sequence[object]]) -> list[tuple[int, int, int, int]]: ...
def line_gate(line: str) -> bool: ...
def gate(unit: str) -> tuple[bool, int, int]: ...
def fold(text: str) -> str: ...
