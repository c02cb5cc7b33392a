"""End-to-end behaviour of extract_facts (builds the shared spaCy pipeline once)."""

import datetime as dt

import pytest

from ldn_core.extraction import extract_facts
from ldn_core.patient import OpioidExposure

FRI = dt.date(2026, 11, 27)


def facts(text: str, today: dt.date = FRI):
    return extract_facts(text, today)


def only_opioid(text: str, today: dt.date = FRI) -> OpioidExposure:
    found = facts(text, today).opioids
    assert len(found) == 1, found
    return found[0]


# --- negation ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "denies opioid use",
        "no opioids",
        "opioid-naive",
        "not on any opioids",
        "never used opioids",
        "Opioid naive.",
        "no narcotics",
    ],
)
def test_opioid_free_statements(text):
    f = facts(text)
    assert f.opioid_free is True
    assert f.opioids == []


def test_positive_class_mention_is_not_opioid_free():
    assert facts("on opioids for years").opioid_free is False
    assert facts("pt with fibromyalgia").opioid_free is None


def test_negation_stays_in_its_clause():
    f = facts("no opioids, on tramadol 50 mg prn")
    assert f.opioid_free is True
    assert f.opioids == [OpioidExposure("tramadol", current=True)]


@pytest.mark.parametrize(
    "text, field, value",
    [
        ("no liver disease", "liver_status", "normal"),
        ("LFTs not raised", "liver_status", "normal"),
        ("not pregnant", "pregnant", False),
        ("no surgery planned", "procedure_planned", False),
        ("not breastfeeding", "breastfeeding", False),
        ("no CKD", "renal_impairment", "none"),
        ("no Contrave", "on_naltrexone_bupropion", False),
    ],
)
def test_negated_states(text, field, value):
    assert getattr(facts(text), field) == value


# --- history / current / hypothetical ------------------------------------------------------
@pytest.mark.parametrize(
    "text, drug, last_dose",
    [
        ("no longer on tramadol", "tramadol", None),
        ("stopped oxycodone 3 days ago", "oxycodone", dt.date(2026, 11, 24)),
        ("weaned off morphine last month", "morphine", dt.date(2026, 10, 31)),
        ("last dose of tramadol Sunday", "tramadol", dt.date(2026, 11, 22)),
        ("oxycodone stopped yesterday", "oxycodone", dt.date(2026, 11, 26)),
        ("tramadol, stopped Sunday", "tramadol", dt.date(2026, 11, 22)),
        ("no oxycodone since Friday", "oxycodone", dt.date(2026, 11, 20)),
    ],
)
def test_stopped_opioids(text, drug, last_dose):
    exposure = only_opioid(text)
    assert (exposure.drug, exposure.current, exposure.last_dose) == (drug, False, last_dose)
    assert facts(text).last_opioid_dose == last_dose


@pytest.mark.parametrize(
    "text",
    [
        "on oxycodone 5 mg qid",
        "takes tramadol prn",
        "still on codeine",
        # asked whether to keep what the patient takes: she takes it now
        "can she carry on with her co-codamol when she starts",
        "should he keep taking the tramadol",
        "ok to continue his morphine?",
    ],
)
def test_current_opioids(text):
    assert only_opioid(text).current is True


def test_plain_mention_leaves_current_unknown():
    assert only_opioid("fibro, tramadol").current is None


def test_hypothetical_opioid_is_not_recorded():
    f = facts("considering tramadol for flares")
    assert f.opioids == [] and f.opioid_free is None


def test_two_opioids_keep_their_own_status_and_dates():
    f = facts("stopped Percocet two weeks ago, still on tramadol")
    by_drug = {o.drug: o for o in f.opioids}
    assert by_drug["oxycodone"].current is False
    assert by_drug["oxycodone"].last_dose == dt.date(2026, 11, 13)
    assert by_drug["tramadol"].current is True
    assert f.last_opioid_dose == dt.date(2026, 11, 13)


# --- brand names, typos, forms -----------------------------------------------------------
@pytest.mark.parametrize(
    "text, drug",
    [
        ("on Norco", "hydrocodone"),
        ("on Percocet", "oxycodone"),
        ("on Ultram", "tramadol"),
        ("on Dilaudid", "hydromorphone"),
        ("on oxycodne", "oxycodone"),
        ("on tramdol", "tramadol"),
    ],
)
def test_brand_names_and_typos_map_to_generic(text, drug):
    assert only_opioid(text).drug == drug


