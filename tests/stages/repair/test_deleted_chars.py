"""restore_deleted_chars: golden cases, the seed page, untouched documents, bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thresher.document import Document
from thresher.errors import ConfigError
from thresher.stages.repair.deleted_chars import RestoreDeletedChars

DATA = Path(__file__).parent / "data"
CASES = json.loads((DATA / "deleted_chars_cases.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def step() -> RestoreDeletedChars:
    s = RestoreDeletedChars()
    s.ensure_setup()
    return s


def run(step: RestoreDeletedChars, text: str) -> Document:
    doc = Document("t", text)
    step([doc])
    assert doc.alive, doc.error
    return doc


def flagged(doc: Document) -> list[str]:
    return [e.original for g in doc.edits for e in g.edits if e.action == "flag"]


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=c.get("comment", "")))
        if c["expect"] == "fail"
        else c
        for c in CASES
    ],
    ids=[c["label"] for c in CASES],
)
def test_golden(step: RestoreDeletedChars, case: dict[str, object]) -> None:
    doc = run(step, str(case["damaged"]))
    assert doc.text == case["fixed"]
    assert flagged(doc) == case["flagged"]
    assert doc.original_text() == case["damaged"]


def test_normal_documents_pass_untouched(step: RestoreDeletedChars) -> None:
    # straight apostrophes, plural words, possessive-looking plurals: nothing lost
    text = (
        "The workers' council met in Paris. It's the Bolsheviks who won; the Jews of the Low "
        "Countries fled. His results and prospects were good. Thus the Ages of Man end."
    )
    doc = run(step, text)
    assert doc.text == text and not doc.edits
    assert doc.signals["restore_deleted_chars.damaged"] is False


def test_glued_words_alone_do_not_make_a_page_damaged(step: RestoreDeletedChars) -> None:
    # technical prose is full of compounds that split into two words
    text = "The entrypoint uses refcounting for bitfields; the codegen handles diskspace checks."
    doc = run(step, text)
    assert doc.text == text and not doc.edits
    assert doc.signals["restore_deleted_chars.glued_words"] >= 3
    assert doc.signals["restore_deleted_chars.damaged"] is False


def test_text_with_non_ascii_is_not_damaged(step: RestoreDeletedChars) -> None:
    text = "Trotskys struggle — thats what the café owner said about Lenins ideas."
    doc = run(step, text)
    assert doc.text == text
    assert doc.signals["restore_deleted_chars.non_ascii"] == 2
    assert doc.signals["restore_deleted_chars.damaged"] is False


def test_too_few_cues_change_nothing() -> None:
    s = RestoreDeletedChars(min_cues=3)
    doc = Document("t", "Trotskys struggle. Nothing else here is odd at all, thats it.")
    s([doc])
    assert doc.signals["restore_deleted_chars.cues"] == 2
    assert not doc.edits


SINGLE_CUE = (
    "We spent the whole afternoon at the lake, and the weather held. Later that evening my "
    "brother said he doesnt mind driving back, so we packed the car and left at nine."
)


def test_one_cue_makes_a_page_damaged_only_without_straight_apostrophes(step: RestoreDeletedChars) -> None:
    doc = run(step, SINGLE_CUE)
    assert doc.signals["restore_deleted_chars.cues"] == 1
    assert doc.signals["restore_deleted_chars.damaged"] is True
    assert "doesn\u2019t mind" in doc.text
    # an author who types apostrophes in ASCII typed "doesnt" as it is
    typed = SINGLE_CUE + " It's a long drive, and the kids' bags didn't fit in the boot."
    doc = run(step, typed)
    assert doc.signals["restore_deleted_chars.cues"] == 1
    assert doc.signals["restore_deleted_chars.damaged"] is False
    assert doc.text == typed
    # the parameter turns it off, or lets more straight apostrophes through
    off = Document("t", SINGLE_CUE)
    RestoreDeletedChars(single_cue_straight=-1)([off])
    assert off.signals["restore_deleted_chars.damaged"] is False and off.text == SINGLE_CUE
    loose = Document("t", typed)
    RestoreDeletedChars(single_cue_straight=5)([loose])
    assert loose.signals["restore_deleted_chars.damaged"] is True


def test_a_hard_wrapped_line_does_not_start_a_sentence(step: RestoreDeletedChars) -> None:
    # "were" at the start of a wrapped line follows its subject on the line before: no
    # "we're"; after a blank line or a line that ends a sentence, a lower-case "were"
    # does start one
    wrapped = (
        "This was probably a result of the recent outage, combined with the fact that we\n"
        "were running non-standard loads, and thats why the fuse went. Thats all we know."
    )
    doc = run(step, wrapped)
    assert doc.signals["restore_deleted_chars.damaged"] is True
    assert "we\nwere running" in doc.text
    assert "that\u2019s why" in doc.text
    from thresher.stages.repair.deleted_chars import _sentence_initial

    for text, initial in (
        ("the fact that we\nwere running", False),
        ("the fact that we,\nwere running", False),
        ("That was all.\nwere running", True),
        ("That was all\n\nwere running", True),
        ("the fact that we\nWere running", True),
        ("were running", True),
    ):
        assert _sentence_initial(text, text.index("ere running") - 1) is initial, text


def test_glued_word_modes() -> None:
    text = "It was the Revolutionadmired by all. They didnt care, thats clear."
    flag = RestoreDeletedChars(glued_words="flag")
    doc = Document("t", text)
    flag([doc])
    assert "Revolutionadmired" in doc.text and "Revolutionadmired" in flagged(doc)
    off = RestoreDeletedChars(glued_words="off")
    doc = Document("t", text)
    off([doc])
    assert "Revolutionadmired" in doc.text and not flagged(doc)


def test_params_are_validated() -> None:
    with pytest.raises(ConfigError, match="min_cues"):
        RestoreDeletedChars(min_cues=0)
    with pytest.raises(ConfigError, match="glued_words"):
        RestoreDeletedChars(glued_words="guess")


# ---- the seed page ---------------------------------------------------------------------

# the twelve words of the seed whose apostrophe was deleted, each in its context
SEED_DAMAGED = [
    ("Lenins", "Lenins ideas"),
    ("Trotskys", "Trotskys struggle"),
    ("lifes", "his lifes final"),
    ("Hitlers", "Hitlers victory"),
    ("Hitlers", "Hitlers intendant"),
    ("Trotskys", "on Trotskys residence"),
    ("Mussolinis", "Mussolinis Fascist"),
    ("Trotskys", "in Trotskys view"),
    ("Stalins", "Stalins downfall"),
    ("Hitlers", "Hitlers invasion"),
    ("IIs", "Nicholas IIs crackdown"),
    ("thats", "commanders thats why"),
]
SEED_UNDAMAGED = [
    "Results",
    "Prospects",
    "Paris",
    "Workers",
    "Siqueiros",
    "Nicholas",
    "Jews",
    "Countries",
    "Bolsheviks",
    "Ages",
    "His",
    "Thus",
]


@pytest.mark.shared
def test_seed_page(step: RestoreDeletedChars, seed_text: str) -> None:
    for _, phrase in SEED_DAMAGED:
        assert seed_text.count(phrase) == 1  # the seed still reads as documented
    doc = run(step, seed_text)
    assert doc.signals["restore_deleted_chars.damaged"] is True
    restored = sum(
        phrase.replace(word, word[:-1] + "\u2019" + word[-1]) in doc.text for word, phrase in SEED_DAMAGED
    )
    assert restored >= 10
    assert "Revolution\u2014admired" in doc.text
    assert flagged(doc) == ["tienne"]
    # no undamaged word changed: every edit is on a damaged word
    edited = {e.original for g in doc.edits for e in g.edits if e.action == "replace"}
    assert not edited & set(SEED_UNDAMAGED)
    for word in SEED_UNDAMAGED:
        assert len(re.findall(rf"\b{word}\b", doc.text)) == len(re.findall(rf"\b{word}\b", seed_text))


# ---- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["", "   \n\t ", "...!!! ---", "\ud800 lone surrogate", "مرحبا بالعالم" * 50, "没有空格的中文文本" * 100],
    ids=["empty", "whitespace", "punctuation", "surrogate", "rtl", "cjk"],
)
def test_bad_input_gives_a_result(step: RestoreDeletedChars, text: str) -> None:
    doc = run(step, text)
    assert doc.text == text


def test_huge_single_line_is_bounded() -> None:
    s = RestoreDeletedChars(max_chars=100_000)
    text = "thats Trotskys word " * 2_500_000  # 50 MB, one line
    doc = Document("big", text)
    s([doc])
    assert doc.alive
    assert doc.signals["restore_deleted_chars.truncated"] is True
    assert all(e.end <= 100_000 for g in doc.edits for e in g.edits)


def test_one_giant_word_is_bounded(step: RestoreDeletedChars) -> None:
    text = "It is what he said: thats the Trotskys plan and it is " + "a" * 5_000_000 + " Lenins ideas"
    doc = run(step, text)
    # the giant word is skipped, the words before it are still read (those after it lie
    # beyond max_chars); whether "thats" in a two-cue page is restored is the
    # contextual model's call
    assert "the Trotsky\u2019s plan and it is " + "a" * 5_000_000 + " Lenins ideas" in doc.text
    replaced = [e for g in doc.edits for e in g.edits if e.action == "replace"]
    assert all(e.end <= 60 for e in replaced)
    assert len(doc.text) == len(text) + len(replaced)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyz ABTs'.\n")), max_size=300))
def test_edits_replay_to_the_input(text: str) -> None:
    s = RestoreDeletedChars(min_cues=1)
    doc = Document("h", text)
    s([doc])
    assert doc.alive, doc.error
    assert doc.original_text() == text


# ---- the contextual model ----------------------------------------------------------------

CONTEXT_TEXT = (
    "We didnt expect it, but thats how it went. The company said its board would meet on "
    "Monday, and its been a long year for everyone. Last years results were weak, and this "
    "years plan doesnt change much. Were hoping the firms new chief can fix it, but we arent "
    "sure. The workers were told the plant wont close."
)


def test_context_model_restores_possessives_the_rules_cannot(step: RestoreDeletedChars) -> None:
    doc = run(step, CONTEXT_TEXT)
    # "years" and "firms" are common plurals: only the neighbours ("Last ... results",
    # "the ... new chief") make them possessives
    assert "Last year\u2019s results" in doc.text
    assert "the firm\u2019s new chief" in doc.text
    # the determiner "its" before a noun and a plural before a verb stay as written
    assert "said its board" in doc.text
    assert "The workers were told" in doc.text
    assert doc.signals["restore_deleted_chars.context_restored"] > 0
    assert doc.original_text() == CONTEXT_TEXT


def test_without_the_context_model_the_rules_alone_decide() -> None:
    s = RestoreDeletedChars(context_model=False)
    doc = Document("t", CONTEXT_TEXT)
    s([doc])
    assert "Last years results" in doc.text and "the firms new chief" in doc.text
    assert "restore_deleted_chars.context_restored" not in doc.signals


def test_context_model_file_says_how_it_was_built() -> None:
    from thresher.stages.repair.context_model import load_context_model

    model = load_context_model()
    assert model.meta["built_by"] == "scripts/build_repair_context_model.py"
    assert model.meta["target_precision"] >= 0.98
    assert -10 < model.threshold_new < 10 and -10 < model.threshold_rule < 10
    assert model.token_floor and len(model.weights) > 1000


# ---- glued words: a lost dash, a lost space or a compound ----------------------------------


def _dash_edits(doc: Document) -> list[str]:
    return [e.replacement for g in doc.edits for e in g.edits if e.label == "dash"]


def test_glued_words_are_dashes_on_a_page_that_writes_dashes(step: RestoreDeletedChars) -> None:
    # three glued words whose second half opens a phrase: the author writes em dashes;
    # by default they are flagged (the rule is not precise enough), on request restored
    text = (
        "We didnt plan it, but thats life. The storm hit the coastjust as the boats came in. "
        "The town was readyeven the school had a shelter. The rain lasted two daysall of them "
        "grey. Its owners werent home."
    )
    doc = run(step, text)
    assert not _dash_edits(doc)
    assert {"coastjust", "readyeven", "daysall"} <= set(flagged(doc))
    doc = run(RestoreDeletedChars(dash_like_pages=3), text)
    assert _dash_edits(doc) == ["coast\u2014just", "ready\u2014even", "days\u2014all"]
    doc = run(RestoreDeletedChars(dash_like_pages=4), text)
    assert not _dash_edits(doc)


def test_glued_words_on_a_page_that_lost_spaces_are_flagged(step: RestoreDeletedChars) -> None:
    # "thenumber": a split after an article is a lost space, so the page lost spaces and
    # "coastjust" is not read as a dash either
    text = (
        "We didnt plan it, but thats life. The storm hit the coastjust as the boats came in. "
        "The town was readyeven the school had a shelter. The rain lasted two daysall of them "
        "grey. Officials counted thenumber of homes lost."
    )
    doc = run(RestoreDeletedChars(dash_like_pages=3), text)
    assert not _dash_edits(doc)
    assert {"coastjust", "readyeven", "daysall", "thenumber"} <= set(flagged(doc))


def test_a_lone_glued_word_is_flagged_not_restored(step: RestoreDeletedChars) -> None:
    # one compound-looking word and no other evidence: a name, a compound or a lost space
    text = "We didnt know the Sagemaker team. Thats what the Moontouched said, and they didnt lie."
    doc = run(step, text)
    assert not _dash_edits(doc)
    assert "Moontouched" in flagged(doc)


def test_a_glued_word_that_opens_a_list_is_a_dash(step: RestoreDeletedChars) -> None:
    text = "We didnt clean it. Thats why you see the roomfloors, doors, and chairs. Its a mess."
    doc = run(step, text)
    assert _dash_edits(doc) == ["room\u2014floors"]
    # a list of another form is no evidence: "floors" is not parallel to "dusty"
    doc = run(step, text.replace("doors, and chairs", "dusty, and bare"))
    assert not _dash_edits(doc) and "roomfloors" in flagged(doc)
