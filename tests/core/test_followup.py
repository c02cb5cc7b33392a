"""Which words make a follow-up name a subject of its own (the router's tests cover the
readings themselves, with the real store)."""

from __future__ import annotations

import pytest

from ldn_core.followup import names_a_subject


@pytest.mark.parametrize(
    "text",
    ["what about side effects?", "and how much does it cost?", "what about methadone?"],
)
def test_a_new_subject_is_named(text):
    assert names_a_subject(text)


@pytest.mark.parametrize(
    "text",
    [
        "how long for?",
        "does it wear off?",
        "any data at all?",
        "NNT?",
        "by how much at 4.5 mg?",
        # what the study just cited found or how it was run
        "and what did they find?",
        "were the results reported?",
        "how many were enrolled",
    ],
)
def test_how_words_amounts_and_study_figures_name_no_subject(text):
    assert not names_a_subject(text)