def test_maintenance_and_long_acting_forms():
    assert only_opioid("on Suboxone 8 mg daily for OUD").maintenance is True
    butrans = only_opioid("Butrans patch 10 mcg/h")
    assert (butrans.drug, butrans.maintenance, butrans.long_acting) == (
        "buprenorphine",
        False,
        True,
    )
    assert only_opioid("methadone 10 mg tid for pain").maintenance is False
    assert only_opioid("on OxyContin 20 mg bid").long_acting is True
    assert only_opioid("on morphine SR 30 mg").long_acting is True
    assert only_opioid("oxycodone IR prn").long_acting is False
    assert only_opioid("on oxycodone").long_acting is None


@pytest.mark.parametrize(
    "text, field",
    [
        ("on Contrave", "on_naltrexone_bupropion"),
        ("on Mysimba", "on_naltrexone_bupropion"),
        ("on Revia", "on_naltrexone_50mg"),
        ("naltrexone 50 mg daily", "on_naltrexone_50mg"),
        ("monthly Vivitrol", "on_naltrexone_50mg"),
    ],
)
def test_other_naltrexone_products(text, field):
    assert getattr(facts(text), field) is True


def test_ldn_dose_is_not_full_dose_naltrexone():
    f = facts("on naltrexone 4.5 mg")
    assert f.on_naltrexone_50mg is None and f.requested_dose_mg is None


# --- conditions ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, condition",
    [
        ("FM", "fibromyalgia"),
        ("fibro", "fibromyalgia"),
        ("fibromyalga", "fibromyalgia"),
        ("RSD", "crps"),
        ("PDN", "diabetic_neuropathy"),
        ("NCP", "corneal_pain"),
        ("LBP", "low_back_pain"),
        ("chrons", "crohns"),
        ("MS", "multiple_sclerosis"),
        ("CD with ileal disease", "crohns"),
    ],
)
def test_condition_abbreviations(text, condition):
    assert facts(f"pt with {text}").indication == condition


def test_cd_needs_gi_context():
    assert facts("pt with CD").indication is None


def test_ldn_indication_wins_over_addiction_diagnosis():
    assert facts("on methadone for OUD, also has fibro").indication == "fibromyalgia"
    assert facts("on Revia for AUD").indication == "alcohol_use_disorder"


# --- liver / renal / pregnancy / age ------------------------------------------------------
@pytest.mark.parametrize(
    "text, status",
    [
        ("LFTs normal", "normal"),
        ("raised LFTs", "raised_lfts"),
        ("LFTs elevated", "raised_lfts"),
        ("transaminitis", "raised_lfts"),
        ("acute hepatitis", "acute_hepatitis"),
        ("compensated cirrhosis", "compensated_cirrhosis"),
        ("decompensated cirrhosis", "decompensated_cirrhosis"),
        ("LFTs normal but ascites", "decompensated_cirrhosis"),
        ("cirrhosis", None),
    ],
)
def test_liver_status(text, status):
    assert facts(text).liver_status == status


@pytest.mark.parametrize(
    "text, category",
    [
        ("CKD stage 4", "severe"),
        ("CKD 5", "severe"),
        ("eGFR < 30", "severe"),
        ("on dialysis", "severe"),
        ("eGFR 45", "moderate"),
        ("normal renal function", "none"),
        ("CKD", None),
    ],
)
def test_renal_impairment(text, category):
    assert facts(text).renal_impairment == category


@pytest.mark.parametrize(
    "text, pregnant, breastfeeding",
    [
        ("pregnant", True, None),
        ("20 weeks pregnant", True, None),
        ("not pregnant", False, None),
        ("breastfeeding", None, True),
        ("lactating", None, True),
        ("postmenopausal", False, None),
        ("works in a nursing home", None, None),
        ("trying to conceive", None, None),
        ("G1P0, 31/40, pelvic girdle pain", True, None),
        ("positive pregnancy test on Monday", True, None),
        ("negative pregnancy test today", False, None),
        ("30F, on LDN for FM. Positive home pregnancy test today", True, None),
        ("urine pregnancy test came back positive this morning", True, None),
        ("Nursing note: c/o vivid dreams since starting", None, None),
        ("she is nursing a 3 month old", None, True),
        ("Nursing asking when her LDN can go back on?", None, None),
        ("currently nursing, can she take LDN?", None, True),
    ],
)
def test_pregnancy_and_lactation(text, pregnant, breastfeeding):
    f = facts(text)
    assert (f.pregnant, f.breastfeeding) == (pregnant, breastfeeding)


def test_age_and_sex_shorthand():
    assert facts("62F fibro").age_years == 62
    assert facts("45 M with CRPS").age_years == 45


# --- procedures, start date, dose ---------------------------------------------------------
def test_procedure_with_future_date_and_opioid_plan():
    f = facts("surgery next Tuesday (knee replacement, will need opioids)")
    assert f.procedure_planned is True
    assert f.procedure_date == dt.date(2026, 12, 1)
    assert f.procedure_needs_opioids is True


