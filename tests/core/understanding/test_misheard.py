"""Dictated drug and condition names split into sound-alike words are joined again."""

from __future__ import annotations

import pytest

from ldn_core.understanding.clean import clean_message
from ldn_core.understanding.misheard import restore_misheard_names, skeleton


def test_the_skeleton_keeps_consonants_and_merges_sound_alikes():
    assert skeleton("naltrexone") == skeleton("nal tracks own") == "nltrksn"
    assert skeleton("fibro my algae") == skeleton("fibromyalgia")


@pytest.mark.parametrize(
    ("dictated", "restored"),
    [
        ("my husbands low does nal tracks own he is sick", "low dose naltrexone he is sick"),
        ("low dose now trucks own for fibro my algae", "low dose naltrexone for fibromyalgia"),
        ("is low dose nal trex one safe", "low dose naltrexone safe"),
        ("patient on el dee en for her fibro", "patient on LDN for her fibro"),
    ],
)
def test_dictated_splits_are_joined(dictated, restored):
    assert restored in restore_misheard_names(dictated)


@pytest.mark.parametrize(
    "text",
    [
        "no trucks on the road",  # one consonant off, and no "low dose" before it
        "nil by mouth from midnight",
        "fibre might leg",
        "for fibro my pt needs a dose",
        "naltrexone 4.5 mg for fibromyalgia",
        "like the other naltrexone one my friend is on",  # the name is whole already
    ],
)
def test_other_words_are_left_alone(text):
    assert restore_misheard_names(text) == text


def test_cleaning_a_voicemail_transcript_names_the_drug():
    cleaned = clean_message("hi its Ann, low does nal tracks own, can I take it with food")
    assert "low dose naltrexone" in cleaned.text
