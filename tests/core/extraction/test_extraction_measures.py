import pytest

from ldn_core.extraction.measures import ckd_stage_category, egfr_category, find_age, find_doses


@pytest.mark.parametrize(
    "text, age",
    [
        ("16 yo with CRPS", 16),
        ("16yo", 16),
        ("a 16-year-old girl", 16),
        ("70 years old", 70),
        ("62F fibro", 62),
        ("45 M with LBP", 45),
        ("34 f", 34),
        ("age 70", 70),
        ("aged 19", 19),
        ("Age 72. Frail (CFS 6)", 72),  # a chart field, capitalised
        ("AGE: 64", 64),
        ("56 yo F with FM", 56),
        ("pt is 72, eGFR 20", 72),
    ],
)
def test_age_shorthand(text, age):
    assert find_age(text) == age


@pytest.mark.parametrize(
    "text", ["oxycodone 45 mg", "stopped 3 years ago", "8 weeks pregnant", "CKD 4", "pt is 72 kg"]
)
def test_numbers_that_are_not_ages(text):
    assert find_age(text) is None


def test_doses():
    assert [d.mg for d in find_doses("start 1.5 mg, later 4.5mg, not 5/325")] == [1.5, 4.5]


@pytest.mark.parametrize(
    "text, category",
    [
        ("eGFR 25", "severe"),
        ("eGFR < 30", "severe"),
        ("eGFR 30", "moderate"),
        ("eGFR 59", "moderate"),
        ("eGFR 62", "mild"),
        ("GFR of 95", "none"),
    ],
)
def test_egfr_bands(text, category):
    assert egfr_category(text) == category


@pytest.mark.parametrize(
    "text, category",
    [
        ("CKD stage 4", "severe"),
        ("CKD5", "severe"),
        ("CKD 3b", "moderate"),
        ("stage IV CKD", "severe"),
        ("CKD 2", "mild"),
    ],
)
def test_ckd_stages(text, category):
    assert ckd_stage_category(text) == category
