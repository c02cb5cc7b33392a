"""The opioid lexicon: brands, slang, typos and forms map to the right generic and kind."""

from __future__ import annotations

import pytest
import yaml

from ldn_core.rules.data import RulesDataError, load_opioid_data
from ldn_core.rules.opioids import (
    OpioidLexicon,
    canonical_opioid,
    interaction_note,
    lexicon,
    lookup_opioid,
    naltrexone_product,
    opioid_kind,
)


@pytest.mark.parametrize(
    "text, generic",
    [
        ("tramadol", "tramadol"),
        ("Ultram", "tramadol"),
        ("ConZip", "tramadol"),
        ("Nucynta", "tapentadol"),
        ("Palexia SR", "tapentadol"),
        ("Tylenol #3", "codeine"),
        ("tylenol 3", "codeine"),
        ("Tylenol No. 3", "codeine"),
        ("co-codamol", "codeine"),
        ("Co-Codamol 30/500", "codeine"),
        ("cocodamol", "codeine"),
        ("DF118", "dihydrocodeine"),
        ("co-dydramol", "dihydrocodeine"),
        ("Norco", "hydrocodone"),
        ("Vicodin", "hydrocodone"),
        ("Hysingla ER", "hydrocodone"),
        ("OxyContin", "oxycodone"),
        ("Percocet", "oxycodone"),
        ("percs", "oxycodone"),
        ("oxy", "oxycodone"),
        ("OXYCODONE 5 MG", "oxycodone"),
        ("oxycodone/APAP 5/325", "oxycodone"),
        ("Opana ER", "oxymorphone"),
        ("MS Contin", "morphine"),
        ("ms-contin 30mg", "morphine"),
        ("Oramorph", "morphine"),
        ("Dilaudid", "hydromorphone"),
        ("Duragesic", "fentanyl"),
        ("fentanyl patch", "fentanyl"),
        ("Duragesic 25mcg/h", "fentanyl"),
        ("Actiq", "fentanyl"),
        ("methadone", "methadone"),
        ("Methadose", "methadone"),
        ("Suboxone", "buprenorphine"),
        ("Subutex", "buprenorphine"),
        ("Butrans", "buprenorphine"),
        ("Belbuca", "buprenorphine"),
        ("Sublocade", "buprenorphine"),
        ("Demerol", "meperidine"),
        ("pethidine", "meperidine"),
        ("levorphanol", "levorphanol"),
        ("heroin", "diamorphine"),
    ],
)
def test_brand_and_slang_names_map_to_the_generic(text, generic):
    assert canonical_opioid(text) == generic


@pytest.mark.parametrize(
    "typo, generic",
    [
        ("oxycodne", "oxycodone"),
        ("tramadl", "tramadol"),
        ("codiene", "codeine"),
        ("hydromorphine", "hydromorphone"),
        ("fentanil", "fentanyl"),
        ("OXYCONTIN", "oxycodone"),
        ("Percoset", "oxycodone"),
        ("methadon", "methadone"),
    ],
)
def test_small_typos_are_tolerated(typo, generic):
    assert canonical_opioid(typo) == generic


@pytest.mark.parametrize(
    "text",
    [
        "Tylenol",
        "paracetamol",
        "gabapentin",
        "T3",
        "T4",
        "MS",
        "naloxone",
        "",
        "   ",
        "amitriptyline",
        "ibuprofen",
        "cocaine",
    ],
)
def test_non_opioids_and_ambiguous_tokens_do_not_match(text):
    assert canonical_opioid(text) is None


def test_non_string_input_is_none():
    assert canonical_opioid(None) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text, kind",
    [
        ("oxycodone", "short_acting"),
        ("Percocet", "short_acting"),
        ("OxyContin", "long_acting"),
        ("oxycodone ER", "long_acting"),
        ("morphine sulfate SR 30 mg", "long_acting"),
        ("MS Contin", "long_acting"),
        ("morphine", "short_acting"),
        ("tramadol", "short_acting"),
        ("tramadol extended release", "long_acting"),
        ("Ultram ER", "long_acting"),
        ("fentanyl", "long_acting"),
        ("Duragesic", "long_acting"),
        ("Actiq", "short_acting"),
        ("methadone", "maintenance"),
        ("Suboxone", "maintenance"),
        ("Sublocade", "maintenance"),
        ("Butrans", "long_acting"),
        ("buprenorphine patch", "long_acting"),
        ("levorphanol", "long_acting"),
        ("codeine", "short_acting"),
    ],
)
def test_kind_reflects_the_named_form(text, kind):
    assert opioid_kind(text) == kind


def test_match_reports_default_kind_and_long_acting_examples():
    match = lookup_opioid("OxyContin")
    assert match.name == "oxycodone" and match.kind == "long_acting"
    assert match.default_kind == "short_acting"
    assert "OxyContin" in match.long_acting_forms
    assert lookup_opioid("oxycodone").long_acting_forms
    assert lookup_opioid("meperidine").long_acting_forms == ()


@pytest.mark.parametrize("text", ["loperamide", "Imodium", "Lomotil", "diphenoxylate/atropine"])
def test_antidiarrhoeals_are_interaction_notes_not_opioids(text):
    assert canonical_opioid(text) is None
    note = interaction_note(text)
    assert note is not None and note.name in ("loperamide", "diphenoxylate")
    assert note.sources and "washout" in note.note


def test_interaction_note_is_none_for_opioids():
    assert interaction_note("oxycodone") is None


@pytest.mark.parametrize(
    "text, fact",
    [
        ("Contrave", "on_naltrexone_bupropion"),
        ("Mysimba", "on_naltrexone_bupropion"),
        ("Revia", "on_naltrexone_50mg"),
        ("Vivitrol", "on_naltrexone_50mg"),
        ("naltrexone 50 mg", "on_naltrexone_50mg"),
    ],
)
def test_naltrexone_products(text, fact):
    assert canonical_opioid(text) is None
    assert naltrexone_product(text).fact == fact


def test_every_generic_maps_to_itself():
    for entry in lexicon().data.opioids:
        assert canonical_opioid(entry.name) == entry.name
        for alias in entry.aliases + entry.long_acting_aliases + entry.short_acting_aliases:
            assert canonical_opioid(alias) == entry.name, alias


def test_required_opioids_are_present():
    names = {e.name for e in lexicon().data.opioids}
    assert {
        "tramadol",
        "tapentadol",
        "codeine",
        "dihydrocodeine",
        "hydrocodone",
        "oxycodone",
        "oxymorphone",
        "morphine",
        "hydromorphone",
        "fentanyl",
        "methadone",
        "buprenorphine",
        "meperidine",
        "levorphanol",
    } <= names
    assert not {"loperamide", "diphenoxylate"} & names


def test_conflicting_alias_is_a_data_error(tmp_path):
    doc = {
        "long_acting_markers": ["er"],
        "opioids": [
            {"name": "oxycodone", "kind": "short_acting", "aliases": ["oxy"]},
            {"name": "oxymorphone", "kind": "short_acting", "aliases": ["OXY"]},
        ],
    }
    path = tmp_path / "opioids.yaml"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(RulesDataError, match="both"):
        OpioidLexicon(load_opioid_data(path))


def test_opioid_brands_become_query_terms_for_retrieval():
    from ldn_core.rules.opioids import lexicon

    terms = lexicon().query_terms()
    assert terms["zomorph"] == "morphine opioid"
    assert terms["cocodamol"] == "codeine opioid"
    assert all(" " not in term for term in terms)  # one-word names only
