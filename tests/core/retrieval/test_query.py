from __future__ import annotations

from pathlib import Path

from ldn_core.retrieval.query import QueryExpander, strip_generic

from .conftest import EXPANDER

LEXICON = Path(__file__).resolve().parents[3] / "knowledge" / "lexicon" / "abbreviations.yaml"


def test_expansion_keeps_the_original_word():
    assert EXPANDER.expand("LDN for fibro?") == (
        "LDN (low-dose naltrexone) for fibro (fibromyalgia)?"
    )


def test_case_sensitive_terms_only_match_their_case():
    assert EXPANDER.expand("LDN in MS") == "LDN (low-dose naltrexone) in MS (multiple sclerosis)"
    assert EXPANDER.expand("4.5 ms latency") == "4.5 ms latency"


def test_content_strips_generic_filler_but_keeps_content():
    assert EXPANDER.content("can I use LDN in a pt with MS") == (
        "use in a with MS (multiple sclerosis)"
    )
    assert strip_generic("naltrexone-bupropion and low-dose naltrexone") == (
        "naltrexone-bupropion and"
    )


def test_content_falls_back_when_only_filler_is_left():
    assert EXPANDER.content("LDN?") == "LDN (low-dose naltrexone)?"


def test_project_lexicon_loads_and_expands():
    expander = QueryExpander.load(LEXICON)
    assert "multiple sclerosis" in expander.expand("LDN in MS")
    assert expander.expand("ms") == "ms"
    assert "tramadol" in expander.expand("ultram washout")
    assert "fibromyalgia" in expander.vocabulary()


def test_extra_terms_fill_in_and_the_lexicon_wins(tmp_path: Path):
    lexicon = tmp_path / "abbreviations.yaml"
    lexicon.write_text("terms:\n  oramorph: oral morphine solution\n", encoding="utf-8")
    expander = QueryExpander.load(
        lexicon, {"zomorph": "morphine opioid", "oramorph": "morphine opioid"}
    )
    assert expander.expand("Zomorph bd") == "Zomorph (morphine opioid) bd"
    assert expander.expand("oramorph") == "oramorph (oral morphine solution)"
