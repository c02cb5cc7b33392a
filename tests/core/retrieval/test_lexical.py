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


def test_edit_distance_counts_a_swap_as_one_edit():
    from ldn_core.retrieval.lexical import edit_distance

    assert edit_distance("naltrexone", "naltrexoen") == 1  # neighbours swapped
    assert edit_distance("fibromyalgia", "fibromyagia") == 1
    assert edit_distance("titration", "titraton") == 1
    assert edit_distance("schedule", "schedual") == 2
    assert edit_distance("", "abc") == 3


def test_spelling_correction_uses_the_store_words_and_spares_real_words():
    index = LexicalIndex(
        [*DOCS, "Cancel the schedule"], known=["amitriptyline"], dictionary={"cancer"}
    )
    assert index.correct("LDN for fibromyagia") == "LDN for fibromyalgia"
    assert index.correct("titraton schedual") == "titration schedule"  # 2 edits: long word
    assert index.correct("amitriptylin") == "amitriptyline"  # a lexicon word counts
    assert index.correct("LDN in cancer") == "LDN in cancer"  # a real word, not "cancel"
    assert index.correct("MS crossovr") == "MS crossover"  # case of other words kept
    assert index.correct("dreams vivd") == "dreams vivd"  # 4 letters: too short to correct
    assert index.correct("psoriasis") == "psoriasis"  # no near neighbour


def test_correction_lets_a_typo_count_for_bm25_and_coverage():
    index = LexicalIndex(DOCS)
    typo = index.correct("fibromyagia crosover")
    assert index.scores(typo).argmax() == 2
    assert index.coverage(typo) == pytest.approx(1.0)
    assert index.coverage("fibromyagia crosover") == 0.0  # uncorrected: unknown words


def test_specific_coverage_treats_unknown_common_words_as_neutral():
    index = LexicalIndex(DOCS, dictionary={"fast", "buy", "normal"})
    # "fast" is unknown to the store but plain English: neutral for specific coverage only
    assert index.coverage("how fast to titrate") < 1.0
    assert index.specific_coverage("how fast to titrate") == pytest.approx(1.0)
    assert index.specific_coverage("how fast") == 1.0  # nothing specific left
    # an unknown specific term (not a dictionary word) still counts against
    assert index.specific_coverage("metformin titration") < 0.5
    assert index.specific_coverage("LDN for tinnitus") == 0.0
    assert index.specific_coverage("fibromyalgia 4.5 mg") == pytest.approx(1.0)


def test_a_typed_abbreviation_with_swapped_letters_is_the_stores_abbreviation():
    index = LexicalIndex(
        ["LDN in CRPS: small case series", "Crohn's disease and IBD trials", "the usual dose"]
    )
    assert index.speller.text("evidence for LND in CRSP") == "evidence for ldn in crps"
    # only capitals count as an abbreviation, and only the store's own are targets
    assert index.speller.text("crsp and the HTE") == "crsp and the HTE"
    assert index.speller.text("IDB") == "ibd"
    assert index.speller.text("DIB") == "DIB"  # two swaps away


def test_reviewed_real_words_are_never_corrected_into_a_store_word(tmp_path):
    from ldn_core.retrieval.lexical import load_real_words
    from ldn_core.settings import REPO_ROOT

    real = load_real_words(REPO_ROOT / "knowledge")
    assert "herpetic" in real
    index = LexicalIndex(["LDN in hepatic impairment"], dictionary=real)
    assert index.correct("post-herpetic neuralgia") == "post-herpetic neuralgia"
    assert LexicalIndex(["LDN in hepatic impairment"]).correct("herpetic") == "hepatic"
    (tmp_path / "lexicon").mkdir()
    (tmp_path / "lexicon" / "real_words.yaml").write_text("words: herpetic\n")
    with pytest.raises(ValueError, match="real_words.yaml"):
        load_real_words(tmp_path)
