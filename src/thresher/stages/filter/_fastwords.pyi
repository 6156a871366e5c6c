"""Types of the compiled accelerator (``_fastwords.c``); see ``_words`` for its twin."""

from collections.abc import Callable, Sequence

def configure(specials: dict[str, tuple[str, ...]], wholes: dict[str, bool], simple_prefix: str,
              simple_suffix: str, odd_plain: str, period_after: str,
              units: frozenset[str], ascii_flags: bytes) -> None: ...
def scan(
    text: str,
    cache: dict[str, tuple[str, ...]],
    flags: dict[str, int],
    split_miss: Callable[[str], tuple[str, ...]],
    flags_miss: Callable[[str], int],
    want_words: bool,
    max_cache: int,
) -> tuple[tuple[str, ...] | None, int, int, int, int, int, bytes | None]: ...
def c4_lines(
    text: str,
    max_word_length: int,
    min_words: int,
    check_punct: bool,
    check_curly: bool,
    count: bool,
    max_sentences: int,
    cache: dict[str, tuple[str, ...]],
    flags: dict[str, int],
    split_miss: Callable[[str], tuple[str, ...]],
    flags_miss: Callable[[str], int],
    max_cache: int,
) -> tuple[int, int, int, list[tuple[int, int, bool, int]] | None] | None: ...
def dup_pieces(text: str, strip: bool, min_run: int) -> tuple[int, int, int]: ...
def gopher_marks(text: str) -> tuple[int, int, int, int, int]: ...
def count_chunks(text: str) -> int: ...
def ngram_profile(words: Sequence[str]) -> bytes: ...
def ngram_top(profile: bytes, n: int) -> tuple[int, int]: ...
def ngram_dup(profile: bytes, n: int) -> tuple[int, bool]: ...
def ngram_dup_many(profile: bytes, ns: Sequence[int]) -> list[tuple[int, bool]]: ...
def ngram_max_chars(profile: bytes, n: int) -> int: ...
