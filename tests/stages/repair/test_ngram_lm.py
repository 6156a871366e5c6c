"""The trigram language model the apostrophe model reads (thresher.stages.repair.ngram_lm)."""

from __future__ import annotations

import pytest

from thresher.document import Document
from thresher.stages.repair.deleted_chars import RestoreDeletedChars
from thresher.stages.repair.ngram_lm import TrigramLM, lm_features, load_lm, words_after, words_before


@pytest.fixture(scope="module")
def lm() -> TrigramLM:
    return load_lm()


def test_context_words(lm: TrigramLM) -> None:
    text = "It rained. Yesterday, the players ball was lost (again) 12 times"
    i = text.index("players")
    # nearest first; the comma is skipped, the sentence boundary ends the context
    assert words_before(lm, text, i) == ["the", "yesterday"]
    assert words_before(lm, text, text.index("Yesterday")) == ["<s>"]
    assert words_after(lm, text, i + len("players")) == ["ball", "was"]
    assert words_after(lm, text, text.index("lost") + 4) == ["again"]  # a digit ends it
    assert words_before(lm, "zqxwv players", 6) == ["<unk>"]
    assert words_before(lm, "players", 0) == [] and words_after(lm, "players", 7) == []


def test_a_wrapped_line_break_is_read_as_a_space(lm: TrigramLM) -> None:
    # a hard-wrapped sentence goes on across the break; a line of its own does not
    wrapped = "the fact that we\nwere running"
    i = wrapped.index("were")
    assert words_before(lm, wrapped, i) == ["we", "that"]
    assert words_after(lm, wrapped, wrapped.index("\n")) == ["were", "running"]
    for text in ("a list.\nwere running", "the fact that we\n\nwere running", "Results\nWere running"):
        assert words_before(lm, text, text.lower().index("were")) == ["<s>"], text


@pytest.mark.parametrize(
    "before, bare, apostrophe, after, sign",
    [
        # the reading with the apostrophe is likelier
        ("<s>", "its", "it's", "a good", 1),
        ("we know", "were", "we're", "going to", 1),
        ("of the", "worlds", "world's", "largest companies", 1),
        ("last", "years", "year's", "event was", 1),
        # the reading without it is
        ("with", "its", "it's", "own", -1),
        ("they", "were", "we're", "going", -1),
        ("three", "years", "year's", "ago", -1),
    ],
)
def test_the_likelier_reading(
    lm: TrigramLM, before: str, bare: str, apostrophe: str, after: str, sign: int
) -> None:
    contrast = lm.contrast(bare, apostrophe, before.split()[::-1], after.split())
    assert contrast is not None and sign * sum(contrast) > 0.5


def test_unknown_reading_and_features(lm: TrigramLM) -> None:
    assert lm.contrast("zqxwvs", "zqxwv's", ["the"], ["car"]) is None
    assert lm_features("S", None) == [("lmo|S", 1.0)]
    feats = dict(lm_features("its", (12.0, -1.0)))
    assert feats["lm|its"] == pytest.approx(2.0)  # the sum, clipped to 8, over 4
    assert feats["lml|its"] == pytest.approx(2.0) and feats["lmr|its"] == pytest.approx(-0.25)
    assert feats["lmb|its|inf"] == 1.0


_DAMAGED = (
    "We didnt plan it, but thats life. Its a long story and its ending is sad. The players "
    "ball was lost, the teams coach said, and were going to look for it. The years best "
    "moments came when the citys mayor spoke; three years ago the towns people were happy. "
    "Both teams were tired after the games."
)


def test_the_language_model_loads_at_the_first_damaged_page_only() -> None:
    step = RestoreDeletedChars()
    step([Document("clean", "A clean page that kept its apostrophes: it\u2019s fine.")])
    step([Document("ascii", "An undamaged page in plain ASCII about the weather and the sea.")])
    assert step._lm is None
    step([Document("damaged", _DAMAGED)])
    assert step._lm is not None


def test_skipping_the_language_model_under_the_threshold_changes_no_decision() -> None:
    step = RestoreDeletedChars()
    step.ensure_setup()
    model = step._model
    assert model is not None
    found, _, counts = step._find(_DAMAGED)
    cues = len(found)
    t_new = model.threshold_new
    every = step._candidates(_DAMAGED, found, counts, cues, model)  # no threshold: all looked up
    bounded = step._candidates(_DAMAGED, found, counts, cues, model, t_new)
    assert [(c.start, c.from_rule) for c in every] == [(c.start, c.from_rule) for c in bounded]
    for a, b in zip(every, bounded):
        threshold = model.threshold_rule if a.from_rule else t_new
        assert (a.score >= threshold) == (b.score >= threshold)
    # the test text has model candidates on both sides of the threshold
    own = [c for c in every if not c.from_rule]
    assert any(c.score >= t_new for c in own) and any(c.score < t_new for c in own)
    # and some candidate far under it was not looked up (its score lacks that part)
    assert any(a.score != b.score for a, b in zip(every, bounded))
