"""The shared word split: spaCy-compatible English tokens, sentences, token totals."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thresher.stages.filter._words import (
    _chunk_tokens,
    _split_chunk,
    analyse,
    count_sentences,
    sentence_ends,
    split_words,
    terminal_punctuation,
    token_totals,
)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Hello, world.", ["Hello", ",", "world", "."]),
        ("don't stop", ["do", "n't", "stop"]),
        ("I'm sure it's fine", ["I", "'m", "sure", "it", "'s", "fine"]),
        ("cannot gonna", ["can", "not", "gon", "na"]),
        ("John's dog", ["John", "'s", "dog"]),
        ("well-known facts", ["well", "-", "known", "facts"]),
        ("(see below):", ["(", "see", "below", "):"]),  # the emoticon "):" is re-joined
        ("e.g. the U.S. and Mr. Smith", ["e.g.", "the", "U.S.", "and", "Mr.", "Smith"]),
        ("It costs $5 or 10km.", ["It", "costs", "$", "5", "or", "10", "km", "."]),
        ("wait... what?!", ["wait", "...", "what", "?", "!"]),
        ("visit https://example.com/a?b=1.", ["visit", "https://example.com/a?b=1", "."]),
        ("end.The next", ["end", ".", "The", "next"]),
        ("A. Smith", ["A.", "Smith"]),
        ("ABC. next", ["ABC", ".", "next"]),
        ("10am and 3p.m.", ["10", "am", "and", "3", "p.m."]),
        ("\n\n  \t", []),
    ],
)
def test_split_matches_spacy_english(text: str, words: list[str]) -> None:
    assert split_words(text) == words


# letters, digits, currency signs, the characters _word_core accepts inside or between them, and the affixes
# and specials around them that must send a chunk to the full algorithm
_CORE_ALPHABET = "absSxyzAéжUBÉ中ªʰkmhMµ" "'’\xad" "-–—/" "$£€₹" "12²①٣" ".,()[]\"“”:;~%_#&@*^+=<>…©\x00"


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=_CORE_ALPHABET, min_size=1, max_size=12))
def test_fast_paths_give_what_the_full_algorithm_gives(chunk: str) -> None:
    assert _chunk_tokens(chunk) == _split_chunk(chunk)


@pytest.mark.parametrize(
    ("chunk", "tokens"),
    [
        ("Trotsky’s", ("Trotsky", "’s")),
        ("rock'n'roll", ("rock'n'roll",)),
        ("well-known—and", ("well", "-", "known", "—", "and")),
        ("(his/her),", ("(", "his", "/", "her", ")", ",")),
        ("and/or,", ("and/or", ",")),
        ("co\xadop", ("co\xadop",)),
        ("that's", ("that", "'s")),
        ("($1,000.50).", ("(", "$", "1,000.50", ")", ".")),
        ("€5", ("€", "5")),
        ("word[1]", ("word[1", "]")),  # spaCy's split: no suffix rule takes a digit off
        ("snake_case", ("snake_case",)),
        ("AT&T,", ("AT&T", ",")),
        ("wait...", ("wait", "...")),
        ("(USA.)", ("(", "USA", ".", ")")),
        ("PhD.", ("PhD.",)),
        ("#tag,", ("#", "tag", ",")),
    ],
)
def test_word_core_shapes(chunk: str, tokens: tuple[str, ...]) -> None:
    assert _chunk_tokens(chunk) == _split_chunk(chunk) == tokens


@pytest.mark.parametrize(
    ("chunk", "tokens"),
    [
        ("café.", ("café", ".")),  # a lower-case letter (\p{Ll})
        ("中.", ("中", ".")),  # an other letter (\p{Lo}): str.islower() is False
        ("x².", ("x²", ".")),
        ("①.", ("①.",)),  # str.isdigit() but neither [0-9] nor "²"
        ("٣.", ("٣.",)),  # a digit of another script: str.isdigit() too
        ("(①.)", ("(", "①.", ")")),
        ("ʰ.", ("ʰ.",)),  # a modifier letter: str.islower() but \p{Lm}
    ],
)
def test_a_final_period_splits_off_after_the_rules_characters_only(chunk: str, tokens: tuple[str, ...]) -> None:
    """The fast paths strip a final "." after exactly the characters of the suffix rule."""
    assert _chunk_tokens(chunk) == _split_chunk(chunk) == tokens


def test_split_tokens_concatenate_to_the_chunks() -> None:
    text = "The (quick) brown fox's well-known jump... isn't it? \"Yes\": 3.5km, e.g. z.B. :)"
    assert "".join(split_words(text)) == "".join(text.split())


@pytest.mark.parametrize(
    ("line", "n"),
    [
        ("One sentence without a stop", 1),
        ("First one. Second one! Third?", 3),
        ("Dr. Smith went home. He slept.", 2),  # an abbreviation is no sentence end
        ("Wait... no", 1),  # an ellipsis is one token, not a sentence end
        ("Quoted end.\" Next one.", 2),  # punctuation after the stop stays in the sentence
        ("", 0),
    ],
)
def test_count_sentences(line: str, n: int) -> None:
    assert count_sentences(line) == n


def test_sentence_ends_cut_after_the_final_token() -> None:
    text = "One. Two three. Four"
    ends = sentence_ends(text)
    assert [text[a:b] for a, b in zip([0, *ends[:-1]], ends)] == ["One.", " Two three.", " Four"]


def test_terminal_punctuation_holds_the_common_marks() -> None:
    t = terminal_punctuation()
    assert {".", "!", "?", "。", "！", "？", "।"} <= t
    assert "," not in t and ";" not in t


def test_token_totals() -> None:
    n_sym, n_alpha, chars = token_totals(["Hello", ",", "world", "42", "..."])
    assert (n_sym, n_alpha, chars) == (2, 2, 12)


def test_analyse_is_cached_per_text() -> None:
    a = analyse("some text here")
    assert analyse("some text here") is a
    assert analyse("other text") is not a


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), min_size=1, max_size=8))
def test_ascii_token_flags_follow_the_definitions(tok: str) -> None:
    """The ASCII shortcut gives the bits of the general definition."""
    from thresher.stages.filter._words import _ascii_token_flags, token_flags

    assert _ascii_token_flags(tok) == token_flags(tok)


def test_ascii_token_flags_on_every_character() -> None:
    from thresher.stages.filter._words import _ascii_token_flags, token_flags

    for c in map(chr, range(128)):
        assert _ascii_token_flags(c) == token_flags(c), repr(c)


def test_token_totals_past_the_packed_range() -> None:
    """Beyond 2**21 characters the totals are counted plainly, with the same meaning."""
    big = ["x" * (1 << 21), ",", "42"]
    assert token_totals(big) == (1, 1, (1 << 21) + 2)
