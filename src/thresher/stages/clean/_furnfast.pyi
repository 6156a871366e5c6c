"""Types of the compiled line gate (``_furnfast.c``); see ``furniture`` for its twin."""

from collections.abc import Mapping, Sequence, Set

def configure(
    tokens_short: Set[str],
    tokens_long: Set[str],
    strong_tokens: Set[str],
    strong_triggers: Mapping[str, tuple[frozenset[str], ...]],
    site_words: Set[str],
    punct_as_space: str,
    index: Mapping[str, tuple[tuple[int, frozenset[str], int], ...]],
) -> None: ...
def hits(unit: str, n_words: int) -> int: ...
def scan(text: str, nav_max_words: int, nav_run: int) -> tuple[int, list[tuple[int, int, int, int]]]: ...
def units(text: str, spans: list[Sequence[object]]) -> bytes: ...
