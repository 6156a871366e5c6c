"""How the repair measurements score a page (thresher.stages.repair.evaluation)."""

from __future__ import annotations

import pytest

from thresher.stages.repair.evaluation import restores, source_lacks_apostrophes, strip


@pytest.mark.parametrize(
    "deleted, inserted, expected",
    [
        ("\u2019", "\u2019", True),
        ("\u2018", "\u2019", True),  # "Pakistan‘s": the author's glyph, an apostrophe all the same
        ("\u02bc", "\u2019", True),
        ("\u00b4", "\u2019", True),
        ("\u2014", "\u2014", True),
        ("\u2014", "\u2019", False),  # a dash is no apostrophe
        ("", "\u2019", False),  # nothing was deleted there
        ("\u2019\u2019", "\u2019", False),  # a run of two is not one apostrophe
        ("\u2018", "'", False),  # the step writes U+2019; anything else is a different repair
        ("\u00e9", "e", False),
    ],
)
def test_restores(deleted: str, inserted: str, expected: bool) -> None:
    assert restores(deleted, inserted) is expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("I dont know what she meant.", True),
        ("Thats the point.", True),
        ("If youre here, the door isnt locked.", True),
        ("They havent said.", True),
        ("I don\u2019t know what she meant.", False),
        ("I don't know, and that's fine.", False),
        # words in their own right, or parts of words: no evidence
        ("I cant stand the cant of politics; the wont of the house.", False),
        ("Its colour is red; well, ill winds blow.", False),
        ("Send it on WhatsApp or Whatsits.", False),
        ("", False),
    ],
)
def test_source_lacks_apostrophes(text: str, expected: bool) -> None:
    assert source_lacks_apostrophes(text) is expected


def test_strip_sites_are_restored_by_the_apostrophe_the_step_writes() -> None:
    text, sites = strip("Pakistan\u2018s army and Iraq\u2019s border \u2014 both")
    assert text == "Pakistans army and Iraqs border  both"
    apostrophes = {pos: run for pos, (run, cls) in sites.items() if cls == "apostrophe"}
    assert sorted(apostrophes) == [8, 23]
    assert all(restores(run, "\u2019") for run in apostrophes.values())
    dash = [run for run, cls in sites.values() if cls != "apostrophe"]
    assert dash == ["\u2014"] and not restores(dash[0], "\u2019")