@pytest.mark.parametrize(
    "text",
    [
        "46M chronic neuropathic pain after lumbar surgery, LDN?",
        "FBSS (failed back surgery syndrome), pain clinic suggests LDN",
        "persistent pain following her hernia repair - LDN?",
    ],
)
def test_pain_an_operation_left_behind_is_not_a_planned_operation(text):
    assert facts(text).procedure_planned is None


@pytest.mark.parametrize(
    "text",
    [
        "colonoscopy Monday, no opioids planned",
        "dental extraction Monday, opioid-sparing",
        "knee replacement Monday, won't need opioids",
    ],
)
def test_procedure_without_opioids(text):
    f = facts(text)
    assert f.procedure_date == dt.date(2026, 11, 30)
    assert f.procedure_needs_opioids is False
    assert f.opioid_free is None


def test_past_surgery_is_not_a_planned_procedure():
    f = facts("had knee surgery 3 weeks ago")
    assert f.procedure_planned is None and f.procedure_date is None


def test_requested_start_and_dose():
    f = facts("stopped oxycodone 3 days ago, can I start LDN tonight at 1.5 mg?")
    assert f.requested_start == FRI
    assert f.requested_dose_mg == 1.5
    assert f.opioids[0].last_dose == dt.date(2026, 11, 24)


def test_opioid_dose_is_not_the_requested_ldn_dose():
    assert facts("on oxycodone 5 mg, start LDN next week").requested_dose_mg is None


def test_empty_and_unrelated_text():
    assert facts("") == facts("What is the weather like?")
    assert facts("hello").opioids == []


# --- clause handling and phrasing variants ------------------------------------------------
def test_history_cue_spreads_over_a_list_of_opioids():
    f = facts("stopped tramadol, oxycodone and codeine 2 weeks ago")
    assert sorted(o.drug for o in f.opioids) == ["codeine", "oxycodone", "tramadol"]
    assert all(o.current is False for o in f.opioids)


def test_negated_named_opioids_without_date_are_not_recorded():
    f = facts("no tramadol, oxycodone or codeine")
    assert f.opioids == [] and f.opioid_free is None


@pytest.mark.parametrize(
    "text, status",
    [
        ("LFTs mildly elevated", "raised_lfts"),
        ("slightly raised ALT", "raised_lfts"),
        ("LFTs were normal", "normal"),
        ("no hx of liver or kidney disease", "normal"),
    ],
)
def test_liver_phrasing_variants(text, status):
    assert facts(text).liver_status == status


def test_coordinated_organs_are_both_negated():
    assert facts("no kidney or liver disease").renal_impairment == "none"


def test_general_population_question_is_not_a_patient_fact():
    assert facts("Is LDN safe in pregnancy?").pregnant is None


def test_month_name_dates():
    assert facts("knee surgery in March").procedure_date == dt.date(2027, 3, 1)
    assert only_opioid("stopped oxycodone in October").last_dose == dt.date(2026, 10, 31)


# --- issue 14: populations and urine screen -------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "34F with fibro, trying to conceive, no opioids",
        "she is planning a pregnancy next year",
        "pt doing IVF, wants LDN for CRPS",
    ],
)
def test_planning_pregnancy_is_recognised(text):
    f = facts(text)
    assert f.planning_pregnancy is True
    assert f.pregnant is not True


def test_frailty_is_recognised():
    assert facts("frail 84 year old with PDN, no opioids").frail is True


@pytest.mark.parametrize(
    "text, value",
    [
        ("denies opioid use but UDS positive for opiates", "positive"),
        ("no opioids, positive urine drug screen last week", "positive"),
        ("no opioids, negative UDS", "negative"),
        ("no opioids", None),
    ],
)
def test_urine_opioid_screen(text, value):
    assert facts(text).urine_opioid_screen == value


@pytest.mark.parametrize(
    "text, name, kind",
    [
        ("takes pholcodine linctus for a cough", "pholcodine", "short_acting"),
        ("uses kratom daily", "kratom", "uncertain"),
        ("on tianeptine from an online shop", "tianeptine", "uncertain"),
        ("Viberzi for IBS-D", "eluxadoline", "uncertain"),
        ("on Apadaz for pain", "benzhydrocodone", "short_acting"),
        ("had Nubain in ED", "nalbuphine", "short_acting"),
    ],
)
def test_new_lexicon_entries_are_extracted(text, name, kind):
    from ldn_core.rules import opioid_kind

    found = facts(text).opioids
    assert [o.drug for o in found] == [name]
    assert opioid_kind(name) == kind


