"""Step ``mashup_filter``: drop pages stitched together from many sources.

A "sentence salad" is a page built by taking sentences from a dozen other pages and
shuffling them into one text (the seed page of issue 3). Each sentence is fluent, so
quality filters that look at words or lines pass it; what gives it away is the
*order*: neighbouring sentences do not continue each other, and furniture of several
different sites sits in one text. Signals (all recorded as ``mashup_filter.<name>``):

- ``coherence_z``: how much more neighbouring sentences share content words than
  random pairs of sentences of the same page do, as a z-score against 200 random
  orders of the same sentences. Written text scores well above 0 (each sentence
  picks up what the previous one said); a shuffled salad scores about 0.
- ``sites``: distinct sites named in page titles that ``clean_furniture`` removed.
- ``furniture_kinds``: distinct kinds of furniture it removed.
- ``flat``: a long text without a single line break (scraped salads are flattened).
- ``pronoun_orphans``: share of sentences that open with a third-person pronoun and
  share no content word with the sentence before, so the pronoun has no antecedent.
- ``date_inversions``: share of consecutive year mentions that go back in time.

They combine into ``score`` (weights in :data:`WEIGHTS`); the page is dropped with
reason ``multi_source_mashup`` when the score reaches ``threshold``. Pages with too
few sentences to judge order (``min_sentences``) are kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from pydantic import Field

from thresher.document import Document
from thresher.stages.clean.rules import site_of_title
from thresher.stages.segment import segment_sentences
from thresher.step import KEEP, Decision, Filter, Params

# Weights of the evidence in the score, and the threshold: chosen on the salads and
# real pages of benchmarks/cleaning.py (corpus pages 0-2999; salads of 3-12 pages),
# where incoherence alone separates most salads and the furniture terms decide the
# flattened real pages that read incoherently (lists, FAQs). Checked on the seed.
WEIGHTS: dict[str, float] = {
    "incoherence": 0.6,
    "sites": 0.25,
    "furniture_kinds": 0.15,
    "flat": 0.05,
    "pronoun_orphans": 0.05,
    "date_inversions": 0.05,
}

_WORD = re.compile(r"[^\W\d_]{4,}")
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_PRONOUN_START = re.compile(r"^(?:He|She|They|It|His|Her|Their|Its|Him|Them)\b")
# Function words of four letters or more, which say nothing about the topic.
_STOP = frozenset(
    "that this with from have were been they their them then than there these those what when where"
    " which while would could should about after before into onto over under also just only some such"
    " very more most much many other others each every both either your yours ours will shall does done"
    " being because though although since until upon whom whose here even still well like said says"
    " make made take took first last same another among across again against between through during"
    " without within around ever never always often".split()
)
_FURNITURE = frozenset(
    "page_title call_to_action credit author_bio network_footer reference_list breadcrumb related_question"
    " essay_mill forum_meta author_stub cookie_notice share_buttons navigation copyright read_more"
    " related_links slogan".split()
)


class MashupParams(Params):
    """Parameters of ``mashup_filter``."""

    threshold: float = Field(
        0.45, ge=0.0, le=1.0, description="Score at or above which the page is a multi-source mash-up."
    )
    min_sentences: int = Field(
        25, ge=4, le=1000, description="Fewer prose sentences than this: too little order to judge; kept."
    )
    max_sentences: int = Field(
        400, ge=10, le=100_000, description="Sentences looked at (the first ones): bounds the work per page."
    )
    flat_chars: int = Field(2000, ge=100, description="A text this long without a line break counts as flat.")


@dataclass(frozen=True, slots=True)
class Evidence:
    """The measured signals of one page, and the score they make."""

    sentences: int
    coherence_z: float
    sites: int
    furniture_kinds: int
    flat: bool
    pronoun_orphans: float
    date_inversions: float

    def score(self) -> float:
        parts = {
            # z of 3 or more reads as written text; 0 or less as a shuffle
            "incoherence": min(1.0, max(0.0, (3.0 - self.coherence_z) / 3.0)),
            "sites": min(self.sites, 2) / 2,
            # one or two kinds are normal on a single page; many kinds are not
            "furniture_kinds": min(max(self.furniture_kinds - 1, 0), 4) / 4,
            "flat": 1.0 if self.flat else 0.0,
            "pronoun_orphans": min(1.0, self.pronoun_orphans * 10),
            "date_inversions": min(1.0, self.date_inversions * 2),
        }
        return sum(WEIGHTS[k] * v for k, v in parts.items())


class MashupFilter(Filter):
    """Drop pages whose sentences come from several sources in no order."""

    name = "mashup_filter"
    Params = MashupParams
    params: MashupParams

    def decide(self, doc: Document) -> Decision:
        ev = self.evidence(doc)
        if ev is None:
            return KEEP
        score = round(ev.score(), 4)
        for k in ("sentences", "coherence_z", "sites", "furniture_kinds", "flat", "pronoun_orphans", "date_inversions"):
            self.signal(doc, k, getattr(ev, k))
        self.signal(doc, "score", score)
        if score >= self.params.threshold:
            return Decision.drop("multi_source_mashup")
        return KEEP

    def evidence(self, doc: Document) -> Evidence | None:
        """The signals of ``doc``, or ``None`` when it has too few sentences to judge."""
        text = doc.text
        spans = segment_sentences(text)[: self.params.max_sentences]
        self.signal(doc, "sentences", len(spans))
        if len(spans) < self.params.min_sentences:
            return None
        sents = [s.of(text) for s in spans]
        bags = [frozenset(w[:6] for w in _WORD.findall(s.lower()) if w not in _STOP) for s in sents]
        # list items, menu entries and captions carry no continuity to measure: judge
        # the order of the sentences that say something (three content words or more)
        prose = [b for b in bags if len(b) >= 3]
        self.signal(doc, "prose_sentences", len(prose))
        if len(prose) < self.params.min_sentences:
            return None
        sites, kinds = _furniture(doc)
        return Evidence(
            sentences=len(spans),
            coherence_z=round(coherence_z(prose), 3),
            sites=sites,
            furniture_kinds=kinds,
            flat=len(text) >= self.params.flat_chars and "\n" not in text.strip(),
            pronoun_orphans=round(_orphans(sents, bags), 4),
            date_inversions=round(_date_inversions(sents), 4),
        )


def coherence_z(bags: list[frozenset[str]], n_perm: int = 200, seed: int = 0) -> float:
    """z-score of the mean neighbour similarity against random orders of the sentences.

    Similarity is the cosine of content-word sets. The random orders use a fixed seed,
    so the score is deterministic.
    """
    vocab: dict[str, int] = {}
    rows: list[list[int]] = []
    for b in bags:
        rows.append([vocab.setdefault(w, len(vocab)) for w in b])
    n = len(bags)
    if n < 3 or not vocab:
        return 0.0
    m = np.zeros((n, len(vocab)), dtype=np.float32)
    for i, r in enumerate(rows):
        if r:
            m[i, r] = 1.0
    norms = np.sqrt(m.sum(axis=1))
    norms[norms == 0] = 1.0
    m /= norms[:, None]
    sim = m @ m.T
    # neighbours at distance 1 and 2: a sentence often picks up the one before last
    idx = np.arange(n)
    observed = float((sim[idx[:-1], idx[1:]].sum() + sim[idx[:-2], idx[2:]].sum()) / (2 * n - 3))
    rng = np.random.default_rng(seed)
    perms = np.argsort(rng.random((n_perm, n)), axis=1)
    null = (sim[perms[:, :-1], perms[:, 1:]].sum(axis=1) + sim[perms[:, :-2], perms[:, 2:]].sum(axis=1)) / (2 * n - 3)
    sd = float(null.std())
    if sd < 1e-9:
        return 0.0
    return (observed - float(null.mean())) / sd


def _furniture(doc: Document) -> tuple[int, int]:
    """Distinct sites named in removed page titles, and distinct furniture kinds removed."""
    sites: set[str] = set()
    kinds: set[str] = set()
    for group in doc.edits:
        for e in group.edits:
            if e.action != "remove" or e.label not in _FURNITURE:
                continue
            kinds.add(e.label)
            if e.label == "page_title":
                site = site_of_title(e.original)
                if site:
                    sites.add(site)
    return len(sites), len(kinds)


def _orphans(sents: list[str], bags: list[frozenset[str]]) -> float:
    orphans = 0
    for i in range(1, len(sents)):
        if _PRONOUN_START.match(sents[i]) and not (bags[i] & bags[i - 1]):
            orphans += 1
    return orphans / len(sents)


def _date_inversions(sents: list[str]) -> float:
    years = [int(y) for s in sents for y in _YEAR.findall(s)[:1]]
    if len(years) < 4:
        return 0.0
    back = sum(1 for a, b in zip(years, years[1:]) if b < a)
    return back / (len(years) - 1)
