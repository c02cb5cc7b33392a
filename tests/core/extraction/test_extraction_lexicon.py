from pathlib import Path

from ldn_core.extraction.lexicon import LEXICON_DIR, load_lexicon, variants

FIXTURE = Path(__file__).parent / "fixtures" / "opioids_small.yaml"


def test_fixture_opioids_and_naltrexone_products_load():
    lexicon = load_lexicon(opioids_path=FIXTURE)
    by_literal = {t.literal: t for t in lexicon.terms if t.literal}
    assert by_literal["Ultram"].category == "OPIOID" and by_literal["Ultram"].value == "tramadol"
    assert by_literal["Butrans"].get("form") == "long_acting"
    assert by_literal["Suboxone"].get("form") is None
    assert by_literal["Contrave"].category == "NTX_BUP"
    assert by_literal["Revia"].category == "NTX_FULL"
    assert lexicon.opioid_kinds == {"tramadol": "short_acting", "buprenorphine": "maintenance"}
    assert lexicon.long_acting_markers == ("er", "sr", "patch")


def test_conditions_and_context_cues_load_as_strings():
    lexicon = load_lexicon(opioids_path=FIXTURE)
    crohns = [t for t in lexicon.terms if t.category == "CONDITION" and t.value == "crohns"]
    assert any(t.literal == "chrons" for t in crohns)
    cd = next(t for t in crohns if t.literal == "CD")
    assert "ileum" in cd.get("needs_any")
    assert {"alcohol_use_disorder", "opioid_use_disorder"} <= lexicon.secondary_conditions
    literals = {c.literal for c in lexicon.cues}
    assert {"no", "on", "off", "denies", "stopped"} <= literals  # YAML 1.1 booleans stay words
    assert all(isinstance(c.literal, str) for c in lexicon.cues)


def test_every_condition_id_is_a_documented_one():
    from ldn_core.knowledge import CONDITIONS

    documented = set(CONDITIONS) - {"general"}
    lexicon = load_lexicon(opioids_path=FIXTURE, lexicon_dir=LEXICON_DIR)
    assert {t.value for t in lexicon.terms if t.category == "CONDITION"} <= documented


def test_fuzzy_vocabulary_holds_long_single_words_only():
    vocab = load_lexicon(opioids_path=FIXTURE).fuzzy_vocabulary()
    assert "tramadol" in vocab and "fibromyalgia" in vocab
    assert "fm" not in vocab and "low back pain" not in vocab


def test_variants():
    assert set(variants("opioid-naive")) == {"opioid-naive", "opioid naive", "opioidnaive"}
    assert "breast-feeding" in variants("breast feeding")
