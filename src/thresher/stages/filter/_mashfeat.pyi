"""Types of the compiled accelerator (``_mashfeat.c``); see ``mashup`` for its twin."""

from collections.abc import Sequence

from thresher.stages.segment import Span

def configure(stop_stems: list[str], function_words: list[tuple[str, int]], languages: int) -> None: ...
def prose(
    low: str, text: str, spans: list[Sequence[object]], fewest: int
) -> tuple[int, int, bytearray | None, int]: ...
def page(
    text: str, low: str, spans: list[Sequence[object]], lang_sentences: int
) -> tuple[
    bytearray,
    tuple[int, int, int],
    tuple[int, int, int, int, int, int],
    list[int],
    list[int],
]: ...
def judge(
    text: str, max_sentences: int, quick_chars: int, cap_chars: int, fewest: int, lang_sentences: int
) -> tuple[
    int,
    tuple[int, int, bytearray | None, int] | None,
    tuple[bytearray, tuple[int, int, int], tuple[int, int, int, int, int, int], list[int], list[int]] | None,
]: ...
def lower(text: str) -> str: ...
def configure_sentences(
    span_type: type, never: frozenset[str], final: frozenset[str], after_ordinals: frozenset[str] = ...
) -> None: ...
def sentences(text: str, start: int, stop: int, limit: int) -> list[Span]: ...
