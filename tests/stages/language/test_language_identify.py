"""language: the bundled model, keep/drop by list and score, mixed documents."""

from __future__ import annotations

import pytest

from thresher.document import Document
from thresher.errors import ConfigError
from thresher.stages.language.identify import LanguageID

EN = ("The committee met on Tuesday to discuss the budget for next year, and several members "
      "raised concerns about rising maintenance costs in the old library building. ")
DE = ("Der Ausschuss traf sich am Dienstag, um den Haushalt für das nächste Jahr zu besprechen, "
      "und mehrere Mitglieder äußerten Bedenken wegen der steigenden Kosten des Gebäudes. ")


def run(text: str, **params: object) -> Document:
    doc = Document(id="d", text=text)
    LanguageID(**params)([doc])
    return doc


@pytest.mark.parametrize("backend", ["fasttext", "cld2"])
def test_language_and_score(backend: str) -> None:
    doc = run(EN, backend=backend)
    assert doc.metadata["language"] == "en" and doc.metadata["language_score"] > 0.65
    assert run(DE, backend=backend).metadata["language"] == "de"


def test_keep_by_language_list() -> None:
    assert run(EN, languages=["en"]).verdict.status == "kept"
    assert run(DE, languages=["en"]).verdict.reasons == ["language_not_in_list"]
    assert run(DE, languages=["en", "de"]).verdict.status == "kept"


def test_minimum_score() -> None:
    assert run("ok", min_score=0.99).verdict.reasons == ["language_score_below_min"]
    assert run("ok", min_score=0.99, label_only=True).verdict.status == "kept"


def test_mixed_document_is_labelled_per_paragraph() -> None:
    doc = run(EN * 2 + "\n\n" + DE * 2)
    assert doc.signals["language.mixed"] == 1
    spans = doc.metadata["language_paragraphs"]
    assert [s["language"] for s in spans] == ["en", "de"]
    assert doc.text[spans[1]["start"] : spans[1]["end"]].startswith("Der Ausschuss")


def test_single_language_document_is_not_mixed() -> None:
    doc = run(EN * 2 + "\n\n" + EN * 2)
    assert doc.signals["language.mixed"] == 0 and "language_paragraphs" not in doc.metadata


@pytest.mark.parametrize("text", ["", "\n\n\n", "!!! ???", "\x00\x01", "\udcff text"])
def test_bad_input_gets_a_decision(text: str) -> None:
    for backend in ("fasttext", "cld2"):
        doc = run(text, backend=backend)
        assert doc.verdict.status in ("kept", "rejected"), doc.error


def test_parameters_are_validated() -> None:
    with pytest.raises(ConfigError, match="backend"):
        LanguageID(backend="lid218")
    with pytest.raises(ConfigError, match="min_score"):
        LanguageID(min_score=1.5)
