from __future__ import annotations

import pytest

from ldn_core.retrieval.lexical import LexicalIndex, stem, tokens

DOCS = [
    "Titration of naltrexone from 1.5 mg to 4.5 mg at bedtime",
    "Vivid dreams are a common side effect",
    "Crossover trial in fibromyalgia",
]


def test_tokens_drop_stopwords_and_generic_words_and_stem():
    assert tokens("Can I titrate LDN for my patients?") == ["titrat"]
    assert stem("titrating") == stem("titration") == stem("titrate") == "titrat"
    assert stem("dose") == "dose"
    assert stem("dreams") == "dream"


def test_bm25_prefers_the_document_sharing_rare_words():
    index = LexicalIndex(DOCS)
    scores = index.scores("vivid dreams")
    assert scores.argmax() == 1
    assert scores[0] == 0 and scores[2] == 0
    assert not index.scores("banana bread").any()


def test_coverage_measures_known_content_words():
    index = LexicalIndex(DOCS, known=["tinnitus"])
    assert index.coverage("LDN for fibromyalgia") == pytest.approx(1.0)
    assert index.coverage("LDN for POTS") == 0.0
    assert index.coverage("LDN for tinnitus") == pytest.approx(1.0)  # lexicon word
    assert 0.0 < index.coverage("fibromyalgia and eczema") < 0.5  # unknown words weigh more
    assert index.coverage("LDN 4.5 mg?") == 1.0  # nothing but numbers and filler
