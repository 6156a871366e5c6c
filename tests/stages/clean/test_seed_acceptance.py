"""Acceptance of issue 3 (parts 1, 2, 5) on the seed page: clean_furniture then
mashup_filter. The expected furniture is listed here as test data (the issue names
it); no rule knows these sentences."""

from __future__ import annotations

from thresher.document import Document
from thresher.stages.clean.furniture import CleanFurniture
from thresher.stages.filter.mashup import MashupFilter

FURNITURE = {
    "page_title": [
        "Why do people seem to dislike Trotsky? : r/Socialism_101 - reddit",
        "What did Stalin think of Trotsky? - Quora",
        "Why did Stalin kill Leon Trotsky? - Quora",
    ],
    "call_to_action": [
        "Get the week's best stories straight to your inbox.",
        "Let us know if you have suggestions to improve this article (requires login).",
    ],
    "credit": ["Credit: Gunther Schenk."],
    "author_bio": ["Jason Dawsey, PhD, is a Research Historian at"],
    "network_footer": ["Stack Exchange network consists of 181 Q&A communities"],
    "reference_list": ["https://www.britannica.com/biography/Leon-Trotsky, RT Russiapedia"],
    "breadcrumb": ["History ."],
    "essay_mill": ["The following sample essay on Why Did Stalin Succeed Lenin and not Trotsky."],
    "forum_meta": ["Can you add some more details to this answer, fleshing it out a bit more?"],
    "author_stub": ["Author of."],
    "related_question": ["How Did Joseph Stalin Die?"],
    "slogan": ["In remembering Pearl Harbor, we remember who we are."],
}
KEPT = [
    "He had been a barely perceptible shadow, as Trotsky put it.",
    "His assessment in that respect therefore seems rational.",
    "A second assassination attempt took place some three months later.",
    "the GPU could count on seeing many of the articles",
]


def test_seed_page(seed_text: str) -> None:
    doc = Document("seed", seed_text)
    CleanFurniture()([doc])
    removed = [e for g in doc.edits for e in g.edits]
    for label, snippets in FURNITURE.items():
        for snippet in snippets:
            hits = [e for e in removed if snippet in e.original]
            assert hits, f"not removed: {snippet!r}"
            assert hits[0].label == label, (snippet, hits[0].label)
    # at most one content sentence lost: every removal is one of the listed furniture
    expected = [s for snippets in FURNITURE.values() for s in snippets]
    stray = [e.original for e in removed if not any(s in e.original for s in expected)]
    assert len(stray) <= 1, stray
    for sentence in KEPT:
        assert sentence in doc.text
    # glued titles lose the title only, and what remains reads cleanly
    assert "- Quora" not in doc.text and "  " not in doc.text
    assert doc.original_text() == seed_text

    MashupFilter()([doc])
    assert doc.verdict.status == "rejected"
    assert doc.verdict.reasons == ["multi_source_mashup"]
    assert doc.signals["mashup_filter.sites"] == 2
    assert doc.signals["mashup_filter.flat"] is True
