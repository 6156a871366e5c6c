"""Step mashup_filter: salads are dropped, single-source pages are kept, with signals."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import pytest

from thresher.document import Document
from thresher.errors import ConfigError
from thresher.stages.clean.furniture import CleanFurniture
from thresher.stages.filter.mashup import (
    _REACH,
    _STYLE_REACH,
    MashupFilter,
    _null_moments,
    _style_markers,
    coherence_z,
    style_z,
)
from thresher.stages.segment import segment_sentences

# A coherent text written for this test: fourteen paragraphs, each on its own topic,
# each sentence picking up the words of the one before.
_TOPICS = [
    ("river", "valley", "flood", "farmers"),
    ("violin", "orchestra", "concert", "conductor"),
    ("glacier", "mountain", "summit", "climbers"),
    ("bakery", "bread", "ovens", "flour"),
    ("telescope", "planets", "astronomer", "orbits"),
    ("harbour", "fishing", "boats", "nets"),
    ("library", "manuscripts", "archive", "scholars"),
    ("castle", "knights", "siege", "walls"),
    ("garden", "roses", "summer", "bees"),
    ("railway", "engine", "station", "passengers"),
    ("island", "lighthouse", "storm", "sailors"),
    ("forest", "wolves", "winter", "hunters"),
    ("market", "spices", "traders", "caravans"),
    ("theatre", "actors", "premiere", "critics"),
]
STORY = " ".join(
    f"The {a} was famous across the region. Every spring the {a} drew visitors to see the {b}. "
    f"The {b} changed with every {c}. Each {c} brought new {d} to the {b}. "
    f"The {d} remembered the {c} for years. Old {d} still speak of the {a} and its {c}."
    for a, b, c, d in _TOPICS
)


def _run(text: str, clean: bool = True, **params: object) -> Document:
    doc = Document("t", text)
    if clean:
        CleanFurniture()([doc])
    MashupFilter(**params)([doc])
    return doc


def test_coherent_text_is_kept_and_its_shuffles_dropped() -> None:
    """A shuffle of one page carries no sign of several sources, only its lost order:
    its z-score is a draw near 0 (a shuffle has no order), so each shuffle whose
    coherence is no better than chance (z < 0) is dropped, and most shuffles are."""
    kept = _run(STORY)
    assert kept.verdict.status == "kept"
    assert kept.signals["mashup_filter.coherence_z"] > 3
    assert kept.signals["mashup_filter.score"] < 0.01
    sents = [s.of(STORY) for s in segment_sentences(STORY)]
    dropped = 0
    for seed in range(8):
        shuffled = list(sents)
        random.Random(seed).shuffle(shuffled)
        doc = _run(" ".join(shuffled))
        z = doc.signals["mashup_filter.coherence_z"]
        assert z < 3, z
        if z < 0:
            assert doc.verdict.reasons == ["multi_source_mashup"], z
        dropped += doc.verdict.reasons == ["multi_source_mashup"]
    assert dropped >= 4, dropped


def test_short_text_is_not_judged() -> None:
    doc = _run("One sentence here. Another one there.")
    assert doc.verdict.status == "kept"
    assert "mashup_filter.score" not in doc.signals


def test_deterministic() -> None:
    sents = [s.of(STORY) for s in segment_sentences(STORY)]
    random.Random(1).shuffle(sents)
    text = " ".join(sents)
    assert _run(text).signals == _run(text).signals


def test_coherence_of_degenerate_bags() -> None:
    assert coherence_z([]) == 0.0
    assert coherence_z([frozenset()] * 30) == 0.0
    assert coherence_z([frozenset({"same"})] * 30) is None  # every order scores the same: no order to judge


def test_null_moments_match_random_orders() -> None:
    """The closed-form mean and variance of the neighbour statistic over all orders
    agree with 20,000 random orders of a random similarity matrix (within 2%)."""
    import numpy as np

    rng = np.random.default_rng(0)
    n = 30
    sim = rng.random((n, n))
    sim = (sim + sim.T) / 2
    sim[sim < 0.6] = 0.0
    np.fill_diagonal(sim, 0.0)
    pos = np.zeros((n, n))
    for d in range(1, _REACH + 1):
        idx = np.arange(n - d)
        pos[idx, idx + d] = pos[idx + d, idx] = 1.0 / d
    values = []
    for _ in range(20_000):
        p = rng.permutation(n)
        values.append(float((pos * sim[np.ix_(p, p)]).sum()))
    rows = sim.sum(axis=1)
    mean, var = _null_moments(n, float(rows.sum()), float((sim * sim).sum()), float(rows @ rows))
    assert abs(mean - np.mean(values)) / np.mean(values) < 0.02
    assert abs(var**0.5 - np.std(values)) / np.std(values) < 0.02


def test_style_z_matches_the_explicit_matrix() -> None:
    """style_z never builds the n x n similarity; it must equal the Mantel z-score
    computed from the explicit matrix of standardised marker rows."""
    import numpy as np

    rng = np.random.default_rng(3)
    for n in (5, 40, 120):
        markers = rng.random((n, 18))
        markers[:, 4] = 1.0  # a marker that never varies carries no weight
        markers[:, 7] = rng.random(n) < 0.3
        sd = markers.std(axis=0)
        f = (markers - markers.mean(axis=0)) / np.where(sd > 0, sd, 1.0) / np.sqrt(18)
        sim = f @ f.T
        np.fill_diagonal(sim, 0.0)
        observed = sum(2.0 * np.trace(sim, offset=d) / d for d in range(1, min(_STYLE_REACH, n - 1) + 1))
        rows = sim.sum(axis=1)
        mean, var = _null_moments(n, sim.sum(), (sim * sim).sum(), rows @ rows, _STYLE_REACH)
        assert style_z(markers) == pytest.approx((observed - mean) / var**0.5, rel=1e-9, abs=1e-9)
    assert style_z(np.ones((30, 18))) == 0.0  # nothing varies: no style to follow


def test_style_runs_in_blocks_on_a_written_page() -> None:
    """A page whose first half is a forum post (first person, questions) and second
    half an encyclopedia entry (dates, parentheses) keeps its style for a stretch:
    style_z is high; the same sentences interleaved give a z-score near 0."""
    post = [
        f"I tried the {w} trick on my old bike and I wonder, did you ever see it fail?"
        for w in ("chain", "brake", "wheel", "saddle", "pedal", "spoke", "gear", "tyre", "bell", "lamp")
    ]
    entry = [
        f"The {w} was patented in {1860 + i} (in France) by an engineer of the period."
        for i, w in enumerate(
            ("chain", "brake", "wheel", "saddle", "pedal", "spoke", "gear", "tyre", "bell", "lamp")
        )
    ]
    text = " ".join(post + entry)
    spans = segment_sentences(text)
    assert len(spans) == 20
    assert style_z(_style_markers(text, spans)) > 3
    mixed = " ".join(s for pair in zip(post, entry) for s in pair)
    assert style_z(_style_markers(mixed, segment_sentences(mixed))) < 0


def test_short_page_is_judged_at_the_stricter_threshold() -> None:
    """Between short_sentences and min_sentences prose sentences a page is scored,
    marked short, and dropped only at short_threshold; below, it is not judged."""
    sents = [s.of(STORY) for s in segment_sentences(STORY)][:14]
    random.Random(4).shuffle(sents)
    text = " ".join(sents)
    strict = _run(text, short_threshold=1.0)
    assert strict.signals["mashup_filter.short"] is True
    assert strict.verdict.status == "kept"
    lax = _run(text, short_threshold=0.0)
    assert lax.verdict.reasons == ["multi_source_mashup"]
    assert "mashup_filter.score" not in _run(text, short_sentences=15).signals


def test_params_are_validated() -> None:
    with pytest.raises(ConfigError, match="threshold"):
        MashupFilter(threshold=1.5)


@pytest.mark.parametrize(
    "text",
    [
        "",
        " \n ",
        "?" * 10_000,
        "\u4eca\u65e5\u306f\u6674\u308c\u3002" * 5000,
        "x. " * 200_000,
        # lower() makes "\u0130" two characters: offsets must not shift
        " ".join(f"\u0130stanbul had {i} ferries crossing the Bosphorus daily." for i in range(60)),
    ],
)
def test_bad_input_gives_a_result(text: str) -> None:
    doc = _run(text)
    assert doc.verdict.status in ("kept", "rejected"), doc.error


def _corpus(shared_dir: Path, n: int) -> list[str]:
    texts = []
    with gzip.open(shared_dir / "data" / "corpus" / "web-text.jsonl.gz", "rt", encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i >= n:
                break
            texts.append(json.loads(line)["text_main"] or "")
    return [t for t in texts if len(segment_sentences(t)) >= 15]


@pytest.mark.shared
def test_real_pages_and_salads(shared_dir: Path) -> None:
    """On corpus lines 3000-3399: at most 10% of the real pages judged are flagged and
    at least 80% of salads of 3-12 of them are (the benchmark measures 1-5% and 98-99%
    on each half of the corpus). benchmarks/cleaning.py prints the full numbers."""
    texts = _corpus(shared_dir, 3400)[-300:]
    rng = random.Random(2)
    clean, mash = CleanFurniture(), MashupFilter()
    real = [Document(str(i), t) for i, t in enumerate(texts[:150])]
    salads = []
    for i in range(60):
        sents: list[str] = []
        k = rng.randint(3, 12)
        for page in rng.sample(texts, k):
            ss = [s.of(page) for s in segment_sentences(page)]
            sents += rng.sample(ss, min(len(ss), max(3, 90 // k)))
        rng.shuffle(sents)
        salads.append(Document(f"s{i}", " ".join(sents)))
    mash(clean(real))
    mash(clean(salads))
    judged = [d for d in real if "mashup_filter.score" in d.signals]
    assert len(judged) >= 80
    false_alarms = sum(1 for d in judged if not d.verdict.keep)
    assert false_alarms / len(judged) <= 0.10, false_alarms
    caught = sum(1 for d in salads if d.verdict.reasons == ["multi_source_mashup"])
    assert caught / len(salads) >= 0.80, caught


def test_a_page_repeating_itself_is_not_a_mashup() -> None:
    # spam that repeats one sentence is the repetition filters' case: no order to judge
    doc = Document(id="spam", text="Buy cheap watches online at the best price in town today. " * 120)
    MashupFilter()([doc])
    assert doc.alive
    pair = (
        "Buy cheap watches online at the best price today. Our watches are the finest money can buy anywhere."
    )
    doc2 = Document(id="spam2", text="\n\n".join([pair] * 60))
    MashupFilter()([doc2])
    assert doc2.alive
