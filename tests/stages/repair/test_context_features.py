"""The contextual apostrophe model's features: the hot path agrees with the feature list,
the document facts are read as described, the shipped word signatures mean something."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thresher.document import Document
from thresher.stages.repair.context_model import (
    AMBIGUOUS,
    SIGNATURE_NAMES,
    context_features,
    doc_features,
    load_context_model,
)
from thresher.stages.repair.deleted_chars import _LOWER_I, _WORD_GAP, RestoreDeletedChars

MODEL = load_context_model()
# words the shipped model has weights or signatures for, so that the generated contexts
# hit real features (and a few it has not)
VOCAB = sorted({w for w in MODEL.signatures if len(w) < 12})[:400] + ["zzqx", "the", "its", "going"]
KINDS = ["S", "SC", "SI", "L", *AMBIGUOUS]
TOKENS = st.one_of(st.sampled_from(VOCAB), st.sampled_from([".", ",", "<d>", "<nl>", "<end>", "<start>"]))
SHAPES = st.sampled_from(["l", "C", "U", "p", "M"])
LEVELS = st.text(alphabet="0123", min_size=len(SIGNATURE_NAMES), max_size=len(SIGNATURE_NAMES))
SIGS = st.tuples(
    st.one_of(st.just(""), LEVELS), st.one_of(st.just(""), LEVELS), st.one_of(st.just(""), LEVELS)
)


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(KINDS),
    prev=st.tuples(TOKENS, SHAPES),
    nxt=st.tuples(TOKENS, SHAPES),
    nxt2=st.one_of(st.just(""), TOKENS),
    zipfs=st.tuples(st.floats(0, 8), st.floats(0, 8)),
    classes=st.tuples(
        st.sampled_from(["0", "1", "2", "3", "4", "u", "p", "-"]), st.sampled_from(["0", "4", "p"])
    ),
    sigs=SIGS,
    prev2=st.one_of(st.just(""), TOKENS),
)
def test_context_score_is_the_score_of_the_context_features(
    kind, prev, nxt, nxt2, zipfs, classes, sigs, prev2
) -> None:
    feats = context_features(kind, prev, nxt, nxt2, zipfs, classes, sigs, prev2)
    fast = MODEL.context_score(kind, prev, nxt, nxt2, zipfs, classes, sigs, prev2)
    assert fast == pytest.approx(MODEL.score(feats), abs=1e-9)


def test_signature_features_are_there_only_for_words_with_a_signature() -> None:
    base = context_features("its", ("but", "l"), ("going", "l"), "to", (6.0, 5.0), ("1", "2"))
    assert not any(
        name.startswith(("g", "h")) and "|" in name and name[1] in SIGNATURE_NAMES for name, _ in base
    )
    sig = "0" * len(SIGNATURE_NAMES)
    full = context_features(
        "its", ("but", "l"), ("going", "l"), "to", (6.0, 5.0), ("1", "2"), (sig, sig, sig)
    )
    names = {name for name, _ in full} - {name for name, _ in base}
    # one per dimension for the next and the previous word, the second next word, the pair
    assert len(names) == 2 * len(SIGNATURE_NAMES) + 2


def test_document_facts() -> None:
    text = (
        'i dont know, i think its fine -- really... He said "no"  and Hawaii is far  away. I agree, i.e. ok'
    )
    assert len(_LOWER_I.findall(text)) == 2  # "i dont", "i think"; not "Hawaii", "I", "i.e."
    assert len(_WORD_GAP.findall(text)) == 1  # "far  away" (a lost dash); not after a quote
    feats = doc_features(3, 0, 2, 1, 2, 2)
    assert feats == ("dc|2-3", "ds|0", "dr|none", "di|2-3", "dg|1", "dq|2-3", "dt|2-3")


def test_shipped_signatures_tell_nouns_from_verbs_and_adjectives() -> None:
    sig = MODEL.signatures
    d, s, t, b, v = (SIGNATURE_NAMES.index(c) for c in "dstbv")
    # nouns stand after determiners far more often than words in general ...
    for noun in ("board", "company", "results", "house", "car"):
        assert sig[noun][d] >= "2", (noun, sig[noun])
        assert sig[noun][s] <= "1", (noun, sig[noun])
    # ... verbs after a subject pronoun or "to"
    for verb in ("said", "think", "know", "go", "make"):
        assert sig[verb][d] <= "1", (verb, sig[verb])
        assert max(sig[verb][s], sig[verb][t]) >= "2", (verb, sig[verb])
    # ... predicative adjectives after "be" and an intensifier
    for adjective in ("important", "difficult", "happy"):
        assert sig[adjective][b] >= "2" and sig[adjective][v] >= "2", (adjective, sig[adjective])


def test_a_page_that_types_ascii_typography_keeps_fewer_rule_apostrophes() -> None:
    # the same sentences on a page typed with straight quotes, "--" and a lower-case "i"
    # (the author typed no apostrophes) and on a clean one: the model trusts the rules less
    step = RestoreDeletedChars()
    step.ensure_setup()
    body = "We dont know yet, and thats fine. They didnt call. She wasnt there. "
    clean = Document("a", body * 2)
    typed = Document("b", body * 2 + 'i said "ok" -- i think... "sure" -- "fine" -- "no" ... "yes"')
    step([clean, typed])
    kept = [d.signals["restore_deleted_chars.context_restored"] for d in (clean, typed)]
    model = step._model
    assert model is not None
    sc = [
        model.score([(f"{f}|r", 1.0) for f in doc_features(c, 0, i, 0, q, ty)])
        for c, i, q, ty in ((8, 0, 0, 0), (8, 2, 8, 6))
    ]
    assert sc[1] < sc[0]  # the page facts of the typed page lower a rule's score
    assert kept[1] <= kept[0]


def test_doc_bound_is_the_most_the_document_features_can_add() -> None:
    from thresher.stages.repair.context_model import DOC_FAMILIES, group_of

    for kind in ["S", "SC", "SI", *AMBIGUOUS]:
        group = group_of(kind)
        want = max(0.0, MODEL.weights.get(f"bd|{kind}", 0.0))
        for fam in DOC_FAMILIES:
            vals = [
                v for k, v in MODEL.weights.items() if k.startswith(f"{fam}|") and k.endswith(f"|{group}")
            ]
            want += max(vals, default=0.0)
        assert MODEL.doc_bound(kind) == pytest.approx(want, abs=1e-9)


def test_the_step_reads_the_token_before_the_previous_one() -> None:
    step = RestoreDeletedChars()
    step.ensure_setup()
    text = "I think that its fine. Its here"
    start = text.index("its")
    ctx = step._context(text, start, start + 3)
    assert ctx[0] == ("that", "l") and ctx[-1] == "think"
    start = text.index("Its")
    ctx = step._context(text, start, start + 3)
    assert ctx[0] == (".", "p") and ctx[-1] == "fine"
    ctx = step._context(text, 0, 1)
    assert ctx[0] == ("<start>", "p") and ctx[-1] == "<start>"
    # the pair of the two previous tokens is a feature of its own
    names = {
        n
        for n, _ in context_features(
            "its", ("that", "l"), ("a", "l"), "b", (6.0, 6.0), ("1", "1"), prev2="think"
        )
    }
    assert {"p2|A|think", "pp|its|think|that"} <= names
