"""Types of the compiled prechecks of fix_mojibake (``_repairfast.c``); see ``mojibake``
for their twins."""

from collections.abc import Callable

def line_marks(
    text: str, ascii: bytes, single: bytearray, cache: dict[str, int], compute: Callable[[str], int]
) -> tuple[list[tuple[int, int, int]], int]: ...
def opcodes(a: str, b: str) -> list[tuple[str, int, int, int, int]]: ...
def pii_scan(text: str, phones: bool) -> tuple[list[tuple[int, int]], int]: ...