@pytest.mark.parametrize(
    "text",
    [
        "45F fibromyalgia, no opioids, not on naltrexone or Contrave",
        "no other naltrexone products, LFTs normal",
        "naltrexone naive, no opioids",
    ],
)
def test_no_other_naltrexone_answers_both_products(text):
    f = facts(text)
    assert f.on_naltrexone_bupropion is False and f.on_naltrexone_50mg is False


def test_a_named_product_is_not_overridden_by_a_general_denial():
    f = facts("on Contrave for weight, no other naltrexone")
    assert f.on_naltrexone_bupropion is True and f.on_naltrexone_50mg is False


@pytest.mark.parametrize(
    "text",
    [
        "me and my husband are starting to try for a baby this year",
        "they are hoping to start a family soon",
        "trying for another baby",
    ],
)
def test_a_pregnancy_plan_in_lay_words(text):
    assert facts(text).planning_pregnancy is True


@pytest.mark.parametrize(
    "text, indication",
    [
        ("Phone call from Ms Achebe today, started LDN 1.5 mg for widespread pain", None),
        ("Re: Ms R, 36, persistent fatigue, asking about LDN", None),
        ("pt with MS on LDN", "multiple_sclerosis"),
        ("Ms Jones, 50, RRMS, LDN?", "multiple_sclerosis"),
    ],
)
def test_a_courtesy_title_is_not_multiple_sclerosis(text, indication):
    assert facts(text).indication == indication


@pytest.mark.parametrize(
    "text, planned",
    [
        ("To: Reception - Elmfield Surgery\nI started the low dose naltrexone last week", None),
        ("patient rang the surgery asking whether LDN is safe", None),
        ("she texted the GP surgery about her LDN dreams", None),
        ("Knee Surgery planned next week, on LDN", True),
        ("she is having a tooth pulled on Friday, on LDN", True),
        ("on LDN, before the surgery next week should she stop it?", True),
    ],
)
def test_a_general_practice_called_a_surgery_is_not_an_operation(text, planned):
    assert facts(text).procedure_planned is planned


def test_a_past_positive_pregnancy_test_is_never_read_as_not_pregnant():
    # "had" marks history, so the fact stays unknown and the verdict lists it to confirm
    assert facts("she had a positive pregnancy test last week").pregnant is not False


@pytest.mark.parametrize(
    "text, reaction",
    [
        ("52F, CRPS, allergic to naltrexone (urticaria). LDN?", "allergy"),
        ("LDN gave him hives last year, wants to try again", "allergy"),
        ("had a bad reaction to naltrexone in 2019, FM, LDN?", "reaction"),
        ("no allergy to naltrexone, FM, start LDN?", "none"),
        ("vivid dreams on LDN before, FM", None),
    ],
)
def test_a_reaction_to_naltrexone_is_found_whenever_it_happened(text, reaction):
    assert facts(text).naltrexone_reaction == reaction


@pytest.mark.parametrize(
    "text",
    ["allergic to codeine, FM, start LDN?", "Allergies: morphine (rash), penicillin\nFM - LDN?"],
)
def test_an_opioid_on_the_allergy_list_is_not_taken(text):
    found = facts(text)
    assert found.opioids == []
    assert found.opioid_free is None  # an allergy says nothing about opioid use


@pytest.mark.parametrize(
    "text, status",
    [
        ("Bloods: ALT 112, AST 88, GGT 240", "raised_lfts"),
        ("ALT 60, ALP 130", None),  # below 100 depends on the laboratory's range
        ("NAFLD cirrhosis, Child-Pugh A5, no varices", "compensated_cirrhosis"),
        ("alcohol-related cirrhosis, Child-Pugh B8", "decompensated_cirrhosis"),
    ],
)
def test_liver_results_as_typed_in_a_chart(text, status):
    assert facts(text).liver_status == status


def test_a_specific_condition_beats_the_umbrella_term_beside_it():
    assert facts("IBD clinic. 24M ileocolonic Crohn's, LDN?").indication == "crohns"
    assert facts("chronic pain from her fibromyalgia, LDN?").indication == "fibromyalgia"
    assert facts("IBD clinic: 30F with UC, LDN?").indication == "ibd"


@pytest.mark.parametrize(
    "text",
    [
        "she has her gallbladder taken out next month",
        "having his knee replaced in the spring",
        "booked to have her wisdom teeth out",
    ],
)
def test_an_operation_in_lay_words_is_a_planned_procedure(text):
    assert facts(text).procedure_planned is True


def test_a_body_part_alone_is_not_an_operation():
    assert facts("her knee is sore and her tooth aches").procedure_planned is None


@pytest.mark.parametrize(
    "text", ["asks about trying for a baby next year", "considering IVF in the spring"]
)
def test_a_pregnancy_plan_counts_in_a_hypothetical_frame(text):
    assert facts(text).planning_pregnancy is True
